"""Farm pages (the same CMS markups the crawler meets) extract as the manifest says:
identity per the seeded defects, every home block and column page with its newest date,
blank columns, hub home pages, article dates, pagers. Pages are rendered in-process."""

from datetime import date

import pytest

from govsite.engine.extract import extract_page
from govsite.farm import model as farm_model
from govsite.farm.manifest import site_entry
from govsite.farm.render import render
from govsite.farm.urls import urls_for

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
# A defaced home page no longer carries the site's own markup; its facts are the security tests' business.
UNDEFACED = [(s, e) for s, e in SITES if not any(d["kind"] == "defaced" for d in e["defects"])]


@pytest.mark.parametrize("site, entry", UNDEFACED, ids=[e["host"] for _, e in UNDEFACED])
def test_home_page_identity_and_blocks(site, entry: dict) -> None:  # noqa: ANN001
    kinds = {d["kind"] for d in entry["defects"]}
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


def _defect_pages():  # noqa: ANN202
    farm = farm_model.Farm(11, 120, AS_OF)
    wanted = {"hidden_links", "wrong_code", "guide_missing_elements", "bad_name", "stale_column", "blank_column",
              "missing_footer_item", "jiucuo_static_image", "jiucuo_missing"}
    seen: dict[str, int] = {}
    for i in range(farm.n):
        site = farm_model.Site(farm, farm.identities[i])
        entry = site_entry(site)
        for d in entry["defects"]:
            if d["kind"] in wanted and seen.get(d["kind"], 0) < 6 and f":{farm.port}" in (d.get("page") or ""):
                seen[d["kind"]] = seen.get(d["kind"], 0) + 1
                yield pytest.param(farm, site, entry, d, id=f"{d['kind']}-{entry['host']}")


@pytest.mark.parametrize("farm, site, entry, defect", list(_defect_pages()))
def test_seeded_defects_are_visible_in_facts(farm, site, entry: dict, defect: dict) -> None:  # noqa: ANN001
    """What a detector needs to see each seeded defect is in the facts of its evidence page."""
    path = defect["page"].split(f":{farm.port}", 1)[1]
    pth, _, q = path.partition("?")
    page = render(site, urls_for(site).parse(pth, q))
    assert page.status == 200
    f = extract_page(page.body, defect["page"], as_of=AS_OF, encoding=page.charset)
    kind, det = defect["kind"], defect["detail"]
    if kind == "hidden_links":
        hidden = {lk.url.rstrip("/") for lk in f.links if lk.hidden}
        assert {t.rstrip("/") for t in det["targets"]} <= hidden
        assert not any(lk.hidden for lk in f.links if lk.url.rstrip("/") not in hidden)
    elif kind == "wrong_code":
        assert f.site_code_sources["footer"] == det["shown"]
        assert f.site_code_sources["meta"] == entry["code"]
    elif kind == "guide_missing_elements":
        assert f.service_guide_elements is None or not set(det["missing"]) & set(f.service_guide_elements)
    elif kind == "bad_name":
        assert f.site_name == det["shown"]
    elif kind == "stale_column":
        got = [c for c in f.columns if c.name == det["column"]]
        assert got and got[0].latest_date.isoformat() == det["latest"]
    elif kind == "blank_column":
        got = [c for c in f.columns if c.name == det["column"]]
        assert not got or got[0].item_count == 0
    elif kind == "missing_footer_item":
        absent = {"conac": not f.conac_badge, "site_code": "footer" not in f.site_code_sources, "icp": not f.icp,
                  "police": not f.police_record, "sponsor": not f.sponsor, "contact": not f.contact}
        assert absent[det["item"]]
    elif kind == "jiucuo_static_image":
        assert f.jiucuo_entry == "static_image"
    elif kind == "jiucuo_missing":
        assert f.jiucuo_entry == "none"


def test_clean_guide_pages_show_all_ten_elements() -> None:
    checked = 0
    for site, entry in SITES:
        if entry["defects"]:
            continue
        for col in entry["columns"]:
            if col["type"] != "service" or not col["items"]:
                continue
            f = _get(site, col["url"])
            lists = [c for c in f.columns if c.name == col["name"]] if f else []
            for item in (lists[0].items[:2] if lists else []):
                g = _get(site, item.url)
                assert g is not None and g.service_guide_elements is not None
                assert len(g.service_guide_elements) == 10, g.service_guide_elements
                checked += 1
    assert checked > 0
