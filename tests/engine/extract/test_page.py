"""extract_page on small HTML snippets: identity, 找错 kinds, hidden links, columns, hubs."""

from datetime import date

import pytest

from govsite.engine.extract import extract_page

URL = "http://www.example.gov.cn/index.html"


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>示例县人民政府</title>{head}</head><body>{body}</body></html>"


FOOTER = """
<div class="footer">
 <p>主办单位：示例县人民政府　承办：示例县人民政府办公室　联系电话：0437-6221234</p>
 <p><a href="https://beian.miit.gov.cn/">吉ICP备05001234号-2</a>　政府网站标识码：2204210001
 <a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=22042102000123">吉公网安备 22042102000123号</a></p>
 <div class="footer-wzbs">{badges}</div>
</div>"""
CONAC = ("""<script type="text/javascript">document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript """
         """src='http://dcs.conac.cn/js/22/000/0000/60429971/CA220000000604299710001.js' type='text/javascript'%3E%3C/script%3E"));</script>""")


def test_footer_identity() -> None:
    f = extract_page(page(FOOTER.format(badges=CONAC), '<meta name="SiteIDCode" content="2204210001">'), URL)
    assert f.site_code == "2204210001"
    assert f.site_code_sources == {"footer": "2204210001", "meta": "2204210001"}
    assert f.icp == "吉ICP备05001234号-2"
    assert f.police_record == "吉公网安备 22042102000123号"
    assert f.sponsor == "示例县人民政府"
    assert f.operator == "示例县人民政府办公室"
    assert f.contact and "0437-6221234" in f.contact
    assert f.conac_badge is True


@pytest.mark.parametrize("label", ["主办单位：", "主办：", "网站主办：", "主办方： "])
def test_sponsor_label_variants(label: str) -> None:
    f = extract_page(page(f"<div class='footer'><span>{label}</span>示例市交通运输局 版权所有</div>"), URL)
    assert f.sponsor == "示例市交通运输局"


def test_no_footer_items() -> None:
    f = extract_page(page("<p>版权所有 © 示例县人民政府</p>"), URL)
    assert (f.site_code, f.icp, f.police_record, f.sponsor, f.conac_badge) == (None, None, None, None, False)
    assert f.jiucuo_entry == "none"


@pytest.mark.parametrize(
    "markup, kind, code",
    [
        ("<script id=\"_jiucuo_\" sitecode='2204210001' src='https://zfwzgl.www.gov.cn/exposure/jiucuo.js'></script>",
         "script", "2204210001"),
        ("<script>loadScripts({url:'https://zfwzgl.www.gov.cn/exposure/jiucuo.js', id:'_jiucuo_', attr:{sitecode:'2204210001'}})</script>",
         "script", "2204210001"),
        ("<span id=\"_span_jiucuo\"><img onclick=\"Link('2204210001')\" src=\"https://zfwzgl.www.gov.cn/exposure/images/jiucuo.png?v=2204210001\"></span>",
         "script", "2204210001"),
        ("<a href=\"https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=2204210001&url=x\"><img src=\"/images/jiucuo.png\" alt=\"我为政府网站找错\"></a>",
         "link_image", "2204210001"),
        ("<img src=\"/images/jiucuo.png\" alt=\"我为政府网站找错\">", "static_image", None),
        ("<a href=\"javascript:;\">纠错</a>", "none", None),
    ],
)
def test_jiucuo_kinds(markup: str, kind: str, code: str | None) -> None:
    f = extract_page(page(f"<div class='footer'>{markup}</div>"), URL)
    assert f.jiucuo_entry == kind
    assert (f.jiucuo_detail is not None) == (kind != "none")
    if code:
        assert code in f.site_code_sources.values()
        assert f.site_code == code


def test_conac_hard_coded_rendered_badge() -> None:
    markup = ('<span id="_ideConac"><a href="https://bszs.conac.cn/sitename?method=show&amp;id=0ADCC2E0BA270DA2E053012819ACECB2">'
              '<img id="imgConac" src="/images/red.png"></a></span>')
    assert extract_page(page(markup), URL).conac_badge is True


def test_malformed_footer_code_is_recorded_as_seen() -> None:
    f = extract_page(page("<p>网站标识码：310000000044</p>", '<meta name="SiteIDCode" content="3100000044">'), URL)
    assert f.site_code_sources["footer"] == "310000000044"
    assert f.site_code_sources["meta"] == "3100000044"


