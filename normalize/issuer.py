"""The issuing body of a report: candidates from title, signature, metadata and body, in that order of trust."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from xxgk.normalize import compiled_re
from xxgk.normalize.agency import Region, clean, is_org_name, parse_region, same_body, stated_ancestors
from xxgk.normalize.places import within_one_edit

_YEAR = r"(?:(?:19|20)\d{2}|[〇零○一二三四五六七八九]{4})"
_REPORT = r"(?:政府|政务)?(?:信息)?公开(?:工作)?(?:年度)?报告"
# Title shapes: `XX局(关于)2023年度…报告`, `2023年XX局政府信息公开…报告`, `XX局政府信息公开工作2023年度报告`.
_TITLE_SHAPES = (
    compiled_re.compile(rf"^(?P<a>[\u4e00-\u9fff()]+?)(?:关于)?(?:印发)?{_YEAR}年度?"),
    compiled_re.compile(rf"^(?:{_YEAR}年度?)?(?P<a>[\u4e00-\u9fff()]+?){_REPORT}"),
)
_ORG = r"(?:局|委员会|委|办公室|办公厅|人民政府|厅|院|中心|署|管委会|管理委员会|办事处|馆|站|所|队|部|处|社)"
_CONTACT = compiled_re.compile(rf"请与(?P<a>[\u4e00-\u9fff]{{2,30}}?{_ORG})联系")
_NAMED_REPORT = compiled_re.compile(rf"(?:编制|公布|发布)了?(?:{_YEAR}年度?)?(?P<a>[\u4e00-\u9fff]{{2,30}}?{_ORG})(?:{_YEAR}年度?)?"
                           rf"(?:政府)?信息公开(?:工作)?年度报")
_LEADING_TITLE = compiled_re.compile(rf"^(?P<a>[\u4e00-\u9fff]{{2,30}}?{_ORG})(?:关于)?(?:{_YEAR}年度?)?(?:政府)?信息公开(?:工作)?年度报告")
_UP_TO_YEAR = compiled_re.compile(rf"^.*?{_YEAR}年度?")
_MENTION = compiled_re.compile(rf"(?=([\u4e00-\u9fff]{{2,12}}?{_ORG}))")


@dataclass
class Candidate:
    name: str
    source: str  # title, signature, metadata, body
    raw: str
    page: Optional[int] = None
    bbox: Optional[list] = None
    method: str = "text"

    def provenance(self) -> dict:
        return {"page": self.page, "bbox": self.bbox, "raw": self.raw, "method": self.method,
                "confidence": None, "source": self.source}


@dataclass
class Issuer:
    agency: Optional[str] = None
    normalized: Optional[str] = None
    region_code: Optional[str] = None
    provenance: Optional[dict] = None
    warnings: list[tuple[str, str, Optional[str]]] = field(default_factory=list)  # kind, message, raw
    misread: Optional[str] = None  # the region as the document printed it, when corrected
    agency_token: Optional[str] = None  # the real division that replaced it


def agency_in_title(title: str) -> Optional[str]:
    """The body a title names before its year or before 政府信息公开…报告, if any."""
    t = re.sub(r"^关于", "", clean(title))
    m = _TITLE_SHAPES[0].match(t)
    if m and len(m.group("a")) >= 3:
        # `XX局政府信息公开工作2023年度报告`: the report's words stand before the year.
        return re.sub(r"(?:政府|政务)?(?:信息)?公开(?:工作)?$", "", m.group("a"))
    m = _TITLE_SHAPES[1].match(t)
    if not m or len(m.group("a")) < 3:
        return None
    name = m.group("a")
    # `洪泽区人民政府信息公开…` shares one 政府 between the name and the report: try the name with and without it.
    rest = t[m.end("a"):]
    if rest.startswith("政府") and is_org_name(name + "政府") and not is_org_name(name):
        return name + "政府"
    return name


def body_candidates(paragraphs: list, skip: set[int], strong_only: bool = False
                    ) -> tuple[list[Candidate], list[tuple[str, str, Optional[str]]]]:
    """Names the body states for itself (contact line, `编制…X…年度报告`), else the one it cites most."""
    notes: list[tuple[str, str, Optional[str]]] = []
    for pat in (_LEADING_TITLE, _NAMED_REPORT, _CONTACT):
        for i, p in enumerate(paragraphs):
            if i in skip:
                continue
            for m in pat.finditer(clean(p.text)):
                name = _UP_TO_YEAR.sub("", m.group("a"))
                name = _trim_to_place(name)
                if not name or not is_org_name(name):
                    continue
                if pat is _CONTACT:
                    name, doubt = _contact_body(name)
                    if doubt:
                        notes.append(("agency_ambiguous", f"the body names {m.group('a')} as the contact; the report"
                                      " may be its own or its parent body's: agency left null", m.group(0)))
                        return [], notes
                return [_at(name, "body", m.group(0), p)], notes
    if strong_only:
        return [], notes
    counts: dict[str, int] = {}
    where: dict[str, object] = {}
    flat_parts = []
    for i, p in enumerate(paragraphs):
        if i in skip:
            continue
        t = clean(p.text)
        flat_parts.append(t)
        for m in _MENTION.finditer(t):
            name = m.group(1)
            if name in counts or not is_org_name(name):
                continue
            region = parse_region(name)
            if region.tokens and region.start == 0 and region.unknown is None:
                counts[name] = 0
                where[name] = p
    flat = "\n".join(flat_parts)
    for name in counts:
        counts[name] = flat.count(name) - sum(flat.count(o) * o.count(name) for o in counts if o != name and name in o)
    for short in list(counts):
        for full in counts:
            if short != full and len(short) < len(full) and not full.startswith(short) and same_body(short, full):
                counts[full] += counts[short]
                counts[short] = 0
    ranked = sorted((c for c in counts.items() if c[1] > 0), key=lambda c: (-c[1], -len(c[0])))
    if not ranked:
        return [], notes
    top, n = ranked[0]
    rival = next((c for c in ranked[1:] if not same_body(c[0], top)), None)
    if n < 2 or (rival and rival[1] * 2 > n):
        notes.append(("agency_ambiguous", f"the body cites {top} {n}×" +
                      (f" and {rival[0]} {rival[1]}×" if rival else "") + ": no name dominates, agency left null", None))
        return [], notes
    return [_at(top, "body", f"{top} (named {n}× in the text)", where[top])], notes


def _contact_body(name: str) -> tuple[str, bool]:
    """A contact office → the body it belongs to: a 局's 办公室 is its own unit; a government's or a
    committee's office may issue reports of its own, so which one is meant stays open (True)."""
    if not name.endswith(("办公室", "办公厅")):
        return name, False
    for unit in range(3, min(len(name) - 2, 10)):  # 办公室, 综合办公室, 党政综合办公室 …
        head = name[:-unit]
        if is_org_name(head):
            return (head, False) if head.endswith("局") else (name, True)
    return name, False


