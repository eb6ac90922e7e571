"""The idempotent per-site work behind Celery jobs (claim, conditional record, duplicate and
redelivered jobs) and the Redis per-host limiter. Uses the real Redis: fails if it is down."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import threading
import time
import uuid

import pytest
import redis

from govsite.inspections import dispatch
from govsite.inspections.executor import RunOptions, _prepare
from govsite.inspections.offline import rule_report
from tests.inspections import checkers

REDIS = "redis://127.0.0.1:6379/0"


@contextlib.asynccontextmanager
async def unreachable_checker(options: RunOptions):  # noqa: ANN201 - loaded by name, like --checker
    async def check(job) -> dict:  # noqa: ANN001
        checkers.CALLS.append(job.code)
        raise ConnectionError("连接被拒绝")

    yield check


@pytest.fixture
def limiter_env(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("GOVSITE_REDIS_URL", REDIS)
    monkeypatch.setattr(
        dispatch, "_limiter", dispatch.HostLimiter(REDIS, prefix=f"govsite:test:{uuid.uuid4().hex}:")
    )
    redis.Redis.from_url(REDIS).ping()  # an unreachable Redis fails the test


def _message(campaign_id: int, checker: str = "tests.inspections.checkers:rules_checker") -> list[dict]:
    opts = RunOptions(backoff=0, max_attempts=2)
    jobs, _ = _prepare(campaign_id, opts)
    return [dispatch.job_message(campaign_id, j, opts, checker) for j in jobs]


def _campaign(size: int = 5):  # noqa: ANN202
    from govsite.inspections.campaigns import draw_national_sample

    return draw_national_sample("2017Q3", size, "celery", minimum=0)


@pytest.mark.django_db
def test_duplicate_delivery_records_nothing_twice(registry, limiter_env) -> None:  # noqa: ANN001
    c = _campaign()
    msgs = _message(c.pk)
    assert [dispatch.check_one(m) for m in msgs] == ["recorded"] * len(msgs)
    first = {cs.pk: (cs.attempts, cs.finished_at, cs.report) for cs in c.sites.all()}
    assert all(a == 1 and r for a, _, r in first.values())
    # The same jobs delivered again: nothing is checked or written.
    checkers.CALLS.clear()
    assert [dispatch.check_one(m, redelivered=True) for m in msgs] == ["skipped"] * len(msgs)
    assert checkers.CALLS == []
    assert {cs.pk: (cs.attempts, cs.finished_at, cs.report) for cs in c.sites.all()} == first


def _age_claim(site_pk: int, seconds: float) -> None:
    """The claim's holder died ``seconds`` ago: its last heartbeat is that old (database clock)."""
    from django.db.models.functions import Now

    from govsite.inspections.models import CampaignSite

    CampaignSite.objects.filter(pk=site_pk).update(heartbeat_at=Now() - dt.timedelta(seconds=seconds))


@pytest.mark.django_db
def test_record_is_keyed_on_the_attempt(registry) -> None:  # noqa: ANN001
    c = _campaign(2)
    cs = c.sites.first()
    a1 = dispatch.claim(c.pk, cs.pk, max_attempts=3)
    # A second delivery while the first holder is alive does not take the site…
    with pytest.raises(dispatch.ClaimHeld):
        dispatch.claim(c.pk, cs.pk, max_attempts=3)
    # …but once the holder's heartbeat is stale (it died), a redelivery claims it again…
    _age_claim(cs.pk, dispatch.CLAIM_STALE + 1)
    a2 = dispatch.claim(c.pk, cs.pk, max_attempts=3)
    assert (a1, a2) == (1, 2)
    report = {"verdict": "pass", "score": 90, "indicators": []}
    # …so the first delivery's late result is dropped, the second's is kept, once.
    assert dispatch.record(c.pk, cs.pk, a1, "done", report, "") is False
    assert dispatch.record(c.pk, cs.pk, a2, "done", report, "") is True
    assert dispatch.record(c.pk, cs.pk, a2, "done", {**report, "score": 1}, "") is False
    cs.refresh_from_db()
    assert (cs.state, cs.attempts, cs.score) == ("done", 2, 90.0)
    assert dispatch.claim(c.pk, cs.pk, max_attempts=3) is None  # finished: nothing to claim
    other = c.sites.exclude(pk=cs.pk).first()
    assert dispatch.claim(c.pk + 999, other.pk, max_attempts=3) is None  # wrong campaign


