"""Rectification tasks (open → reported → verified / overdue) and accountability records."""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import async_to_sync
from click.testing import CliRunner

from govsite.cli import main
from govsite.inspections import rectification as rect
from govsite.inspections.errors import InspectionError
from govsite.inspections.executor import RunOptions, run_campaign
from govsite.inspections.offline import registry_rules_checker


def _reviewed_sample():  # noqa: ANN202
    from govsite.inspections.campaigns import draw_national_sample
    from govsite.inspections.reviews import auto_accept

    c = draw_national_sample("2017Q2", 40, "rect")
    async_to_sync(run_campaign)(c.pk, registry_rules_checker, RunOptions(backoff=0))
    auto_accept(c)
    return c


@pytest.mark.django_db
def test_rectification_lifecycle(registry) -> None:  # noqa: ANN001
    from govsite.inspections.campaigns import after_run
    from govsite.registry.models import Site

    c = _reviewed_sample()
    failed = c.sites.filter(reviewed_verdict="fail").count()
    assert failed > 1
    runner = CliRunner()
    r = runner.invoke(main, ["campaign", "rectify", "create", str(c.pk), "--deadline", "2017-12-20"])
    assert r.exit_code == 0 and f"{failed} 个" in r.output
    assert rect.create_tasks(c, dt.date(2017, 12, 20)) == 0  # idempotent
    tasks = list(c.sites.filter(reviewed_verdict="fail").select_related("rectification__site"))
    fixed, unfixed = tasks[0].rectification, tasks[1].rectification
    # The operator of `fixed` really fixes the site (standard name and domain) and reports it.
    site = fixed.site
    site.name = f"{site.sponsor.name}网站"
    site.home_url = "http://fixed.example.gov.cn/"
    site.save()
    rect.report_fixed(site.code, "已按《指引》规范网站名称和域名", quarter="2017Q2")
    rect.report_fixed(str(unfixed.pk), "已整改")  # …but `unfixed` only says so
    recheck = rect.create_recheck("2017Q2", as_of=dt.date(2017, 12, 21))
    assert recheck.kind == "rectification_recheck" and recheck.total == 2
    async_to_sync(run_campaign)(recheck.pk, registry_rules_checker, RunOptions(backoff=0))
    recheck.refresh_from_db()
    assert after_run(recheck) == {"rectification": {"verified": 1, "reopened": 1}}
    fixed.refresh_from_db()
    unfixed.refresh_from_db()
    assert fixed.state == "verified" and unfixed.state == "open"
    # Past the deadline the open ones count as overdue — the figure the next notice reports.
    st = rect.status("2017Q2", on=dt.date(2017, 12, 21))
    assert st["counts"]["verified"] == 1 and st["counts"]["overdue"] == failed - 1
    assert st["all_verified"] is False
    assert rect.refresh_overdue(dt.date(2017, 12, 21)) == failed - 1
    assert Site.objects.filter(code=site.code, name__endswith="网站").exists()
    s = runner.invoke(main, ["campaign", "rectify", "status", "--quarter", "2017Q2", "--on", "2017-12-21"])
    assert "整改到位 1" in s.output


@pytest.mark.django_db
def test_rectification_bad_input(registry) -> None:  # noqa: ANN001
    c = _reviewed_sample()
    with pytest.raises(InspectionError, match="整改说明"):
        rect.report_fixed("1", "  ")
    with pytest.raises(InspectionError, match="不存在"):
        rect.report_fixed("9999999", "done")
    with pytest.raises(InspectionError, match="没有已报整改"):
        rect.create_recheck("2017Q2")
    with pytest.raises(InspectionError, match="早于采样开始"):
        rect.create_tasks(c, dt.date(2016, 1, 1))


@pytest.mark.django_db
def test_accountability_records(registry) -> None:  # noqa: ANN001
    runner = CliRunner()
    site = next(s for s in registry if s.region and s.region.code == "220000" and s.status == "running")
    for args in (
        ["--unit", "220000", "--kind", "约谈", "--count", "3"],
        ["--unit", "吉林省", "--kind", "书面检查", "--person", "王五", "--site", site.code],
        ["--unit", "bm01", "--kind", "通报批评", "--count", "2"],
    ):
        r = runner.invoke(main, ["campaign", "accountability", "add", "--quarter", "2017Q3", *args])
        assert r.exit_code == 0, r.output
    s = rect.accountability_summary("2017Q3")
    assert s["total"] == 6
    assert s["by_kind"]["约谈"] == 3 and s["by_kind"]["书面检查"] == 1 and s["by_kind"]["辞退"] == 0
    assert s["by_unit"]["吉林省"]["约谈"] == 3 and s["by_unit"]["外交部"]["通报批评"] == 2
    from govsite.inspections.models import AccountabilityRecord

    for args, msg in (
        (["--unit", "220000", "--kind", "罚款"], "问责方式“罚款”无效"),
        (["--unit", "220000", "--kind", "约谈", "--count", "0"], "正整数"),
        (["--unit", "110000", "--kind", "约谈", "--site", site.code], "不属于北京市"),
        (["--unit", "220000", "--kind", "约谈", "--count", "2", "--person", "李四"], "人数应为 1"),
    ):
        r = runner.invoke(main, ["campaign", "accountability", "add", "--quarter", "2017Q3", *args])
        assert r.exit_code == 2 and msg in r.output, r.output
    assert AccountabilityRecord.objects.count() == 3