def test_links_are_absolute_and_hidden_ones_flagged() -> None:
    body = """
    <a href="/xwzx/">新闻中心</a>
    <a href=" http://other.gov.cn/a.html#top ">外链</a>
    <div style="display: none"><a href="http://casino.example.com/">博彩</a></div>
    <p style="VISIBILITY:hidden"><a href="http://a.example.com/">a</a></p>
    <div style="position:absolute;left:-9999px"><a href="http://b.example.com/">b</a></div>
    <a href="javascript:void(0)">无</a><a href="mailto:x@y.cn">信</a>
    <img src="img/logo.png"><script src="/js/app.js"></script><iframe src="https://map.example.com/"></iframe>"""
    f = extract_page(page(body), "http://www.example.gov.cn/sub/index.html")
    by_url = {lk.url: lk for lk in f.links}
    assert by_url["http://www.example.gov.cn/xwzx/"].hidden is False
    assert "http://other.gov.cn/a.html" in by_url
    assert by_url["http://casino.example.com/"].hidden is True
    assert by_url["http://a.example.com/"].hidden is True
    assert by_url["http://b.example.com/"].hidden is True
    assert by_url["http://www.example.gov.cn/sub/img/logo.png"].tag == "img"
    assert by_url["http://www.example.gov.cn/js/app.js"].tag == "script"
    assert by_url["https://map.example.com/"].tag == "iframe"
    assert not any(u.startswith(("javascript:", "mailto:")) for u in by_url)


HOME = """
<div class="box"><div class="hd"><h3><a href="/zwyw/">政务要闻</a></h3><a class="more" href="/zwyw/">更多&gt;&gt;</a></div>
<ul class="list">
 <li><a href="/zwyw/1.html">县委常委会召开专题会议研究部署工作</a><span class="date">[01-03]</span></li>
 <li><a href="/zwyw/2.html">全县经济工作会议召开部署新年任务</a><span class="date">[12-28]</span></li>
</ul></div>
<div class="box"><div class="tabs"><ul><li class="on">通知公告</li><li>政策文件</li><li>人事任免</li></ul></div>
 <div class="panes">
  <div class="pane"><ul><li><a href="/tzgg/1.html">关于做好春节期间安全生产工作的通知</a><span>2018-01-02</span></li></ul></div>
  <div class="pane"><ul><li><a href="/zcwj/1.html">示例县人民政府关于印发实施方案的通知</a><span>2017年12月20日</span></li></ul></div>
  <div class="pane"><ul></ul></div>
 </div></div>
<dl class="lanmu"><dt><a class="lm-name" href="/hdjl/">在线访谈</a><a class="more" href="/hdjl/">更多</a></dt>
 <dd><a href="/ft/1.html">县长做客在线访谈谈民生实事</a><em>2017/11/30</em></dd></dl>
<table><tr><td><span class="title">规划计划</span></td></tr></table>
<div class="box"><h3>征集调查</h3><ul></ul></div>
"""


def test_columns_tabs_dl_and_year_inference() -> None:
    f = extract_page(page(HOME), URL, as_of=date(2018, 1, 5))
    cols = {c.name: c for c in f.columns}
    assert cols["政务要闻"].type == "news"
    assert cols["政务要闻"].item_count == 2
    # [12-28] seen on 2018-01-05 belongs to 2017.
    assert [i.date for i in cols["政务要闻"].items] == [date(2018, 1, 3), date(2017, 12, 28)]
    assert cols["政务要闻"].url == "http://www.example.gov.cn/zwyw/"
    assert cols["通知公告"].latest_date == date(2018, 1, 2) and cols["通知公告"].type == "notice"
    assert cols["政策文件"].latest_date == date(2017, 12, 20) and cols["政策文件"].type == "policy"
    assert cols["人事任免"].item_count == 0 and cols["人事任免"].type == "personnel"  # blank tab pane
    assert cols["在线访谈"].latest_date == date(2017, 11, 30) and cols["在线访谈"].type == "interaction"
    assert cols["征集调查"].item_count == 0  # heading over an empty list
    assert f.dates_found[0] == date(2018, 1, 3)
    assert f.is_hub is False


