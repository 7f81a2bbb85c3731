"""Which converter reads which input: decided from the bytes, the file name only as a hint."""
from __future__ import annotations

import importlib
from typing import Callable

from xxgk.model import ConversionError, Document, MissingDependency, raise_if_import_out_of_memory
from xxgk.converters.textdecode import looks_like_utf16

IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM", b"GIF8")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXTENSIONS = {
    ".pdf": "pdf", ".docx": "docx", ".doc": "doc", ".wps": "doc", ".rtf": "doc", ".odt": "doc",
    ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html",
    ".ofd": "ofd", ".txt": "text", ".md": "text", ".text": "text",
    ".png": "image", ".jpg": "image", ".jpeg": "image", ".tif": "image", ".tiff": "image", ".bmp": "image",
}
# kind → module exposing convert(data, name) -> Document
MODULES = {"pdf": "xxgk.converters.pdf", "docx": "xxgk.converters.docx", "html": "xxgk.converters.html",
           "text": "xxgk.converters.text", "image": "xxgk.converters.image",
           "ofd": "xxgk.converters.ofd"}


def sniff(data: bytes, name: str = "") -> str:
    """The input kind from its content; raises ConversionError for what we cannot read."""
    if not data or not data.strip():
        raise ConversionError("the file is empty")
    head = data[:2048]
    if head.lstrip().startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        import io
        import zipfile  # here: a text or HTML report never needs it

        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            kind = "OFD" if name.lower().endswith(".ofd") else "DOCX"
            raise ConversionError(f"a damaged zip archive, not a readable {kind}")
        if "word/document.xml" in names:
            return "docx"
        if any(n.lstrip("/").lower() == "ofd.xml" for n in names):
            return "ofd"  # GB/T 33190 fixed-layout document
        if "content.xml" in names:
            return "doc"  # OpenDocument text, via LibreOffice
        raise ConversionError("a zip archive that is not a Word document or an OFD (no OFD.xml)"
                              if name.lower().endswith(".ofd") else "a zip archive that is not a Word document")
    if head.startswith(OLE_MAGIC):
        return "doc"
    if head.startswith(IMAGE_MAGIC):
        return "image"
    if head.startswith(b"{\\rtf"):
        return "doc"
    utf16 = looks_like_utf16(data)
    if utf16:
        head = head.decode(utf16, errors="replace").encode("utf-8")  # UTF-16 text: sniff its characters
    elif b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConversionError("binary content of an unknown kind")
    lowered = head.lower()
    if any(tag in lowered for tag in (b"<html", b"<!doctype html", b"<body", b"<table", b"<meta", b"<div", b"<p>")):
        return "html"
    return "text"


def converter_for(kind: str) -> Callable[[bytes, str], Document]:
    if kind == "doc":
        return _legacy_office
    try:
        module = importlib.import_module(MODULES[kind])
    except ImportError as e:
        raise_if_import_out_of_memory(e)  # the reader's libraries could not be mapped under the worker's limit
        raise MissingDependency(f"{kind} input is not supported by this installation ({e})")
    return module.convert


def _legacy_office(data: bytes, name: str) -> Document:
    """Old .doc/.wps/.rtf/.odt: LibreOffice makes a DOCX, then the DOCX converter reads it."""
    try:
        office = importlib.import_module("xxgk.converters.office")
        docx = importlib.import_module("xxgk.converters.docx")
    except ImportError as e:
        raise_if_import_out_of_memory(e)
        raise MissingDependency(f"legacy Word input is not supported by this installation ({e})")
    doc = docx.convert(office.to_docx(data, name), name)
    doc.source.format = "doc"
    return doc
