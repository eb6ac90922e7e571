"""The Chromium pass (`--render`): a farm home page built by JavaScript is read after rendering,
and home-page problems get a marked, clipped JPEG screenshot as evidence. Debian's
/usr/bin/chromium through Playwright; never a downloaded browser."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from datetime import date, datetime, timedelta, timezone

import pytest

from govsite.engine.check import CheckOptions, SiteTarget, check_site
from govsite.engine.crawl import Crawler
from govsite.engine.extract import extract_page
from govsite.engine.fetch import Fetcher
from govsite.engine.indicators.collect import Collector
from govsite.engine.render import (
    MAX_SHOT,
    RenderUnavailable,
    looks_script_built,
    looks_script_built_column,
    open_home,
    render_site,
    unavailable_reason,
)
from govsite.engine.urls import normalize
from govsite.farm import extras
from govsite.farm.export import render_raw
from govsite.farm.model import Farm, Site
from govsite.farm.urls import urls_for

AS_OF = datetime(2017, 9, 14, 23, 59, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture(scope="module")
def farm():
    farm = Farm(7, 40, date(2017, 9, 14), port=0)
    clean = [i for i in farm.identities if not i.intents and not i.hub]
    js = clean[0].host
    run = extras.serve_in_thread(farm, extras.Extras(js_built=[js]))
    yield farm, run, js
    run.stop()


def _opts(run, host: str, render: bool) -> CheckOptions:  # noqa: ANN001
    return CheckOptions(
        as_of=AS_OF,
        allow_private=True,
        resolve={(host, run.port): ["127.0.0.1"]},
        max_pages=60,
        check_external=False,
        time_budget=120,
        render=render,
    )


def _ind(rep: dict, fid: str) -> dict:
    return next(i for i in rep["indicators"] if i["id"] == fid)


async def test_farm_serves_the_script_built_home_with_the_same_content(farm):
    fm, run, js = farm
    async with Fetcher(resolve={("*", run.port): ["127.0.0.1"]}, allow_private=True, retries=0) as f:
        res = await f.get(f"http://{js}:{run.port}/")
        inner = await f.get(f"http://{js}:{run.port}{urls_for(fm.site_for_host(js)).catalogue()}")
    static = extract_page(res.body, res.final_url, encoding=None)
    assert static.columns == [] and static.jiucuo_entry == "none" and looks_script_built(static)
    original = render_raw(Site(fm, next(i for i in fm.identities if i.host == js)), "/").body.decode(
        "gbk" if "gbk" in (res.content_type or "").lower() else "utf-8"
    )
    code = res.text().split("innerHTML = ", 1)[1].rsplit(";</script>", 1)[0]
    main = json.loads(code)
    assert main.startswith('<div class="main">') and main in original.replace("</body>", "", 1)
    # only the home page is script-built: inner pages are served as before
    assert 'id="app"' not in inner.text() and inner.status == 200


def test_missing_browser_is_a_clear_message():
    why = unavailable_reason("/nonexistent/chromium")
    assert why is not None and "Chromium" in why and "/nonexistent/chromium" in why
    assert unavailable_reason() is None  # Debian's chromium and Playwright are installed here


async def test_open_home_refuses_without_a_browser():
    async with Fetcher() as f:
        with pytest.raises(RenderUnavailable, match="未找到 Chromium"):
            await open_home(f, "http://www.example.gov.cn/", executable="/nonexistent/chromium")


@pytest.mark.slow
async def test_script_built_home_is_checked_after_rendering(farm):
    _fm, run, js = farm
    url = f"http://{js}:{run.port}/"
    static = await check_site(SiteTarget(url), _opts(run, js, render=False))
    # statically: no 找错 entry and no footer (both injected by the script)
    assert _ind(static, "G-ID-4")["status"] == "deduct" and _ind(static, "G-ID-1")["status"] == "deduct"
    rendered = await check_site(SiteTarget(url), _opts(run, js, render=True))
    bad = [(i["id"], i["summary"]) for i in rendered["indicators"] if i["status"] not in ("ok", "na")]
    assert bad == []  # a clean site, as a visitor's browser shows it
    g4 = _ind(rendered, "G-ID-4")
    assert g4["status"] == "ok" and any("渲染后的页面" in e["detail"] for e in g4["evidence"])


@pytest.mark.slow
async def test_home_problems_get_a_marked_clipped_jpeg(farm):
    from PIL import Image

    fm, run, _js = farm
    host = next(i.host for i in fm.identities if "jiucuo_missing" in i.intents and not i.hub)
    rep = await check_site(SiteTarget(f"http://{host}:{run.port}/"), _opts(run, host, render=True))
    g = _ind(rep, "G-ID-4")
    assert g["status"] == "deduct"
    shot = g["evidence"][0]["screenshot"]
    assert shot.startswith("data:image/jpeg;base64,")
    raw = base64.b64decode(shot.split(",", 1)[1])
    assert raw[:3] == b"\xff\xd8\xff" and len(raw) <= MAX_SHOT
    img = Image.open(io.BytesIO(raw)).convert("RGB")
    assert img.width <= 1600 and img.height <= 1000  # clipped to the region, not the whole page
    px = img.tobytes()
    red = sum(1 for i in range(0, len(px), 3) if px[i] > 180 and px[i + 1] < 80 and px[i + 2] < 80)
    assert red > img.width  # the red outline around the footer
    # without --render no screenshot is taken
    plain = await check_site(SiteTarget(f"http://{host}:{run.port}/"), _opts(run, host, render=False))
    assert all("screenshot" not in e for i in plain["indicators"] for e in i["evidence"])


# -- script-built column pages -------------------------------------------------------------------
@pytest.fixture(scope="module")
def colfarm():
    """A hub site (freshness judged on its column pages) with stale columns, and a clean site,
    both serving their column lists through an inline script."""
    farm = Farm(7, 40, date(2017, 9, 14), port=0)
    hub = next(i for i in farm.identities if i.hub and "stale_columns_veto" in i.intents)
    clean = next(i for i in farm.identities if not i.intents and not i.hub)
    run = extras.serve_in_thread(farm, extras.Extras(js_columns=[hub.host, clean.host]))
    yield farm, run, hub, clean
    run.stop()


async def test_script_built_column_page_is_recognised_statically(colfarm):
    fm, run, hub, clean = colfarm
    site = fm.site_for_host(clean.host)
    u = urls_for(site)
    full = next(c for c in site.columns if len(c.ages) >= 5)
    async with Fetcher(resolve={("*", run.port): ["127.0.0.1"]}, allow_private=True, retries=0) as f:
        res = await f.get(f"http://{clean.host}:{run.port}{u.column(full)}")
    js = extract_page(res.body, res.final_url, encoding=None)
    assert looks_script_built_column(js)
    plain = extract_page(run.app.base.render_cached(site, u.column(full)).body, res.final_url, encoding=None)
    assert not looks_script_built_column(plain)  # the farm's own page: dated items
    # a column page that says it has nothing is blank as a visitor sees it: not rendered
    js.text += "暂无信息"
    assert not looks_script_built_column(js)


@pytest.mark.slow
async def test_script_built_columns_are_rendered_and_counted_within_the_cap(colfarm):
    fm, run, hub, _clean = colfarm
    site = fm.site_for_host(hub.host)
    u = urls_for(site)
    url = f"http://{hub.host}:{run.port}/"
    loop = asyncio.get_running_loop()
    collector = Collector()
    async with Fetcher(resolve={("*", run.port): ["127.0.0.1"]}, allow_private=True, retries=0) as f:
        crawler = Crawler(
            url,
            f,
            max_pages=60,
            as_of=AS_OF,
            observers=[collector],
            check_external=False,
            deadline=loop.time() + 60,
        )
        await crawler.run()
        lists = {normalize(f"http://{hub.host}:{run.port}{u.column(c)}"): c for c in site.columns if c.ages}
        # statically the hub's column lists are empty: no column of it is read with a date
        assert not any(o.latest for o in collector.columns.values())
        r = await render_site(
            f, url, collector, crawler.pages, as_of=AS_OF, deadline=loop.time() + 60, max_columns=3
        )
        try:
            assert len(r.columns) == 3 and r.checked_columns > 3  # the cap holds
            for col in r.columns:
                assert col.error is None and col.url in lists  # list pages first (they carry a pager)
                fc = lists[col.url]
                assert col.dated == min(20, len(fc.ages))  # the rendered page's dated items, all counted
                obs = collector.columns[col.url]
                assert obs.from_page and obs.items == col.dated
                assert obs.latest == site.item_date(fc, 0)  # the column's newest item, as the farm dates it
        finally:
            await r.close()


@pytest.mark.slow
async def test_stale_script_built_columns_are_found_with_marked_screenshots(colfarm):
    from PIL import Image

    _fm, run, hub, _clean = colfarm
    url = f"http://{hub.host}:{run.port}/"
    plain = await check_site(SiteTarget(url), _opts(run, hub.host, render=False))
    assert _ind(plain, "V15-3")["status"] == "ok" and _ind(plain, "D15-4")["status"] == "ok"  # nothing read
    rep = await check_site(SiteTarget(url), _opts(run, hub.host, render=True))
    v3, d4 = _ind(rep, "V15-3"), _ind(rep, "D15-4")
    # the site's stale_columns_veto, as a visitor sees it
    assert v3["status"] == "veto" and d4["status"] == "deduct"
    stale = [e for e in v3["evidence"] + d4["evidence"] if "超期未更新" in e["detail"]]
    shots = [e["screenshot"] for e in stale if "screenshot" in e]
    # one screenshot per stale column page (in the first finding naming it)
    assert len(shots) == len({e["url"] for e in stale}) >= 5
    raw = base64.b64decode(shots[0].split(",", 1)[1])
    assert raw[:3] == b"\xff\xd8\xff" and len(raw) <= MAX_SHOT
    img = Image.open(io.BytesIO(raw)).convert("RGB")
    px = img.tobytes()
    red = sum(1 for i in range(0, len(px), 3) if px[i] > 180 and px[i + 1] < 80 and px[i + 2] < 80)
    assert red > img.width // 2  # the newest date outlined in red
    assert all("screenshot" not in e for i in plain["indicators"] for e in i["evidence"])
