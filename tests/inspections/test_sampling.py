"""Stratified sampling: allocation arithmetic, reproducibility, exclusions and bad input."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from govsite.cli import main
from govsite.inspections import sampling
from govsite.inspections.errors import InspectionError


def test_allocation_is_proportional_with_minimum_and_sums_to_size() -> None:
    sizes = {"a": 1000, "b": 100, "c": 10, "d": 1}
    alloc = sampling.allocate(sizes, 50, minimum=2)
    assert sum(alloc.values()) == 50
    assert alloc["d"] == 1  # the minimum is capped by the stratum size
    assert alloc["c"] >= 2
    assert alloc["a"] > alloc["b"] > alloc["c"]
    assert all(alloc[k] <= sizes[k] for k in sizes)


def test_largest_remainder_breaks_ties_by_key() -> None:
    # 3 strata of equal size, 4 seats beyond nothing: quotas 4/3 each → 1 each, one extra to "a".
    assert sampling.allocate({"c": 10, "a": 10, "b": 10}, 4, minimum=0) == {"a": 2, "b": 1, "c": 1}


def test_allocation_rejects_impossible_requests() -> None:
    with pytest.raises(InspectionError, match="大于可抽样网站总数"):
        sampling.allocate({"a": 3}, 4, minimum=1)
    with pytest.raises(InspectionError, match="不足以给"):
        sampling.allocate({"a": 3, "b": 3, "c": 3}, 2, minimum=1)


def test_draw_is_a_function_of_its_inputs() -> None:
    members = [sampling.Member(f"{i:010d}", f"S{i % 4}") for i in range(400)]
    a = sampling.draw(members, size=40, seed="2017", quarter="2017Q3")
    b = sampling.draw(list(reversed(members)), size=40, seed="2017", quarter="2017Q3")
    c = sampling.draw(members, size=40, seed="2018", quarter="2017Q3")
    assert a.codes == b.codes  # input order does not matter
    assert a.codes != c.codes
    assert len(a.codes) == 40 and {v[1] for v in a.strata.values()} == {10}


@pytest.mark.django_db
def test_cli_draw_twice_gives_identical_sample_and_records_inputs(registry) -> None:  # noqa: ANN001
    from govsite.inspections.models import Campaign

    runner = CliRunner()
    args = ["campaign", "draw", "--quarter", "2017Q3", "--size", "30", "--seed", "S1", "--json"]
    r1 = runner.invoke(main, args)
    r2 = runner.invoke(main, args)
    assert r1.exit_code == 0, r1.output
    d1, d2 = json.loads(r1.output), json.loads(r2.output)
    assert d1["sites"] == d2["sites"] and len(d1["sites"]) == 30
    assert d1["name"] != d2["name"]  # a second campaign, same sample
    c = Campaign.objects.get(pk=d1["id"])
    assert c.seed == "S1" and c.algorithm == sampling.ALGORITHM
    running = [s.code for s in registry if s.status == "running"]
    assert c.snapshot_hash == sampling.snapshot_hash(running)
    assert c.population == len(running)
    # Every stratum (unit × category) got at least one site.
    assert all(drawn >= 1 for _pop, drawn in c.params["strata"].values())
    assert c.ruleset == "RS2015"
    r3 = runner.invoke(main, ["campaign", "draw", "--quarter", "2017Q3", "--size", "30", "--seed", "S2", "--json"])
    assert json.loads(r3.output)["sites"] != d1["sites"]
    rv = runner.invoke(main, ["campaign", "verify", str(c.pk)])
    assert rv.exit_code == 0 and "样本一致" in rv.output


@pytest.mark.django_db
def test_ruleset_follows_the_date(registry) -> None:  # noqa: ANN001
    from govsite.inspections.campaigns import draw_national_sample

    assert draw_national_sample("2019Q1", 20, "x").ruleset == "RS2015"
    assert draw_national_sample("2019Q2", 20, "x").ruleset == "RS2019"


@pytest.mark.django_db
def test_exclude_previous_quarter(registry) -> None:  # noqa: ANN001
    from govsite.inspections.campaigns import draw_national_sample

    prev = draw_national_sample("2017Q2", 20, "p")
    prev_codes = set(prev.sites.values_list("site__code", flat=True))
    now = draw_national_sample("2017Q3", 20, "q", exclude_previous=True, skip_empty_strata=True)
    assert not prev_codes & set(now.sites.values_list("site__code", flat=True))
    assert now.params["excluded_count"] == len(prev_codes)
    assert now.params["excluded_from"] == [prev.name]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--quarter", "2017Q3", "--size", "9999", "--seed", "1"], "大于可抽样网站总数"),
        (["--quarter", "2017Q5", "--size", "10", "--seed", "1"], "未知的季度"),
        (["--quarter", "1999Q1", "--size", "10", "--seed", "1"], "未知的季度"),
        (["--quarter", "2017Q3", "--size", "5", "--seed", "1"], "不足以给"),
        (["--quarter", "2017Q3", "--size", "0", "--seed", "1"], "样本量须为正整数"),
    ],
)
def test_bad_draw_input_changes_nothing(registry, args, message) -> None:  # noqa: ANN001
    from govsite.inspections.models import AuditEntry, Campaign, CampaignSite

    r = CliRunner().invoke(main, ["campaign", "draw", *args])
    assert r.exit_code == 2
    assert message in r.output and "Traceback" not in r.output
    assert Campaign.objects.count() == CampaignSite.objects.count() == AuditEntry.objects.count() == 0


@pytest.mark.django_db
def test_empty_strata_after_exclusion_are_an_error(registry) -> None:  # noqa: ANN001
    from govsite.inspections.campaigns import draw_national_sample
    from govsite.inspections.models import Campaign

    draw_national_sample("2017Q2", 20, "p")  # takes the only site of each 1-site stratum
    r = CliRunner().invoke(main, ["campaign", "draw", "--quarter", "2017Q3", "--size", "20", "--seed", "q",
                                  "--exclude-previous"])
    assert r.exit_code == 2 and "抽样层为空" in r.output
    assert Campaign.objects.count() == 1


@pytest.mark.django_db
def test_empty_registry_is_an_error() -> None:
    r = CliRunner().invoke(main, ["campaign", "draw", "--quarter", "2017Q3", "--size", "5", "--seed", "1"])
    assert r.exit_code == 2 and "没有正常运行的网站" in r.output


@pytest.mark.django_db
def test_named_campaign_collision_and_replace(registry) -> None:  # noqa: ANN001
    from govsite.inspections.models import Campaign

    runner = CliRunner()
    base = ["campaign", "draw", "--quarter", "2017Q3", "--size", "20", "--name", "demo"]
    assert runner.invoke(main, [*base, "--seed", "1"]).exit_code == 0
    r = runner.invoke(main, [*base, "--seed", "2"])
    assert r.exit_code == 2 and "已存在" in r.output
    assert Campaign.objects.get(name="demo").seed == "1"
    r = runner.invoke(main, [*base, "--seed", "2", "--replace"])
    assert r.exit_code == 0, r.output
    assert Campaign.objects.get(name="demo").seed == "2" and Campaign.objects.count() == 1
