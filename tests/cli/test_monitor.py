"""`govsite monitor` through the real CLI entry point (click runner)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from govsite.cli import main
from tests.engine.sitekit import HOST, Site
from tests.engine.test_cli_check import ThreadedSite

CLI = [sys.executable, "-c", "from govsite.cli import main; main()"]


@pytest.fixture
def site():
    with ThreadedSite(Site(missing_footer={"icp"})) as s:
        yield s


@pytest.mark.parametrize("args,needle", [
    (["monitor", "http://10.0.0.1/", "--log", "x.jsonl"], "内网"),
    (["monitor", "--log", "x.jsonl"], "--serve"),
    (["monitor", "http://www.a.gov.cn/"], "--log"),
    (["monitor", "--serve", "http://www.a.gov.cn/"], "--serve"),
    (["monitor", "--serve", "--log", "x.jsonl"], "--serve"),
    (["monitor", "--serve", "--farm-manifest", "/nonexistent/farm.json"], "farm"),
])
def test_bad_input_is_a_clear_error(args, needle):  # noqa: ANN001
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2 and needle in res.output and "Traceback" not in res.output


def test_monitor_log_feeds_the_check(site, tmp_path):
    log = tmp_path / "probes.jsonl"
    res = CliRunner().invoke(main, ["monitor", f"{site.base()}/", "--days", "0.01", "--per-day", "2000", "--timeout", "15",
                                    "--log", str(log), "--time-warp", "100",
                                    "--resolve", f"{HOST}:{site.port}:127.0.0.1", "--allow-private"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 20 and all(x["ok"] for x in lines)
    out = tmp_path / "r.json"
    res2 = CliRunner().invoke(main, ["check", f"{site.base()}/", "--as-of", lines[-1]["t"][:10], "--probe-log", str(log),
                                     "--json", str(out), "--resolve", f"{HOST}:{site.port}:127.0.0.1", "--allow-private",
                                     "--no-external", "-q"])
    assert res2.exit_code == 0, res2.output
    # the log is dated today: after 2019-03 the check scores RS2019, where V15-1's probes feed V19-2
    v1 = next(i for i in json.loads(out.read_text(encoding="utf-8"))["indicators"] if i["id"] == "V19-2")
    assert v1["status"] == "ok" and "共探测 20 次" in v1["summary"]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_serve_probes_the_registry_stores_probes_and_feeds_the_campaign_check(tmp_path) -> None:  # noqa: ANN001
    """A short real run of `govsite monitor --serve` against the farm: every running registry
    site is probed on its schedule, the probes land in the database, and a campaign check of
    the same quarter scores V15-1 from them (not from 3 short probes)."""
    from govsite.inspections.models import Campaign
    from govsite.registry.availability_models import AvailabilityDay
    from tests.inspections.test_farm_e2e import _register_farm_sites

    port = _free_port()
    manifest = tmp_path / "farm.json"
    farm = subprocess.Popen(
        [*CLI, "farm", "serve", "--sites", "12", "--seed", "5", "--as-of", "2017-09-14", "--port", str(port),
         "--manifest", str(manifest)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (manifest.exists() and manifest.stat().st_size) and time.monotonic() < deadline:
            time.sleep(0.2)
        n = _register_farm_sites(manifest)
        assert n >= 6
        runner = CliRunner()
        # A simulated day every 10 s from 2017-09-10 00:00: ~12 probes per site in 6 s.
        r = runner.invoke(main, ["monitor", "--serve", "--farm-manifest", str(manifest), "--allow-private",
                                 "--per-day", "20", "--time-warp", "8640", "--start", "2017-09-10T00:00",
                                 "--seed", "3", "--duration", "6"])
        assert r.exit_code == 0, r.output
        totals = {sid: probes for sid, probes in AvailabilityDay.objects.values_list("site_id", "probes")}
        assert len(totals) == n and all(v >= 8 for v in totals.values()), totals
        assert f"监测 {n} 个网站，探测 {sum(totals.values())} 次" in r.output
        r = runner.invoke(main, ["campaign", "draw", "--quarter", "2017Q3", "--size", "3", "--seed", "mon",
                                 "--min-per-stratum", "0", "--as-of", "2017-09-14", "--farm-manifest", str(manifest),
                                 "--json"])
        assert r.exit_code == 0, r.output
        cid = json.loads(r.output)["id"]
        r = runner.invoke(main, ["campaign", "run", str(cid), "--farm-manifest", str(manifest), "--allow-private",
                                 "--max-pages", "3", "--time-budget", "60", "--no-progress"])
        assert r.exit_code == 0, r.output
        for cs in Campaign.objects.get(pk=cid).sites.all():
            v = next(i for i in cs.report["indicators"] if i["id"] == "V15-1")
            assert f"共探测 {totals[cs.site_id]} 次" in v["summary"], v
            assert cs.report["engine"]["probes"] == totals[cs.site_id]
    finally:
        farm.terminate()
        farm.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_export_writes_stored_probes_of_any_window_as_a_probe_log(tmp_path) -> None:  # noqa: ANN001
    """An engine check (`govsite check --probe-log`) can take the stored probes too."""
    from datetime import datetime, timedelta

    from govsite.engine.indicators.availability import CST, Probe, read_log
    from govsite.registry import availability as store
    from govsite.registry.models import Organization, Region, Site

    region = Region.objects.get(code="220000")
    site = Site.objects.create(code="2204210001", name="东丰县人民政府", home_url="http://www.dongfeng.gov.cn/",
                               category=6, site_class="portal", level="county", region=region,
                               sponsor=Organization.objects.create(name="东丰县人民政府", region=region))
    t0 = datetime(2017, 9, 1, tzinfo=CST)
    store.store([(site.pk, Probe(t0 + timedelta(hours=3 * i), site.home_url, i % 10 != 0, 200, 0.2, None))
                 for i in range(8 * 14)])  # two weeks, 8 a day, every 10th failed
    log = tmp_path / "stored.jsonl"
    res = CliRunner().invoke(main, ["monitor", "--export", "2204210001", "--since", "2017-09-08", "--until",
                                    "2017-09-14", "--log", str(log)])
    assert res.exit_code == 0, res.output
    probes = read_log(log)
    assert len(probes) == 56 and {p.t.astimezone(CST).date().isoformat() for p in probes} == {
        f"2017-09-{d:02d}" for d in range(8, 15)}
    assert sum(not p.ok for p in probes) == sum(1 for i in range(56, 112) if i % 10 == 0)
    assert "共 56 次探测" in res.output
    res = CliRunner().invoke(main, ["monitor", "--export", "2204210001", "--since", "2016-01-01", "--until",
                                    "2016-01-31", "--log", str(log)])
    assert res.exit_code == 2 and "没有已存储的探测结果" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(main, ["monitor", "--export", "9999999999", "--log", str(log)])
    assert res.exit_code == 2 and "登记库中没有" in res.output
