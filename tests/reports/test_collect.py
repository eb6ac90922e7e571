"""The collector on a small database built in the test (the seed-sized one is in test_cli)."""

import datetime as dt

import pytest

from govsite.reports.compose import compose
from govsite.reports.data import ReportDataError


def _site(code, name, category, region=None, department=None, site_class="portal"):
    from govsite.registry.models import Organization, Site

    org, _ = Organization.objects.get_or_create(name=name, region=region, department=department)
    level = {1: "national", 6: "county"}[category]
    return Site.objects.create(code=code, name=name, home_url=f"http://www.{code}.gov.cn/", category=category,
                               site_class=site_class, level=level, region=region, department=department, sponsor=org)


def _sample(quarter, verdicts):
    from govsite.inspections.models import Campaign, CampaignSite

    tz = dt.timezone(dt.timedelta(hours=8))
    c = Campaign.objects.create(name=f"抽查 {quarter}", quarter=quarter, kind=Campaign.Kind.NATIONAL_SAMPLE,
                                ruleset="RS2015", as_of=dt.datetime(2018, 2, 1, tzinfo=tz),
                                window_start=dt.date(2018, 2, 1), window_end=dt.date(2018, 3, 1))
    for site, verdict, indicators in verdicts:
        CampaignSite.objects.create(campaign=c, site=site, state="done", auto_verdict=verdict,
                                    reviewed_verdict=verdict, review_state="final", reviewed_indicators=indicators,
                                    report={"indicators": indicators})
    return c


@pytest.mark.django_db
def test_collect_small_quarter_without_previous_quarter():
    from govsite.registry.models import Department, Region
    from govsite.reports.collect import collect

    dongcheng = Region.objects.get(code="110101")
    mfa = Department.objects.get(code="bm01")
    a = _site("1101010001", "北京市东城区人民政府", 6, region=dongcheng)
    b = _site("1101010002", "东城政务网", 6, region=dongcheng)
    c = _site("bm01000001", "外交部", 1, department=mfa)
    _sample("2018Q1", [
        (a, "pass", []),
        (b, "fail", [{"id": "V15-2", "status": "veto", "evidence": [{"url": "", "detail": "首页两周内无更新"}]},
                     {"id": "G-NAME-1", "status": "deduct", "evidence": [{"url": "", "detail": "名称不规范"}]}]),
        (c, "pass", []),
    ])
    data = collect("2018Q1")
    assert data.running_by_category == [1, 0, 0, 0, 0, 2, 0]
    assert (data.sample.sampled, data.sample.passed) == (3, 2)
    assert data.sample_history[0] is None and data.rate_change is None  # 2017Q4 has no data: not 0
    beijing = next(r for r in data.regions if r.code == "110000")
    assert beijing.running == [0, 0, 0, 0, 2, 0] and (beijing.sample.sampled, beijing.sample.passed) == (2, 1)
    empty = next(d for d in data.departments if d.code == "bm09")
    assert empty.running_total == 0 and empty.sample.rate is None
    assert [p.name for p in data.problem_sites] == ["东城政务网"] and data.problem_sites[0].unit == "北京"
    assert data.problem_sites[0].problems == ["网站不更新", "网站名称不规范"]
    name = data.finding("nonstandard_name")
    assert name and name.items[0].place == "北京市东城区" and name.items[0].site_name == "东城政务网"
    assert data.sample_start == dt.date(2018, 2, 1) and data.census_date == dt.date(2018, 3, 1)
    one = compose(data).section("一、抽查情况")
    assert "总体合格率67%，2017年第四季度无抽查数据，合格率变化情况不可比。" in one
    assert "如北京市东城区政府门户网站名称仍为“东城政务网”" in compose(data).section("二、主要问题")


@pytest.mark.django_db
def test_unreviewed_sample_sites_are_noted_not_counted():
    from govsite.inspections.models import CampaignSite
    from govsite.registry.models import Region
    from govsite.reports.collect import collect

    region = Region.objects.get(code="110101")
    a = _site("1101010001", "北京市东城区人民政府", 6, region=region)
    b = _site("1101010002", "北京市东城区教育委员会", 6, region=region)
    campaign = _sample("2018Q1", [(a, "pass", [])])
    CampaignSite.objects.create(campaign=campaign, site=b, state="done", auto_verdict="fail")
    data = collect("2018Q1")
    assert data.sample.sampled == 1
    assert data.notes == ["2018年第一季度国办抽查中有1个网站尚未审定，未计入抽查数和合格率"]


@pytest.mark.django_db
def test_collect_unknown_quarter():
    from govsite.reports.collect import collect

    with pytest.raises(ReportDataError, match="未知的季度"):
        collect("2018Q7")