def test_generation_time_anchors_month_day_dates() -> None:
    html = page(HOME, '<meta name="others" content="页面生成时间 2017-01-04 10:00:00">')
    f = extract_page(html, URL)
    cols = {c.name: c for c in f.columns}
    assert cols["政务要闻"].latest_date == date(2017, 1, 3)


def test_month_day_dates_without_reference_stay_unread() -> None:
    f = extract_page(page(HOME), URL)
    cols = {c.name: c for c in f.columns}
    assert cols["政务要闻"].item_count == 2
    assert cols["政务要闻"].latest_date is None


def test_hub_home_page() -> None:
    grid = "".join(f'<li><a href="/col{i}/">栏目{i}</a></li>' for i in range(16))
    f = extract_page(page(f'<div class="hub-nav"><ul>{grid}</ul></div>'), URL)
    assert f.is_hub is True
    assert not any(c.latest_date for c in f.columns)


def test_article_date_pagination_and_guide() -> None:
    art = page('<div class="article"><h1>关于X的通知</h1><div class="info"><span>发布时间：</span><span>2017-11-01 09:30</span></div>'
               '<p>正文。示例县人民政府 2017年10月30日</p></div>')
    f = extract_page(art, URL)
    assert f.article_pub_date == date(2017, 11, 1)
    assert f.dates_found == [] and f.columns == []
    meta_only = page("<p>正文</p>", '<meta name="PubDate" content="2020年08月02日">')
    assert extract_page(meta_only, URL).article_pub_date == date(2020, 8, 2)
    pager = page('<ul><li><a href="/a.html">一个足够长的标题文字内容</a><span>2017-01-01</span></li></ul>'
                 '<div class="page">共45条 第2/3页 <a href="?p=3">下一页</a></div>')
    assert extract_page(pager, URL).pagination == {"page": 2, "pages": 3}
    rows = "".join(f"<tr><th>{k}</th><td>内容</td></tr>" for k in ("事项名称", "设定依据", "申请条件", "办理材料", "办理地点"))
    g = extract_page(page(f'<table class="guide-table">{rows}</table>'), URL)
    assert g.service_guide_elements == ["事项名称", "设定依据", "申请条件", "办理材料", "办理地点"]
    assert extract_page(page("<p>联系电话：123</p>"), URL).service_guide_elements is None


@pytest.mark.parametrize(
    "html",
    ["", "   ", "<html", "<<<>>>\x00\x01", "<div><p><span>未闭合", "not html at all 2017-01-01"],
)
def test_broken_input_gives_facts_not_errors(html: str) -> None:
    f = extract_page(html, URL)
    assert f.url == URL
    assert isinstance(f.to_json(), dict)


def test_binary_bytes_do_not_raise() -> None:
    f = extract_page(bytes(range(256)) * 20, URL)
    assert f.columns == [] and f.site_code is None


def test_site_name_prefers_meta_then_title_site_part() -> None:
    assert extract_page(page("", '<meta name="SiteName" content="中国宜春">'), URL).site_name == "中国宜春"
    html = "<html><head><title>关于X的通知 - 山西省人民政府门户网站</title></head><body></body></html>"
    f = extract_page(html, URL)
    assert f.site_name == "山西省人民政府门户网站" and f.site_name_source == "title"


def test_a_page_without_lists_is_a_hub_only_at_the_home_address() -> None:
    grid = "".join(f'<li><a href="/col{i}/">栏目{i}</a></li>' for i in range(16))
    html = page(f'<div class="hub-nav"><ul>{grid}</ul></div>')
    assert extract_page(html, "http://www.example.gov.cn/").is_hub is True
    assert extract_page(html, "http://www.example.gov.cn/index.php").is_hub is True
    assert extract_page(html, "http://www.example.gov.cn/xxgk/index.html").is_hub is False
    assert extract_page(html, "http://www.example.gov.cn/index.php?c=list&cid=3").is_hub is False


def test_nav_links_and_lean_mode() -> None:
    menu = "".join(f'<li><a href="/col{i}/index.html">栏目{i}</a></li>' for i in range(5))
    html = page(f'<div class="menu"><ul>{menu}</ul></div>'
                '<ul><li><a href="/a.html">一个足够长的标题文字内容</a><span>2017-01-01</span></li></ul>')
    full = extract_page(html, URL)
    assert [lk.text for lk in full.nav] == [f"栏目{i}" for i in range(5)]
    assert full.nav[0].url == "http://www.example.gov.cn/col0/index.html"
    lean = extract_page(html, URL, want_nav=False)
    assert lean.nav == []
    full.nav = []
    assert lean == full  # everything else is the same


