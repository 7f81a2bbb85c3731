"""Page furniture: lines that belong to the website or the page, never to the report's prose."""
from __future__ import annotations

from xxgk.normalize import compiled_re
from xxgk.normalize.labels import compact
from xxgk.normalize.memo import short_text_cache

PATTERNS = tuple(compiled_re.compile(p) for p in (
    r"^[-—–－~]*\d{1,3}[-—–－~]*$",            # -3-  — 3 —  3
    r"^[-—–－~·•]+[\d一二三四五六七八九十〇]{1,3}[-—–－~·•]+$",  # OCR of a footer: -十- for - 4 -, ·5·
    r"^第\d{1,3}页(共\d{1,3}页)?$",
    r"^\d{1,3}/\d{1,3}$",
    r"^共\d{1,3}页第\d{1,3}页$",
    r"(©|Copyright|AllRightsReserved|版权所有)",
    r"(ICP备|ICP证|公网安备|公安备案|网站标识码|网站识别码)",
    r"^(主办|承办|协办|主管|技术支持|运维电话|联系电话|举报电话|传真|网站地图|联系我们|纠错)[:：]?",
    r"(本站已支持IPv6|建议使用.*浏览器|分辨率)",
    r"^[\[【]?(打印|关闭|打印本页|关闭窗口|返回顶部|收藏|分享|分享到|保存|字号|字体)[\]】]?$",
    r"^(【?打印】?|【?关闭】?|\s)+$",
    r"^(字号|字体)[:：]?[大中小\s]*$",
    r"^(当前位置|您当前的位置|您的位置|所在位置)[:：]",
    r"^首页[>›»/]",
    r"^(上一篇|下一篇)[:：]",
    r"^(扫一扫|微信扫一扫|手机扫一扫)",
    r"^(来源|发布时间|发布日期|访问量|浏览次数|点击数|阅读次数|信息来源|作者|发布机构)[:：].{0,60}$",
))


@short_text_cache()  # each paragraph is asked twice or more
def is_furniture(text: str) -> bool:
    t = compact(text)
    if not t:
        return True
    return any(p.search(t) for p in PATTERNS)


_PAGE_NUMBER = compiled_re.compile(r"^([-—–－~]+\d{1,3}[-—–－~]+|第\d{1,3}页(共\d{1,3}页)?|\d{1,3}/\d{1,3})$")


def is_page_number(text: str) -> bool:
    """A page footer (— 4 —, 第4页): never a cell's value, unlike a bare 4."""
    return bool(_PAGE_NUMBER.match(compact(text)))


_FOOTER = compiled_re.compile(r"^[-—–－~·•]*[\d]{1,3}[-—–－~·•]*$|^[-—–－~·•]+[一二三四五六七八九十〇]{1,3}[-—–－~·•]+$")


def is_page_footer(text: str) -> bool:
    """A line that is only a page number, however OCR or a scraper left it (-5-, -5, 5-, 5, -十-): under a
    table's section it is never a row whose cells ran together, nor part of one."""
    return is_page_number(text) or bool(_FOOTER.match(compact(text)))
