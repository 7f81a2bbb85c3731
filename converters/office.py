"""Legacy word-processor files (.doc, .wps, .rtf, .odt) → DOCX bytes through LibreOffice."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from xxgk.model import ConversionError

INSTALL_HINT = "apt-get install -y --no-install-recommends libreoffice-writer-nogui"
TIMEOUT_S = 120
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def run_soffice(args: list[str], workdir: Path, timeout: float = TIMEOUT_S) -> subprocess.CompletedProcess:
    """Run soffice headless with a private profile (a shared one makes concurrent runs fail silently)."""
    exe = soffice_path()
    if exe is None:
        raise ConversionError(f"LibreOffice (soffice) is not installed; install it with: {INSTALL_HINT}")
    profile = (workdir / "lo_profile").resolve().as_uri()
    cmd = [exe, f"-env:UserInstallation={profile}", "--headless", "--norestore", *args]
    # own session so a timeout kills soffice.bin too, not only the wrapper script
    proc = subprocess.Popen(cmd, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, env={**os.environ, "HOME": str(workdir)})
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise ConversionError(f"LibreOffice timed out after {timeout:.0f} s") from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def to_docx(data: bytes, name: str) -> bytes:
    """Convert a .doc/.wps/.rtf/.odt file to DOCX bytes."""
    if data[:8] == OLE_MAGIC and "EncryptedPackage".encode("utf-16-le") in data:
        raise ConversionError("password-protected (encrypted) Office document")
    suffix = Path(name).suffix.lower() or ".doc"
    with tempfile.TemporaryDirectory(prefix="xxgk_lo_") as tmp:
        work = Path(tmp)
        src = work / f"input{suffix}"
        src.write_bytes(data)
        outdir = work / "out"
        result = run_soffice(["--convert-to", "docx:MS Word 2007 XML", "--outdir", str(outdir), str(src)], work)
        produced = outdir / "input.docx"
        if not produced.exists():
            detail = (result.stderr or result.stdout).decode("utf-8", "replace").strip().splitlines()
            raise ConversionError(f"LibreOffice could not convert {Path(name).name}"
                                  + (f": {detail[-1]}" if detail else ""))
        return produced.read_bytes()
