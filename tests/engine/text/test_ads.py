"""Commercial advertising on a page (G-ID-3)."""

from __future__ import annotations

from govsite.engine.extract.facts import Link, PageFacts
from govsite.engine.text import detect_ads


def facts(links: list[Link], text: str = "") -> PageFacts:
    return PageFacts(url="http://www.xx.gov.cn/", links=links, text=text)


def test_ad_network_scripts_found() -> None:
    got = detect_ads(facts([
        Link("https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js", "", tag="script"),
        Link("https://pos.baidu.com/s?hei=250", "", tag="iframe"),
        Link("https://www.gov.cn/", "中国政府网"),
    ]))
    assert [a.kind for a in got] == ["ad_network", "ad_network"]
    assert "googlesyndication.com" in got[0].message


def test_ad_link_to_commercial_site_but_not_to_government() -> None:
    got = detect_ads(facts([
        Link("http://www.kuaidai365.com/?from=gov", "贷款秒批 低息无抵押"),
        Link("http://www.other.gov.cn/x.html", "限时抢购 农产品展销会"),  # a government site: not commercial
        Link("http://www.xx.gov.cn/a.html", "免费领取 办事指南"),  # the site itself
    ]))
    assert [(a.kind, a.url) for a in got] == [("ad_link", "http://www.kuaidai365.com/?from=gov")]


def test_ad_text_and_warnings_about_it() -> None:
    assert [a.kind for a in detect_ads(facts([], "家装节全场五折，欢迎选购"))] == ["ad_text"]
    assert detect_ads(facts([], "警惕网络刷单诈骗，谨防上当受骗，防范电信诈骗")) == []
    assert detect_ads(facts([], "本站为政府网站。")) == []
