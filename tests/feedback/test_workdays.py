import datetime as dt

import pytest

from govsite.feedback.workdays import CalendarNotCovered, WorkCalendar, parse_year_file

D = dt.date


def test_national_day_2024_and_swapped_weekend_workdays():
    # Official 2024 arrangement: Oct 1–7 off; Sun Sep 29 and Sat Oct 12 are workdays.
    cal = WorkCalendar()
    assert cal.is_workday(D(2024, 9, 29))
    assert not cal.is_workday(D(2024, 10, 3))
    assert cal.add_workdays(D(2024, 9, 27), 1) == D(2024, 9, 29)
    assert cal.add_workdays(D(2024, 9, 30), 1) == D(2024, 10, 8)
    assert cal.add_workdays(D(2024, 9, 30), 3) == D(2024, 10, 10)
    assert cal.add_workdays(D(2024, 10, 10), 2) == D(2024, 10, 12)


def test_spring_festival_2024():
    # Feb 10–17 off, Sun Feb 4 and Sun Feb 18 worked.
    cal = WorkCalendar()
    assert cal.add_workdays(D(2024, 2, 9), 1) == D(2024, 2, 18)
    assert cal.add_workdays(D(2024, 2, 2), 1) == D(2024, 2, 4)


def test_zero_and_negative():
    cal = WorkCalendar()
    assert cal.add_workdays(D(2024, 10, 3), 0) == D(2024, 10, 3)
    with pytest.raises(ValueError):
        cal.add_workdays(D(2024, 10, 3), -1)


def test_workdays_between():
    cal = WorkCalendar()
    assert cal.workdays_between(D(2024, 9, 30), D(2024, 9, 30)) == 0
    assert cal.workdays_between(D(2024, 9, 30), D(2024, 10, 8)) == 1
    assert cal.workdays_between(D(2024, 10, 8), D(2024, 10, 14)) == 5  # includes Sat Oct 12


def test_year_not_covered_is_an_error_not_a_guess():
    cal = WorkCalendar()
    with pytest.raises(CalendarNotCovered) as exc:
        cal.add_workdays(D(2099, 3, 2), 1)
    assert "2099" in str(exc.value) and "import-year" in str(exc.value)
    assert not cal.covers(2099)


def test_imported_year_is_used_before_the_package():
    year, days = parse_year_file(["# 2099 安排", "2099-01-01,holiday,元旦", "2099-01-02,holiday",
                                  "2099-01-04,workday,调休上班"])
    assert year == 2099
    cal = WorkCalendar({2099: days})
    assert cal.add_workdays(D(2098, 12, 31) + dt.timedelta(days=1), 1) == D(2099, 1, 4)  # Sunday worked
    assert cal.add_workdays(D(2099, 1, 4), 1) == D(2099, 1, 5)
    # An override also wins over the package's own data for a covered year.
    cal2 = WorkCalendar({2024: {D(2024, 10, 8): False, D(2024, 9, 29): False}})
    assert cal2.add_workdays(D(2024, 9, 27), 1) == D(2024, 9, 30)


@pytest.mark.parametrize("lines, words", [
    ([], "没有任何日期"),
    (["2099-13-01,holiday"], "第1行日期无效"),
    (["2099-01-01,vacation"], "类型无效"),
    (["2099-01-01"], "格式"),
    (["2099-01-01,holiday", "2100-01-01,holiday"], "一年"),
    (["2099-01-01,holiday", "2099-01-01,workday"], "重复"),
    (["2099-01-04,workday"], "没有任何节假日"),
])
def test_bad_year_files_name_the_problem(lines, words):
    with pytest.raises(ValueError) as exc:
        parse_year_file(lines)
    assert words in str(exc.value)
