"""G-SEC-1: hidden external links, injected/obfuscated scripts, defacement."""

from __future__ import annotations

from govsite.engine.extract import extract_page
from govsite.engine.security import SecurityObserver, decode_js, security_findings

SITE = "http://www.demo.gov.cn/"
NAMES = ["演示市人民政府"]
CONAC = ('<script type="text/javascript">document.write(unescape("%3Cspan id=\'_ideConac\' %3E%3C/span%3E'
         "%3Cscript src='http://dcs.conac.cn/js/33/000/0000/12345678/CA330000000123456780001.js' "
         "type='text/javascript'%3E%3C/script%3E\"));</script>")


def page(body: str, url: str = SITE, title: str = "演示市人民政府门户网站") -> object:
    return extract_page(f"<html><head><title>{title}</title></head><body>{body}</body></html>", url)


def sec(*pages):
    [f] = security_findings(list(pages), "www.demo.gov.cn", NAMES)
    assert f.id == "G-SEC-1"
    return f


def test_clean_home_with_government_scripts_is_ok():
    body = (f"<p>演示市人民政府欢迎您</p>{CONAC}<script src='/js/common.js'></script>"
            "<script src='https://hm.baidu.com/hm.js?abc'></script>"
            "<iframe src='http://zwfw.demo.gov.cn/box'></iframe><a href='http://www.beian.gov.cn/'>备案</a>"
            "<div style='display:none'><a href='/inner.html'>内部</a></div>")
    assert sec(page(body)).status == "ok"


def test_hidden_external_links_are_found():
    body = ("<p>演示市人民政府</p><div style='display:none'><a href='http://www.pj88123.com/'>澳门赌场</a>"
            "<a href='http://www.gov.cn/'>中国政府网</a></div>"
            "<a style='position:absolute;left:-9999px' href='http://ylc456.com/'>x</a>")
    f = sec(page(body))
    assert f.status == "deduct"
    targets = {e.get("target") for e in f.evidence}
    assert "http://www.pj88123.com/" in targets and "http://ylc456.com/" in targets
    assert not any("gov.cn" in (t or "") for t in targets)


def test_foreign_script_and_obfuscated_loader():
    ext = page("<p>演示市人民政府</p><script src='http://js.tongji-cdn.com/7.js'></script>")
    f = sec(ext)
    assert f.status == "deduct" and "tongji-cdn.com" in f.evidence[0]["detail"] and "脚本" in f.evidence[0]["detail"]
    loader = ('<script>eval(unescape("%64%6f%63%75%6d%65%6e%74%2e%77%72%69%74%65%28%27%3c%69%66%72%61%6d%65%20'
              '%73%72%63%3d%68%74%74%70%3a%2f%2f%78%2e%63%6f%6d%3e%27%29"));</script>')
    f = sec(page("<p>演示市人民政府</p>" + loader))
    assert f.status == "deduct"
    assert "iframe" in f.evidence[0]["detail"] and "x.com" in f.evidence[0]["target"]
    # the page's own host is not foreign; a host that only begins like it is (on a later page of
    # the same crawl too, when the site's own links are already known)
    inner = "http://www.demo.gov.cn/art/2017/1.html"
    own = page("<p>演示市人民政府</p><script src='http://www.demo.gov.cn/js/a.js'></script>", inner)
    look_alike = page("<p>演示市人民政府</p><script src='http://www.demo.gov.cn/js/a.js'></script>"
                      "<script src='http://www.demo.gov.cn.tongji-cdn.com/7.js'></script>", inner)
    assert sec(own).status == "ok"
    f = sec(own, look_alike)
    assert [e["target"] for e in f.evidence] == ["http://www.demo.gov.cn.tongji-cdn.com/7.js"]
    # eval of decoded code with nothing readable inside is still an obfuscated script
    f = sec(page("<p>演示市人民政府</p><script>eval(String.fromCharCode(97,108,101,114,116))</script>"))
    assert f.status == "deduct" and "混淆" in f.evidence[0]["detail"]


def test_decode_js_undoes_common_escapes():
    assert decode_js(r"\x3ciframe src=\u0022http://a.com\u0022") == '<iframe src="http://a.com"'
    assert decode_js("%3Cscript%3E") == "<script>"


def test_defacement_signature_and_missing_name():
    f = sec(page("<h1>Hacked by Sh3ll Team</h1><p>演示市人民政府</p>"))
    assert f.status == "deduct" and "Hacked by" in f.evidence[0]["detail"]
    f = sec(page("<h1>Welcome</h1><p>nothing here</p>", title="index"))
    assert f.status == "deduct" and "不再出现网站名称" in f.evidence[0]["detail"]
    # the core of the name (without 人民政府) is enough; inner pages are not judged for it
    assert sec(page("<p>演示市政务服务</p>", title="演示市"), page("<p>x</p>", SITE + "a.html", title="x")).status == "ok"


