"""Per-unit completion metrics for a period (rules.md §4.4, addendum §3.2).

Denominators: a message counts as *valid* for its unit when it was submitted in the period and
screened valid, i.e. its status is neither rejected (2, 3, 10, 11, 12), duplicate (13) nor still
unscreened (−1, not yet assigned to any unit). 办结率 = closed (1, 15) ÷ valid; 按期办结率 =
closed with the accepted reply by the handling deadline ÷ valid; average handling time = mean
working days from transfer to closing, over closed messages. Units below 70 % 办结率 are flagged
(the notice names them); units at 100 % 按期办结率 are listed."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.utils import timezone

from govsite.feedback import conf
from govsite.feedback.models import CLOSED_STATUSES, DUPLICATE_STATUSES, REJECTED_STATUSES, Message, Status
from govsite.feedback.workdays import WorkCalendar, load_calendar
from govsite.feedback.workflow import closed_on_time, local_date


@dataclass
class UnitMetrics:
    unit_kind: str  # "region" | "department"
    unit_code: str
    unit_name: str
    order: int
    received: int = 0
    excluded: int = 0  # rejected, duplicate or not yet screened
    valid: int = 0
    closed: int = 0
    closed_on_time: int = 0
    handling_days: list[int] = field(default_factory=list, repr=False)

    @property
    def closed_rate(self) -> float | None:
        return self.closed / self.valid if self.valid else None

    @property
    def on_time_rate(self) -> float | None:
        return self.closed_on_time / self.valid if self.valid else None

    @property
    def avg_handling_workdays(self) -> float | None:
        return sum(self.handling_days) / len(self.handling_days) if self.handling_days else None

    @property
    def all_on_time(self) -> bool:
        return self.valid > 0 and self.closed_on_time == self.valid

    @property
    def flagged(self) -> bool:
        rate = self.closed_rate
        return rate is not None and rate < float(conf.get("FLAG_BELOW"))

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("handling_days")
        d.update(closed_rate=self.closed_rate, on_time_rate=self.on_time_rate,
                 avg_handling_workdays=self.avg_handling_workdays, all_on_time=self.all_on_time,
                 flagged=self.flagged)
        return d


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def unit_metrics(start: dt.date, end: dt.date, cal: WorkCalendar | None = None) -> list[UnitMetrics]:
    """Metrics for every unit that received messages submitted in [start, end] (local dates),
    regions first in notice order, then departments."""
    if end < start:
        raise ValueError(f"结束日期 {end} 早于开始日期 {start}")
    cal = cal or load_calendar()
    lo, hi = _bounds(start, end)
    units: dict[tuple[str, int], UnitMetrics] = {}
    excluded = {int(s) for s in (*REJECTED_STATUSES, *DUPLICATE_STATUSES, Status.UNHANDLED)}
    closed = {int(s) for s in CLOSED_STATUSES}
    qs = Message.objects.filter(created_at__gte=lo, created_at__lt=hi).select_related(
        "office_region", "office_department")
    for msg in qs.iterator(chunk_size=2000):
        if msg.office_department_id:
            unit, kind = msg.office_department, "department"
        elif msg.office_region_id:
            unit, kind = msg.office_region, "region"
        else:
            continue
        key = (kind, unit.pk)
        um = units.get(key)
        if um is None:
            um = units[key] = UnitMetrics(kind, unit.code, unit.name, unit.notice_order)
        um.received += 1
        if msg.status in excluded:
            um.excluded += 1
            continue
        um.valid += 1
        if msg.status in closed:
            um.closed += 1
            if closed_on_time(msg, cal):
                um.closed_on_time += 1
            if msg.screened_at and msg.closed_at:
                um.handling_days.append(cal.workdays_between(local_date(msg.screened_at), local_date(msg.closed_at)))
    return sorted(units.values(), key=lambda u: (u.unit_kind != "region", u.order or 999, u.unit_code))


def totals(rows: list[UnitMetrics]) -> UnitMetrics:
    t = UnitMetrics("all", "", "合计", 0)
    for r in rows:
        t.received += r.received
        t.excluded += r.excluded
        t.valid += r.valid
        t.closed += r.closed
        t.closed_on_time += r.closed_on_time
        t.handling_days.extend(r.handling_days)
    return t
