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

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from govsite.feedback import conf
from govsite.feedback.models import CLOSED_STATUSES, DUPLICATE_STATUSES, REJECTED_STATUSES, Message, Status
from govsite.feedback.workdays import WorkCalendar, load_calendar
from govsite.registry.models import Department, Region


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
    regions first in notice order, then departments.

    Aggregated in the database: counts per unit, and the closed messages grouped by their local
    screening, reply and closing dates, so only the distinct date triples (not every message)
    reach Python for the working-day arithmetic."""
    if end < start:
        raise ValueError(f"结束日期 {end} 早于开始日期 {start}")
    cal = cal or load_calendar()
    lo, hi = _bounds(start, end)
    excluded = [int(s) for s in (*REJECTED_STATUSES, *DUPLICATE_STATUSES, Status.UNHANDLED)]
    closed = [int(s) for s in CLOSED_STATUSES]
    period = Message.objects.filter(created_at__gte=lo, created_at__lt=hi).order_by()

    def unit_of(row: dict) -> tuple[str, int] | None:
        if row["office_department_id"]:
            return "department", row["office_department_id"]
        if row["office_region_id"]:
            return "region", row["office_region_id"]
        return None

    counts = period.values("office_department_id", "office_region_id").annotate(
        received=Count("id"), excluded=Count("id", filter=Q(status__in=excluded)),
        closed=Count("id", filter=Q(status__in=closed)))
    tally: dict[tuple[str, int], list[int]] = {}
    for row in counts:
        key = unit_of(row)
        if key is not None:
            t = tally.setdefault(key, [0, 0, 0])
            t[0] += row["received"]
            t[1] += row["excluded"]
            t[2] += row["closed"]
    if not tally:
        return []
    names = {("region", r["pk"]): r for r in Region.objects.filter(
        pk__in=[pk for kind, pk in tally if kind == "region"]).values("pk", "code", "name", "notice_order")}
    names.update({("department", d["pk"]): d for d in Department.objects.filter(
        pk__in=[pk for kind, pk in tally if kind == "department"]).values("pk", "code", "name", "notice_order")})
    units: dict[tuple[str, int], UnitMetrics] = {}
    for key, (received, n_excluded, n_closed) in tally.items():
        u = names[key]
        units[key] = UnitMetrics(key[0], u["code"], u["name"], u["notice_order"], received=received,
                                 excluded=n_excluded, valid=received - n_excluded, closed=n_closed)

    tz = timezone.get_current_timezone()
    handle_days = int(conf.get("HANDLE_WORKDAYS"))
    dated = period.filter(status__in=closed).values(
        "office_department_id", "office_region_id", screened=TruncDate("screened_at", tzinfo=tz),
        replied=TruncDate("replied_at", tzinfo=tz), closed_on=TruncDate("closed_at", tzinfo=tz)).annotate(n=Count("id"))
    for row in dated:
        key = unit_of(row)
        if key is None:
            continue
        um, n, screened = units[key], row["n"], row["screened"]
        # As workflow.closed_on_time: the accepted reply by the handling deadline.
        if screened is not None and row["replied"] is not None and \
                row["replied"] <= cal.add_workdays(screened, handle_days):
            um.closed_on_time += n
        if screened is not None and row["closed_on"] is not None:
            um.handling_days.extend([cal.workdays_between(screened, row["closed_on"])] * n)
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
