"""The crawler's parts on their own: safe names, pagination, candidates, charsets, the 文字版/全真版 check,
and `xxgk convert URL` of a detail page that holds its report as an attachment."""
from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from golden import FIXTURES, differences, load

sys.path.insert(0, str(FIXTURES / "site"))
import site_server  # noqa: E402

from xxgk.crawl import detail, list_api, listing, pairs  # noqa: E402
from xxgk.crawl.files import FileStore  # noqa: E402
from xxgk.crawl.names import choose_name, disposition_filename, safe_name  # noqa: E402
from xxgk.fetch import decode_html  # noqa: E402
from xxgk.normalize.schema import validate  # noqa: E402


@pytest.mark.parametrize("raw, safe", [
    ("../../x.pdf", "x.pdf"), ("/etc/passwd", "passwd"), ("..\\..\\win.ini", "win.ini"), ("a\x00b.pdf", "ab.pdf"),
    ("CON.pdf", "_CON.pdf"), ("nul", "_nul"), ("...", "file"), ("  .hidden.doc ", "hidden.doc"),
])
def test_safe_name_neutralises_hostile_names(raw, safe):
    assert safe_name(raw) == safe


def test_overlong_names_are_cut_keeping_the_extension():
    name = safe_name("年" * 200 + ".docx")
    assert name.endswith(".docx") and len(name.encode("utf-8")) <= 150


def test_content_disposition_gbk_rfc5987_and_fallbacks():
    assert disposition_filename('attachment; filename="年度报告.docx"'.encode("gbk")) == "年度报告.docx"
    assert disposition_filename(b"attachment; filename=\"r.doc\"; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.doc") == "年报.doc"
    assert disposition_filename(b"attachment; filename*=gbk''%C4%EA%B1%A8.pdf") == "年报.pdf"
    assert choose_name(None, "http://h/module/download/downfile.jsp?filename=2403011.ofd", "", None) == "2403011.ofd"
    assert choose_name(None, "http://h/getfile?id=7", "下载", "application/pdf") == "getfile.pdf"
    assert choose_name(None, "http://h/x/download.jsp?id=1", "", None, b"%PDF-1.7") == "download.pdf"
    assert choose_name(None, "http://h/x/download.jsp?id=1", "年报.docx", "application/octet-stream") == "年报.docx"


def test_file_store_never_writes_outside_and_dedupes(tmp_path):
    store = FileStore(tmp_path / "files")
    sha, rel, dup = store.save("x.pdf", b"%PDF-1 a")
    assert rel == "files/x.pdf" and not dup
    assert store.save("y.pdf", b"%PDF-1 a") == (sha, "files/x.pdf", True)
    _, rel2, _ = store.save("x.pdf", b"%PDF-1 b")  # same name, other bytes: a new name, nothing replaced
    assert rel2.startswith("files/x-") and (tmp_path / "files" / "x.pdf").read_bytes() == b"%PDF-1 a"
    with pytest.raises(ValueError):
        store.save("../escape.pdf", b"z")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["files"]


def test_create_page_html_reads_both_variants():
    base = "http://h/zwgk/nb/index.html"
    zero = listing.create_page_html('createPageHTML(3, 0, "index", "html");', base)
    assert zero == ["http://h/zwgk/nb/index.html", "http://h/zwgk/nb/index_1.html", "http://h/zwgk/nb/index_2.html"]
    one = listing.create_page_html("createPageHTML('page_div', 3, 1, 'index', 'shtml', 30);", base)
    assert one == ["http://h/zwgk/nb/index.shtml", "http://h/zwgk/nb/index_2.shtml", "http://h/zwgk/nb/index_3.shtml"]
    assert listing.create_page_html("createPageHTML(${PAGE_COUNT}, ${PAGE_INDEX}, 'index', 'html')", base) == []


@pytest.mark.parametrize("title, kind", [
    ("洪泽区2023年政府信息公开工作年度报告", "candidate"), ("市统计局2021年度政府信息公开年报", "candidate"),
    ("关于做好2023年度政府信息公开工作年度报告编制发布工作的通知", "not_report"),
    ("图解：2023年政府信息公开工作年度报告", "not_report"), ("2024年政务公开工作要点", "not_report"),
    ("某市2017年政府信息公开工作年度报告", "pre2019"), ("首页", "ignore"),
    ("中华人民共和国政府信息公开工作年度报告格式", "not_report"),
])
def test_report_candidates_by_title(title, kind):
    assert listing.classify(title, "http://h/a.html") == kind


