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
    # Links under the page's own scheme://host/ are the site's; a host that only begins like it is not.
    got = detect_ads(facts([
        Link("http://www.xx.gov.cn/zt/a.html", "加盟代理 政策解读"),
        Link("http://www.xx.gov.cn.kuaidai365.com/a.html", "加盟代理 政策解读"),
        Link("http://www.xx.gov.cn:8080/b.html", "火爆招商"),  # another netloc: parsed, still the site's host
    ]))
    assert [(a.kind, a.url) for a in got] == [("ad_link", "http://www.xx.gov.cn.kuaidai365.com/a.html")]


def test_ad_text_and_warnings_about_it() -> None:
    assert [a.kind for a in detect_ads(facts([], "家装节全场五折，欢迎选购"))] == ["ad_text"]
    assert detect_ads(facts([], "警惕网络刷单诈骗，谨防上当受骗，防范电信诈骗")) == []
    assert detect_ads(facts([], "本站为政府网站。")) == []


def test_text_cache_gives_each_page_the_ads_of_a_whole_search() -> None:
    """A site's pages through one TextCache: the advertising phrases come from the text scan's
    own pass, template lines are searched once, and a phrase in the template, in a page's own
    line or in a line seen before is still found — the same findings as a page on its own."""
    from govsite.engine.text import analyse_page
    from govsite.engine.text.page import TextCache

    cache = TextCache()
    footer = "主办：某某县人民政府\n联系电话：0591-1234567"
    pages = [
        f"首页\n政务公开\n第{n}条通知正文。\n{footer}" for n in range(3)
    ] + [
        f"首页\n政务公开\n本店火爆招商，\n加盟代理从速。\n{footer}",  # phrases in the page's own lines
        f"首页\n政务公开\n限时抢购\n{footer}\n点击咨询",
        f"首页\n政务公开\n第1条通知正文。\n{footer}",
        f"首页\n限时抢购\n{footer}",  # a line carrying a phrase again: now remembered with its phrase
        f"首页\n限时抢购\n{footer}",
    ]
    seen = []
    for text in pages:
        plain = [a.to_json() for a in detect_ads(facts([], text))]
        assert [a.to_json() for a in analyse_page(facts([], text), cache=cache).ads] == plain
        seen.append([a.text for a in analyse_page(facts([], text), cache=TextCache()).ads])
    assert seen[:3] == [[], [], []] and seen[5] == [] and any("限时抢购" in t for t in seen[6])
    assert seen[7] == seen[6]
    assert len(seen[3]) == 1 and "火爆招商" in seen[3][0] and "加盟代理" in seen[3][0]  # one excerpt holds both
    assert any("限时抢购" in t for t in seen[4]) and any("点击咨询" in t for t in seen[4])


def test_an_empty_advertising_phrase_is_refused(tmp_path) -> None:  # noqa: ANN001 - pytest fixture
    """An empty phrase would be "in" every text: the data file is refused with a clear error."""
    import shutil

    import pytest

    from govsite.engine.text import lexicon as lx

    for f in lx.DATA_DIR.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    with (tmp_path / "ads.tsv").open("a", encoding="utf-8") as fh:
        fh.write("phrase\t\t说明\n")
    with pytest.raises(ValueError, match="广告用语不能为空"):
        lx.load(tmp_path)