def test_news_about_hackers_is_not_defacement():
    assert sec(page("<p>演示市人民政府</p><a href='/n/1.html'>我市开展防范黑客攻击网络安全演练</a>")).status == "ok"


def test_site_domains_and_extra_allow_list():
    obs = SecurityObserver("www.demo.gov.cn", NAMES, domains=["demo.com"])
    assert not obs.foreign("static.demo.com") and not obs.foreign("cdn.demo.gov.cn")
    assert not obs.foreign("dcs.conac.cn") and obs.foreign("evil.com")


def test_real_government_pages_raise_nothing_but_an_unlisted_stats_script():
    """The saved real pages (shared/realworld): collapsed menus of sister departments, intranet
    systems by IP, browser-extension scripts, vendor 找错/无障碍 scripts are not findings; the
    one report is NFRA's third-party statistics script (pvjs.jktong.com), outside every list."""
    import json
    from pathlib import Path

    from govsite.engine.rulesets import load_ruleset
    from govsite.engine.security import DEFAULT_ALLOW

    root = Path(__file__).resolve().parents[3] / "shared" / "realworld"
    if not root.is_dir():
        root = Path("/work/shared/realworld")
    ann = json.loads((root / "annotations.json").read_text(encoding="utf-8"))
    allow = DEFAULT_ALLOW + tuple(load_ruleset("RS2015").rule("G-SEC-1").get("allow_domains"))
    flagged = {}
    for a in ann:
        facts = extract_page((root / a["file"]).read_bytes(), "http://www.example.gov.cn/")
        obs = SecurityObserver("www.example.gov.cn", [a["site_name"]] if a.get("site_name") else [], allow=allow)
        from govsite.engine.crawl import PageRecord

        obs(facts, PageRecord(url=facts.url, depth=0 if a["page_type"] == "home" else 1, status=200, error=None,
                              elapsed=0.0))
        f = obs.findings()[0]
        if f.status != "ok":
            flagged[a["file"]] = [e.get("target") for e in f.evidence]
    assert len(ann) >= 10
    assert list(flagged) == ["pages/009.html"] and "jktong.com" in flagged["pages/009.html"][0]


# -- defacement against a stored baseline --------------------------------------------------

def _farm_home(as_of: str):
    from datetime import date

    from govsite.farm.export import render_raw
    from govsite.farm.model import Farm, Site

    farm = Farm(7, 8, date.fromisoformat(as_of))
    ident = next(i for i in farm.identities if not i.intents and not i.hub)
    page = render_raw(Site(farm, ident), "/")
    url = f"http://{ident.host}/"
    return extract_page(page.body, url, encoding=page.charset), ident


DEFACED = ("<html><head><title>澳门新葡京 真人娱乐</title></head><body><div class='main'><h1>欢迎光临</h1>"
           "<p>注册就送彩金，百家乐、老虎机、体育投注，信誉第一，提款秒到账，客服全天在线为您服务。</p>"
           "<a href='http://www.pj88123.com/'>立即注册</a><script src='http://cdn.pj88123.com/tj.js'></script>"
           "</div></body></html>")


def test_baseline_tolerates_a_busy_news_fortnight_and_catches_a_replaced_page():
    from govsite.engine.security import HomeSnapshot, compare_home

    before, ident = _farm_home("2017-09-14")
    after, _ = _farm_home("2017-09-28")  # two weeks of new items on every home-page column
    assert before.text != after.text
    base = HomeSnapshot.of(before, ident.host, "2017-09-14T23:59:00+08:00")
    same = compare_home(base, after, ident.host)
    assert not same["defaced"] and same["structure"] >= 0.5 and same["text"] >= 0.25, same
    gone = compare_home(base, extract_page(DEFACED, before.url), ident.host)
    assert gone["defaced"] and gone["title_changed"] and gone["structure"] < 0.2 and gone["text"] < 0.1


def test_a_new_title_alone_is_a_redesign_not_a_defacement():
    from govsite.engine.security import HomeSnapshot, compare_home

    before, ident = _farm_home("2017-09-14")
    base = HomeSnapshot.of(before, ident.host, "t")
    retitled = before.__class__(**{**before.__dict__, "title": "全新改版 " + (before.title or "")})
    r = compare_home(base, retitled, ident.host)
    assert r["title_changed"] and not r["defaced"]