def test_guide_labels_are_found_as_the_label_regex_finds_them():
    import random
    import re

    from govsite.engine.extract.page import _is_label

    rnd = random.Random(5)
    pieces = ["事项名称", "事项", "名称", "\n", " ", "\u3000", "\t", ":", "：", "x", "办理", "\r\n"]
    for _ in range(4000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 10)))
        expected = re.search(r"(?:^|\n)\s*事项名称\s*(?:[:：]|\n|$)", text) is not None
        assert _is_label(text, "事项名称") is expected, repr(text)


def test_one_walk_lists_what_the_selector_list_returns() -> None:
    """`_walk` replaces `tree.css(_ONE_PASS)` and the `[style], [hidden]` query: the same
    elements in the same order (twice for a listed tag that also has onclick and title), and the
    boxes hidden by style or attribute."""
    from selectolax.lexbor import LexborHTMLParser

    from govsite.engine.extract.page import _ONE_PASS, _is_hidden_style, _walk

    html = page(
        '<div onclick="go(\'/a.html\')" title="一个可点击的标题"><a href="/x" onclick="f()" title="t">链接</a></div>'
        '<img src="/i.png" onClick="z()" TITLE="图"><area href="/m"><area title="t" onclick="y()"><iframe></iframe>'
        '<iframe src="/f.html"></iframe><link href="/s.css"><embed src="/e.swf"><frame>'
        '<p style="display:none"><a href="/h1">隐藏</a></p><span hidden style="color:red"><img src="/h2.png"></span>'
        '<p style="color:red">可见</p><style onclick="q()" title="s">p{}</style><noscript>n</noscript>'
        '<textarea>t</textarea><gsdate>2017-09-12</gsdate><script src="/a.js"></script><script>var x;</script>',
        '<meta name="SiteName" content="示例"><base href="/b/">')
    tree = LexborHTMLParser(html)
    visits, hiders = _walk(tree)
    expected = tree.css(_ONE_PASS)
    assert [(n.mem_id, tag) for n, tag in visits] == [(n.mem_id, n.tag) for n in expected]
    assert len(expected) > len({n.mem_id for n in expected})  # the onclick elements came twice
    styled = [el for el in tree.css("[style], [hidden]")
              if "hidden" in el.attributes or _is_hidden_style(el.attributes.get("style") or "")]
    assert [el.mem_id for el in hiders] == list(dict.fromkeys(el.mem_id for el in styled))
    assert len(hiders) == 2


def test_footer_furniture_as_the_queries_in_each_box_find_it() -> None:
    """`_Footer.holds` answers as the old per-box query `_IN_FOOTER` did, for every element."""
    from selectolax.lexbor import LexborHTMLParser

    from govsite.engine.extract.page import _FOOTER, _IN_FOOTER, _Footer

    tree = LexborHTMLParser(page(
        '<div class="main"><ul><li><a href="/n1">新闻</a><gsdate>09-12</gsdate></li></ul></div>'
        '<div id="site-footer"><p><a href="/f1">关于</a><span>x</span></p><table><tr><td>t</td></tr></table>'
        '<div class="copyright"><gsdate>2017-09-12</gsdate><dl><dt>d</dt></dl></div></div>'
        '<footer><ol><li>o</li></ol><noscript><a href="/ns">n</a></noscript></footer><a href="/after">后</a>'))
    for n in tree.css("noscript"):
        n.decompose(recursive=False)  # as extract_page removes invisible elements before the footer
    footer = _Footer({fe.mem_id for fe in tree.css(_FOOTER)})
    old: set[int] = set()
    for fe in tree.css(_FOOTER):
        old.add(fe.mem_id)
        old.update(d.mem_id for d in fe.css(_IN_FOOTER))
    everything = tree.css("*")
    assert [footer.holds(n) for n in everything] == [n.mem_id in old for n in everything]
    assert 6 <= sum(footer.holds(n) for n in everything) < len(everything)


