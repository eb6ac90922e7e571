"""Farm extras: `js_columns` serves a host's column pages with their list injected by an inline
script from data carried in the page; everything else about the site is unchanged."""

from __future__ import annotations

import json
from datetime import date

import pytest

from govsite.engine.fetch import Fetcher
from govsite.farm import extras
from govsite.farm.model import Farm
from govsite.farm.urls import urls_for


@pytest.fixture(scope="module")
def served():
    farm = Farm(7, 40, date(2017, 9, 14), port=0)
    ident = next(i for i in farm.identities if not i.intents and not i.hub)
    run = extras.serve_in_thread(farm, extras.Extras(js_columns=[ident.host]))
    yield farm, run, ident
    run.stop()


def _text(body: bytes, ctype: str | None) -> str:
    return body.decode("gbk" if "gbk" in (ctype or "").lower() else "utf-8")


async def test_js_columns_inject_the_farm_list_and_leave_other_pages_alone(served):
    farm, run, ident = served
    site = farm.site_for_host(ident.host)
    base = run.app.base  # the unchanged farm's rendering
    u = urls_for(site)
    col = next(c for c in site.columns if len(c.ages) >= 5)
    async with Fetcher(resolve={("*", run.port): ["127.0.0.1"]}, allow_private=True, retries=0) as f:
        page = await f.get(f"http://{ident.host}:{run.port}{u.column(col)}")
        home = await f.get(f"http://{ident.host}:{run.port}/")
        item = await f.get(f"http://{ident.host}:{run.port}{u.item(col, 0)}")
    served_html = _text(page.body, page.content_type)
    original = _text(base.render_cached(site, u.column(col)).body, page.content_type)
    assert page.status == 200 and '<div id="list"></div>' in served_html
    data = json.loads(served_html.split("var listData = ", 1)[1].split(";document.getElementById", 1)[0])
    # the injected markup is the farm's own list, so a browser sees the farm's page
    assert site.item_title(col, 0) in data and site.item_title(col, 0) not in served_html.replace(
        json.dumps(data, ensure_ascii=False).replace("</", "<\\/"), ""
    )
    shell_start, shell_end = (
        served_html.split('<div id="list"></div>', 1)[0],
        served_html.split('document.getElementById("list").innerHTML = listData;</script>\n', 1)[1],
    )
    assert original == shell_start + data + shell_end
    # the home page and the articles are served as before
    assert home.body == base.render_cached(site, "/").body
    assert item.body == base.render_cached(site, u.item(col, 0)).body
