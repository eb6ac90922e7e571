"""Farm pages (the same CMS markups the crawler meets) extract as the manifest says:
identity per the seeded defects, every home block and column page with its newest date,
blank columns, hub home pages, article dates, pagers. Pages are rendered in-process."""

from datetime import date

import pytest

from govsite.engine.extract import extract_page

farm_model = pytest.importorskip("govsite.farm.model")
from govsite.farm.manifest import site_entry  # noqa: E402
from govsite.farm.render import render  # noqa: E402
from govsite.farm.urls import urls_for  # noqa: E402

AS_OF = date(2017, 9, 14)
FARM = farm_model.Farm(7, 36, AS_OF)


def _sites():  # noqa: ANN202
    for i in range(FARM.n):
        site = farm_model.Site(FARM, FARM.identities[i])
        yield site, site_entry(site)


def _get(site, url: str):  # noqa: ANN001, ANN202
    path = url.split(f":{FARM.port}", 1)[1]
    pth, _, q = path.partition("?")
    page = render(site, urls_for(site).parse(pth, q))
    return extract_page(page.body, url, as_of=AS_OF, encoding=page.charset) if page.status == 200 else None


SITES = list(_sites())


@pytest.mark.parametrize("site, entry", SITES, ids=[e["host"] for _, e in SITES])
def test_home_page_identity_and_blocks(site, entry: dict) -> None:  # noqa: ANN001
    kinds = {d["kind"] for d in entry["defects"]}
    if "defaced" in kinds:
        pytest.skip("home page replaced by a defacement page")
    f = _get(site, entry["url"])
    missing = {d["detail"].get("item") for d in entry["defects"] if d["kind"] == "missing_footer_item"}
    if "wrong_code" not in kinds and "site_code" not in missing:
        assert f.site_code == entry["code"]
    expected_jiucuo = ("none" if "jiucuo_missing" in kinds else "static_image" if "jiucuo_static_image" in kinds
                       else "link_image" if entry["style"] == "query" else "script")
    assert f.jiucuo_entry == expected_jiucuo
    assert bool(f.icp) != ("icp" in missing)
    assert bool(f.police_record) != ("police" in missing)
    assert bool(f.sponsor) != ("sponsor" in missing)
    assert bool(f.contact) != ("contact" in missing)
    assert f.conac_badge != ("conac" in missing)
    assert f.is_hub == entry["hub"]
    cols = {c.name: c for c in f.columns}
    for col in entry["columns"]:
        if not col["on_home"]:
            continue
        assert col["name"] in cols, col
        got = cols[col["name"]]
        assert (got.latest_date.isoformat() if got.latest_date else None) == col["latest"]
        if col["items"] == 0:
            assert got.item_count == 0


@pytest.mark.parametrize("site, entry", SITES[:12], ids=[e["host"] for _, e in SITES[:12]])
def test_column_pages_and_articles(site, entry: dict) -> None:  # noqa: ANN001
    for col in entry["columns"]:
        f = _get(site, col["url"])
        if f is None:
            continue
        got = [c for c in f.columns if c.name == col["name"]]
        if col["items"] == 0:
            assert not got or got[0].item_count == 0
            continue
        assert got, col["name"]
        assert got[0].latest_date.isoformat() == col["latest"]
        if col["items"] > 20:
            assert f.pagination and f.pagination["pages"] >= 2
        first = next((i for i in got[0].items if i.url), None)
        if first is not None and col["type"] in ("news", "notice", "policy"):
            art = _get(site, first.url)
            if art is not None:
                assert art.article_pub_date == first.date
