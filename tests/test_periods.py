import datetime as dt

import pytest

from govsite.inspections.errors import InspectionError
from govsite.inspections.periods import Quarter as InspectionQuarter
from govsite.periods import Quarter, QuarterError
from govsite.reports.data import Quarter as ReportQuarter
from govsite.reports.data import ReportDataError


def test_calendar_arithmetic():
    q = Quarter.parse(" 2017q4 ")
    assert (q.start, q.end) == (dt.date(2017, 10, 1), dt.date(2017, 12, 31))
    assert str(q.next()) == "2018Q1" and str(q.previous()) == "2017Q3"
    assert Quarter.of(dt.date(2019, 3, 31)) == Quarter(2019, 1)


@pytest.mark.parametrize("cls, error", [(Quarter, QuarterError), (InspectionQuarter, InspectionError),
                                        (ReportQuarter, ReportDataError)])
def test_each_area_gets_its_own_error_and_keeps_its_type(cls, error):
    with pytest.raises(error, match="未知的季度"):
        cls.parse("2017Q5")
    assert type(cls.parse("2017Q1").previous()) is cls
