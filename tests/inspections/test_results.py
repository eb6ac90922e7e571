"""Quarter results: pass rates, change in percentage points, 100 % units, problem sites."""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import async_to_sync
from click.testing import CliRunner

from govsite.cli import main
from govsite.inspections import results
from govsite.inspections.executor import RunOptions, run_campaign
from govsite.inspections.offline import registry_rules_checker


def _expected_fail(site) -> bool:  # noqa: ANN001
    return "公众信息网" in site.name or not site.home_url.split("/")[2].endswith(".gov.cn")


def _stored_quarter(quarter: str, verdicts: dict[str, list[str]]):  # noqa: ANN202
    """A reviewed national sample stored directly: province code → verdicts of its sites."""
    from govsite.inspections.models import Campaign, CampaignSite
    from govsite.registry.models import Site

    c = Campaign.objects.create(
        name=f"stored-{quarter}", quarter=quarter, kind="national_sample", ruleset="RS2015",
        as_of=dt.datetime(2017, 9, 30, tzinfo=dt.UTC), window_start=dt.date(2017, 7, 1),
        window_end=dt.date(2017, 9, 30),
    )
    for prov, vs in verdicts.items():
        sites = Site.objects.filter(region__code=prov).exclude(category=1).order_by("code")[: len(vs)]
        for site, v in zip(sites, vs, strict=True):
            CampaignSite.objects.create(campaign=c, site=site, state="done", auto_verdict=v, reviewed_verdict=v,
                                        review_state="final", report={"indicators": []})
    return c


@pytest.mark.django_db
def test_pass_rates_follow_reviewed_verdicts(registry) -> None:  # noqa: ANN001
    from govsite.inspections.campaigns import draw_national_sample
    from govsite.inspections.reviews import auto_accept

    c = draw_national_sample("2017Q3", 40, "res")
    async_to_sync(run_campaign)(c.pk, registry_rules_checker, RunOptions(backoff=0))
    assert results.overall("2017Q3")["sampled"] == 0  # nothing reviewed yet: nothing official
    auto_accept(c)
    by_region = results.pass_rates("2017Q3", "region")
    sampled = [cs.site for cs in c.sites.select_related("site__region")]
    for row in by_region["rows"]:
        mine = [s for s in sampled if s.category != 1 and s.region.code[:2] == row.key[2:4]]
        passed = sum(not _expected_fail(s) for s in mine)
        assert (row.sampled, row.passed) == (len(mine), passed)
        assert row.rate == round(100 * passed / len(mine), 1)
        assert row.change_pp is None and row.change_text == "not available"  # no 2017Q2 data
    by_dept = results.pass_rates("2017Q3", "department")
    assert {r.name for r in by_dept["rows"]} == {"外交部", "教育部"}
    by_cat = results.pass_rates("2017Q3", "category")
    assert sum(r.sampled for r in by_cat["rows"]) == 40
    problems = results.problem_sites("2017Q3")
    assert len(problems) == sum(_expected_fail(s) for s in sampled)
    for p in problems:
        assert p["problems"] in ("网站名称不规范", "域名后缀不规范", "域名后缀不规范；网站名称不规范")
    r = CliRunner().invoke(main, ["campaign", "results", "--quarter", "2017Q3"])
    assert r.exit_code == 0 and "北京市" in r.output and "not available" in r.output


@pytest.mark.django_db
def test_change_against_previous_quarter_and_100_percent_units(registry) -> None:  # noqa: ANN001
    _stored_quarter("2017Q1", {"110000": ["pass"] * 3, "120000": ["pass", "fail"]})
    _stored_quarter("2017Q2", {"110000": ["pass"] * 2, "220000": ["pass", "fail", "fail", "pass"]})
    _stored_quarter("2017Q3", {"110000": ["pass"] * 4, "120000": ["pass"] * 2, "220000": ["pass"] * 3 + ["fail"]})
    rows = {r.name: r for r in results.pass_rates("2017Q3", "region")["rows"]}
    assert rows["北京市"].change_pp == 0.0 and rows["北京市"].rate == 100.0
    assert rows["吉林省"].change_pp == 25.0  # 75 % against 50 %
    assert rows["天津市"].change_pp is None  # not sampled in 2017Q2: not available, not 0
    assert results.units_at_100("2017Q3") == ["北京市", "天津市"]
    assert results.consecutive_100("2017Q3", 3) == ["北京市"]
    assert results.consecutive_100("2017Q3", 1) == ["北京市", "天津市"]
    o = results.overall("2017Q3")
    assert (o["sampled"], o["passed"], o["rate"]) == (10, 9, 90.0)
    assert o["change_pp"] == round(90.0 - 66.7, 1)
    assert results.overall("2016Q4")["change_pp"] is None


@pytest.mark.django_db
def test_summary_for_the_notice_and_cli_errors(registry) -> None:  # noqa: ANN001
    import json

    _stored_quarter("2017Q2", {"110000": ["pass", "fail"]})
    _stored_quarter("2017Q3", {"110000": ["pass", "pass"], "220000": ["fail"]})
    data = results.summary("2017Q3")
    assert data["overall"]["change_pp"] == 16.7  # 66.7 % against 50 %
    assert data["regions_at_100"] == ["北京市"]
    assert data["previous_quarter_rectification"]["total"] == 0
    assert [p["unit"] for p in data["problem_sites"]] == ["吉林省"]
    r = CliRunner().invoke(main, ["campaign", "results", "--quarter", "2017Q3", "--json", "--by", "region"])
    rows = json.loads(r.output)["pass_rates"]["region"]["rows"]
    assert {x["name"]: x["change_text"] for x in rows} == {"北京市": "+50.0", "吉林省": "not available"}
    r = CliRunner().invoke(main, ["campaign", "results", "--quarter", "17Q3"])
    assert r.exit_code == 2 and "未知的季度" in r.output