def _trim_to_place(name: str) -> str:
    """A name caught mid-sentence (`…，现向社会公布沭阳县…`): start it at its first division."""
    region = parse_region(name)
    return name[region.start:] if region.tokens and region.start > 0 else name


def _at(name: str, source: str, raw: str, p) -> Candidate:
    return Candidate(name=clean(name), source=source, raw=raw, page=getattr(p, "page", None),
                     bbox=list(p.bbox) if getattr(p, "bbox", None) else None, method=getattr(p, "method", "text"))


def choose(candidates: list[Candidate], by_source: dict[str, list[str]]) -> Issuer:
    """The most trusted candidate, its region checked against the divisions; disagreements warned."""
    out = Issuer()
    if not candidates:
        out.warnings.append(("agency_not_found", "no title, signature, page metadata or body sentence names the"
                             " issuing body as an organisation: agency left null", None))
        return out
    best = candidates[0]
    name = best.name
    doc_text = "\n".join(t for texts in by_source.values() for t in texts)
    # What the other parts of the document say (title vs signature vs metadata vs body).
    others = "\n".join(t for src, texts in by_source.items() if src != best.source for t in texts)
    region = parse_region(name)
    if region.unknown and not region.placeholder:
        fixed = _correct(name, region, best, others, out)
        if fixed is None:
            return out
        name, region = fixed, parse_region(fixed)
    elif region.placeholder:
        out.warnings.append(("agency_region_placeholder", f"{region.unknown} in {name} is an anonymised place name:"
                             " not checked against the divisions, no region code", region.unknown))
    if best.method == "ocr" and not _confirmed(name, region, best, others, out):
        return out
    out.agency = name
    out.provenance = best.provenance()
    for other in candidates[1:]:
        if not same_body(other.name, name) and not same_body(other.name, best.name):
            out.warnings.append(("agency_sources_disagree", f"the {best.source} names {name}, the {other.source}"
                                 f" names {other.name}: the {best.source}'s name is kept", other.raw))
    prefix = stated_ancestors(name, region, doc_text)
    out.normalized = clean(prefix + name)
    if region.tokens and not region.placeholder:
        out.region_code = _code(region, prefix, out)
    if best.source == "body":
        out.warnings.append(("agency_from_body", f"no title, signature or page metadata names the issuing body; {name} is taken"
                             " from the body text", best.raw))
    return out


