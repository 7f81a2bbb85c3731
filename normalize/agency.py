"""Organisation names: does a string parse as region + body + organisational suffix, and is its region real?"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from xxgk.normalize import compiled_re
from xxgk.normalize.memo import short_text_cache
from xxgk.normalize.places import Division, gazetteer, within_one_edit

# Longest first: 人民政府办公室 must win over 办公室, 管理委员会 over 委员会.
ORG_SUFFIXES = tuple(sorted((
    "人民政府", "人民政府办公室", "人民政府办公厅", "办公厅", "办公室", "局", "总局", "分局", "委员会", "管理委员会",
    "管委会", "工作委员会", "委", "厅", "中心", "署", "街道办事处", "办事处", "院", "馆", "站", "所", "队", "支队",
    "大队", "部", "处", "社", "联合会", "会", "集团", "公司", "人民法院", "人民检察院", "政府",
), key=len, reverse=True))
# Words of a clause, never of a body's name: a candidate holding one is a sentence fragment.
CLAUSE_WORDS = (
    "了", "的", "对", "通过", "重视", "高度", "并", "调整", "充实", "我", "本", "各", "进一步", "加强", "按照", "根据",
    "关于", "为", "在", "是", "将", "由", "向", "把", "被", "要求", "做好", "开展", "推进", "落实", "认真", "贯彻",
    "坚持", "围绕", "门户", "网站", "信息公开", "年度报告", "报告", "及时", "严格", "积极", "主动",
    "依法", "切实", "不断", "已", "等", "其", "该", "此", "工作", "成立", "负责", "联系",
    "行政机关", "以下", "简称", "全年", "今年", "保障了", "监督下",
)
# 工作 is a clause word, but 工作委员会 (党工委) is a body.
_ALLOWED_INSIDE = ("工作委员会", "工作部", "保障局", "保障部", "保障厅", "保障中心", "监督管理", "社会保障", "医疗保障", "本部")
_PLACE_SUFFIX = r"(?:特别行政区|自治区|自治州|自治县|自治旗|地区|街道|省|市|州|盟|区|县|旗|镇|乡)"
_PLACE_TOKEN = compiled_re.compile(rf"([\u4e00-\u9fff]{{1,6}}?){_PLACE_SUFFIX}")
# What follows a place token when the name is that place's own government or office.
_GOVERNMENT = ("人民政府", "政府", "街道办事处", "办事处", "管委会", "管理委员会", "委员会")
_PLACEHOLDER = "某"
# Body words that end like a place (住房和城乡建设局, 城市管理局): never a region.
_BODY_WORD = compiled_re.compile(r"和|与|城乡|城市|地区")
# Development zones and the like: places, but not GB/T 2260 divisions, so no code and no claim to check.
_ZONE = compiled_re.compile(r"(?:开发区|园区|新区|保税区|示范区|试验区|合作区|管理区|高新区|功能区|物流区|旅游区|风景区|度假区|林区|垦区|矿区)$")


_SPACES = compiled_re.compile(r"[\s\u3000]+")


@short_text_cache()  # each paragraph is cleaned once per pattern that reads it
def clean(name: Optional[str]) -> str:
    """Full-width → half-width, no spaces: the form names are compared and grouped in."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", name or ""))


@dataclass
class Region:
    """The region prefix of a name: divisions read from the start, and what stopped the reading."""

    tokens: list[tuple[str, list[Division]]] = field(default_factory=list)  # text and the divisions it may be
    start: int = 0
    end: int = 0
    unknown: Optional[str] = None  # a place-looking token that is no division
    near: list[Division] = field(default_factory=list)  # real divisions one edit from `unknown`
    placeholder: bool = False  # 某某市: an anonymised place

    @property
    def last(self) -> list[Division]:
        return self.tokens[-1][1] if self.tokens else []


def _read_chain(name: str, pos: int) -> Region:
    g = gazetteer()
    region = Region(start=pos, end=pos)
    current: list[Division] = []
    while pos < len(name):
        found = None
        for n in range(min(g.max_len, len(name) - pos), 1, -1):
            tok = name[pos:pos + n]
            nodes = g.named(tok)
            if current:
                nodes = [d for d in nodes if any(a in d.ancestors() for a in current)]
            if nodes:
                found = (tok, nodes)
                break
        if not found:
            break
        tok, nodes = found
        if current:  # the later token narrows the earlier ones (朝阳区 of 北京市, not of 长春市)
            region.tokens = [(t, [d for d in ds if any(d in n.ancestors() for n in nodes)] or ds)
                             for t, ds in region.tokens]
        region.tokens.append((tok, nodes))
        current = nodes
        pos += len(tok)
    region.end = pos
    return region


