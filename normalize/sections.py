"""Split a document into the report's six sections and route tables to 二, 三 and 四."""
from __future__ import annotations

from dataclasses import dataclass, field

from xxgk.model import Document, Paragraph, Table
from xxgk.normalize import compiled_re
from xxgk.normalize.labels import best_label, compact, similarity
from xxgk.normalize.rows import LogicalRow, paragraph_row, table_rows
from xxgk.normalize.templates.base import RESULTS_HEAD, RESULTS_TAIL, TABLE_MARKERS

# Section → words its heading holds. Order matters: the first match wins.
SECTION_HEADINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("overview", ("总体情况",)),
    ("proactive", ("主动公开政府信息情况", "主动公开政府信息", "主动公开情况")),
    ("applications", ("收到和处理政府信息公开申请", "收到和处理政府信息公开", "依申请公开政府信息情况")),
    ("reviews", ("行政复议", "行政诉讼")),
    ("problems", ("存在的主要问题", "主要问题及改进", "存在问题及改进", "问题及改进情况", "存在的问题")),
    ("other", ("其他需要报告的事项", "其他需要报告事项")),
)
_HEADING_NUMBER = compiled_re.compile(r"^[一二三四五六七八九十]\s*[、.．,，]")
TABLE_SECTIONS = ("proactive", "applications", "reviews")


_TABLE_CAPTION = compiled_re.compile(r"^表\s*[一二三四五六\d]{1,2}\s*[、.．,，:：]?")


def heading_section(text: str) -> str | None:
    t = compact(text)
    if len(t) > 40:
        return None
    if _TABLE_CAPTION.match(t):
        # 表一 主动公开政府信息情况: a report that numbers its tables under an outline of its own
        caption = _TABLE_CAPTION.sub("", t)
        return next((sec for sec, words in SECTION_HEADINGS if sec in TABLE_SECTIONS
                     and any(w in caption for w in words)), None)
    if not _HEADING_NUMBER.match(t):
        return _misread_heading(t, lost_separator=True)
    for section, words in SECTION_HEADINGS:
        if any(w in t for w in words):
            return section
    return _misread_heading(t, lost_separator=False)


def _misread_heading(t: str, lost_separator: bool) -> str | None:
    """OCR damage to a whole heading, accepted only under the section's own numeral (一 for 总体情况
    … 六 for 其他需要报告的事项): a lost 、 (三收到和处理政府信息公开申请情况), or one character
    misread in a line that is exactly numeral + heading word (一、息体情况). Substrings are not
    tried for misreads: 一、具体情况如下 is no heading."""
    rest = t[1:] if lost_separator else _HEADING_NUMBER.sub("", t)
    for (section, words), numeral in zip(SECTION_HEADINGS, "一二三四五六"):
        if t[:1] != numeral:
            continue
        if lost_separator and any(rest.startswith(w) for w in words):
            return section
        if not lost_separator and any(len(w) >= 4 and len(rest) == len(w)
                                      and sum(a != b for a, b in zip(rest, w)) == 1 for w in words):
            return section
    return None


def _table_kind(rows: list[LogicalRow]) -> str | None:
    """Which numeric table the rows look like, from the words they hold (None if unsure)."""
    text = "".join(r.text for r in rows[:8])
    scores = {k: sum(compact(w) in text for w in words) for k, words in TABLE_MARKERS.items()}
    kind, best = max(scores.items(), key=lambda kv: kv[1])
    return kind if best >= 2 else None


@dataclass
class Sections:
    prose: dict[str, list[Paragraph]] = field(default_factory=dict)
    preamble: list[Paragraph] = field(default_factory=list)
    rows: dict[str, list[LogicalRow]] = field(default_factory=lambda: {k: [] for k in TABLE_SECTIONS})
    headings: list[tuple[str, str]] = field(default_factory=list)
    table_counts: dict[str, int] = field(default_factory=lambda: {k: 0 for k in TABLE_SECTIONS})
    # Lines under 二/三/四 read as rows whose cells ran together: used where the section has no table.
    line_rows: dict[str, list[LogicalRow]] = field(default_factory=lambda: {k: [] for k in TABLE_SECTIONS})
    # Headings and tables in document order: ("heading", section) / ("table", kind).
    events: list[tuple[str, str]] = field(default_factory=list)


def split_sections(doc: Document) -> Sections:
    out = Sections()
    current: str | None = None
    last_table_kind: str | None = None
    heading_since_table = False
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            sec = heading_section(block.text)
            if sec:
                current = sec
                heading_since_table = True
                out.headings.append((sec, block.text))
                out.events.append(("heading", sec))
                if sec not in TABLE_SECTIONS:
                    last_table_kind = None  # a table under 五/六 (contacts, a fee list) continues nothing
                continue
            if current is None:
                out.preamble.append(block)
            else:
                out.prose.setdefault(current, []).append(block)
                row = paragraph_row(block) if current in TABLE_SECTIONS else None
                if row is not None:
                    out.line_rows[current].append(row)
                    if row.run:
                        out.events.append(("table", current))
            continue
        rows = table_rows(block)
        kind = _table_kind(rows)
        if kind is None:
            # A continuation without its header: the table just before when no heading came
            # between (a misread heading must not send it elsewhere), else the section we are in.
            if last_table_kind and not heading_since_table:
                kind = last_table_kind
            else:
                kind = current if current in TABLE_SECTIONS else None
        heading_since_table = False
        if kind is None:
            continue
        if _table_kind(rows) is not None:
            out.table_counts[kind] += 1
        out.rows[kind].extend(rows)
        out.events.append(("table", kind))
        last_table_kind = kind
    for kind in TABLE_SECTIONS:
        if not out.rows[kind] and any(r.run for r in out.line_rows[kind]):
            out.rows[kind] = out.line_rows[kind]
            out.table_counts[kind] = 1
    return out


MIN_LABEL_SCORE = 0.72


def _is_new_received(labels: list[str]) -> bool:
    """The row 一、本年新收…: it scores best against that template row (二、上年结转… is close to it).

    Its label may be cut over two cells (一、本年新收政府 | 信息公开申请数量): the cells that name a row
    best are its label, else 二、上年结转政府 | 信息公开申请数量 reads as a second 本年新收 row."""
    rows = RESULTS_HEAD + RESULTS_TAIL
    label = best_label(labels, [row.labels for row in rows])
    scores = [similarity(label, row.labels) for row in rows]
    return scores[0] >= MIN_LABEL_SCORE and scores[0] == max(scores)


def count_reports(sec: Sections) -> int:
    """How many different reports the document holds.

    A report is a 总体情况 heading followed by tables, or a distinct 本年新收 row with numbers. One
    report whose tables repeat or split (headers printed again, a header naming 本年新收 over other
    rows) is still one: only a data row with other numbers, or a second outline, makes a second report.
    """
    if not any(sec.rows.values()):
        return 0
    outlines, open_outline = 0, False
    for what, name in sec.events:
        if what == "heading" and name == "overview":
            open_outline = True
        elif what == "table" and open_outline:
            outlines += 1
            open_outline = False
    first_rows = {tuple(s.value for s in r.numbers()) or r.run for r in sec.rows["applications"]
                  if (r.slots or r.run) and _is_new_received(r.labels)}
    return max(outlines, len(first_rows), 1)
