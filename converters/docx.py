"""DOCX → Document: walk the body XML in document order, tables rebuilt from the raw grid.

python-docx is used only to open the package (relationships, core properties, parts);
the table grid is read from w:gridSpan / w:vMerge / w:gridBefore directly because
python-docx's cell API repeats merged cells and is O(N²) (see research/toolchain.md).
"""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Iterator, Optional

from xxgk.model import Block, Cell, ConversionError, Document, Paragraph, Refused, Source, Table
from xxgk.layout.grid import fit_columns

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _wval(el) -> Optional[str]:
    return None if el is None else el.get(_w("val"))


P, TBL, TR, TC, SDT, SDTCONTENT = _w("p"), _w("tbl"), _w("tr"), _w("tc"), _w("sdt"), _w("sdtContent")
CUSTOMXML, TXBX = _w("customXml"), _w("txbxContent")
FALLBACK = f"{{{MC}}}Fallback"
# Never text of the paragraph: deleted revisions, field codes, text boxes (emitted as their own
# blocks), the VML duplicate of a DrawingML text box, and properties.
_SKIP_IN_TEXT = {_w("delText"), _w("instrText"), TXBX, FALLBACK, _w("pPr"), _w("rPr"),
                 _w("del"), _w("footnoteReference"), _w("endnoteReference"), _w("commentReference")}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_VERTICAL = {"tbRl", "btLr", "tbRlV", "tbLrV", "tb", "lrTbV", "tbV"}


# ---------------------------------------------------------------- CJK joining

def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF
            or 0x3000 <= o <= 0x303F or 0x2018 <= o <= 0x201D or 0x20000 <= o <= 0x2FFFF)


def join_lines(parts: list[str], vertical: bool = False) -> str:
    """Join lines with nothing between CJK neighbours (or in vertical text), a space otherwise."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and not vertical and not (_is_cjk(out[-1]) and _is_cjk(part[0])):
            out += " "
        out += part
    return out


# ---------------------------------------------------------------- numbering

_DIGITS = "〇一二三四五六七八九"
_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"


def _chinese_counting(n: int, digits: str = "零" + _DIGITS[1:], units: str = "十百千", formal: bool = False) -> str:
    if n <= 0 or n >= 10000:
        return str(n)
    thousands, hundreds, tens, ones = n // 1000, n // 100 % 10, n // 10 % 10, n % 10
    out, zero = "", False
    for value, unit in ((thousands, units[2]), (hundreds, units[1]), (tens, units[0])):
        if value:
            if zero:
                out += digits[0]
                zero = False
            # 十一 not 一十一 when the number starts with the tens
            out += ("" if unit == units[0] and value == 1 and not out and not formal else digits[value]) + unit
        elif out:
            zero = True
    if ones:
        out += (digits[0] if zero else "") + digits[ones]
    return out


def _letters(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + sym, n - value
    return out


def format_number(n: int, fmt: str) -> str:
    """One level's counter in a w:numFmt style."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "taiwaneseCountingThousand", "ideographDigital"):
        if fmt == "ideographDigital":
            return "".join(_DIGITS[int(d)] for d in str(n))
        return _chinese_counting(n)
    if fmt in ("chineseLegalSimplified", "japaneseLegal"):
        return _chinese_counting(n, _LEGAL, "拾佰仟", formal=True)
    if fmt in ("ideographTraditional",):
        return _TIANGAN[(n - 1) % 10]
    if fmt in ("ideographZodiac",):
        return _DIZHI[(n - 1) % 12]
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return chr(0x2474 + n - 1)
    if fmt == "decimalEnclosedFullstop" and 1 <= n <= 20:
        return chr(0x2488 + n - 1)
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    suffix: str = "tab"
    legal: bool = False