def _correct(name: str, region: Region, best: Candidate, others: str, out: Issuer) -> Optional[str]:
    """A region that is no division: the one real division one edit away, if the rest of the document names it."""
    token = region.unknown or ""
    near = region.near
    if not region.tokens:
        # No parent in the name: only the near divisions the rest of the document names (or places under) count.
        near = [d for d in near if d.name in others or any(a.name in others for a in d.ancestors())]
    if len(near) == 1:
        real = near[0].name
        if others.count(real) > others.count(token):
            fixed = name.replace(token, real, 1)
            out.warnings.append(("agency_corrected", f"the {best.source} reads {name}, but {token} is not a division"
                                 f"{_of(region)}; {real} is one character away and the rest of the document names it:"
                                 f" agency {fixed}", name))
            out.misread, out.agency_token = token, real
            return fixed
        reason = f"{real} is one character away but nothing else in the document names it"
    elif near:
        reason = "several divisions are one character away (" + "、".join(d.name for d in near[:4]) + ")"
    else:
        reason = "no division is one character away"
    out.warnings.append(("agency_unknown_place", f"the {best.source} reads {name}, but {token} is not a division"
                         f"{_of(region)}; {reason}: agency left null", name))
    return None


def _confirmed(name: str, region: Region, best: Candidate, others: str, out: Issuer) -> bool:
    """An OCR'd region that is a real division but named nowhere else, while a division one character
    away is: OCR may have turned one real place into another (宿豫区/宿城区), so the name is not trusted."""
    for token, divisions in region.tokens:
        if token in others:
            continue
        siblings = {d.name for div in divisions if div.parent is not None for d in div.parent.children
                    if d.name != token and within_one_edit(d.name, token) and d.name in others}
        if siblings:
            out.warnings.append(("agency_unconfirmed", f"the {best.source} (OCR) reads {name}, but {token} appears"
                                 " nowhere else in the document while " + "、".join(sorted(siblings)) +
                                 ", one character away, does: agency left null", name))
            return False
    return True


def _of(region: Region) -> str:
    return f" of {region.last[0].name}" if len(region.last) == 1 else ""


def _code(region: Region, prefix: str, out: Issuer) -> Optional[str]:
    tok, last = region.tokens[-1]
    if len(last) > 1 and prefix:
        last = [d for d in last if prefix in d.path()] or last
    if len(last) != 1:
        out.warnings.append(("agency_region_ambiguous", f"{tok} names {len(last)} divisions ("
                             + "、".join(d.path() for d in last[:3]) + "): agency_region_code left null", tok))
        return None
    return last[0].gb2260

