import dataclasses
import json

import pytest

from govsite.reports.data import (
    CATEGORY_LABELS,
    NoticeData,
    Quarter,
    ReportDataError,
    SampleFigures,
    fmt_pct,
    pct,
)
from tests.reports.factory import make_notice


def test_percent_rule_is_round_half_up_on_exact_integers():
    assert pct(12466, 29431) == 42  # 42.36 %
    assert pct(485, 500) == 97
    assert pct(13926, 14210) == 98  # 98.0014 %
    assert pct(1, 8) == 13  # 12.5 % rounds up, not to even
    assert pct(5, 8) == 63  # 62.5 %
    assert pct(3, 8) == 38  # 37.5 %
    assert pct(0, 7) == 0
    assert pct(3, 0) is None
    assert fmt_pct(None) == "—"
    assert fmt_pct(pct(0, 0)) == "—"


def test_category_labels_match_registry_order():
    from govsite.registry.models import Category

    assert list(CATEGORY_LABELS) == [c.label for c in Category]
    assert [c.value for c in Category] == list(range(1, 8))


@pytest.mark.parametrize("text", ["2017Q5", "2017", "Q3", "17Q3", "2017-Q3", "", "1999Q1"])
def test_unknown_quarter_is_a_clear_error(text):
    with pytest.raises(ReportDataError, match="未知的季度"):
        Quarter.parse(text)


def test_quarter_arithmetic_and_labels():
    q = Quarter.parse("2017q3")
    assert str(q) == "2017Q3" and q.label == "2017年第三季度"
    assert str(Quarter.parse("2017Q1").previous()) == "2016Q4"
    assert Quarter.parse("2016Q4").label_relative_to(Quarter.parse("2017Q1")) == "2016年第四季度"
    assert q.previous().label_relative_to(q) == "第二季度"


def test_json_round_trip_keeps_everything(tmp_path):
    data = make_notice()
    path = tmp_path / "n.json"
    data.save(path)
    back = NoticeData.load(path)
    assert back == data
    assert back.regions[0].history[0] == SampleFigures(9, 9)
    assert back.regions[2].history[1] is None  # a quarter without data stays "no data", not zero


def test_json_errors_are_clear(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ReportDataError, match="不是有效的 JSON"):
        NoticeData.load(bad)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"schema": "x"}), encoding="utf-8")
    with pytest.raises(ReportDataError, match="不是通报数据文件"):
        NoticeData.load(other)
    with pytest.raises(ReportDataError, match="找不到"):
        NoticeData.load(tmp_path / "missing.json")
    broken = make_notice().to_json()
    broken["sample"]["sampled"] = "many"
    with pytest.raises(ReportDataError, match="格式错误"):
        NoticeData.from_json(broken)


def test_validate_rejects_totals_that_do_not_sum():
    data = make_notice()
    data.validate()
    data.regions[0].running[3] += 1
    with pytest.raises(ReportDataError, match="附件2"):
        data.validate()
    data = make_notice()
    data.sample = dataclasses.replace(data.sample, passed=data.sample.passed + 1)
    with pytest.raises(ReportDataError, match="抽查数之和"):
        data.validate()
    data = make_notice()
    data.running_by_category = [0] * 7
    data.regions, data.departments, data.units = [], [], []
    with pytest.raises(ReportDataError, match="没有运行网站"):
        data.validate()


def test_rate_change_is_none_without_previous_quarter():
    assert make_notice(previous=True).rate_change == 92 - 86
    assert make_notice(previous=False).rate_change is None
