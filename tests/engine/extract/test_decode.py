"""Decoding page bytes: BOM, declared charset, mislabelled pages, detection; GBK as GB18030."""

import codecs

from govsite.engine.extract import extract_page
from govsite.engine.extract.decode import decode_html

# 镕 and 堃 are outside GB2312; pages labelled gb2312 use them anyway (GBK/GB18030 encodings).
TEXT = "<p>朱镕基 王堃 通知公告</p>"


def _page(charset_meta: str, body: str = TEXT) -> str:
    return f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset_meta}"></head><body>{body}</body></html>'


def test_gb2312_label_decodes_as_gb18030() -> None:
    data = _page("gb2312").encode("gb18030")
    text, enc = decode_html(data)
    assert enc == "gb18030"
    assert "朱镕基 王堃" in text


def test_meta_charset_short_form() -> None:
    data = f'<html><head><meta charset="GBK"></head><body>{TEXT}</body></html>'.encode("gbk")
    assert "朱镕基" in decode_html(data)[0]


def test_bom_wins_over_meta() -> None:
    data = codecs.BOM_UTF8 + _page("gbk").encode("utf-8")
    text, enc = decode_html(data)
    assert enc == "utf-8" and "朱镕基" in text


def test_utf8_page_mislabelled_gbk() -> None:
    data = _page("gbk").encode("utf-8")
    text, enc = decode_html(data)
    assert enc == "utf-8" and "通知公告" in text


def test_gbk_page_mislabelled_utf8_is_detected() -> None:
    body = "<p>" + "关于进一步加强政府网站管理工作的通知，各乡镇人民政府、县政府各部门。" * 5 + "</p>"
    data = _page("utf-8", body).encode("gb18030")
    text, _enc = decode_html(data)
    assert "关于进一步加强政府网站管理工作的通知" in text


def test_http_header_charset_when_no_meta() -> None:
    data = f"<html><body>{TEXT}</body></html>".encode("gbk")
    assert "朱镕基" in decode_html(data, "GBK")[0]


def test_extract_page_reads_gbk_bytes() -> None:
    html = _page("gbk", '<div class="footer"><p>主办单位：东丰县人民政府　网站标识码：2204210001</p></div>')
    facts = extract_page(html.encode("gbk"), "http://www.df.gov.cn/")
    assert facts.sponsor == "东丰县人民政府"
    assert facts.site_code == "2204210001"
