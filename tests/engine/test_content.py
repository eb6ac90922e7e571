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


def _crawl(pages, **kw):
    from govsite.engine.crawl import PageRecord

    obs = ContentObserver(**kw)
    for i, f in enumerate(pages):
        obs(f, PageRecord(url=f.url, depth=0 if i == 0 else 1, status=200, error=None, elapsed=0.0))
    return obs.findings()


def article(title: str, body: str, url: str, column: str = "政务要闻") -> object:
    html = (f"<html><head><title>{title}_某市人民政府</title><meta name='ColumnName' content='{column}'>"
            f"<meta name='PubDate' content='2017-09-01 09:00'></head><body><div class='position'>当前位置：首页 &gt; "
            f"{column} &gt; {title}</div><h1>{title}</h1><p>发布时间：2017-09-01</p><div id='zoom'>{body}</div></body></html>")
    return extract_page(html, url)


FIRE = "关于开展森林防火专项检查的通知"
FIRE_BODY = ("<p>为切实做好今冬明春森林防火工作，经研究，决定在全县范围内开展森林防火专项检查。</p>"
             "<p>各乡镇要加强野外火源管理，落实防火责任，确保不发生重大森林火灾。</p>")
PENSION = ("<p>据统计，今年以来全县共发放养老服务补贴资金三百万元，惠及老年人两千余人，社区居家养老服务中心运行良好。</p>"
           "<p>下一步，将继续完善养老服务体系建设，提升养老服务质量和水平，让老年人共享发展成果。</p>")


def test_title_body_mismatch_is_advisory_with_both_sides():
    pages = [page("<p>首页</p>"), article(FIRE, FIRE_BODY, SITE + "a1.html"),
             article("关于做好防汛抗旱工作的通知", PENSION, SITE + "a2.html"),
             article("关于召开全县安全生产工作会议的通知", "<p>测试</p>", SITE + "a3.html"),
             article("关于开展森林防火安全大检查的通知", FIRE_BODY, SITE + "a4.html")]
    found = _crawl(pages)
    g = by_id(found, "G-TXT-1")
    assert g.status == "deduct" and "请人工判断" in g.summary
    by_url = {e["url"]: e for e in g.evidence}
    assert by_url[SITE + "a2.html"]["kind"] == "unrelated"
    assert by_url[SITE + "a2.html"]["title"] == "关于做好防汛抗旱工作的通知"
    assert by_url[SITE + "a2.html"]["body_excerpt"].startswith("据统计")
    assert by_url[SITE + "a3.html"]["kind"] == "placeholder"
    assert by_url[SITE + "a4.html"]["kind"] == "duplicate" and by_url[SITE + "a4.html"]["duplicate_of"] == SITE + "a1.html"
    assert SITE + "a1.html" not in by_url
    # Advisory: never a veto, and V15-4 is untouched by it.
    assert by_id(found, "V15-4").status == "ok"


def test_mismatch_skips_consultations_and_the_home_page():
    reply = "<p>您好！您反映的问题已收悉，经与县交通运输局联系，相关工作正在按计划推进，我们将加快办理进度。</p>"
    pages = [article("关于做好防汛抗旱工作的通知", PENSION, SITE),  # the home page (depth 0) is no article
             article("我村的道路破损严重，什么时候能够修缮？", reply, SITE + "x.html", column="在线咨询")]
    g = by_id(_crawl(pages), "G-TXT-1")
    assert g.status == "ok" and g.evidence == []


def test_site_whitelist_silences_a_confirmed_false_positive():
    text = "<p>会议认真传达学习了习近乎同志重要讲话精神。</p>"
    assert by_id(content_findings([page(text)]), "V15-4").status == "veto"
    assert by_id(content_findings([page(text)], site_whitelist=["习近乎"]), "V15-4").status == "ok"
    # with a context: only sentences carrying it are whitelisted
    assert by_id(content_findings([page(text)], site_whitelist=["习近乎\t传达学习"]), "V15-4").status == "ok"
    assert by_id(content_findings([page(text)], site_whitelist=["习近乎\t别的语境"]), "V15-4").status == "veto"
