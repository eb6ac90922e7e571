"""`govsite registry watch-closed` (G-OPEN-7) against farm sites and placeholder pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from django.utils import timezone

from govsite.cli import main
from govsite.farm import extras
from govsite.registry.closedwatch import Probe, classify_page
from govsite.registry.models import ClosedSiteFinding, Site, SiteChange
from tests.registry.farmkit import register, small_farm


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_page_classes():
    assert classify_page(Probe("u", None, "dns")) == "down"
    assert classify_page(Probe("u", 404, "http_404")) == "down"
    assert classify_page(Probe("u", 200, None, title="网站升级改版中", text="本网站正在升级改版，敬请期待")) == "placeholder"
    assert classify_page(Probe("u", 200, None, title="某县人民政府", text="要闻 " * 100, items=30)) == "content"


@pytest.fixture(scope="module")
def world():
    farm = small_farm(20, seed=41)
    healthy = [i for i in farm.identities if not i.intents & {"unreachable", "flaky"} and i.host.endswith(".gov.cn")]
    ex = extras.Extras(placeholders=[healthy[1].host, healthy[2].host])
    srv = extras.serve_in_thread(farm, ex)
    yield healthy, srv
    srv.stop()


def _close(site: Site, status: str, days_ago: int) -> None:
    Site.objects.filter(pk=site.pk).update(status=status)
    ch = SiteChange.objects.create(site=site, actor="tester", action=SiteChange.Action.STATUS,
                                   changes={"status": ["running", status]})
    SiteChange.objects.filter(pk=ch.pk).update(at=timezone.now() - timedelta(days=days_ago))


@pytest.mark.django_db
def test_watch_closed_findings(world):
    healthy, srv = world
    serving, ph_old, ph_new, running = (register(i) for i in healthy[:4])
    gone = register(healthy[4], host="www.gone.gov.cn", code="9900000077")
    _close(serving, Site.Status.CLOSED, 30)  # approved closure, still serves its pages
    _close(ph_old, Site.Status.TEMP_CLOSED, 120)  # placeholder well past the allowed period
    _close(ph_new, Site.Status.TEMP_CLOSED, 10)  # placeholder within the period: fine
    _close(gone, Site.Status.CLOSED, 200)  # closed and gone: fine
    r = run("registry", "watch-closed", "--farm", str(srv.port), "--allowed-days", "90")
    assert r.exit_code == 0, r.output + r.stderr
    got = {(f.site.code, f.kind) for f in ClosedSiteFinding.objects.select_related("site")}
    assert got == {(serving.code, "still_serving"), (ph_old.code, "placeholder_overdue")}
    f = ClosedSiteFinding.objects.get(site=ph_old)
    assert f.days >= 119 and "升级改版" in f.evidence["title"]
    assert "关停后仍可访问" in r.output and "巡查 4 个" in r.stderr
    assert running.status == Site.Status.RUNNING
    r = run("registry", "watch-closed", "--farm", str(srv.port), "--allowed-days", "5", "--site", ph_new.code)
    assert r.exit_code == 0 and ClosedSiteFinding.objects.filter(site=ph_new, kind="placeholder_overdue").exists()