def test_observer_reports_baseline_change_with_both_versions():
    from govsite.engine.crawl import PageRecord
    from govsite.engine.security import HomeSnapshot

    before, ident = _farm_home("2017-09-14")
    obs = SecurityObserver(ident.host, [ident.name])
    obs.use_baseline(HomeSnapshot.of(before, ident.host, "2017-09-14T23:59:00+08:00"), "2017-10-01T00:00:00+08:00")
    now = extract_page(DEFACED, before.url)
    obs(now, PageRecord(url=now.url, depth=0, status=200, error=None, elapsed=0.0))
    [f] = obs.findings()
    assert f.status == "deduct"
    ev = next(e for e in f.evidence if "baseline" in e)
    assert ev["baseline"]["title"] == before.title and ev["current"]["title"] == "澳门新葡京 真人娱乐"
    assert ev["baseline"]["taken"].startswith("2017-09-14") and "疑被篡改" in ev["detail"]
    assert ev["structure_similarity"] < 0.5


def test_baseline_store_round_trip_and_bad_files(tmp_path):
    import pytest

    from govsite.engine.security import BaselineError, BaselineStore, HomeSnapshot

    before, ident = _farm_home("2017-09-14")
    path = tmp_path / "base.json"
    st = BaselineStore(path)
    assert st.get(before.url) is None
    snap = HomeSnapshot.of(before, ident.host, "t0")
    st.put(before.url, snap)
    again = BaselineStore(path).get(before.url)
    assert again == snap
    assert [p.name for p in tmp_path.iterdir()] == ["base.json"]  # no temporary file left behind
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(BaselineError, match="无法读取"):
        BaselineStore(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text('{"schema": "x"}', encoding="utf-8")
    with pytest.raises(BaselineError, match="不是 govsite 基线"):
        BaselineStore(tmp_path / "other.json")
    with pytest.raises(BaselineError, match="目录不存在"):
        BaselineStore(tmp_path / "nowhere" / "b.json")


async def test_check_site_stores_then_compares_the_baseline(tmp_path):
    from datetime import datetime

    from govsite.engine.check import CheckOptions, SiteTarget, check_site
    from tests.engine.sitekit import HOST, Site, serve_site

    class Defaced(Site):
        def home(self) -> str:
            return DEFACED

    path = tmp_path / "baseline.json"

    async def run(site: Site) -> dict:
        srv = await serve_site(site)
        try:
            opts = CheckOptions(as_of=datetime(2017, 9, 14, 23, 0), allow_private=True, check_external=False,
                                resolve={(HOST, srv.port): "127.0.0.1"}, baseline=str(path), max_pages=20)
            rep = await check_site(SiteTarget(f"{site.base()}/", name=site.name, code=site.code), opts)
        finally:
            await srv.__aexit__()
        return next(i for i in rep["indicators"] if i["id"] == "G-SEC-1")

    first = await run(Site())
    assert first["status"] == "ok" and "已建立首页基线" in first["summary"] and path.exists()
    stored = path.read_bytes()
    again = await run(Site())
    assert again["status"] == "ok" and "无明显变化" in again["summary"]
    hacked = await run(Defaced())
    assert hacked["status"] == "deduct"
    ev = next(e for e in hacked["evidence"] if "baseline" in e)
    assert ev["baseline"]["title"] == "测试县人民政府" and ev["current"]["title"] == "澳门新葡京 真人娱乐"
    assert path.read_bytes() == stored  # the baseline is kept, never overwritten by a later check


def test_template_scripts_and_links_on_every_page_are_reported_once_with_the_first_page():
    """The observer reads a repeated template script or link once per crawl: the same finding,
    counted once, on the first page carrying it; a new script on a later page is still read."""
    from govsite.engine.crawl import PageRecord

    loader = "<script>eval(String.fromCharCode(97,108,101,114,116))</script>"
    ext = "<script src='http://js.tongji-cdn.com/7.js'></script>"
    obs = SecurityObserver("www.demo.gov.cn", NAMES)
    for n in range(4):
        extra = "<script>eval(atob('ZG9jdW1lbnQ='))</script>" if n == 3 else ""
        p = page(f"<p>演示市人民政府</p>{loader}{ext}{extra}", url=f"{SITE}art/{n}.html")
        obs(p, PageRecord(url=p.url, depth=0 if n == 0 else 1, status=200, error=None, elapsed=0.0))
    [f] = obs.findings()
    assert obs.counts["script"] == 3
    assert [e["url"] for e in f.evidence if e["detail"].startswith("混淆脚本")] == [f"{SITE}art/0.html", f"{SITE}art/3.html"]
    assert [e["url"] for e in f.evidence if "tongji-cdn.com" in e["detail"]] == [f"{SITE}art/0.html"]
    assert sum(e["url"] == f"{SITE}art/3.html" for e in f.evidence) == 1  # the later, different script
