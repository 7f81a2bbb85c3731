#!/usr/bin/env bash
# Installs everything xxgk needs on Debian (run as root): system packages, then a venv in .venv.
#   --with-office     also LibreOffice, for old .doc/.wps input and the tests that read it
#   --with-rapidocr   kept for old scripts: RapidOCR is now a dependency (the low-resolution second reader)
#   --with-browser    also Chromium, for the test that renders the audit page headless
#   --system-python   also install xxgk into the python3 on PATH, so `python -c "import xxgk"` works,
#                     where that interpreter allows it (not Debian's externally managed one, PEP 668)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(python3 python3-venv python3-pip tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-sim-vert
          tesseract-ocr-eng fonts-noto-cjk poppler-utils jbig2dec)
extras="dev"
system_python=0
for arg in "$@"; do
  case "$arg" in
    --system-python) system_python=1 ;;
    --with-office) packages+=(libreoffice-writer-nogui) ;;
    --with-rapidocr) extras+=",rapidocr" ;;
    --with-browser) packages+=(chromium) ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -x .venv/bin/python ]]; then
  python3 -m venv .venv
fi
# requirements.lock pins the versions the project was measured with; setuptools first, since the
# wheel test builds without isolation (no index) and pyproject's package-dir mapping needs a recent one.
.venv/bin/pip install -q --disable-pip-version-check -c requirements.lock setuptools
.venv/bin/pip install -q --disable-pip-version-check -c requirements.lock -e ".[$extras]"
# `xxgk` by name: a symlink onto PATH, leaving the system's (externally managed) Python alone.
if [[ -w /usr/local/bin ]]; then
  ln -sfn "$PWD/.venv/bin/xxgk" /usr/local/bin/xxgk
else
  echo "setup: /usr/local/bin is not writable; run .venv/bin/xxgk" >&2
fi
echo "setup: ready ($(.venv/bin/python --version), $(tesseract --version 2>&1 | head -n1))" >&2
if ((system_python)); then
  if python3 -c 'import sys, sysconfig, os; sys.exit(os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")))'; then
    python3 -m pip install -q --disable-pip-version-check -c requirements.lock -e . \
      && echo "setup: xxgk also importable from $(command -v python3)" >&2
  else
    echo "setup: $(command -v python3) is externally managed (PEP 668); use .venv/bin/python for the API" >&2
  fi
fi
