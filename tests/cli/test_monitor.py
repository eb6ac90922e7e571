"""`govsite monitor` through the real CLI entry point (click runner)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from govsite.cli import main
from tests.engine.sitekit import HOST, Site
from tests.engine.test_cli_check import ThreadedSite


@pytest.fixture
def site():
    with ThreadedSite(Site(missing_footer={"icp"})) as s:
        yield s


def test_monitor_refuses_private_address():
    res = CliRunner().invoke(main, ["monitor", "http://10.0.0.1/", "--log", "x.jsonl"])
    assert res.exit_code == 2 and "内网" in res.output and "Traceback" not in res.output


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
