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
