"""The HTML converter's shortcuts answer as the long way would, on the real pages.

strip_furniture returns the text index of the stripped page by cutting the removed subtrees' text
out of the first index (the page is not walked twice): every element left must get the same
length, ink, markers, table-below and text as a fresh TextIndex of the stripped tree. own_rows and
own_caption read the page's element list: they must find what a walk of the children finds.
The report JSON is written by orjson when installed: same text as the stdlib's indented JSON.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from xxgk.converters.html import _MARKERS, decode_html, strip_furniture
from xxgk.converters.html_tree import Node, TextIndex, own_caption, own_rows, parse
from xxgk.output import dumps_report

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(p for p in (ROOT / "fixtures").rglob("*.html"))
NESTED = ("<html><body><div class='nav'>首页 &gt; 信息公开</div><table><caption>表</caption><tr><td>"
          "<table><tr><td>内</td></tr></table></td></tr><tr><td>一、总体情况</td></tr></table>"
          "<div style='display: none'><table><tr><td>隐</td></tr></table></div>"
          "<div class='share'>分享到 <table><tr><td>x</td></tr></table></div>"
          "<p>二、主动公开政府信息情况</p></body></html>")


def _walk_own(table: Node, names: set[str]) -> list[Node]:
    """own_rows / own_caption the long way: the children, depth first, not into nested tables."""
    out, stack = [], list(reversed(list(table.children())))
    while stack:
        node = stack.pop()
        if node.name in names:
            out.append(node)
        elif node.name != "table":
            stack.extend(reversed(list(node.children())))
    return out


def _pages():
    for p in PAGES:
        yield p.name, decode_html(p.read_bytes())[0]
    yield "nested", NESTED


@pytest.mark.parametrize("name,text", list(_pages()), ids=lambda v: v if isinstance(v, str) and len(v) < 60 else "")
def test_index_after_removal_equals_a_fresh_index(name, text):
    soup = parse(text)
    derived = strip_furniture(soup)
    fresh = TextIndex(soup, _MARKERS)
    assert derived.text == fresh.text
    assert derived.matches == fresh.matches
    elements = [soup, *soup.descendants()]
    assert len(elements) > 5
    for el in elements:
        assert derived.length(el) == fresh.length(el)
        assert derived.has_ink(el) == fresh.has_ink(el)
        assert derived.marker_count(el) == fresh.marker_count(el)
        assert derived.text_of(el) == fresh.text_of(el)
        assert derived.table_below(el) == fresh.table_below(el)


@pytest.mark.parametrize("name,text", list(_pages()), ids=lambda v: v if isinstance(v, str) and len(v) < 60 else "")
def test_own_rows_and_caption_as_a_walk_finds_them(name, text):
    soup = parse(text)
    strip_furniture(soup)
    tables = [n for n in soup.descendants() if n.name == "table"]
    assert tables or "<table" not in text.lower()
    for t in tables:
        assert own_rows(t) == _walk_own(t, {"tr"})
        assert own_caption(t) is next(iter(_walk_own(t, {"caption"})), None)


def test_nested_page_removes_what_it_should():
    soup = parse(NESTED)
    index = strip_furniture(soup)
    assert index.text == "表内一、总体情况二、主动公开政府信息情况"
    outer = soup.find("table")
    assert index.table_below(outer) and not index.table_below(outer.find("table"))
    assert index.marker_count(soup) == 2


def test_report_json_is_the_stdlib_text():
    goldens = sorted((ROOT / "fixtures").rglob("*.expected.json"))
    assert len(goldens) > 20
    for g in goldens:
        report = json.loads(g.read_text(encoding="utf-8"))
        assert dumps_report(report) == json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def test_report_json_equal_by_value_where_text_differs():
    odd = {"a": 1e-05, "b": [3.3e-06, 12.5, 0], "c": {"深": "\u2028\x1f</"}, "d": [], "e": {}}
    assert json.loads(dumps_report(odd)) == odd
    assert dumps_report({1: "int key"}) == json.dumps({1: "int key"}, ensure_ascii=False, indent=2) + "\n"
