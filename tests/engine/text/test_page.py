"""analyse_page: the per-page report the indicators read."""

from __future__ import annotations

from datetime import date

import pytest

from govsite.engine.extract import extract_page
from govsite.engine.text import DuplicateIndex, analyse_page, scan_page
from govsite.engine.text.page import TextCache

HTML = """<html><head><meta charset="utf-8"><title>关于开展森林防火专项检查的通知_某某县人民政府</title></head>
<body><div class="nav"><a href="/">首页</a></div>
<h1>关于开展森林防火专项检查的通知</h1>
<div class="content"><p>为做好森林防火工作，县攻府决定开展专项检查。各乡镇要落实森林防火责任，加强野外火源管理。</p>
<p>发布时间：2012-05-01</p><p>国务院总理李克强作出重要批示。</p></div>
<div style="display:none"><a href="http://www.pj88123.com/">澳门百家乐</a></div>
<script src="https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js"></script>
</body></html>"""


def test_report_sorts_findings_for_the_indicators() -> None:
    facts = extract_page(HTML, "http://www.xx.gov.cn/art/1.html")
    facts.article_pub_date = date(2012, 5, 1)  # as the crawler would date the article
    rep = analyse_page(facts, article=True, duplicates=DuplicateIndex())
    assert {(f.category, f.wrong) for f in rep.serious} >= {("confusion", "攻府"), ("leader_post", "国务院总理李克强")}
    assert [(u, f.wrong) for u, f in rep.banned_links] == [("http://www.pj88123.com/", "百家乐")]
    assert [a.kind for a in rep.ads] == ["ad_network"]
    assert rep.mismatch is None  # the body speaks of its title
    assert not rep.empty
    # The title is scanned too, and marked as such.
    facts.title = "县攻府通知"
    assert any(f.where == "title" and f.wrong == "攻府" for f in scan_page(facts))


def test_duplicate_and_placeholder_articles() -> None:
    idx = DuplicateIndex()
    body = ("为做好森林防火工作，县政府决定开展专项检查。各乡镇要落实森林防火责任，加强野外火源管理，确保安全。"
            "检查组将深入林区，逐一排查隐患，对发现的问题限期整改，确保不发生重大森林火灾。")
    a = extract_page(f"<html><head><title>森林防火专项检查通知</title></head><body><p>{body}</p></body></html>",
                     "http://www.xx.gov.cn/1.html")
    b = extract_page(f"<html><head><title>防汛抗旱森林防火工作部署</title></head><body><p>{body}</p></body></html>",
                     "http://www.xx.gov.cn/2.html")
    assert analyse_page(a, article=True, duplicates=idx).mismatch is None
    dup = analyse_page(b, article=True, duplicates=idx).mismatch
    assert dup is not None and dup.kind == "duplicate" and dup.duplicate_of == "http://www.xx.gov.cn/1.html"
    c = extract_page("<html><head><title>关于征集意见的公告</title></head><body><p>待补充</p></body></html>",
                     "http://www.xx.gov.cn/3.html")
    assert analyse_page(c, article=True).mismatch.kind == "placeholder"
    assert analyse_page(c).mismatch is None  # not an article: no title/body check


def test_realworld_articles_title_and_body(bench) -> None:
    """The real article pages match their titles, except 007.html, whose saved copy lacks the
    article body (a JSP template saved before the body was filled in): reported for a person."""
    import json

    ann = {a["file"]: a for a in json.loads((bench.REALWORLD / "annotations.json").read_text(encoding="utf-8"))}
    got = {}
    for name, facts in bench.realworld_texts():
        if ann[name]["page_type"] == "article":
            m = analyse_page(facts, article=True).mismatch
            got[name] = m.kind if m else None
    assert len(got) >= 5
    assert got.pop("pages/007.html") == "unrelated"
    assert set(got.values()) == {None}


# -- TextCache: the site template scanned once per crawl, the same findings ---------------------

TEMPLATE = ("<div class='nav'><a href='/'>首页</a><a href='/zwgk/'>政务公开</a></div>"
            "<p>{body}</p><div class='footer'><p>主办：某某县人民政府办公室　{footer}</p></div>")


def _page(n: int, body: str, footer: str = "联系电话：0591-1234567", pub: date | None = None) -> object:
    html = (f"<html><head><meta charset='utf-8'><title>通知{n}</title></head><body>"
            + TEMPLATE.format(body=body, footer=footer) + "</body></html>")
    facts = extract_page(html, f"http://www.xx.gov.cn/art/{n}.html")
    facts.article_pub_date = pub
    return facts


def _json(rep: object) -> tuple:
    return ([f.to_json() for f in rep.serious], [f.to_json() for f in rep.banned],
            [(u, f.to_json()) for u, f in rep.banned_links], [a.to_json() for a in rep.ads])