@pytest.mark.django_db
def test_heartbeat_keeps_a_claim_live_by_the_database_clock(registry) -> None:  # noqa: ANN001
    c = _campaign(2)
    cs, other = list(c.sites.all()[:2])
    a1 = dispatch.claim(c.pk, cs.pk, max_attempts=3)
    b1 = dispatch.claim(c.pk, other.pk, max_attempts=3)
    _age_claim(cs.pk, dispatch.CLAIM_STALE - 1)  # nearly stale…
    _age_claim(other.pk, dispatch.CLAIM_STALE + 1)  # …and stale: its holder stopped beating
    assert set(dispatch._stalled(c.pk)) == {other.pk} | set(
        c.sites.filter(state="pending").values_list("pk", flat=True)
    )
    # The holder of cs renews its claim; a renewal for a superseded attempt renews nothing.
    b2 = dispatch.claim(c.pk, other.pk, max_attempts=3)
    assert dispatch.heartbeat({cs.pk: a1, other.pk: b1}) == 1
    _age_claim(other.pk, 0)
    with pytest.raises(dispatch.ClaimHeld):
        dispatch.claim(c.pk, cs.pk, max_attempts=3)
    assert dispatch.record(c.pk, other.pk, b2, "done", {"verdict": "pass", "indicators": []}, "")
    # A re-run of the dispatcher keeps the live claim (its job is sent again, to wait on it)
    # and resets a dead one to pending.
    opts = RunOptions()
    jobs, _ = _prepare(c.pk, opts, live_claims=dispatch.CLAIM_STALE)
    cs.refresh_from_db()
    assert cs.state == "running" and cs.pk in {j.campaign_site_id for j in jobs}
    _age_claim(cs.pk, dispatch.CLAIM_STALE + 1)
    _prepare(c.pk, opts, live_claims=dispatch.CLAIM_STALE)
    cs.refresh_from_db()
    assert cs.state == "pending"


@pytest.mark.django_db
def test_a_job_that_keeps_killing_workers_is_failed(registry) -> None:  # noqa: ANN001
    c = _campaign(1)
    cs = c.sites.get()
    for _ in range(3):  # three deliveries died before recording
        assert dispatch.claim(c.pk, cs.pk, max_attempts=1) is not None
        _age_claim(cs.pk, dispatch.CLAIM_STALE + 1)
    assert dispatch.claim(c.pk, cs.pk, max_attempts=1) is None
    cs.refresh_from_db()
    assert cs.state == "failed" and "中断" in cs.error


SLOW_CHECK = 5.0  # seconds; longer than the CLAIM_STALE the lane test sets


@contextlib.asynccontextmanager
async def slow_checker(options: RunOptions):  # noqa: ANN201 - loaded by name, like --checker
    async def check(job) -> dict:  # noqa: ANN001
        checkers.CALLS.append(job.code)
        await asyncio.sleep(SLOW_CHECK)
        return rule_report(job)

    yield check


