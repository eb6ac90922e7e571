"""check_site end to end on a real local site (farm markup), defect by defect, and bad input."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

import pytest
from aiohttp import web

from govsite.engine.check import CheckOptions, SiteTarget, _mapped, check_site
from govsite.engine.fetch import FetchConfig, Fetcher
from govsite.engine.rulesets import load_ruleset
from govsite.engine.scoring import Finding
from tests.engine.sitekit import HOST, Col, Server, Site, serve_site

AS_OF = datetime(2017, 9, 14, 23, 0)


async def _check(site: Site, **kw) -> dict:
    srv = await serve_site(site)
    try:
        target = SiteTarget(f"{site.base()}/", name=site.name, code=site.code, category=6, official_name=kw.pop("official", site.name))
        opts = CheckOptions(as_of=AS_OF, allow_private=True, resolve={(HOST, srv.port): "127.0.0.1"},
                            check_external=False, **kw)
        return await check_site(target, opts)
    finally:
        await srv.__aexit__()


def ind(rep: dict, fid: str) -> dict:
    return next(i for i in rep["indicators"] if i["id"] == fid)


async def test_clean_site_passes_with_evidence():
    rep = await _check(Site())
    assert rep["schema"] and rep["ruleset"] == "RS2015" and rep["as_of"].startswith("2017-09-14")
    assert set(rep["site"]) == {"url", "name", "code", "category"}
    assert set(rep["crawl"]) == {"pages", "links", "errors", "seconds"}
    bad = [(i["id"], i["summary"]) for i in rep["indicators"] if i["status"] not in ("ok", "na")]
    assert bad == []
    assert rep["verdict"] == "pass" and rep["score"] == 100
    for i in rep["indicators"]:
        assert i["status"] in ("ok", "deduct", "veto", "bonus", "na", "error")
        for e in i["evidence"]:
            assert {"url", "detail"} <= set(e)  # detectors may add structured keys (search: query, count …)
    assert ind(rep, "G-ID-2")["evidence"]


async def test_broken_links_home_and_other_pages():
    rep = await _check(Site(broken_home_link=True, broken_inner_link=True))
    d2 = ind(rep, "D15-2")
    assert d2["status"] == "deduct" and d2["points"] == pytest.approx(-1.1)
    assert any("/gone/page.html" in e["detail"] for e in d2["evidence"])


async def test_footer_code_and_jiucuo_defects():
    rep = await _check(Site(missing_footer={"icp", "police"}, footer_code="220421000100", jiucuo="static_image"))
    g1 = ind(rep, "G-ID-1")
    assert g1["status"] == "deduct" and "ICP备案编号" in g1["summary"] and "公安机关备案标识" in g1["summary"]
    g2 = ind(rep, "G-ID-2")
    assert g2["status"] == "deduct" and any("220421000100" in e["detail"] for e in g2["evidence"])
    g4 = ind(rep, "G-ID-4")
    assert g4["status"] == "deduct" and "静态图片" in g4["summary"]
    assert rep["verdict"] == "pass"  # guideline findings are reported, not scored in RS2015


async def test_other_sites_code_in_jiucuo_and_no_entry():
    rep = await _check(Site(jiucuo="none"))
    assert ind(rep, "G-ID-4")["status"] == "deduct"


async def test_bad_name_is_flagged():
    s = Site(name="中国·测试县政府公众信息网")
    rep = await _check(s, official="测试县人民政府")
    g = ind(rep, "G-NAME-1")
    assert g["status"] == "deduct" and "中国·" in g["evidence"][0]["detail"]


async def test_stale_and_blank_columns_scored():
    d = AS_OF.date()
    cols = [
        Col("xwzx/zwyw", "政务要闻", [d - timedelta(days=i) for i in range(12)]),
        Col("xwzx/bmdt", "部门动态", [d - timedelta(days=30 + i) for i in range(5)]),  # stale news (−3)
        Col("xwzx/tzgg", "通知公告", [date(2017, 1, 3), date(2016, 12, 1)]),  # stale notice (−4)
        Col("zwgk/rsxx", "人事信息", [date(2016, 5, 1)]),  # stale personnel (−5)
        Col("zwgk/zcwj", "政策文件", [d - timedelta(days=3)]),
    ]
    rep = await _check(Site(cols=cols))
    d4 = ind(rep, "D15-4")
    assert d4["status"] == "deduct" and d4["points"] == -12
    assert any("通知公告" in e["detail"] and "2017-01-03" in e["detail"] for e in d4["evidence"])
    assert ind(rep, "V15-3")["status"] == "ok"


async def test_blank_columns_veto_and_stale_home_veto():
    d = AS_OF.date()
    cols = [Col("xwzx/zwyw", "政务要闻", [d - timedelta(days=1)])] + [
        Col(f"ztzl/zt{i}", f"专题{i}", []) for i in range(5)
    ]
    rep = await _check(Site(cols=cols))
    assert ind(rep, "V15-3")["status"] == "veto" and "(c)" in ind(rep, "V15-3")["summary"]
    assert rep["verdict"] == "fail"
    old = [Col("xwzx/zwyw", "政务要闻", [date(2017, 6, 1)]), Col("xwzx/tzgg", "通知公告", [date(2017, 8, 1)])]
    rep2 = await _check(Site(cols=old))
    assert ind(rep2, "V15-2")["status"] == "veto" and rep2["verdict"] == "fail"


async def test_low_home_volume_deducts_5():
    d = AS_OF.date()
    cols = [Col("xwzx/zwyw", "政务要闻", [d - timedelta(days=i) for i in (1, 2, 3)] + [d - timedelta(days=20)]),
            Col("xwzx/tzgg", "通知公告", [d - timedelta(days=30)])]
    rep = await _check(Site(cols=cols))
    assert ind(rep, "D15-3")["status"] == "deduct" and ind(rep, "D15-3")["points"] == -5


# -- bad input ---------------------------------------------------------------------------------

async def test_unreachable_site_is_incomplete_not_a_traceback():
    opts = CheckOptions(as_of=AS_OF, allow_private=True, time_budget=20)
    rep = await check_site(SiteTarget("http://127.0.0.1:1/"), opts)
    assert rep["verdict"] == "incomplete" and rep["error"]["kind"] == "connect"
    assert ind(rep, "D15-2")["status"] == "error"


async def test_private_address_refused_without_flag():
    rep = await check_site(SiteTarget("http://127.0.0.1:9/"), CheckOptions(as_of=AS_OF))
    assert rep["error"]["kind"] == "refused_private" and rep["verdict"] == "incomplete"
    rep2 = await check_site(SiteTarget("http://www.x.gov.cn:9/"),
                            CheckOptions(as_of=AS_OF, resolve={("www.x.gov.cn", 9): "10.1.1.1"}))
    assert rep2["error"]["kind"] == "refused_private"


@pytest.fixture
async def hostile():
    async def junk(req):
        return web.Response(body=bytes(range(256)) * 200, content_type="application/octet-stream")

    async def nonhtml(req):
        return web.Response(text='{"a": 1}', content_type="application/json")

    async def broken_markup(req):
        return web.Response(body='<html><head><title>残缺<body><div><p>未闭合<table><tr><td>政务要闻</div></span>'.encode("gbk")
                            + b"\xff\xfe\x00", headers={"Content-Type": "text/html; charset=utf-8"})

    async def slow(req):
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        await resp.prepare(req)
        for _ in range(60):
            await resp.write(b" ")
            await asyncio.sleep(1)
        return resp

    app = web.Application()
    for p, h in (("/junk", junk), ("/json", nonhtml), ("/broken", broken_markup), ("/slow", slow)):
        app.router.add_get(p, h)
    async with Server(app) as srv:
        yield srv


@pytest.mark.parametrize("path", ["/junk", "/json", "/broken"])
async def test_junk_home_pages(hostile, path):
    rep = await check_site(SiteTarget(f"http://www.h.gov.cn:{hostile.port}{path}"),
                           CheckOptions(as_of=AS_OF, allow_private=True, resolve={("www.h.gov.cn", hostile.port): "127.0.0.1"},
                                        time_budget=30))
    assert rep["verdict"] in ("incomplete", "fail", "pass")
    if path != "/broken":
        assert rep["verdict"] == "incomplete" and ind(rep, "V15-2")["status"] == "error"


@pytest.mark.slow
async def test_slow_server_respects_time_budget(hostile):
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    async with Fetcher(FetchConfig(allow_private=True, resolve={("www.h.gov.cn", hostile.port): ["127.0.0.1"]},
                                   read_timeout=30, total_timeout=60)) as f:
        rep = await check_site(SiteTarget(f"http://www.h.gov.cn:{hostile.port}/slow"),
                               CheckOptions(as_of=AS_OF, allow_private=True, time_budget=6), fetcher=f)
    spent = loop.time() - t0
    assert rep["verdict"] == "incomplete"
    assert spent < 20  # budget 6 s plus the short availability probes, far from the server's 60 s


async def test_shared_fetcher_across_sites():
    a, b = Site(), Site(name="测试二县人民政府", code="2204220001")
    sa, sb = await serve_site(a), await serve_site(b)
    try:
        async with Fetcher(FetchConfig(allow_private=True, resolve={(HOST, sa.port): ["127.0.0.1"], (HOST, sb.port): ["127.0.0.1"]},
                                       per_host=2)) as f:
            opts = CheckOptions(as_of=AS_OF, allow_private=True, check_external=False)
            ra, rb = await asyncio.gather(
                check_site(SiteTarget(f"{a.base()}/", code=a.code), opts, fetcher=f),
                check_site(SiteTarget(f"{b.base()}/", code=b.code), opts, fetcher=f),
            )
        assert ind(ra, "G-ID-2")["status"] == "ok" and ind(rb, "G-ID-2")["status"] == "ok"
        assert f.requests > ra["crawl"]["pages"]
    finally:
        await sa.__aexit__()
        await sb.__aexit__()


async def test_search_and_title_body_end_to_end():
    rep = await _check(Site(search="empty"))
    g = ind(rep, "G-FUN-6")
    assert g["status"] == "deduct" and all(e["count"] == 0 for e in g["evidence"])
    rep = await _check(Site(search="error"))
    assert ind(rep, "G-FUN-6")["status"] == "deduct" and ind(rep, "G-FUN-6")["evidence"][0]["status"] == 500
    rep = await _check(Site(search="none"))
    assert ind(rep, "G-FUN-6")["summary"] == "首页未找到站内搜索框"
    rep = await _check(Site())
    assert ind(rep, "G-FUN-6")["status"] == "ok"
    assert ind(rep, "G-TXT-1")["status"] == "ok"  # the articles speak of their titles


async def test_site_whitelist_reaches_the_text_scanners():
    site = Site(extra_home_html="<p>会议认真传达学习了习近乎同志重要讲话精神。</p>")
    assert ind(await _check(site), "V15-4")["status"] == "veto"
    srv = await serve_site(site)
    try:
        target = SiteTarget(f"{site.base()}/", name=site.name, code=site.code, category=6, whitelist=["习近乎"])
        opts = CheckOptions(as_of=AS_OF, allow_private=True, resolve={(HOST, srv.port): "127.0.0.1"}, check_external=False)
        rep = await check_site(target, opts)
    finally:
        await srv.__aexit__()
    assert ind(rep, "V15-4")["status"] == "ok"


def test_mapped_joins_findings_of_one_2019_indicator():
    rs19 = load_ruleset("RS2019")
    fs = [Finding("D19-5", "ok", 0.0, [], "附件正常"), Finding("D19-5", "deduct", -3.0, [{"url": "u", "detail": "d"}], "系统"),
          Finding("D19-4", "deduct", -2.0)]
    out = _mapped(rs19, fs)
    assert [f.id for f in out] == ["D19-5", "D19-4"]
    assert out[0].status == "deduct" and out[0].points == -3.0 and out[0].evidence == [{"url": "u", "detail": "d"}]
