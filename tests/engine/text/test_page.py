"""analyse_page: the per-page report the indicators read."""

from __future__ import annotations

from datetime import date

from govsite.engine.extract import extract_page
from govsite.engine.text import DuplicateIndex, analyse_page, scan_page

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
