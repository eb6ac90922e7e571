"""End to end: the real engine checks a drawn sample of farm sites through `govsite campaign
run`, findings are auto-accepted, pass rates by region come out. Slow (real crawling)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from govsite.cli import main


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def farm(tmp_path: Path):  # noqa: ANN201
    port = _free_port()
    manifest = tmp_path / "manifest.json"
    cli = [sys.executable, "-c", "from govsite.cli import main; main()"]
    proc = subprocess.Popen(
        [*cli, "farm", "serve", "--sites", "40", "--seed", "11", "--as-of", "2017-09-14", "--port", str(port),
         "--manifest", str(manifest)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    if manifest.exists() and manifest.stat().st_size:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("farm did not start")
        yield manifest
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _register_farm_sites(manifest: Path) -> int:
    """Registry records for the farm's sites (the registry is the source of truth the engine
    compares a site with)."""
    from govsite.registry.models import Category, Organization, Region, Site

    labels = {label: value for value, label in Category.choices}
    data = json.loads(manifest.read_text(encoding="utf-8"))
    n = 0
    for s in data["sites"]:
        region = Region.objects.filter(code=s["code"][:6]).first()
        if region is None or s["category"] not in labels:
            continue
        org, _ = Organization.objects.get_or_create(name=s["official_name"], region=region, department=None)
        Site.objects.create(
            code=s["code"], name=s["official_name"], home_url=f"http://{s['host']}/",
            category=labels[s["category"]], site_class="portal" if "门户" in s["category"] else "department",
            level="county", region=region, sponsor=org,
        )
        n += 1
    return n


@pytest.mark.slow
@pytest.mark.django_db
def test_campaign_on_the_farm_with_the_real_engine(farm: Path) -> None:
    from govsite.inspections import results
    from govsite.inspections.models import Campaign

    assert _register_farm_sites(farm) >= 20
    runner = CliRunner()
    r = runner.invoke(main, ["campaign", "draw", "--quarter", "2017Q3", "--size", "6", "--seed", "e2e",
                             "--min-per-stratum", "0", "--as-of", "2017-09-14", "--farm-manifest", str(farm), "--json"])
    assert r.exit_code == 0, r.output
    cid = json.loads(r.output)["id"]
    r = runner.invoke(main, ["campaign", "run", str(cid), "--farm-manifest", str(farm), "--allow-private",
                             "--max-pages", "15", "--time-budget", "60", "--concurrency", "6", "--no-progress"])
    assert r.exit_code == 0, r.output
    c = Campaign.objects.get(pk=cid)
    assert (c.state, c.done, c.failed) == ("checked", 6, 0)
    for cs in c.sites.select_related("site"):
        rep = cs.report
        assert rep["schema"] == "govsite.sitereport/1" and rep["site"]["code"] == cs.site.code
        assert rep["ruleset"] == "RS2015" and rep["as_of"].startswith("2017-09-14")
        assert rep["crawl"]["pages"] >= 1  # it really crawled the farm site
        assert {i["id"] for i in rep["indicators"]} >= {"V15-1", "V15-2", "V15-3"}
        assert cs.auto_verdict == rep["verdict"]
    r = runner.invoke(main, ["campaign", "review", "auto-accept", str(cid)])
    assert r.exit_code == 0, r.output
    decided = c.sites.filter(auto_verdict__in=["pass", "fail"]).count()
    rates = results.pass_rates("2017Q3", "region")
    assert sum(row.sampled for row in rates["rows"]) == decided
    r = runner.invoke(main, ["campaign", "results", "--quarter", "2017Q3", "--by", "region"])
    assert r.exit_code == 0 and "合格率" in r.output