def _in_thread(fn, *args, **kwargs) -> tuple[threading.Thread, list]:  # noqa: ANN001
    out: list = []
    t = threading.Thread(target=lambda: out.append(fn(*args, **kwargs)), daemon=True)
    t.start()
    return t, out


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_duplicate_delivery_waits_for_the_live_holder(registry, limiter_env, monkeypatch) -> None:  # noqa: ANN001
    """Through a worker's database lane: a duplicate of a job whose holder is alive neither
    checks the site nor takes it; it ends when the holder records, or takes over once the
    holder's heartbeat is stale (a dead holder) — both judged by the database's clock."""
    monkeypatch.setattr(dispatch, "CLAIM_STALE", 3.0)
    checkers.CALLS.clear()
    c = _campaign(3)
    msgs = {m["job"]["campaign_site_id"]: m for m in _message(c.pk)}
    live, dead, beating = list(msgs)
    lane = dispatch.DbLane(beat_every=0.3)

    a = dispatch.claim(c.pk, live, max_attempts=2)  # a live holder elsewhere
    t, out = _in_thread(dispatch.check_one, msgs[live], lane=lane)
    time.sleep(1.0)
    assert t.is_alive() and not out and checkers.CALLS == []
    dispatch.heartbeat({live: a})
    assert dispatch.record(c.pk, live, a, "done", {"verdict": "pass", "indicators": []}, "")
    t.join(10)
    assert out == ["skipped"] and checkers.CALLS == []

    d = dispatch.claim(c.pk, dead, max_attempts=2)  # a holder that never beats again
    started = time.monotonic()
    assert dispatch.check_one(msgs[dead], lane=lane) == "recorded"
    assert time.monotonic() - started >= 2.5  # it waited for the claim to go stale
    assert dispatch.record(c.pk, dead, d, "done", {"verdict": "pass", "indicators": []}, "") is False

    # The lane's heartbeats keep its own long check live past CLAIM_STALE: no one takes it.
    slow = {**msgs[beating], "checker": "tests.inspections.test_celery_dispatch:slow_checker"}
    t, out = _in_thread(dispatch.check_one, slow, lane=lane)
    deadline = time.monotonic() + 10
    while not checkers.CALLS.count(msgs[beating]["job"]["code"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(dispatch.CLAIM_STALE + 1.0)  # the claim is older than CLAIM_STALE now
    with pytest.raises(dispatch.ClaimHeld):
        dispatch.claim(c.pk, beating, max_attempts=2)
    t.join(10)
    assert out == ["recorded"]
    rows = dict(c.sites.values_list("pk", "attempts"))
    assert rows == {live: 1, dead: 2, beating: 1}
    assert set(c.sites.values_list("state", flat=True)) == {"done"}


@pytest.mark.django_db
def test_transient_failure_is_retried_then_recorded_failed(registry, limiter_env) -> None:  # noqa: ANN001
    checkers.CALLS.clear()
    c = _campaign(2)
    msgs = _message(c.pk, "tests.inspections.test_celery_dispatch:unreachable_checker")
    assert [dispatch.check_one(m) for m in msgs] == ["recorded"] * 2
    for cs in c.sites.all():
        assert cs.state == "failed" and cs.attempts == 2 and "连接被拒绝" in cs.error
    assert len(checkers.CALLS) == 4


def test_host_limiter_caps_holders_across_clients_and_expires() -> None:
    prefix = f"govsite:test:{uuid.uuid4().hex}:"
    a, b = dispatch.HostLimiter(REDIS, prefix), dispatch.HostLimiter(REDIS, prefix)  # two "workers"
    t1 = a.try_acquire("x.gov.cn", 2, ttl=30)
    t2 = b.try_acquire("x.gov.cn", 2, ttl=30)
    assert t1 and t2 and b.try_acquire("x.gov.cn", 2, ttl=30) is None
    assert a.try_acquire("y.gov.cn", 2, ttl=30)  # another host has its own budget
    a.release("x.gov.cn", t1)
    assert b.try_acquire("x.gov.cn", 2, ttl=30)
    # A holder that died never releases: its slot expires by Redis's clock.
    short = f"govsite:test:{uuid.uuid4().hex}:"
    c = dispatch.HostLimiter(REDIS, short)
    assert c.try_acquire("z", 1, ttl=0.3) and c.try_acquire("z", 1, ttl=0.3) is None
    time.sleep(0.4)
    assert c.try_acquire("z", 1, ttl=0.3)


@pytest.mark.django_db
def test_unreachable_broker_is_a_clear_error_and_changes_nothing(registry, monkeypatch) -> None:  # noqa: ANN001
    from click.testing import CliRunner

    from govsite.cli import main

    c = _campaign(3)
    before = (c.state, list(c.sites.values_list("state", "attempts")))
    monkeypatch.setenv("GOVSITE_BROKER_URL", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    r = CliRunner().invoke(main, ["campaign", "run", str(c.pk), "--no-progress"])
    assert r.exit_code == 2 and "无法连接任务队列" in r.output and "Traceback" not in r.output
    c.refresh_from_db()
    assert (c.state, list(c.sites.values_list("state", "attempts"))) == before