@dataclass
class Numbering:
    """Counters for w:numPr paragraphs, advanced in document order as Word does."""

    abstract: dict = field(default_factory=dict)      # abstractNumId -> {ilvl: _Level}
    nums: dict = field(default_factory=dict)          # numId -> (abstractNumId, {ilvl: start override})
    counters: dict = field(default_factory=dict)      # abstractNumId -> {ilvl: current value}
    overridden: set = field(default_factory=set)      # numIds whose start overrides were applied

    @classmethod
    def from_xml(cls, root) -> "Numbering":
        num = cls()
        if root is None:
            return num
        for an in root.iter(_w("abstractNum")):
            levels = {}
            for lvl in an.iter(_w("lvl")):
                levels[int(lvl.get(_w("ilvl"), "0"))] = _Level(
                    fmt=_wval(lvl.find(_w("numFmt"))) or "decimal",
                    text=_wval(lvl.find(_w("lvlText"))) or "",
                    start=int(_wval(lvl.find(_w("start"))) or 1),
                    suffix=_wval(lvl.find(_w("suff"))) or "tab",
                    legal=lvl.find(_w("isLgl")) is not None,
                )
            num.abstract[an.get(_w("abstractNumId"))] = levels
        for n in root.iter(_w("num")):
            overrides = {}
            for ov in n.iter(_w("lvlOverride")):
                so = ov.find(_w("startOverride"))
                if so is not None:
                    overrides[int(ov.get(_w("ilvl"), "0"))] = int(_wval(so) or 1)
            num.nums[n.get(_w("numId"))] = (_wval(n.find(_w("abstractNumId"))), overrides)
        return num

    def label(self, num_id: str, ilvl: int) -> tuple[str, str]:
        """Advance the list and return (rendered label, suffix kind)."""
        if num_id not in self.nums:
            return "", "nothing"
        abstract_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abstract_id, {})
        if ilvl not in levels:
            return "", "nothing"
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.overridden:
            self.overridden.add(num_id)
            for lv, start in overrides.items():
                counters[lv] = start - 1
                for deeper in [k for k in counters if k > lv]:
                    del counters[deeper]
        level = levels[ilvl]
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]

        def repl(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            lv = levels.get(k, _Level())
            value = counters.get(k, lv.start)
            return format_number(value, "decimal" if level.legal and lv.fmt != "bullet" else lv.fmt)

        if level.fmt == "bullet":
            return "", "nothing"
        return re.sub(r"%([1-9])", repl, level.text), level.suffix


def _attach_label(label: str, suffix: str, text: str) -> str:
    if not label:
        return text
    # "1." / "一、" / "（一）" run straight into CJK text, as Word shows them with a tab stop
    if suffix == "nothing" or not text or label[-1] in ".．、)）:：" or _is_cjk(label[-1]):
        return label + text
    return label + " " + text


# ---------------------------------------------------------------- styles

@dataclass
class Styles:
    names: dict = field(default_factory=dict)       # styleId -> lower-case name
    num: dict = field(default_factory=dict)         # styleId -> (numId, ilvl) incl. basedOn
    outline: dict = field(default_factory=dict)     # styleId -> outline level

    @classmethod
    def from_xml(cls, root) -> "Styles":
        st = cls()
        if root is None:
            return st
        based, own_num, own_outline = {}, {}, {}
        for s in root.iter(_w("style")):
            sid = s.get(_w("styleId"))
            st.names[sid] = (_wval(s.find(_w("name"))) or "").lower()
            based[sid] = _wval(s.find(_w("basedOn")))
            ppr = s.find(_w("pPr"))
            if ppr is not None:
                numpr = ppr.find(_w("numPr"))
                if numpr is not None and numpr.find(_w("numId")) is not None:
                    own_num[sid] = (_wval(numpr.find(_w("numId"))), int(_wval(numpr.find(_w("ilvl"))) or 0))
                ol = ppr.find(_w("outlineLvl"))
                if ol is not None:
                    own_outline[sid] = int(_wval(ol) or 9)
        for sid in st.names:
            cur, seen = sid, set()
            while cur and cur not in seen:
                seen.add(cur)
                if sid not in st.num and cur in own_num:
                    st.num[sid] = own_num[cur]
                if sid not in st.outline and cur in own_outline:
                    st.outline[sid] = own_outline[cur]
                cur = based.get(cur)
        return st


# ---------------------------------------------------------------- body walk

class _Walker:
    def __init__(self, numbering: Numbering, styles: Styles):
        self.numbering = numbering
        self.styles = styles

    def blocks(self, container) -> Iterator:
        """Paragraphs and tables of a body / cell / text box, in document order."""
        for el in _block_children(container):
            if el.tag == P:
                text = self.paragraph_text(el)
                if text:
                    yield Paragraph(text=text, style=self.paragraph_style(el))
                for box in _text_boxes(el):
                    yield from self.blocks(box)
            elif el.tag == TBL:
                yield from self.table(el)

    def paragraph_text(self, p) -> str:
        lines, cur = [], []
        for kind, value in _runs(p):
            if kind == "br":
                lines.append("".join(cur))
                cur = []
            else:
                cur.append(value)
        lines.append("".join(cur))
        text = join_lines([re.sub(r"[ \t\u00a0]+", " ", ln) for ln in lines])
        label, suffix = self.paragraph_label(p)
        return _attach_label(label, suffix, text) if (label and text) else (text or label)

    def paragraph_label(self, p) -> tuple[str, str]:
        ppr = p.find(_w("pPr"))
        num_id, ilvl = None, 0
        style_id = _wval(ppr.find(_w("pStyle"))) if ppr is not None else None
        if style_id in self.styles.num:
            num_id, ilvl = self.styles.num[style_id]
        numpr = ppr.find(_w("numPr")) if ppr is not None else None
        if numpr is not None:
            if numpr.find(_w("numId")) is not None:
                num_id = _wval(numpr.find(_w("numId")))
            if numpr.find(_w("ilvl")) is not None:
                ilvl = int(_wval(numpr.find(_w("ilvl"))) or 0)
        if not num_id or num_id == "0":
            return "", "nothing"
        return self.numbering.label(num_id, ilvl)

    def paragraph_style(self, p) -> Optional[str]:
        ppr = p.find(_w("pPr"))
        if ppr is None:
            return None
        style_id = _wval(ppr.find(_w("pStyle")))
        name = self.styles.names.get(style_id, "")
        if name == "title":
            return "title"
        if name.startswith("heading") or ppr.find(_w("outlineLvl")) is not None \
                or self.styles.outline.get(style_id, 9) < 9:
            return "heading"
        return None

    def table(self, tbl) -> Iterator[Block]:
        nested: list = []
        # fit_columns: a gridSpan/gridBefore of 10**9 must not become a 10**9-column table
        table = Table(cells=_drop_slivers(fit_columns(self.grid(tbl, nested)), _grid_widths(tbl)))
        if table.cells:
            yield table
        for inner in nested:
            yield from self.blocks(inner)

    def grid(self, tbl, nested: list) -> list[Cell]:
        """Cells with true spans from gridSpan / vMerge / gridBefore / legacy hMerge."""
        cells: list[Cell] = []
        open_v: dict[int, Cell] = {}  # column -> cell a vMerge continuation would extend
        for r, tr in enumerate(_rows(tbl)):
            col = _int_prop(tr.find(_w("trPr")), "gridBefore", 0)
            still_open: dict[int, Cell] = {}
            prev: Optional[Cell] = None
            for tc in _cells(tr):
                tcpr = tc.find(_w("tcPr"))
                span = max(1, _int_prop(tcpr, "gridSpan", 1))
                vmerge = tcpr.find(_w("vMerge")) if tcpr is not None else None
                hmerge = tcpr.find(_w("hMerge")) if tcpr is not None else None
                nested.extend(_Wrap(el) for el in _block_children(tc) if el.tag == TBL)
                if hmerge is not None and _wval(hmerge) != "restart" and prev is not None:
                    prev.colspan += span
                    col += span
                    continue
                if vmerge is not None and _wval(vmerge) != "restart" and col in open_v:
                    owner = open_v[col]
                    owner.rowspan = r - owner.row + 1
                    still_open[col] = owner
                    prev = owner
                    col += span
                    continue
                cell = Cell(row=r, col=col, text=self.cell_text(tc, tcpr), colspan=span)
                nested.extend(box for p in _block_children(tc) if p.tag == P for box in _text_boxes(p))
                cells.append(cell)
                if vmerge is not None:
                    still_open[col] = cell
                prev = cell
                col += span
            open_v = still_open
        return cells

    def cell_text(self, tc, tcpr) -> str:
        direction = _wval(tcpr.find(_w("textDirection"))) if tcpr is not None else None
        lines = []
        for el in _block_children(tc):
            if el.tag == P:
                lines.extend(self.paragraph_text(el).split("\n"))
        return join_lines(lines, vertical=direction in _VERTICAL)


class _Wrap:
    """A nested w:tbl handed to _Walker.blocks as a one-table container."""

    def __init__(self, tbl):
        self.tbl = tbl

    def __iter__(self):
        return iter([self.tbl])


SLIVER_TWIPS = 30  # ~0.5 mm: narrower grid columns are rounding artefacts, not columns


def _grid_widths(tbl) -> list[int]:
    grid = tbl.find(_w("tblGrid"))
    if grid is None:
        return []
    out = []
    for col in grid.findall(_w("gridCol")):
        try:
            out.append(int(float(col.get(_w("w"), "0"))))
        except ValueError:
            out.append(10 ** 6)  # unknown width: a real column
    return out


def _drop_slivers(cells: list[Cell], widths: list[int]) -> list[Cell]:
    """Remove hairline grid columns (LibreOffice/.doc round trips add 1-twip columns where
    borders of different rows almost line up), so one visual column is one grid column."""
    sliver = {i for i, w in enumerate(widths) if w < SLIVER_TWIPS}
    # a cell living only in hairline columns would vanish: its columns are real after all
    for c in cells:
        if all(k in sliver for k in range(c.col, c.last_col + 1)):
            sliver -= set(range(c.col, c.last_col + 1))
    if not sliver:
        return cells
    n = max(max((c.last_col + 1 for c in cells), default=0), len(widths))
    new_index, k = [], 0
    for i in range(n + 1):
        new_index.append(k)
        if i not in sliver:
            k += 1
    for c in cells:
        first, end = new_index[c.col], new_index[c.last_col + 1]
        c.col, c.colspan = first, max(1, end - first)
    return cells


def _int_prop(props, name: str, default: int) -> int:
    """Integer w:val of a child of tcPr/trPr (gridSpan, gridBefore)."""
    if props is None or props.find(_w(name)) is None:
        return default
    try:
        return max(0, int(_wval(props.find(_w(name)))))
    except (TypeError, ValueError):
        return default


def _block_children(container) -> Iterator:
    """w:p and w:tbl children, looking through content controls and custom XML wrappers."""
    for el in container:
        if el.tag in (P, TBL):
            yield el
        elif el.tag in (SDT, SDTCONTENT, CUSTOMXML):
            yield from _block_children(el.find(SDTCONTENT) if el.tag == SDT else el)


def _wrapped(parent, tag: str) -> Iterator:
    """Children with `tag`, looking through content controls and custom XML wrappers."""
    for el in parent:
        if el.tag == tag:
            yield el
        elif el.tag in (SDT, CUSTOMXML):
            yield from _wrapped(el.find(SDTCONTENT) if el.tag == SDT else el, tag)


def _rows(tbl) -> Iterator:
    return _wrapped(tbl, TR)


def _cells(tr) -> Iterator:
    return _wrapped(tr, TC)


def _text_boxes(p) -> list:
    """Outermost w:txbxContent inside a paragraph, skipping the VML fallback copies."""
    found = []

    def visit(el):
        for child in el:
            if child.tag == FALLBACK:
                continue
            if child.tag == TXBX:
                found.append(child)
            elif child.tag not in (P, TBL):
                visit(child)
    visit(p)
    return found


def _runs(p) -> Iterator[tuple[str, str]]:
    """("t", text) and ("br", "") items of a paragraph in order, hidden and deleted text left out."""
    for el in p:
        tag = el.tag
        if tag in _SKIP_IN_TEXT or not isinstance(tag, str):
            continue
        if tag == _w("r"):
            rpr = el.find(_w("rPr"))
            vanish = rpr.find(_w("vanish")) if rpr is not None else None
            if vanish is not None and _wval(vanish) not in ("0", "false"):
                continue
            for child in el:
                ctag = child.tag
                if ctag == _w("t"):
                    yield "t", child.text or ""
                elif ctag == _w("tab") or ctag == _w("ptab"):
                    yield "t", "\t"
                elif ctag in (_w("br"), _w("cr")):
                    if child.get(_w("type")) in (None, "textWrapping"):
                        yield "br", ""
                elif ctag == _w("noBreakHyphen"):
                    yield "t", "-"
                # drawings and alternate content: their only text is in text boxes, emitted apart
        else:  # hyperlinks, insertions, simple fields, smart tags, inline content controls
            yield from _runs(el)


# ---------------------------------------------------------------- entry point

MAX_PART_BYTES = 100 * 1024 * 1024   # one XML part inflated; a real report's document.xml is < 10 MB
MAX_PACKAGE_BYTES = 400 * 1024 * 1024  # all parts inflated (python-docx reads every part into memory)
MAX_PARTS = 10_000


def check_package(data: bytes) -> None:
    """Refuse, before anything is inflated, a package whose parts would inflate past the limits.

    zipfile never inflates a member past the size its directory entry declares, so the
    declared sizes bound what parsing can allocate.
    """
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise ConversionError(f"corrupt DOCX (damaged zip archive: {e})") from None
    if len(infos) > MAX_PARTS:
        raise Refused(f"DOCX package has {len(infos)} parts (limit {MAX_PARTS}); not a report")
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        raise ConversionError("not a Word document: the package has no word/document.xml")
    for info in infos:
        if info.file_size > MAX_PART_BYTES and not info.filename.startswith("word/media/"):
            raise Refused(f"DOCX part {info.filename} inflates to {info.file_size // 2**20} MB "
                          f"(limit {MAX_PART_BYTES // 2**20} MB): a zip bomb, not a report")
    total = sum(i.file_size for i in infos)
    if total > MAX_PACKAGE_BYTES:
        raise Refused(f"DOCX inflates to {total // 2**20} MB (limit {MAX_PACKAGE_BYTES // 2**20} MB): "
                      "a zip bomb, not a report")


_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def _drop_dangling_relationships(data: bytes) -> tuple[bytes, list[str]]:
    """The package without relationships to parts it lacks (a styles.xml lost on the way), and those parts.

    python-docx refuses a package that refers to a missing part; the body is all we read, so the
    reference is dropped and the document read without that part (with a warning).
    """
    import posixpath

    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        fixed: dict[str, bytes] = {}
        missing: list[str] = []
        for rels in sorted(n for n in names if n.endswith(".rels")):
            folder = posixpath.dirname(posixpath.dirname(rels))  # word/_rels/document.xml.rels -> word
            try:
                root = etree.fromstring(z.read(rels), parser)
            except (etree.XMLSyntaxError, ValueError):
                continue  # python-docx says what is wrong with it
            dropped = False
            for rel in list(root.iter(f"{{{_RELS_NS}}}Relationship")):
                target = rel.get("Target") or ""
                if rel.get("TargetMode") == "External" or not target:
                    continue
                part = posixpath.normpath(target.lstrip("/") if target.startswith("/")
                                          else posixpath.join(folder, target))
                if part not in names:
                    root.remove(rel)
                    missing.append(part)
                    dropped = True
            if dropped:
                fixed[rels] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        if not fixed:
            return data, []
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in z.infolist():
                zout.writestr(info, fixed.get(info.filename) or z.read(info.filename))
    return out.getvalue(), missing


def _xml_error(e: Exception) -> str:
    msg = (getattr(e, "msg", None) or str(e) or "").strip().splitlines()
    line = getattr(e, "lineno", None)
    return (msg[0][:100] if msg else "malformed") + (f", line {line}" if line else "")


def _open_package(data: bytes):
    if data[:8] == _OLE_MAGIC:
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise Refused("password-protected (encrypted) Word document")
        raise ConversionError("legacy OLE Word file (.doc/.wps), not DOCX: convert it with converters.office")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ConversionError("not a DOCX file (not a zip archive)")
    check_package(data)
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError
    try:
        data, missing = _drop_dangling_relationships(data)
        return docx.Document(io.BytesIO(data)), missing
    except PackageNotFoundError:
        raise ConversionError("not a Word document: the package has no main document part") from None
    except KeyError as e:
        raise ConversionError(f"corrupt DOCX: the package lacks a part it refers to ({e.args[0] if e.args else '?'})") from None
    except XMLSyntaxError as e:
        raise ConversionError(f"corrupt DOCX: an XML part is not well-formed ({_xml_error(e)})") from None
    except ValueError as e:
        raise ConversionError(f"not a Word document: {_xml_error(e)}") from None
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        raise ConversionError(f"corrupt DOCX (damaged zip archive: {_xml_error(e)})") from None
    except Exception as e:  # zlib errors, missing parts, truncated members: one clear line, never a traceback
        import zlib
        if isinstance(e, zlib.error):
            raise ConversionError("corrupt DOCX (damaged zip archive: a part cannot be inflated)") from None
        raise ConversionError(f"corrupt DOCX: {_xml_error(e)}") from None


def _part_xml(package, attr: str):
    try:
        return getattr(package.part, attr).element
    except (KeyError, NotImplementedError, AttributeError):
        return None


def _metadata(package) -> dict:
    meta = {}
    try:
        cp = package.core_properties
    except Exception:
        return meta
    for key in ("title", "subject", "author"):
        value = (getattr(cp, key, None) or "").strip()
        if value:
            meta[key] = value
    for key in ("created", "modified"):
        value = getattr(cp, key, None)
        if value is not None:
            meta[key] = value.isoformat()
    return meta


def convert(data: bytes, name: str) -> Document:
    package, missing = _open_package(data)
    styles_el = None
    try:
        styles_el = package.part.styles.element
    except Exception:
        pass
    body = getattr(package.element, "body", None)
    if body is None:
        raise ConversionError("corrupt DOCX: word/document.xml has no w:body")
    try:
        numbering = Numbering.from_xml(_part_xml(package, "numbering_part"))
        walker = _Walker(numbering, Styles.from_xml(styles_el))
        blocks = list(walker.blocks(body))
    except (ValueError, TypeError, AttributeError, KeyError) as e:  # malformed attribute values and the like
        raise ConversionError(f"corrupt DOCX body: {_xml_error(e)}") from None
    # pages stays None: a DOCX has no fixed pagination (docProps/app.xml's count is often stale)
    source = Source(path=name, format="docx", sha256=hashlib.sha256(data).hexdigest())
    doc = Document(blocks=blocks, source=source, metadata=_metadata(package))
    for part in missing:
        doc.warn("repaired", f"the package refers to {part} but lacks it: read without it", raw=part)
    return doc
