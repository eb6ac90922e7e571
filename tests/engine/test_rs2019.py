"""RS2019 as data (rules.md §2): caps per indicator, the 4/3 rule, the bonus gate and cap,
the < 60 fail, and the choice of rule set by the check's date."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from govsite.engine.check import CheckOptions, SiteTarget, check_site
from govsite.engine.rulesets import load_ruleset, ruleset_for
from govsite.engine.scoring import Finding, score


@pytest.fixture(scope="module")
def rs():
    return load_ruleset("RS2019")


def complete(rs, extra):
    have = {f.id for f in extra}
    return extra + [Finding(r.id, "ok") for r in rs.indicators.values() if r.required and r.id not in have]


def test_structure_six_vetoes_100_points_services_25(rs):
    vetoes = [r.id for r in rs.indicators.values() if r.kind == "veto"]
    assert vetoes == [f"V19-{i}" for i in range(1, 7)]
    deducts = [r for r in rs.indicators.values() if r.kind == "deduct"]
    assert sum(r.get("cap") for r in deducts) == 100
    assert sum(r.get("cap") for r in deducts if r.get("group") == "service") == rs.setting("service_weight") == 25
    # unconfirmed point values stay marked as such
    assert rs.rule("D19-7").params["cap"].conf == "U"
    assert rs.settings["service_weight"].conf == "C" and rs.settings["bonus_gate"].conf == "C"


def test_deductions_are_capped_per_indicator(rs):
    # 40 broken links on other pages x 0.1 = 4 (under the cap of 5); 90 would be 9: capped at 5
    res = score(rs, complete(rs, [Finding("D19-9", "deduct", -4.0)]))
    assert res["deducted"] == 4.0 and res["score"] == 96.0
    res = score(rs, complete(rs, [Finding("D19-9", "deduct", -9.0), Finding("D19-2", "deduct", -25.0)]))
    assert res["deducted"] == 5 + 20 and res["part2"] == 75.0
    # RS2015 has no per-indicator cap: the same -9 is taken whole
    rs15 = load_ruleset("RS2015")
    res15 = score(rs15, [Finding("D15-2", "deduct", -9.0)] + [Finding(r.id, "ok") for r in rs15.indicators.values()
                                                             if r.required and r.id != "D15-2"])
    assert res15["deducted"] == 9.0


def test_four_thirds_rule_for_departments_without_external_services(rs):
    f = complete(rs, [Finding("D19-2", "deduct", -15.0), Finding("D19-4", "deduct", -10.0)])
    with_services = score(rs, f)
    assert with_services["score"] == 75.0
    # services not checked: (75 - 15) x 4/3 = 80; the service deduction is ignored
    exempt = score(rs, f, external_services=False)
    assert exempt["deducted"] == 15.0 and exempt["score"] == 80.0
    # nothing deducted: 75 x 4/3 = 100
    assert score(rs, complete(rs, []), external_services=False)["score"] == 100.0


def test_bonus_gate_cap_and_portals_only(rs):
    bonus = [Finding("B19-1", "bonus", 12.0), Finding("B19-1", "bonus", 25.0)]
    high = complete(rs, [Finding("D19-2", "deduct", -10.0)] + bonus)
    res = score(rs, high, portal=True)
    assert res["part2"] == 90.0 and res["bonus"] == 30.0 and res["score"] == 120.0  # capped at 30
    assert score(rs, high, portal=False)["score"] == 90.0  # departments get no bonus
    at_gate = complete(rs, [Finding("D19-2", "deduct", -20.0)] + bonus)
    res = score(rs, at_gate, portal=True)
    assert res["part2"] == 80.0 and res["bonus"] == 0.0 and res["score"] == 80.0  # > 80 strictly


def test_pass_mark_and_veto(rs):
    f = [Finding("D19-2", "deduct", -20.0), Finding("D19-1", "deduct", -10.0), Finding("D19-9", "deduct", -5.0),
         Finding("D19-7", "deduct", -5.0)]
    assert score(rs, complete(rs, f))["verdict"] == "pass"  # exactly 60
    res = score(rs, complete(rs, f + [Finding("D19-8", "deduct", -0.5)]))
    assert res["score"] == 59.5 and res["verdict"] == "fail"
    res = score(rs, complete(rs, [Finding("V19-1", "veto")]), portal=True)
    assert res["verdict"] == "fail" and res["vetoes"] == ["V19-1"] and res["score"] == 0.0


def test_ruleset_by_date():
    assert ruleset_for(date(2017, 9, 14)) == "RS2015"
    assert ruleset_for(date(2019, 3, 31)) == "RS2015"
    assert ruleset_for(date(2019, 4, 1)) == "RS2019"
    assert ruleset_for(date(2010, 1, 1)) == "RS2015"


async def test_check_picks_rs2019_after_march_2019_and_maps_observations():
    # an invalid address is reported without any network: enough to see the rule set and ids
    cst = timezone(timedelta(hours=8))
    rep = await check_site(SiteTarget("not a url"), CheckOptions(as_of=datetime(2020, 5, 1, tzinfo=cst)))
    assert rep["ruleset"] == "RS2019"
    assert [i["id"] for i in rep["indicators"]] == ["V19-3"] and rep["verdict"] == "incomplete"
    rep = await check_site(SiteTarget("not a url"), CheckOptions(as_of=datetime(2018, 5, 1, tzinfo=cst)))
    assert rep["ruleset"] == "RS2015" and rep["indicators"][0]["id"] == "V15-2"
    rep = await check_site(SiteTarget("not a url"), CheckOptions(as_of=datetime(2020, 5, 1, tzinfo=cst),
                                                                 ruleset="RS2015"))
    assert rep["ruleset"] == "RS2015"
