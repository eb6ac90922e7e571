"""Self-checks: template, all-or-nothing upload validation, engine-run self-checks, coverage,
re-verification agreement."""

from __future__ import annotations

from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from click.testing import CliRunner
from openpyxl import load_workbook

from govsite.cli import main
from govsite.inspections import results
from govsite.inspections.executor import RunOptions, run_campaign
from govsite.inspections.offline import registry_rules_checker


def _template(tmp_path: Path, unit: str = "110000") -> Path:
    out = tmp_path / "t.xlsx"
    r = CliRunner().invoke(main, ["campaign", "selfcheck-template", "--quarter", "2017Q3", "--unit", unit,
                                  "-o", str(out)])
    assert r.exit_code == 0, r.output
    return out


def _fill(path: Path, rows: dict[int, list]) -> None:
    wb = load_workbook(path)
    ws = wb["自查结果"]
    for row, values in rows.items():
        for col, v in enumerate(values, start=3):
            ws.cell(row=row, column=col, value=v)
    wb.save(path)


@pytest.mark.django_db
def test_template_lists_the_units_running_sites(registry, tmp_path) -> None:  # noqa: ANN001
    path = _template(tmp_path)
    ws = load_workbook(path)["自查结果"]
    codes = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    expected = sorted(s.code for s in registry if s.region and s.region.code == "110000" and s.status == "running")
    assert codes == expected


@pytest.mark.django_db
def test_valid_upload_is_stored_and_counted(registry, tmp_path) -> None:  # noqa: ANN001
    path = _template(tmp_path)
    _fill(path, {
        2: ["2017-08-01", "合格", 92, None, None, "张三"],
        3: ["2017-08-02", "不合格", 40, "V15-3、D15-2", None, "张三"],
        4: ["2017-08-03", "合格", None, None, None, None],
    })
    r = CliRunner().invoke(main, ["campaign", "selfcheck-upload", "--quarter", "2017Q3", "--unit", "北京市", str(path)])
    assert r.exit_code == 0, r.output
    from govsite.inspections.models import SelfCheckResult

    rows = list(SelfCheckResult.objects.order_by("site__code"))
    assert [x.verdict for x in rows] == ["pass", "fail", "pass"]
    assert rows[1].problems == "栏目不更新；存在错链断链"
    cov = results.selfcheck_coverage("2017Q3")
    bj = next(x for x in cov["rows"] if x["unit"] == "北京市")
    assert bj["self_checked"] == 3 and bj["running"] == 21
    assert bj["ratio"] == round(3 / 21, 4) and bj["below_30"] is True
    assert bj["pass_rate"] == pytest.approx(66.7)
    assert "北京市" in cov["below_30"] and "天津市" in cov["below_30"]  # 0 % self-checked


@pytest.mark.django_db
def test_bad_rows_reject_the_whole_file(registry, tmp_path) -> None:  # noqa: ANN001
    from govsite.inspections.models import Campaign, SelfCheckResult

    path = _template(tmp_path)
    tianjin = next(s.code for s in registry if s.region and s.region.code == "120000")
    _fill(path, {
        2: ["2017-08-01", "合格", 92, None, None, None],  # a good row: still not stored
        3: ["2017-13-01", "合格", None, None, None, None],
        4: ["2017-08-02", "也许", None, None, None, None],
        5: ["2017-08-02", "不合格", None, None, None, None],
        6: ["2017-08-02", "不合格", 30, "X-1", None, None],
        7: ["2018-01-02", "合格", 200, None, None, None],
    })
    wb = load_workbook(path)
    wb["自查结果"].cell(row=8, column=1, value=tianjin)
    wb["自查结果"].cell(row=8, column=4, value="合格")
    wb["自查结果"].cell(row=8, column=3, value="2017-08-01")
    wb.save(path)
    r = CliRunner().invoke(main, ["campaign", "selfcheck-upload", "--quarter", "2017Q3", "--unit", "110000", str(path)])
    assert r.exit_code == 2
    for expected in ("第 3 行“检查日期”列", "第 4 行“检查结论”列", "第 5 行“主要问题”列", "第 6 行“问题指标”列：未知指标“X-1”",
                     "第 7 行“检查日期”列", "第 7 行“得分”列", f"第 8 行“网站标识码”列：{tianjin} 不属于北京市"):
        assert expected in r.output, r.output
    assert SelfCheckResult.objects.count() == 0 and Campaign.objects.count() == 0


@pytest.mark.django_db
def test_upload_of_wrong_file_is_a_clear_error(registry, tmp_path) -> None:  # noqa: ANN001
    junk = tmp_path / "x.xlsx"
    junk.write_text("not a workbook")
    r = CliRunner().invoke(main, ["campaign", "selfcheck-upload", "--quarter", "2017Q3", "--unit", "110000", str(junk)])
    assert r.exit_code == 2 and "无法读取" in r.output
    r = CliRunner().invoke(main, ["campaign", "selfcheck-upload", "--quarter", "2017Q3", "--unit", "火星", str(junk)])
    assert r.exit_code == 2 and "未知的地区或部门" in r.output


@pytest.mark.django_db
def test_engine_self_check_and_reverification(registry) -> None:  # noqa: ANN001
    from govsite.inspections.campaigns import after_run, create_reverification, create_selfcheck_campaign
    from govsite.inspections.models import SelfCheckResult

    sc = create_selfcheck_campaign("2017Q3", "220000", ratio=0.5, seed="jl")
    assert sc.total == 11  # ceil(21 × 0.5)
    async_to_sync(run_campaign)(sc.pk, registry_rules_checker, RunOptions(backoff=0))
    sc.refresh_from_db()
    assert after_run(sc) == {"selfcheck_results": 11}
    cov = next(x for x in results.selfcheck_coverage("2017Q3")["rows"] if x["unit"] == "吉林省")
    assert cov["self_checked"] == 11 and cov["below_30"] is False
    # The unit claims one failing site passed: re-verification must catch it.
    liar = SelfCheckResult.objects.filter(verdict="fail").first()
    liar.verdict = "pass"
    liar.save()
    rv = create_reverification("2017Q3", per_unit=11, seed="rv")
    async_to_sync(run_campaign)(rv.pk, registry_rules_checker, RunOptions(backoff=0))
    out = results.reverification("2017Q3")
    assert out["rechecked"] == 11 and out["agreed"] == 10
    assert [d["site"] for d in out["disagreements"]] == [liar.site.code]
    assert out["disagreements"][0]["self_check"] == "pass" and out["disagreements"][0]["central"] == "fail"
