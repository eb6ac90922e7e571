"""unit_metrics aggregates in the database; these tests hold it to the plain per-message
computation (workflow.closed_on_time and local working days, message by message) on a mixed,
randomised set of messages, including times around local midnight and the National Day holiday."""

from __future__ import annotations

import datetime as dt
import random
import secrets

import pytest
from django.utils import timezone

from govsite.feedback.metrics import UnitMetrics, unit_metrics
from govsite.feedback.models import CLOSED_STATUSES, DUPLICATE_STATUSES, REJECTED_STATUSES, Message, Status
from govsite.feedback.workdays import WorkCalendar
from govsite.feedback.workflow import closed_on_time, local_date

pytestmark = pytest.mark.django_db
CAL = WorkCalendar()
TZ = timezone.get_current_timezone()


def per_message(start: dt.date, end: dt.date) -> list[UnitMetrics]:
    """The reference: every message loaded and judged one by one."""
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=TZ)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=TZ)
    excluded = {int(s) for s in (*REJECTED_STATUSES, *DUPLICATE_STATUSES, Status.UNHANDLED)}
    units: dict[tuple[str, int], UnitMetrics] = {}
    for msg in Message.objects.filter(created_at__gte=lo, created_at__lt=hi).select_related(
            "office_region", "office_department"):
        if msg.office_department_id:
            unit, kind = msg.office_department, "department"
        elif msg.office_region_id:
            unit, kind = msg.office_region, "region"
        else:
            continue
        um = units.setdefault((kind, unit.pk), UnitMetrics(kind, unit.code, unit.name, unit.notice_order))
        um.received += 1
        if msg.status in excluded:
            um.excluded += 1
            continue
        um.valid += 1
        if msg.status in CLOSED_STATUSES:
            um.closed += 1
            um.closed_on_time += closed_on_time(msg, CAL)
            if msg.screened_at and msg.closed_at:
                um.handling_days.append(CAL.workdays_between(local_date(msg.screened_at), local_date(msg.closed_at)))
    return sorted(units.values(), key=lambda u: (u.unit_kind != "region", u.order or 999, u.unit_code))


def _moment(rng: random.Random, base: dt.datetime, max_days: int) -> dt.datetime:
    # Hours 23 and 0 local on purpose: the local date differs from the UTC date there.
    day = base + dt.timedelta(days=rng.randint(0, max_days))
    return day.replace(hour=rng.choice([0, 8, 15, 23]), minute=rng.choice([0, 30, 59]))


def _messages(world, n: int, seed: int) -> None:  # noqa: ANN001
    rng = random.Random(seed)
    sites = [world.gz_site, world.th_site, world.hb_site, world.dept_site]
    offices = [(world.gd.pk, None), (world.hb.pk, None), (None, world.dept.pk), (None, None)]
    statuses = [int(s) for s in Status]
    start = dt.datetime(2024, 9, 20, tzinfo=TZ)
    for _ in range(n):
        site = rng.choice(sites)
        region_id, dept_id = rng.choice(offices)
        status = rng.choice(statuses + [int(s) for s in CLOSED_STATUSES] * 3)
        created = _moment(rng, start, 20)
        screened = None if rng.random() < 0.15 else created + dt.timedelta(hours=rng.randint(1, 60))
        replied = None if rng.random() < 0.15 else (screened or created) + dt.timedelta(hours=rng.randint(1, 240))
        closed = None if rng.random() < 0.1 else (replied or created) + dt.timedelta(hours=rng.randint(0, 72))
        m = Message.objects.create(
            query_code=secrets.token_urlsafe(16), form_nonce=secrets.token_urlsafe(18), site=site,
            site_code=site.code, site_name=site.name, page_url=site.home_url, category=rng.randint(0, 6),
            description="测试留言内容用于核对统计", status=status, office_region_id=region_id,
            office_department_id=dept_id, screened_at=screened, replied_at=replied, closed_at=closed)
        Message.objects.filter(pk=m.pk).update(created_at=created)  # auto_now_add on create


def _comparable(rows: list[UnitMetrics]) -> list[tuple]:
    return [(r.as_dict(), sorted(r.handling_days)) for r in rows]


@pytest.mark.parametrize("seed", [1, 2])
def test_database_aggregation_equals_per_message_computation(world, seed: int) -> None:
    _messages(world, 160, seed)
    for start, end in [(dt.date(2024, 9, 1), dt.date(2024, 9, 30)), (dt.date(2024, 9, 25), dt.date(2024, 10, 3)),
                       (dt.date(2024, 7, 1), dt.date(2024, 12, 31))]:
        got, want = unit_metrics(start, end, CAL), per_message(start, end)
        assert want, "the generated set must exercise some units"
        assert _comparable(got) == _comparable(want), (start, end)
    # Some messages are closed on time and some late, so both branches are compared.
    rows = unit_metrics(dt.date(2024, 7, 1), dt.date(2024, 12, 31), CAL)
    assert sum(r.closed_on_time for r in rows) > 0
    assert sum(r.closed - r.closed_on_time for r in rows) > 0


def test_unrouted_messages_and_empty_periods(world) -> None:
    _messages(world, 20, 7)
    Message.objects.update(office_region=None, office_department=None)
    assert unit_metrics(dt.date(2024, 7, 1), dt.date(2024, 12, 31), CAL) == []
    with pytest.raises(ValueError):
        unit_metrics(dt.date(2024, 9, 2), dt.date(2024, 9, 1), CAL)