@pytest.mark.parametrize("text, url, kind", [
    ("铜陵市生态环境局", "http://h/zwgk/zfxxgknb/202202/t20220210_3004.htm", "candidate"),  # a unit's name only
    ("详情", "http://h/sygfj/gknb/202401/2ecfb31a335f4d689220a3a23e24a986.shtml", "candidate"),
    ("", "http://h/module/xxgk/xxgkAnnualReport.jsp?area=11320000&fbtime=2023", "candidate"),
    ("点击下载", "http://h/files/%E7%A4%BA%E4%BE%8B%E5%B8%822023%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf", "candidate"),
    ("点击下载", "http://h/files/%E7%A4%BA%E4%BE%8B%E5%B8%822017%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf", "pre2019"),
    ("2", "http://h/zwgk/zfxxgknb/index_1.html", "ignore"),  # paging, not a document
    ("示例市人民政府办公室", "http://h/zwgk/tzgg/202202/t20220210_1.htm", "not_report"),  # not a report column
    ("关于报送年度报告的通知", "http://h/zwgk/zfxxgknb/202202/t20220210_2.htm", "not_report"),
])
def test_report_candidates_by_url(text, url, kind):
    assert listing.classify(text, url) == kind


def test_gkmlpt_list_api():
    shell = "<script>window._CONFIG = { SID: '755031', SITE_NAME: 'x' };</script>"
    assert list_api.gkmlpt_first_page(shell, "http://h/gkmlpt/index", "http://h/gkmlpt/index#2155") == \
        "http://h/gkmlpt/api/all/2155?page=1&sid=755031"
    assert list_api.gkmlpt_first_page(shell, "http://h/bm/gkmlpt/index", "http://h/bm/gkmlpt/index") == \
        "http://h/bm/gkmlpt/api/all/0?page=1&sid=755031"  # no column in the URL: every document, by title
    assert list_api.gkmlpt_first_page("<p>no config</p>", "http://h/gkmlpt/index", "http://h/gkmlpt/index#1") is None
    answer = json.dumps({"total": 250, "articles": [
        {"id": 1, "title": "X局2023年政府信息公开工作年度报告", "url": "http://h/gkmlpt/content/0/1/post_1.html"},
        {"id": 2, "title": "<em>Y</em>局", "post_url": "/gkmlpt/content/0/2/post_2.html"}] + [{"id": 3}] * 98})
    page = list_api.gkmlpt_page(answer, "http://h/gkmlpt/api/all/5?page=1&sid=2")
    assert [(lk.url, lk.text) for lk in page.links] == [
        ("http://h/gkmlpt/content/0/1/post_1.html", "X局2023年政府信息公开工作年度报告"),
        ("http://h/gkmlpt/content/0/2/post_2.html", "Y局")]
    assert page.more == ["http://h/gkmlpt/api/all/5?page=2&sid=2", "http://h/gkmlpt/api/all/5?page=3&sid=2"]
    assert list_api.gkmlpt_page(answer, "http://h/gkmlpt/api/all/5?page=2&sid=2").more == []
    assert not list_api.gkmlpt_page("<html>blocked</html>", "http://h/gkmlpt/api/all/5?page=1&sid=2").ok


def test_trs_dynamic_list_model_and_search_answer():
    page = ('<script>listModel({quickMode:"动静结合", maxStaticIndex:1, listArgs:{url:"/fjdzapp/search", '
            'channelid:229105, classsql:"chnlid=9374", sortfield:"-docorderpri,-docreltime"}, '
            "pagebar:{prepage:10, recordCount:'213'}})</script>")
    trs = list_api.trs_list_model(page, "http://h/zwgk/nb/index.html")
    assert trs.endpoint == "http://h/fjdzapp/search" and trs.record_count == 213
    assert trs.form == {"channelid": "229105", "sortfield": "-docorderpri,-docreltime", "classsql": "chnlid=9374"}
    assert list_api.trs_call(trs.endpoint, 3) == "http://h/fjdzapp/search?page=3&prepage=100"
    # the app named elsewhere in a script; a site-search <form> is not it; not named at all: None
    elsewhere = '<form action="/was5/search"></form><script>var searchUrl = "/szfapp/search";</script>' + page.replace(
        'url:"/fjdzapp/search", ', "")
    assert list_api.trs_list_model(elsewhere, "http://h/a/").endpoint == "http://h/szfapp/search"
    assert list_api.trs_list_model(page.replace('url:"/fjdzapp/search", ', ""), "http://h/a/").endpoint is None
    assert list_api.trs_list_model("<p>static list</p>", "http://h/a/") is None
    answer = json.dumps({"data": [{"doctitle": "Z局2022年政府信息公开工作年度报告", "docpuburl": "./2023/t1_2.html"}],
                         "pageCount": 3, "total": 21})
    got, count = list_api.trs_page(answer, "http://h/fjdzapp/search?page=1&prepage=100")
    assert count == 3 and got.total == 21 and [lk.url for lk in got.links] == ["http://h/fjdzapp/2023/t1_2.html"]


def test_pager_links_and_hanweb_endpoint():
    doc = detail.parse('<a href="index_4.html">下一页</a><a href="list.html?page=2">2</a><a href="/other/index_2.html">x</a>')
    links = listing.links(doc, "http://h/col/list.html")
    assert listing.pager_links(links, "http://h/col/list.html") == ["http://h/col/index_4.html", "http://h/col/list.html?page=2"]
    html = ('<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&'
            'appid=1&webid=3&path=/&columnid=99&unitid=77&permissiontype=0"></a>]]></nextgroup></datastore></script>')
    endpoint, form = listing.hanweb_endpoint(html, "http://h/col/col99/index.html")
    assert endpoint == "http://h/module/web/jpage/dataproxy.jsp" and form["columnid"] == "99" and form["unitid"] == "77"


