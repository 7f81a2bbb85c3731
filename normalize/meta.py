"""Report metadata: agency, year reported on, title, publication date."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from xxgk.normalize import compiled_re
from xxgk.normalize.agency import clean, is_org_name
from xxgk.normalize.issuer import Candidate, agency_in_title, body_candidates, choose
from xxgk.normalize.labels import compact
from xxgk.normalize.prose import clean_paragraphs, split_signature
from xxgk.normalize.sections import split_sections

_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_CN_DIGITS.update({"零": 0, "○": 0, "O": 0, "Ｏ": 0})
_REPORT_TITLE = compiled_re.compile(r"(?:政府)?信息公开(?:工作)?年度报告|政务公开(?:工作)?年度报告")
_YEAR = r"((?:19|20)\d{2})"
_PERIOD = compiled_re.compile(rf"{_YEAR}\s*年\s*1\s*月\s*1\s*日\s*(?:起\s*)?(?:至|到|-|—|~)\s*(?:{_YEAR}\s*年\s*)?12\s*月\s*31\s*日")
_TITLE_YEAR = compiled_re.compile(rf"{_YEAR}\s*年度?.{{0,20}}?(?:政府)?信息公开(?:工作)?年度报告")
_DATE = compiled_re.compile(r"((?:19|20)\d{2}|[〇零○一二三四五六七八九]{4})\s*年\s*([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*"
                   r"([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*日")
_ISO_DATE = compiled_re.compile(r"((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})")


def _cn_number(s: str) -> int:
    if s.isdigit():
        return int(s)
    if all(c in _CN_DIGITS for c in s):
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    # 十, 十二, 二十, 二十一, 三十一
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(s, 0)


def parse_date(text: str) -> Optional[str]:
    m = _DATE.search(text) or _ISO_DATE.search(text)
    if not m:
        return None
    y, mo, d = (_cn_number(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31 and 1990 <= y <= 2100):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def clean_title(title: Optional[str]) -> Optional[str]:
    """The report title from a page title like `X2023年政府信息公开年度报告-沭阳县发改局`."""
    if not title:
        return None
    parts = [p.strip() for p in re.split(r"\s*[-_|–—]{1,2}\s*", title) if p.strip()]
    for p in parts:
        if _REPORT_TITLE.search(compact(p)):
            return p
    return None


def find_year(title: Optional[str], texts: list[str]) -> tuple[Optional[int], str]:
    """The year the report covers: 统计期限 first, then the title, then the most cited year."""
    joined = "\n".join(texts)
    m = _PERIOD.search(joined)
    if m:
        return int(m.group(1)), "statistics period"
    for source in ([title] if title else []) + texts[:5]:
        m = _TITLE_YEAR.search(compact(source))
        if m:
            return int(m.group(1)), "title"
    m = re.search(rf"{_YEAR}\s*年度", joined)
    counts = Counter(int(y) for y in re.findall(rf"{_YEAR}\s*年", joined))
    if m and counts:
        return int(m.group(1)), "year named in the text"
    if counts:
        return counts.most_common(1)[0][0], "year most cited in the text"
    return None, "no year found"


@dataclass
class Metadata:
    agency: Optional[str] = None
    agency_normalized: Optional[str] = None
    agency_region_code: Optional[str] = None
    year: Optional[int] = None
    title: Optional[str] = None
    published: Optional[str] = None
    provenance: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)  # {"field", "kind", "message", "raw"}

    def warn(self, path: str, kind: str, message: str, raw: Optional[str] = None) -> None:
        self.warnings.append({"field": path, "kind": kind, "message": message, "raw": raw})


def _title_paragraphs(preamble: list) -> list:
    """The preamble paragraph(s) holding the title (two when the agency sits on the line above)."""
    lines = [compact(p.text) for p in preamble]
    for i, t in enumerate(lines):
        if len(t) <= 60 and _REPORT_TITLE.search(t) and not t.endswith(("。", "，", ",")):
            if re.match(r"^(?:19|20)\d{2}年", t) and i > 0 and len(lines[i - 1]) <= 25 \
                    and not re.search(r"[。，,；;：:]", lines[i - 1]):
                return [preamble[i - 1], preamble[i]]
            return [preamble[i]]
    return []


def _from(paragraphs: list, source: str, raw: str, name: str = "") -> Candidate:
    boxes = [p.bbox for p in paragraphs if p.bbox]
    bbox = [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)] \
        if boxes and len({p.page for p in paragraphs}) == 1 else None
    first = paragraphs[0] if paragraphs else None
    return Candidate(name=name, source=source, raw=raw, page=getattr(first, "page", None), bbox=bbox,
                     method="ocr" if any(getattr(p, "method", "text") == "ocr" for p in paragraphs) else "text")


def _last_holding(paragraphs: list, needle: str) -> list:
    n = compact(needle)
    return next(([p] for p in reversed(paragraphs) if n and n in compact(p.text)), [])


def extract_metadata(doc, preamble: list, signature: list[str]) -> Metadata:
    """Title, year, published date and issuing body, each with where it was read (provenance.source)."""
    out = Metadata()
    paragraphs = list(doc.paragraphs())
    texts = [p.text for p in paragraphs]
    md = doc.metadata or {}
    title_paras = _title_paragraphs(preamble)
    title_c: Optional[Candidate] = None
    if title_paras:
        title = "".join(compact(p.text) for p in title_paras)
        title_c = _from(title_paras, "title", title)
    elif clean_title(md.get("title")):
        title = clean_title(md.get("title"))
        title_c = Candidate(name="", source="metadata", raw=md.get("title"))
    else:
        title = None
    used = {id(p) for p in title_paras}
    sig_ids = {id(p) for line in signature for p in _last_holding(paragraphs, line)} - used

    candidates: list[Candidate] = []
    if title_c is not None:
        name = agency_in_title(title)
        if name and is_org_name(name):
            candidates.append(Candidate(**{**title_c.__dict__, "name": clean(name)}))
        elif name:
            out.warn("agency", "agency_title_unparsed", f"the title names {name!r}, which is not an organisation name", title)
    for line in signature:
        if not _DATE.search(line) and len(line) <= 30 and is_org_name(line):
            candidates.append(_from(_last_holding(paragraphs, line), "signature", line, clean(line)))
    for key in ("publisher", "title", "subject", "author"):
        value = md.get(key)
        if not value or not isinstance(value, str):
            continue
        name = agency_in_title(clean_title(value) or value) if "报告" in value else value
        if name and is_org_name(name):
            candidates.append(Candidate(name=clean(name), source="metadata", raw=f"{key}: {value}"))
    notes: list = []
    skip = {i for i, p in enumerate(paragraphs) if id(p) in used | sig_ids}
    if candidates:  # the body's own statement still gets compared with the chosen name
        candidates += body_candidates(paragraphs, skip, strong_only=True)[0]
    else:
        candidates, notes = body_candidates(paragraphs, skip)
    by_source = {"title": [compact(p.text) for p in title_paras], "signature": [compact(x) for x in signature],
                 "metadata": [compact(str(v)) for v in md.values() if isinstance(v, str)],
                 "body": [compact(p.text) for p in paragraphs if id(p) not in used | sig_ids]}
    issuer = choose(candidates, by_source)
    for kind, message, raw in notes + issuer.warnings:
        out.warn("agency", kind, message, raw)
    out.agency, out.agency_normalized, out.agency_region_code = issuer.agency, issuer.normalized, issuer.region_code
    if issuer.provenance:
        out.provenance["agency"] = issuer.provenance
    if title and issuer.agency:
        fixed = title.replace(issuer.misread, issuer.agency_token) if issuer.misread else \
            title.replace(body_misread(title, issuer.agency), issuer.agency)
        if fixed != title:
            out.warn("title", "title_corrected", f"title read as {title!r}; agency spelled as in the rest of the document", title)
            title = fixed
    out.title = title
    if title_c is not None:
        out.provenance["title"] = title_c.provenance()

    out.year, how = find_year(title, texts)
    if out.year is not None:
        if how == "title" and title_c is not None:
            out.provenance["year"] = title_c.provenance()
        else:
            m = next(((p, m) for p in paragraphs for m in [_PERIOD.search(p.text)] if m), None) \
                if how == "statistics period" else None
            prov = _from([m[0]], "body", m[1].group(0)) if m else Candidate(name="", source="body", raw=None)
            out.provenance["year"] = prov.provenance()
            if how.startswith("year most cited"):
                out.warn("year", "year_guessed", f"no statistics period or title year: {out.year} is the {how}")

    for line in reversed(signature):
        date = parse_date(line)
        if date:
            out.published = date
            out.provenance["published"] = _from(_last_holding(paragraphs, line), "signature", line).provenance()
            break
    else:
        if md.get("published"):
            out.published = md["published"]
            out.provenance["published"] = Candidate(name="", source="metadata", raw=f"published: {md['published']}").provenance()
    return out


def body_misread(title: str, agency: str) -> str:
    """The title's prefix standing where the agency is: same length, differing in one character."""
    head = title[:len(agency)]
    return head if sum(a != b for a, b in zip(head, agency)) == 1 else agency


def find_agency(title: Optional[str], texts: list[str], signature: list[str], metadata: dict) -> Optional[str]:
    """The issuing body from plain strings (title, body paragraphs, signature lines, page metadata)."""
    from xxgk.model import Document, Paragraph

    paras = ([Paragraph(title)] if title else []) + [Paragraph(t) for t in texts] + [Paragraph(t) for t in signature]
    doc = Document(blocks=paras, metadata=dict(metadata))
    return extract_metadata(doc, paras[:1] if title else [], signature).agency


def document_metadata(doc) -> Metadata:
    """Metadata of any converted document, a whole report or a partial page without tables."""
    sec = split_sections(doc)
    last = next((s for s in (clean_paragraphs(sec.prose.get(k, [])) for k in ("other", "problems")) if s), [])
    return extract_metadata(doc, sec.preamble, split_signature(last)[1] if last else [])
