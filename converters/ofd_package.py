"""An OFD package (GB/T 33190) opened with care: the zip read under size caps, its XML parsed
without entities or network, and its parts (document, pages, templates, fonts, images) found.

Coordinates stay in millimetres here; converters/ofd.py turns them into points.
"""
from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field
from typing import Optional

from xxgk.model import ConversionError, Refused

MAX_MEMBERS = 20000  # more zip entries than this is not a report
MAX_MEMBER_BYTES = 64 * 1024 * 1024  # one part expanded
MAX_TOTAL_BYTES = 256 * 1024 * 1024  # everything we expand from one file
MAX_RATIO = 200  # a part that expands more than this (and past 1 MB) is a zip bomb
MAX_PAGES = 2000


def local(tag) -> str:
    """Tag name without namespace (producers disagree on the ofd: namespace)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def kids(el, name: str) -> list:
    return [c for c in el if local(c.tag) == name]


def kid(el, name: str):
    return next((c for c in el if local(c.tag) == name), None)


def kid_text(el, name: str) -> Optional[str]:
    c = kid(el, name) if el is not None else None
    return (c.text or "").strip() or None if c is not None else None


def numbers(text: Optional[str]) -> list[float]:
    """Space-separated numbers of an attribute such as Boundary or PhysicalBox."""
    out = []
    for tok in (text or "").replace(",", " ").split():
        try:
            out.append(float(tok))
        except ValueError:
            return []
    return out


def box(text: Optional[str]) -> Optional[tuple[float, float, float, float]]:
    v = numbers(text)
    return (v[0], v[1], v[2], v[3]) if len(v) == 4 else None


class Package:
    """The zip, with every read capped: a zip bomb is refused before it is expanded."""

    def __init__(self, data: bytes):
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, ValueError, OSError) as e:
            raise ConversionError(f"corrupt OFD: not a readable zip archive ({e})") from None
        if len(infos) > MAX_MEMBERS:
            raise Refused(f"refused: the OFD archive holds {len(infos)} entries (limit {MAX_MEMBERS})")
        self.names = {i.filename.replace("\\", "/").lstrip("/"): i for i in infos if not i.is_dir()}
        self.lower = {n.lower(): n for n in self.names}
        self.expanded = 0
        declared = sum(i.file_size for i in infos)
        if declared > MAX_TOTAL_BYTES:
            raise Refused(f"refused: the OFD archive expands to {declared // 2**20} MB "
                          f"(limit {MAX_TOTAL_BYTES // 2**20} MB; a zip bomb?)")
        for i in infos:
            if i.file_size > 2**20 and i.file_size > MAX_RATIO * max(1, i.compress_size):
                raise Refused(f"refused: OFD part {i.filename} expands {i.file_size // max(1, i.compress_size)}"
                              f"-fold to {i.file_size // 2**20} MB (a zip bomb?)")

    def find(self, path: str) -> Optional[str]:
        path = posixpath.normpath(path.replace("\\", "/")).lstrip("/")
        return path if path in self.names else self.lower.get(path.lower())

    def read(self, path: str) -> bytes:
        """The part's bytes, reading no more than the caps allow (declared sizes can lie)."""
        name = self.find(path)
        if name is None:
            raise ConversionError(f"corrupt OFD: part {path} is missing")
        limit = min(MAX_MEMBER_BYTES, MAX_TOTAL_BYTES - self.expanded)
        try:
            with self.zip.open(self.names[name]) as f:
                data = f.read(limit + 1)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError) as e:
            raise ConversionError(f"corrupt OFD: part {name} cannot be read ({_short(e)})") from None
        except Exception as e:  # noqa: BLE001 - zlib/lzma errors of a damaged member
            raise ConversionError(f"corrupt OFD: part {name} cannot be read ({_short(e)})") from None
        if len(data) > limit:
            raise Refused(f"refused: OFD part {name} expands past {limit // 2**20} MB (a zip bomb?)")
        self.expanded += len(data)
        return data

    def xml(self, path: str):
        """A part parsed as XML: no entity expansion, no DTD, no network."""
        from lxml import etree

        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                 huge_tree=False, remove_comments=True)
        try:
            root = etree.fromstring(self.read(path), parser)
        except etree.XMLSyntaxError as e:
            raise ConversionError(f"corrupt OFD: part {path} is not well-formed XML ({_short(e)})") from None
        if root is None:
            raise ConversionError(f"corrupt OFD: part {path} is empty")
        return root


def _short(e: Exception) -> str:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return msg[:120]


def resolve(base_file: str, loc: str) -> str:
    """A location as the spec reads it: absolute from the package root, else relative to the file."""
    loc = (loc or "").strip().replace("\\", "/")
    if loc.startswith("/"):
        return posixpath.normpath(loc).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_file), loc))


# ---------------------------------------------------------------- the document's structure

@dataclass
class PageRef:
    number: int
    content: str  # path of the page's Content.xml


@dataclass
class OfdDocument:
    pages: list[PageRef]
    fonts: dict[str, str]  # font ID -> name
    media: dict[str, str]  # multimedia ID -> part path
    metadata: dict
    documents: int = 1  # DocBody count in OFD.xml
    default_box: tuple[float, float, float, float] = (0.0, 0.0, 210.0, 297.0)  # PhysicalBox in mm
    templates: dict[str, str] = field(default_factory=dict)  # TemplatePage ID -> Content.xml path
    parsed_templates: dict = field(default_factory=dict)  # path -> root: a template shared by pages is read once
    units: dict = field(default_factory=dict)  # CompositeGraphicUnit ID -> element