def parse_region(name: str) -> Region:
    """Read the divisions a name starts with (or that follow a national prefix such as 国家税务总局)."""
    region = _read_chain(name, 0)
    if not region.tokens:
        m = _PLACE_TOKEN.match(name)
        if m is None or _PLACEHOLDER in m.group(0):
            # No place at the start: a vertical body (国家税务总局宣城市…) names its region later.
            for i in range(1, max(1, len(name) - 3)):
                inner = _read_chain(name, i)
                if inner.tokens and sum(len(t) for t, _ in inner.tokens) >= 3:
                    region = inner
                    break
    m = _PLACE_TOKEN.match(name, region.end)
    if m is None:
        return region
    token, rest = m.group(0), name[m.end():]
    if _PLACEHOLDER in token:
        region.placeholder, region.unknown = True, token
        return region
    parent = region.last
    g = gazetteer()
    if parent:
        pool = [d for p in parent for d in g.below(p)]
    else:
        pool = g.one_edit_from(token)  # every name within one edit, without scanning the whole table
    near = [d for d in pool if d.name != token and within_one_edit(d.name, token) and d.name[-1] == token[-1]]
    # Right after a division (or at the very start), a short name ending like a place is a place, misread or not.
    short = len(m.group(1)) <= (4 if region.tokens else 3) and not _BODY_WORD.search(token)
    claims_place = bool(near) or rest.startswith(_GOVERNMENT) or (short and m.start() == region.end)
    if _ZONE.search(token) and not near:
        return region
    if claims_place and not any(w in token for w in CLAUSE_WORDS):
        region.unknown, region.near = token, _unique(near)
    return region


def _unique(ds: list[Division]) -> list[Division]:
    seen, out = set(), []
    for d in ds:
        if id(d) not in seen:
            seen.add(id(d))
            out.append(d)
    return out


def org_suffix(name: str) -> Optional[str]:
    return next((s for s in ORG_SUFFIXES if name.endswith(s)), None)


@lru_cache(maxsize=16384)  # the gazetteer is fixed: a name's answer never changes, and names recur
def is_org_name(name: str) -> bool:
    """Region prefix (optional), body, organisational suffix; no words of a clause."""
    name = clean(name)
    if not (3 <= len(name) <= 40) or not re.fullmatch(r"[\u4e00-\u9fff()（）]+", name):
        return False
    suffix = org_suffix(name)
    if suffix is None:
        return False
    scrubbed = name
    for ok in _ALLOWED_INSIDE:
        scrubbed = scrubbed.replace(ok, "")
    if any(w in scrubbed for w in CLAUSE_WORDS):
        return False
    region = parse_region(name)
    if suffix == "政府":
        # Bare 政府 only right after a real place: 洪泽区政府, never 物流区高度重视政府.
        return bool(region.tokens) and region.end == len(name) - 2
    head = name[:-len(suffix)]
    return len(head) >= 2 or bool(region.tokens)


def same_body(a: str, b: str) -> bool:
    """Two spellings of one body: equal, one with its region prefix left off, or an abbreviation."""
    a, b = clean(a), clean(b)
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if long_.endswith(short):
        extra = long_[:-len(short)]
        return parse_region(extra).end == len(extra)
    it = iter(long_)
    return short[0] == long_[0] and short[-1] == long_[-1] and all(ch in it for ch in short)


def stated_ancestors(name: str, region: Region, doc_text: str) -> str:
    """The region prefix the document states above the name's first division (淮安市 for 洪泽区…)."""
    if not region.tokens or region.start != 0:
        return ""
    first_tok, first = region.tokens[0]
    prefix = ""
    candidates = first
    while True:
        parents = {id(d.parent): d.parent for d in candidates if d.parent is not None}
        if len(parents) != 1:
            # Several places of that name: the one whose parent the document names next to it.
            stated = [p for p in parents.values() if (p.name + prefix + first_tok) in doc_text]
            if len(stated) != 1:
                return prefix
            parents = {id(stated[0]): stated[0]}
        parent = next(iter(parents.values()))
        if (parent.name + prefix + first_tok) not in doc_text or parent.name == first_tok:
            return prefix
        prefix = parent.name + prefix
        candidates = [parent]
