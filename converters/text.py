"""Plain text and markdown as scrapers and PDF-to-text tools write them.

Tables arrive as pipe rows, tab rows or one cell per line; they become positional=False
tables. Everything else is prose, one Paragraph per line, markdown marks stripped.
"""
from __future__ import annotations

import re
from typing import Optional

from xxgk.model import Block, Document, Paragraph, Source
from xxgk.converters.textdecode import decode_bytes
from xxgk.layout.text_table import cell_per_line_table, is_pipe_row, pipe_table, tab_table

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*")
_MD_EMPHASIS = re.compile(r"\*\*|__")


def _strip_markdown(line: str) -> tuple[str, bool]:
    heading = bool(_MD_HEADING.match(line))
    text = _MD_EMPHASIS.sub("", _MD_HEADING.sub("", line))
    return text.strip(" \t\u3000\u00a0"), heading


def _is_cell_per_line(line: str) -> bool:
    return line.startswith("\t") and "\t" not in line[1:]


def _take_pipe(lines: list[str], i: int) -> int:
    """Index after a run of pipe rows; a blank line between two pipe rows does not end it."""
    j = i
    while j < len(lines):
        if is_pipe_row(lines[j]):
            j += 1
        elif not lines[j].strip() and j + 1 < len(lines) and is_pipe_row(lines[j + 1]):
            j += 1
        else:
            break
    return j


def _after_blanks(lines: list[str], j: int, is_row) -> Optional[int]:
    """Index of the row after the blank lines from j when the region goes on there, else None."""
    k = j
    while k < len(lines) and not lines[k].strip() and not is_row(lines[k]):
        k += 1
    return k if k < len(lines) and is_row(lines[k]) else None


def _has_tab(line: str) -> bool:
    return "\t" in line


def _tab_led(line: str) -> bool:
    return line.startswith("\t")


def _take_tabs(lines: list[str], i: int) -> int:
    j = i
    while j < len(lines):
        if _has_tab(lines[j]):
            j += 1
        elif not lines[j].strip() and (k := _after_blanks(lines, j, _has_tab)) is not None:
            j = k
        else:
            break
    return j


def _take_cells(lines: list[str], i: int) -> int:
    """One-cell-per-line region: tab-led lines, blank row separators, and continuation lines."""
    j = i
    while j < len(lines):
        line = lines[j]
        if _tab_led(line):
            j += 1
        elif not line.strip():
            k = _after_blanks(lines, j, _tab_led)
            if k is None:
                break
            j = k
        elif j > i and lines[j - 1].strip() and len(line.strip()) <= 12:
            j += 1  # vertical text continuing the cell above
        else:
            break
    return j


def text_to_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    for page_no, page in enumerate(text.split("\f"), start=1):
        page_arg = page_no if "\f" in text else None
        lines = page.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        i = 0
        while i < len(lines):
            line = lines[i]
            if is_pipe_row(line):
                j = _take_pipe(lines, i)
                blocks.append(pipe_table(lines[i:j], page_arg))
            elif _is_cell_per_line(line):
                j = _take_cells(lines, i)
                blocks.append(cell_per_line_table(lines[i:j], page_arg))
            elif "\t" in line and line.strip():
                j = _take_tabs(lines, i)
                blocks.append(tab_table(lines[i:j], page_arg))
            else:
                j = i + 1
                text_line, heading = _strip_markdown(line)
                if text_line:
                    blocks.append(Paragraph(text_line, page=page_arg, style="heading" if heading else None))
            i = j
    return blocks


def convert(data: bytes, name: str) -> Document:
    text = decode_bytes(data)
    return Document(blocks=text_to_blocks(text), source=Source(format="text"))