def test_cache_gives_each_page_the_findings_of_a_whole_scan() -> None:
    cache = TextCache()
    pages = [_page(n, f"第{n}期：县攻府召开会议，部署森林防火工作。", footer="澳门百家乐 联系电话：0591-1234567")
             for n in range(6)]
    for facts in pages:
        plain, cached = analyse_page(facts), analyse_page(facts, cache=cache)
        assert _json(cached) == _json(plain)
        # the template's banned wording is reported on every page that carries it, with its sentence
        assert any(f.wrong == "百家乐" and "澳门百家乐" in f.sentence for f in cached.banned)
        assert any(f.wrong == "攻府" for f in cached.serious)
    assert cache._lines  # the template lines were remembered, not rescanned on every page


def test_cached_template_line_with_a_leader_is_judged_by_each_page_date() -> None:
    cache = TextCache()
    line = "国务院总理李克强作出重要批示。"  # premier from 2013-03-16
    for pub in (date(2012, 5, 1), date(2015, 5, 1), date(2012, 5, 1), date(2015, 5, 1), date(2012, 6, 1)):
        facts = _page(1, "森林防火工作通知。", footer=line, pub=pub)
        got = scan_page(facts, cache=cache)
        assert [f.to_json() for f in got] == [f.to_json() for f in scan_page(facts)]
        assert any(f.category == "leader_post" for f in got) == (pub.year == 2012)


def test_pages_beyond_the_scan_bounds_are_scanned_whole() -> None:
    from govsite.engine.text.scanner import MAX_FINDINGS

    cache = TextCache()
    # more candidate matches than one whole-page scan looks at: the page falls back to that scan
    many = "".join(f"<p>第{i}条：县攻府通知。</p>" for i in range(MAX_FINDINGS * 4 + 50))
    for n in range(3):
        facts = _page(n, "正文。", footer=many)
        got = scan_page(facts, cache=cache)
        assert [f.to_json() for f in got] == [f.to_json() for f in scan_page(facts)]
        assert len(got) == MAX_FINDINGS


@pytest.mark.slow
def test_cache_on_farm_sites_changes_no_finding(bench) -> None:
    """Seeded defects and clean pages of real farm sites, page after page as a crawl sees them."""
    from govsite.farm import manifest as mf
    from govsite.farm.export import site_paths
    from govsite.farm.model import Farm, Site

    farm = Farm(11, 12, date(2017, 9, 14))
    findings = pages = 0
    for entry, ident in zip(mf.build(farm)["sites"], farm.identities, strict=True):
        site, base, cache = Site(farm, ident), entry["url"], TextCache()
        urls = [base, *(d["page"] for d in entry["defects"]), *(base + p.lstrip("/") for p in list(site_paths(site))[:40])]
        for url in urls:
            facts = bench._farm_page(site, url, base)
            if facts is None:
                continue
            plain = analyse_page(facts, article=True)
            assert _json(analyse_page(facts, article=True, cache=cache)) == _json(plain), url
            pages += 1
            findings += len(plain.serious) + len(plain.banned) + len(plain.banned_links)
    assert pages > 300 and findings > 10


def test_cache_forgets_lines_scanned_under_another_whitelist() -> None:
    cache = TextCache()
    facts = _page(1, "正文。", footer="县攻府办公室")
    for _ in range(3):  # remembered from the second page on
        assert [f.wrong for f in scan_page(facts, cache=cache)] == ["攻府"]
    assert scan_page(facts, site_whitelist=["攻府"], cache=cache) == []  # the site's confirmed false positive
    assert [f.wrong for f in scan_page(facts, cache=cache)] == ["攻府"]


def test_banned_link_reported_on_every_page_also_when_the_link_memo_empties(monkeypatch) -> None:
    from govsite.engine.text import page as page_mod

    monkeypatch.setattr(page_mod, "_LINKS_MAX", 8)  # a small memo, emptied every few pages
    cache = TextCache()
    for n in range(12):
        # the banned link of the template, and new link texts that fill the memo
        links = "".join(f"<a href='/col/{n}-{i}/'>栏目{n}之{i}</a>" for i in range(3))
        html = (f"<html><head><meta charset='utf-8'><title>通知{n}</title></head><body>{links}"
                "<div style='display:none'><a href='http://www.pj88123.com/'>澳门百家乐</a></div></body></html>")
        facts = extract_page(html, f"http://www.xx.gov.cn/art/{n}.html")
        got = analyse_page(facts, cache=cache).banned_links
        assert [(u, f.wrong) for u, f in got] == [("http://www.pj88123.com/", "百家乐")], n
        assert len(cache.links_memo(cache._links_lex)) <= 8
