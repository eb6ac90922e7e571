"""V15-4 (serious errors, banned content) and G-ID-3 (ads) from crawled pages' facts."""

from __future__ import annotations

from govsite.engine.extract import extract_page
from govsite.engine.indicators.content import ContentObserver, content_findings

SITE = "http://www.demo.gov.cn/"


def page(body: str, url: str = SITE, title: str = "某市人民政府") -> object:
    html = f"<html><head><title>{title}</title></head><body>{body}</body></html>"
    return extract_page(html, url)


def by_id(findings, fid):
    return next(f for f in findings if f.id == fid)


def test_clean_pages_give_ok_findings():
    pages = [page("<p>市政府召开常务会议，研究部署当前重点工作。</p><a href='http://www.gov.cn/'>中国政府网</a>"),
             page("<p>中华人民共和国成立以来，我市各项事业取得长足进步。</p>", SITE + "a.html")]
    found = content_findings(pages)
    assert by_id(found, "V15-4").status == "ok"
    assert by_id(found, "G-ID-3").status == "ok"


def test_serious_error_is_a_veto_with_sentence_and_page():
    art = SITE + "art/1.html"
    found = content_findings([page("<p>首页</p>"), page("<p>会议认真传达学习了习近乎同志重要讲话精神。</p>"
                                                     "<p>其他内容照常。</p>", art)])
    v = by_id(found, "V15-4")
    assert v.status == "veto"
    ev = v.evidence[0]
    assert ev["url"] == art
    assert ev["wrong"] == "习近乎" and ev["suggestion"] == "习近平"
    assert "传达学习了习近乎同志" in ev["sentence"]


def test_banned_wording_and_links_feed_the_same_veto():
    found = content_findings([page("<p>本站提供澳门赌场在线开户服务。</p>"
                                   "<a href='http://www.bet365c123.com/'>网上赌场 真人娱乐</a>")])
    v = by_id(found, "V15-4")
    assert v.status == "veto"
    assert any(e.get("where") == "link" and "bet365c123" in e["target"] for e in v.evidence)
    assert any("赌场" in e["wrong"] for e in v.evidence if e.get("where") != "link")


def test_ads_are_reported_once_per_target_across_pages():
    banner = "<div class='ad-banner'><a href='http://www.kuaidai365.com/?from=gov'>贷款秒批 低息无抵押</a></div>"
    obs = ContentObserver()
    from govsite.engine.crawl import PageRecord

    for i in range(3):
        f = page(banner, SITE + f"p{i}.html")
        obs(f, PageRecord(url=f.url, depth=i, status=200, error=None, elapsed=0.0))
    g = by_id(obs.findings(), "G-ID-3")
    assert g.status == "deduct"
    assert len(g.evidence) == 1 and "kuaidai365.com" in g.evidence[0]["detail"]
    assert obs.pages == 3


def test_rs2019_reports_under_v19_1():
    found = content_findings([page("<p>中华人民共合国</p>")], serious_id="V19-1")
    assert by_id(found, "V19-1").status == "veto"
