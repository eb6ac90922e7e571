"""Working days on the official PRC holiday calendar (国务院办公厅 annual arrangement, with the
swapped weekend workdays 调休上班).

Source order for a year: an arrangement an administrator imported as data (model
`CalendarYear`/`CalendarDay`, `govsite calendar import-year`) first, then the `chinese_calendar`
package. A year neither covers raises `CalendarNotCovered`: a deadline is never guessed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import chinese_calendar


class CalendarNotCovered(Exception):
    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"{year}年的法定节假日安排不在日历中（chinese_calendar 未收录，也未导入）；"
            f"请用 `govsite calendar import-year 文件` 导入国务院办公厅公布的{year}年安排"
        )


class WorkCalendar:
    """`overrides` maps an imported year to its special days {date: is_workday}; days of an
    imported year not listed follow the plain week (Mon–Fri work)."""

    def __init__(self, overrides: Mapping[int, Mapping[dt.date, bool]] | None = None) -> None:
        self.overrides = {y: dict(days) for y, days in (overrides or {}).items()}

    def is_workday(self, day: dt.date) -> bool:
        year_days = self.overrides.get(day.year)
        if year_days is not None:
            return year_days.get(day, day.weekday() < 5)
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            raise CalendarNotCovered(day.year) from None

    def covers(self, year: int) -> bool:
        try:
            self.is_workday(dt.date(year, 6, 1))
            return True
        except CalendarNotCovered:
            return False

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (start itself never counts; n=0 gives start).
        A deadline "within 3 working days of D" is the end of add_workdays(D, 3)."""
        if n < 0:
            raise ValueError("工作日数不能为负数")
        day = start
        for _ in range(n):
            day += dt.timedelta(days=1)
            while not self.is_workday(day):
                day += dt.timedelta(days=1)
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: 0 for the same day, 1 from a working day to the next."""
        if end <= start:
            return 0
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count


def parse_year_file(lines: Iterable[str]) -> tuple[int, dict[dt.date, bool]]:
    """Parse an official arrangement as data, one special day a line:

        2027-01-01,holiday,元旦        (or 休)
        2027-02-07,workday,春节调休上班  (or 班)

    `#` starts a comment. Every date must be in one year. Returns (year, {date: is_workday}).
    Raises ValueError naming the line for any bad line."""
    kinds = {"holiday": False, "休": False, "rest": False, "workday": True, "班": True, "work": True}
    days: dict[dt.date, bool] = {}
    year: int | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 2:
            raise ValueError(f"第{number}行格式应为 日期,holiday|workday[,名称]：{raw.strip()!r}")
        try:
            day = dt.date.fromisoformat(parts[0])
        except ValueError:
            raise ValueError(f"第{number}行日期无效（应为 YYYY-MM-DD）：{parts[0]!r}") from None
        if parts[1] not in kinds:
            raise ValueError(f"第{number}行类型无效（应为 holiday 或 workday）：{parts[1]!r}")
        if year is None:
            year = day.year
        elif day.year != year:
            raise ValueError(f"第{number}行日期 {day} 不在 {year} 年；一个文件只能包含一年")
        if day in days:
            raise ValueError(f"第{number}行日期 {day} 重复")
        days[day] = kinds[parts[1]]
    if year is None:
        raise ValueError("文件中没有任何日期")
    if not any(not w for w in days.values()):
        raise ValueError("文件中没有任何节假日（holiday）；这不像一份节假日安排")
    return year, days


def load_calendar() -> WorkCalendar:
    """The calendar with every imported year (needs Django)."""
    from govsite.feedback.models import CalendarDay

    overrides: dict[int, dict[dt.date, bool]] = {}
    from govsite.feedback.models import CalendarYear

    for year in CalendarYear.objects.values_list("year", flat=True):
        overrides[year] = {}
    for day, is_workday in CalendarDay.objects.values_list("date", "is_workday"):
        overrides.setdefault(day.year, {})[day] = is_workday
    return WorkCalendar(overrides)