@dataclass
class PageParts:
    """One page read: its Content.xml root, its PhysicalBox (mm), its template pages' roots."""

    root: object
    box: tuple[float, float, float, float]
    templates: list = field(default_factory=list)  # background first


def read_document(pkg: Package) -> OfdDocument:
    entry = pkg.find("OFD.xml")
    if entry is None:
        raise ConversionError("corrupt OFD: no OFD.xml in the archive")
    if pkg.find("Encryptions.xml") is not None:
        raise Refused("encrypted OFD: it cannot be read without its key")
    root = pkg.xml(entry)
    bodies = kids(root, "DocBody")
    if not bodies:
        raise ConversionError("corrupt OFD: OFD.xml names no document (DocBody)")
    body = bodies[0]
    if kid(body, "Encryptions") is not None:
        raise Refused("encrypted OFD: it cannot be read without its key")
    doc_root = kid_text(body, "DocRoot")
    if not doc_root:
        raise ConversionError("corrupt OFD: OFD.xml has no DocRoot")
    doc_path = resolve(entry, doc_root)
    doc = pkg.xml(doc_path)
    common = kid(doc, "CommonData")
    default_box = _page_box(common, "PageArea") or (0.0, 0.0, 210.0, 297.0)
    fonts: dict[str, str] = {}
    media: dict[str, str] = {}
    units: dict = {}
    for tag in ("PublicRes", "DocumentRes"):
        for el in kids(common, tag) if common is not None else []:
            if el.text and el.text.strip():
                _read_res(pkg, resolve(doc_path, el.text.strip()), fonts, media, units)
    templates = {}
    for t in kids(common, "TemplatePage") if common is not None else []:
        if t.get("ID") and t.get("BaseLoc"):
            templates[t.get("ID")] = resolve(doc_path, t.get("BaseLoc"))
    pages_el = kid(doc, "Pages")
    refs = kids(pages_el, "Page") if pages_el is not None else []
    if len(refs) > MAX_PAGES:
        raise Refused(f"refused: the OFD has {len(refs)} pages (limit {MAX_PAGES})")
    pages = []
    for i, ref in enumerate(refs):
        if not ref.get("BaseLoc"):
            raise ConversionError(f"corrupt OFD: page {i + 1} has no BaseLoc")
        content = resolve(doc_path, ref.get("BaseLoc"))
        pages.append(PageRef(number=i + 1, content=content))
    return OfdDocument(pages=pages, fonts=fonts, media=media, metadata=_metadata(body),
                       documents=len(bodies), default_box=default_box, templates=templates, units=units)


def _page_box(el, area: str) -> Optional[tuple[float, float, float, float]]:
    a = kid(el, area) if el is not None else None
    return box(kid_text(a, "PhysicalBox")) if a is not None else None


def read_page(pkg: Package, ofd: OfdDocument, ref: PageRef) -> PageParts:
    """Parse one page (once) with its templates; its PageRes adds to the document's fonts and images."""
    page = pkg.xml(ref.content)
    for el in kids(page, "PageRes"):
        if el.text and el.text.strip():
            _read_res(pkg, resolve(ref.content, el.text.strip()), ofd.fonts, ofd.media, ofd.units)
    tpls = []
    for t in sorted(kids(page, "Template"), key=lambda t: t.get("ZOrder") != "Background"):
        path = ofd.templates.get(t.get("TemplateID"))
        if path is not None:
            if path not in ofd.parsed_templates:
                ofd.parsed_templates[path] = pkg.xml(path)
            tpls.append(ofd.parsed_templates[path])
    return PageParts(root=page, box=_page_box(page, "Area") or ofd.default_box, templates=tpls)


def _read_res(pkg: Package, path: str, fonts: dict, media: dict, units: dict) -> None:
    """Fonts, images and composite units of one resource file (PublicRes.xml, DocumentRes.xml, a PageRes)."""
    if pkg.find(path) is None:
        return  # a missing resource file loses font names or images, not the text
    res = pkg.xml(path)
    base = resolve(path, (res.get("BaseLoc") or ".") + "/x")
    for group in kids(res, "Fonts"):
        for f in kids(group, "Font"):
            fonts[f.get("ID", "")] = f.get("FontName") or f.get("FamilyName") or ""
    for group in kids(res, "MultiMedias"):
        for m in kids(group, "MultiMedia"):
            file = kid_text(m, "MediaFile")
            if file and m.get("ID"):
                media[m.get("ID")] = resolve(base, file)
    for group in kids(res, "CompositeGraphicUnits"):
        for u in kids(group, "CompositeGraphicUnit"):
            if u.get("ID"):
                units[u.get("ID")] = u


def _metadata(body) -> dict:
    info = kid(body, "DocInfo")
    out: dict = {}
    if info is None:
        return out
    for key, name in (("Title", "title"), ("Author", "author"), ("Subject", "subject"),
                      ("Creator", "creator"), ("Abstract", "abstract")):
        text = kid_text(info, key)
        if text:
            out[name] = text
    for key, name in (("CreationDate", "created"), ("ModDate", "modified")):
        text = kid_text(info, key)
        if text and len(text) >= 10 and text[4] == "-":
            out[name] = text[:10]
    return out
