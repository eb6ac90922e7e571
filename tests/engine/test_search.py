"""G-FUN-6 site search: the form is found on real pages, and against the farm a working search
returns in-site results while the seeded `broken_search` modes (error, empty) are findings."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from govsite.engine.check import CheckOptions, SiteTarget, check_site
from govsite.engine.extract.decode import decode_html
from govsite.engine.fetch import Fetcher
from govsite.engine.search import find_search_form, pick_queries, search_check, search_hint
from govsite.farm import extras
from govsite.farm.model import Farm

REALWORLD = Path(__file__).resolve().parents[3] / "shared" / "realworld" / "pages"


def _real(name: str) -> str:
    html = decode_html((REALWORLD / name).read_bytes())
    return html if isinstance(html, str) else html[0]


def test_form_found_on_real_home_page_with_hidden_fields():
    f = find_search_form(_real("001.html"), "https://www.yichun.gov.cn/")
    assert f is not None
    assert f.action == "https://www.yichun.gov.cn/search4/s" and f.param == "searchWord"
    assert f.hidden == {"siteCode": "3609000002"}
    url = f.url_for("政务要闻 通报")
    assert url.startswith("https://www.yichun.gov.cn/search4/s?siteCode=3609000002&searchWord=")


def test_script_only_search_box_is_a_hint_not_a_form():
    html = _real("104.html")  # a filter form driven by script: no named text box, no action
    assert find_search_form(html, "http://www.example.gov.cn/") is None
    page = '<div><input type="text" id="searchKey" placeholder="请输入关键字"><a onclick="go()">搜索</a></div>'
    assert find_search_form(page, "http://x.gov.cn/") is None
    assert search_hint(page) is not None
    assert search_hint("<p>没有搜索框</p><form action='/login'><input name=u><input type=password name=p></form>") is None


def test_login_form_is_not_a_search_form():
    html = ("<form action='/login.do'><input name='user'><input type='password' name='pwd'>"
            "<input type='submit' value='登录'></form>")
    assert find_search_form(html, "http://x.gov.cn/") is None


def test_queries_are_distinct_prefixes_of_long_titles():
    qs = pick_queries(["短", "关于开展2017年度全县安全生产大检查工作的通知补充说明", "关于开展2017年度全县安全生产大检查工作的通知补充说明",
                       "县政府召开常务会议研究部署重点工作"])
    assert qs == ["关于开展2017年度全县安全生产大检查工", "县政府召开常务会议研究部署重点工作"]


@pytest.fixture(scope="module")
def farm():
    farm = Farm(7, 60, date(2017, 9, 14), port=0)
    run = extras.serve_in_thread(farm, extras.Extras())
    yield farm, run
    run.stop()


def _titles(farm: Farm, host: str) -> list[str]:
    site = farm.site_for_host(host)
    col = next(c for c in site.columns if c.kind == "article" and len(c.ages) > 3)
    return [site.item_title(col, i) for i in range(3)]


def _host(farm: Farm, mode: str | None) -> str:
    for ident in farm.identities:
        site = farm.site_for_host(ident.host)
        if mode is None and not ident.intents and not ident.hub:
            return ident.host
        if mode is not None and site.marks.get("broken_search") == mode:
            return ident.host
    pytest.skip(f"no farm site with broken_search={mode}")


async def _check(farm_run, mode: str | None):
    farm, run = farm_run
    host = _host(farm, mode)
    async with Fetcher(resolve={("*", run.port): ["127.0.0.1"]}, allow_private=True, retries=0) as f:
        return host, run.port, await search_check(f, f"http://{host}:{run.port}/", _titles(farm, host))


@pytest.mark.slow
async def test_working_search_returns_results_inside_the_site(farm):
    host, port, fnd = await _check(farm, None)
    assert fnd.id == "G-FUN-6" and fnd.status == "ok", fnd
    [ev] = fnd.evidence
    assert ev["count"] >= 1 and ev["result_url"].startswith(f"http://{host}:{port}/")
    assert ev["query"] in _titles(farm[0], host)[0]


@pytest.mark.slow
async def test_search_error_is_a_finding(farm):
    _host_, _port, fnd = await _check(farm, "error")
    assert fnd.status == "deduct"
    assert fnd.evidence[0]["status"] == 500 and "出错" in fnd.summary


@pytest.mark.slow
async def test_empty_search_is_a_finding_with_each_query(farm):
    host, _port, fnd = await _check(farm, "empty")
    assert fnd.status == "deduct" and "均无结果" in fnd.summary
    assert [e["query"] for e in fnd.evidence] == pick_queries(_titles(farm[0], host))
    assert all(e["count"] == 0 and e["shown_count"] == 0 for e in fnd.evidence)


@pytest.mark.slow
async def test_check_site_reports_search(farm):
    fm, run = farm
    host = _host(fm, None)
    opts = CheckOptions(as_of=datetime(2017, 9, 14, 23, 59, tzinfo=timezone(timedelta(hours=8))), allow_private=True,
                        resolve={(host, run.port): ["127.0.0.1"]}, max_pages=40, check_external=False, time_budget=60,
                        probe_log=None)
    rep = await check_site(SiteTarget(f"http://{host}:{run.port}/"), opts)
    [g] = [i for i in rep["indicators"] if i["id"] == "G-FUN-6"]
    assert g["status"] == "ok" and g["evidence"][0]["result_url"]
    opts.check_search = False
    rep = await check_site(SiteTarget(f"http://{host}:{run.port}/"), opts)
    assert [i["status"] for i in rep["indicators"] if i["id"] == "G-FUN-6"] == ["na"]


async def test_a_search_that_never_answers_is_unjudged_not_broken():
    from aiohttp import web

    from tests.engine.sitekit import Server

    app = web.Application()

    async def home(_req: web.Request) -> web.Response:
        return web.Response(text="<html><body><form action='http://127.0.0.1:9/search' class='search'>"
                                 "<input name='q'><input type='submit' value='搜索'></form></body></html>",
                            content_type="text/html")

    app.router.add_get("/", home)
    async with Server(app) as srv, Fetcher(allow_private=True, retries=0) as f:
        fnd = await search_check(f, f"http://127.0.0.1:{srv.port}/", ["县政府召开常务会议研究部署重点工作"])
    assert fnd.status == "error" and "无法判断" in fnd.summary
    assert fnd.evidence[0]["query"] == "县政府召开常务会议研究部署重点工作"
