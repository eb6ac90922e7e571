"""Dates in every common format, and the year of month-day dates."""

from datetime import date

import pytest

from govsite.engine.extract.dates import generation_date, infer_year, parse_date, segment_date, trailing_date


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2017-11-01", date(2017, 11, 1)),
        ("2017/11/01", date(2017, 11, 1)),
        ("2017.11.01", date(2017, 11, 1)),
        ("2017年11月1日", date(2017, 11, 1)),
        ("2017 年 11 月 01 日", date(2017, 11, 1)),
        ("2018.9.30", date(2018, 9, 30)),
        ("2015-6-15 15:00:00", date(2015, 6, 15)),
        ("发布时间：2024-07-12 17:33", date(2024, 7, 12)),
    ],
)
def test_full_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2017-02-30", "2017-13-01", "2017/11-01", "20171101"])
def test_unreadable_dates_are_none(text: str) -> None:
    assert parse_date(text, date(2017, 12, 31)) is None


@pytest.mark.parametrize(
    "text, reference, expected",
    [
        ("[11-01]", date(2017, 11, 20), date(2017, 11, 1)),
        ("11-01", date(2017, 11, 1), date(2017, 11, 1)),  # the reference day itself
        ("12-28", date(2018, 1, 5), date(2017, 12, 28)),  # December seen in January
        ("11月1日", date(2017, 11, 20), date(2017, 11, 1)),
        ("01/05", date(2018, 1, 5), date(2018, 1, 5)),
        ("02-29", date(2021, 3, 1), date(2020, 2, 29)),  # only a leap year has it
    ],
)
def test_month_day_year_inference(text: str, reference: date, expected: date) -> None:
    got = parse_date(text, reference)
    assert got == expected
    assert got <= reference  # never after the reference


def test_month_day_without_reference_is_not_guessed() -> None:
    assert parse_date("11-01", None) is None
    assert infer_year(11, 1, None) is None


@pytest.mark.parametrize(
    "segment, expected",
    [
        ("[2025-06-03]", (date(2025, 6, 3), False)),
        ("( 2022-04-26)", (date(2022, 4, 26), False)),
        ("时间：2018.9.30", (date(2018, 9, 30), False)),
        ("10-11", (date(2023, 10, 11), True)),
        ("【09-30】", (date(2023, 9, 30), True)),
    ],
)
def test_segments_that_are_dates(segment: str, expected: tuple) -> None:
    assert segment_date(segment, date(2023, 10, 11)) == expected


@pytest.mark.parametrize(
    "segment",
    ["今天是：2018年10月14日 星期日", "上海2022年4月25日新增本土确诊病例1661例", "000014348/2020-35428", "第1/5页"],
)
def test_segments_that_are_not_dates(segment: str) -> None:
    assert segment_date(segment, date(2023, 10, 11)) is None


def test_trailing_date_after_a_title() -> None:
    assert trailing_date("关于开展安全检查的通知 (2023-01-02)") == date(2023, 1, 2)
    assert trailing_date("关于2023年1月工作的通知") is None


def test_generation_date_from_meta_or_header_clock() -> None:
    assert generation_date(["页面生成时间 2023-10-11 11:36:07"], "") == date(2023, 10, 11)
    assert generation_date([], "今天是：2018年10月14日 星期日") == date(2018, 10, 14)
    assert generation_date(["x"], "欢迎访问") is None


def test_zero_width_characters_are_ignored_in_dates() -> None:
    assert trailing_date("关于开展安全检查的通知 (2023-\u200b01-02)") == date(2023, 1, 2)
    assert trailing_date("关于开展安全检查的通知 (2023-01-02)") == date(2023, 1, 2)
    assert parse_date("2023\ufeff年1月2日") == date(2023, 1, 2)
    assert segment_date("\u200c[09-12]", date(2017, 9, 14)) == (date(2017, 9, 12), True)


def test_generation_stamp_in_any_case() -> None:
    assert generation_date(["Generated: 2021-03-04 10:00"], "") == date(2021, 3, 4)
    assert generation_date(["GENERATED 2021/03/04"], "") == date(2021, 3, 4)
    assert generation_date(["生成日期：2020年5月6"], "") == date(2020, 5, 6)
    assert generation_date(["创建时间 2020-05-06", "generate 2020-05-06"], "") is None