def test_date_marking_equals_the_text_run_regex_over_every_gap() -> None:
    """`_mark_dates` tries the full date-run pattern only at runs holding a separator: the marks
    equal those of the pattern's finditer over each gap between <script>/<style> blocks."""
    import random

    from govsite.engine.extract.page import (
        _BODY_RE,
        _DIGIT_DATE_RE,
        _MARK,
        _TEXT_WITH_DATE_RE,
        _mark_dates,
        _raw_blocks,
    )

    def reference(html: str) -> str:
        m = _BODY_RE.search(html)
        start = m.start() if m else 0
        bounds, pos = [], start
        for b0, b1 in _raw_blocks(html, start):
            if b0 > pos:
                bounds.append((pos, b0))
            pos = b1
        bounds.append((pos, len(html)))
        out, last = [], start
        for g0, g1 in bounds:
            for tm in _TEXT_WITH_DATE_RE.finditer(html, g0, g1):
                seg = tm.group(1)
                if len(seg) <= 400 and _DIGIT_DATE_RE.search(seg):
                    out += [html[last:tm.start(1)], f"<{_MARK}>{seg}</{_MARK}>"]
                    last = tm.end(1)
        return html[:start] + "".join(out) + html[last:] if out else html

    rnd = random.Random(4)
    pieces = ["<", ">", "-", "/", ".", "月", " ", "\u3000", "2017", "09", "１２", "年", "日", "<script>", "</script>",
              "<style>", "</style>", "a", "新闻", "\n", "<a href='/2017-09/1.html'>", "<i>", "</i>", "12-31 ", "9/1"]
    docs = ["<body><li>通知 09-12</li><script>x='2017-09-12'</script>07-01<i>2017年9月1日</i><b>８-９</b></body>"]
    docs += ["<body>" + "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 40))) for _ in range(3000)]
    assert [_mark_dates(d) for d in docs] == [reference(d) for d in docs]
    assert "<gsdate>通知 09-12</gsdate>" in _mark_dates(docs[0]) and "x='2017-09-12'" in _mark_dates(docs[0])
    assert sum(_MARK in _mark_dates(d) for d in docs) > 500


def test_attribute_precheck_never_misses_a_style_hidden_or_onclick_attribute() -> None:
    """`_may_have_attrs` False lets the walk drop the attribute selectors: it must hold only
    when lexbor finds no such attribute (random tags, cases, quotes, separators)."""
    import random

    from selectolax.lexbor import LexborHTMLParser

    from govsite.engine.extract.page import _may_have_attrs

    rnd = random.Random(9)
    parts = ["<p", "<div", ">", " ", "\t", "\n", "/", '"', "'", "=", "x", "style", "STYLE", "Hidden", "onClick",
             "data-style", "hiddenx", "<style>", "</p>", "中", "title"]
    said_no = 0
    for _ in range(4000):
        doc = "<body>" + "".join(rnd.choice(parts) for _ in range(rnd.randint(1, 30)))
        data = doc.encode()
        found = LexborHTMLParser(data).css("[style], [hidden], [onclick]")
        if not _may_have_attrs(data):
            said_no += 1
            assert found == [], doc
    assert said_no > 500
    assert _may_have_attrs(b'<p a="1"STYLE=x>') and not _may_have_attrs(b'<link rel="stylesheet"><input type="hidden">')


def test_footer_boxes_and_empty_lists_as_their_own_queries_find_them() -> None:
    """One query finds what the footer query and the empty-list query found, case-sensitive
    attribute substrings included; a list that is a footer box is not among the lists."""
    from selectolax.lexbor import LexborHTMLParser

    from govsite.engine.extract.page import _EMPTY_LISTS, _FOOTER, _boxes_and_lists

    tree = LexborHTMLParser(page(
        '<ul class="nav"><li><a href="/n">n</a></li></ul><ul></ul><ol class="Footer"></ol>'
        '<table id="copyright-t"><tr><td>c</td></tr></table><dl><dt>空栏目</dt></dl>'
        '<div class="FOOTER">x</div><div class="">y</div><ul class="site-footer"><li>f</li></ul>'
        '<footer class="copyright"><ul><li>z</li></ul><table></table></footer><ol id="x"></ol>'))
    boxes, lists = _boxes_and_lists(tree)
    assert boxes == {el.mem_id for el in tree.css(_FOOTER)}
    expected = [el.mem_id for el in tree.css(_EMPTY_LISTS) if el.mem_id not in boxes]
    assert [el.mem_id for el in lists] == expected
    assert len(boxes) == 3 and [el.tag for el in lists] == ["ul", "ol", "dl", "ul", "table", "ol"]


def test_walk_without_attributes_lists_what_the_selector_list_returns() -> None:
    """With no style, hidden or onclick attribute on the page, `_walk` traverses the tree: the
    elements `tree.css(_ONE_PASS)` returns, in its order, custom tags, svg and comments included."""
    from selectolax.lexbor import LexborHTMLParser

    from govsite.engine.extract.page import _ONE_PASS, _walk

    html = page(
        '<!-- c --><div><a href="/x">链接</a><a name="n">锚</a></div><area href="/m"><area alt="x">'
        '<iframe></iframe><iframe src="/f.html"></iframe><link href="/s.css"><link rel="x">'
        '<embed src="/e.swf">'
        '<frame><foo-bar><gsdate>09-12</gsdate></foo-bar><svg><a href="/svg"><title>t</title></a>'
        '<script>1</script></svg><o:p>x</o:p><img src="/i.png"><noscript><img src="/n.png"></noscript>'
        '<template><a href="/t">t</a></template><textarea>t</textarea><style>p{}</style><script src="/a.js">'
        '</script>',
        '<meta name="SiteName" content="示例"><base href="/b/"><title>题</title>').encode()
    tree = LexborHTMLParser(html)
    assert not tree.css("[style], [hidden], [onclick]")  # as `_may_have_attrs` False promises
    visits, hiders = _walk(tree, attrs=False)
    expected = tree.css(_ONE_PASS)
    assert [(n.mem_id, tag) for n, tag in visits] == [(n.mem_id, n.tag) for n in expected]
    assert hiders == [] and len(visits) == 22
    assert [tag for _n, tag in visits].count("gsdate") == 1


def test_stripped_text_equals_the_per_node_strip() -> None:
    """`text_stripped` gives `text(deep=True, strip=True)`, whitespace between or inside the
    pieces included (full-width and no-break spaces are whitespace to str.strip())."""
    from selectolax.lexbor import LexborHTMLParser

    from govsite.engine.extract.columns import text_stripped

    tree = LexborHTMLParser(page(
        '<a href="/1">政务公开</a><a href="/2">\n  首页 \n</a><a href="/3"> 更多 <b>&gt;&gt;</b></a>'
        '<a href="/4"><span> 通知 </span><span>\u3000公告</span></a><a href="/5">a\u00a0b</a><a href="/6"></a>'
        '<a href="/7"><!-- c -->x<img src="/i.png"> y</a><a href="/8"><span> </span>z<span>\t</span></a>'))
    anchors = tree.css("a")
    assert [text_stripped(a) for a in anchors] == [a.text(deep=True, strip=True) for a in anchors]
    assert [text_stripped(a) for a in anchors] == ["政务公开", "首页", "更多>>", "通知公告", "a\u00a0b", "", "xy", "z"]


@pytest.mark.parametrize("body", [
    '<div class="footer"><ul></ul></div><table><tr><td>t</td></tr></table>',
    '<div class="&#102;ooter">x</div><dl><dt>空</dt></dl>',  # a reference writes the word
    '<p id="COPYRIGHT">x</p><p id="a-copyright">y</p><ol></ol>',
    '<FOOTER><UL></UL></FOOTER><Table></Table>',
    '<p>无列表</p>',
])
def test_footer_query_without_the_selectors_that_cannot_match(body: str) -> None:
    """The query left after the plain walk's tags and the source's words finds what the whole
    query finds."""
    from selectolax.lexbor import LexborHTMLParser

    from govsite.engine.extract.page import _boxes_and_lists, _boxes_and_lists_query, _walk

    data = page(body).encode()
    tree = LexborHTMLParser(data)
    tag_ids: set[int] = set()
    _walk(tree, False, tag_ids)
    query = _boxes_and_lists_query(data.lower(), tag_ids)
    boxes, lists = _boxes_and_lists(tree, query)
    full_boxes, full_lists = _boxes_and_lists(tree)
    assert boxes == full_boxes and [n.mem_id for n in lists] == [n.mem_id for n in full_lists]
    assert query.count(",") < 8