def test_charset_header_meta_and_sniffed():
    gbk = (FIXTURES / "html" / "gbk_nocharset_2022.html").read_bytes()
    assert "绩溪县教育体育局" in decode_html(gbk, "text/html")  # no charset anywhere: sniffed
    assert "濮阳市" in decode_html((FIXTURES / "html" / "gbk_meta_2021.html").read_bytes())  # <meta charset=gb2312>
    assert decode_html("政务公开".encode("gbk"), "text/html; charset=GBK") == "政务公开"
    assert decode_html("政务公开".encode("utf-8"), "text/html; charset=gbk") == "政务公开"  # a wrong label


def test_detail_page_roots_attachments_and_refresh():
    page = ('<html><body><div class="nav"><a href="/a.pdf">nav</a></div><div class="TRS_Editor"><p>正文</p>'
            '<a href="./P0201.docx">附件1</a><a href="/generic2/web/viewer.html?file=/f/P02.pdf">全真版</a>'
            '<a href="getfile?id=3">附件下载</a><a href="./P0201.docx">again</a></div></body></html>')
    links = detail.attachments(detail.parse(page), "http://h/c/t1.html")
    assert [lk.url for lk in links] == ["http://h/c/P0201.docx", "http://h/f/P02.pdf", "http://h/c/getfile?id=3",
                                        "http://h/a.pdf"]
    refresh = detail.parse('<meta http-equiv="Refresh" content="0; url=../index.html">')
    assert detail.meta_refresh(refresh, "http://h/c/2024/t.html") == "http://h/c/index.html"


def test_versions_disagreeing_name_the_fields_and_stay_valid():
    report = load(FIXTURES / "pdf" / "gen2021_standard.expected.json")
    from xxgk.pipeline import convert_file

    kept = convert_file(FIXTURES / "pdf" / "gen2021_standard.pdf")
    other = copy.deepcopy(kept)
    assert pairs.disagreements(kept, other) == []
    other["applications"]["new_received"]["natural_person"] += 1
    fields = pairs.annotate(kept, other, "http://h/t.html", "html")
    assert fields == ["applications.new_received.natural_person"]
    assert kept["source"]["alternate"]["agrees"] is False
    assert [w["field"] for w in kept["warnings"] if w["kind"] == "versions_disagree"] == fields
    assert [c for c in kept["checks"] if c["rule"] == "versions.agree"][0]["fields"] == fields
    assert validate(kept) == []  # the kept numbers stay the converted ones; only the new check fails
    assert [d for d in differences(kept, report) if not d.startswith("failed checks")] == []


@pytest.fixture(scope="module")
def server():
    with site_server.SiteServer() as s:
        yield s


def test_convert_url_of_a_detail_page_converts_its_attachment(server, tmp_path):
    from xxgk.pipeline import convert_url

    page = server.base + "/zwgk/zfxxgknb/202303/t20230320_1004.html"
    report = convert_url(page)
    assert differences(report, load(FIXTURES / "docx" / "gen2021_numbered.expected.json")) == []
    assert report["source"]["referer"] == page and report["source"]["url"].endswith("/202303/P020230320.docx")
    proc = subprocess.run([sys.executable, "-m", "xxgk.cli", "convert", page, "-o", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    written = [json.loads(p.read_text(encoding="utf-8")) for p in tmp_path.glob("*.json")]
    assert len(written) == 1 and written[0]["source"]["referer"] == page


def test_convert_url_of_a_deleted_document_is_refused(server):
    from xxgk.model import Refused
    from xxgk.pipeline import convert_url

    with pytest.raises(Refused, match="refreshes to"):
        convert_url(server.base + "/zwgk/zfxxgknb/202401/t20240105_1003.html")


def test_polite_defaults_become_scrapy_settings(tmp_path):
    from xxgk.crawl.settings import CrawlOptions, scrapy_settings

    polite = scrapy_settings(CrawlOptions(), tmp_path)
    assert polite["ROBOTSTXT_OBEY"] is True and polite["CONCURRENT_REQUESTS_PER_DOMAIN"] == 2
    assert polite["AUTOTHROTTLE_ENABLED"] is True and polite["DOWNLOAD_DELAY"] > 0
    assert polite["USER_AGENT"].startswith("xxgk/") and "crawler" in polite["USER_AGENT"]
    assert {429, 500, 502, 503, 504} <= set(polite["RETRY_HTTP_CODES"]) and not {400, 403, 404, 410} & set(
        polite["RETRY_HTTP_CODES"])
    assert polite["DOWNLOAD_MAXSIZE"] == 100 * 1024 * 1024 and polite["JOBDIR"].startswith(str(tmp_path))
    fast = scrapy_settings(CrawlOptions(throttle=False), tmp_path)
    assert fast["AUTOTHROTTLE_ENABLED"] is False and fast["DOWNLOAD_DELAY"] == 0
