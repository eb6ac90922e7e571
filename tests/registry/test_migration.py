"""`govsite registry migration SITE`: inventory snapshot, check against the merged-into site,
registry state; bad input leaves the registry unchanged."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from govsite.cli import main
from govsite.farm import extras
from govsite.registry.models import ContentInventory, MigrationReport, Site, SiteChange
from tests.registry.farmkit import register, small_farm

TARGET = "www.zhenghe.gov.cn"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def merged():
    farm = small_farm(20, seed=31)
    old = next(i for i in farm.identities if not i.intents and not i.hub and i.host.endswith(".gov.cn"))
    ex = extras.Extras(migrations=[extras.Migration(old=old.host, target=TARGET)])
    srv = extras.serve_in_thread(farm, ex)
    yield farm, old, srv
    srv.stop()


def _state() -> list:
    return list(Site.objects.order_by("code").values_list("code", "status", "merged_into", "migration_state"))


@pytest.mark.slow
@pytest.mark.django_db
def test_snapshot_then_check_sets_state_and_report(merged):
    farm, old, srv = merged
    site = register(old)
    target = register(farm.identities[old.index + 1], host=TARGET, code="9900000001")
    srv.app.migrated = False
    r = run("registry", "migration", site.code, "--snapshot", "--farm", str(srv.port), "--max-pages", "150")
    assert r.exit_code == 0, r.output + r.stderr
    inv = ContentInventory.objects.get(site=site)
    assert inv.articles > 50 and inv.files >= 0
    site.refresh_from_db()
    assert site.migration_state == ""  # still running: nothing pending
    Site.objects.filter(pk=site.pk).update(status=Site.Status.MERGED, merged_into=target)
    r = run("registry", "migration", site.code, "--snapshot", "--farm", str(srv.port), "--max-pages", "150")
    assert r.exit_code == 0, r.output + r.stderr
    site.refresh_from_db()
    assert site.migration_state == Site.MigrationState.PENDING
    inv = ContentInventory.objects.filter(site=site).order_by("-id").first()
    srv.app.migrated = True
    try:
        r = run("registry", "migration", site.code, "--farm", str(srv.port), "--json", "--actor", "核验员")
    finally:
        srv.app.migrated = False
    assert r.exit_code == 0, r.output + r.stderr
    data = json.loads(r.output)
    truth = srv.app.truth(old.host)
    want_missing = {i["url"] for i in inv.items if i["kind"] == "file" or truth.get(i["url"]) == "missing"}
    assert {m["url"] for m in data["missing"]} == want_missing
    assert data["counts"]["total"] == len(inv.items) and data["state"] == "incomplete"
    site.refresh_from_db()
    assert site.migration_state == Site.MigrationState.INCOMPLETE
    change = SiteChange.objects.filter(site=site, actor="核验员").get()
    assert change.changes == {"migration_state": ["pending", "incomplete"]}
    rep = MigrationReport.objects.get(site=site)
    assert rep.target == target and rep.counts["missing"] == len(want_missing)
    assert {m["url"] for m in rep.moved} == {u for u, s in truth.items() if s == "moved"} & {i["url"] for i in inv.items}


@pytest.mark.django_db
def test_bad_input_leaves_registry_unchanged(merged):
    farm, old, srv = merged
    site = register(old, status=Site.Status.MERGED)
    before = _state()
    # Merged, but the registry does not say into which site.
    r = run("registry", "migration", site.code, "--farm", str(srv.port))
    assert r.exit_code == 2 and "整合至" in r.stderr
    # A target that is not in the registry.
    r = run("registry", "migration", site.code, "--target", "9999999998", "--farm", str(srv.port))
    assert r.exit_code == 2 and "不在名录中" in r.stderr
    # Unknown site.
    assert run("registry", "migration", "1234567890").exit_code == 2
    # No inventory kept yet.
    other = register(farm.identities[old.index + 2])
    r = run("registry", "migration", site.code, "--target", other.code, "--farm", str(srv.port))
    assert r.exit_code == 2 and "--snapshot" in r.stderr
    # An unreachable target (its host answers nothing on the farm).
    ContentInventory.objects.create(site=site, start_url=site.home_url, pages=1, articles=1,
                                    items=[{"title": "通知", "date": "2017-01-01", "url": site.home_url + "a.html",
                                            "kind": "article"}])
    ghost = register(farm.identities[old.index + 3], host="www.ghost.gov.cn", code="9900000009")
    before = _state()
    r = run("registry", "migration", site.code, "--target", ghost.code, "--farm", str(srv.port))
    assert r.exit_code == 2 and "无法访问" in r.stderr
    assert _state() == before and not MigrationReport.objects.exists()
