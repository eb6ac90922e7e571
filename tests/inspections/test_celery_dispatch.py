"""The idempotent per-site work behind Celery jobs (claim, conditional record, duplicate and
redelivered jobs) and the Redis per-host limiter. Uses the real Redis: fails if it is down."""

from __future__ import annotations

import contextlib
import time
import uuid

import pytest
import redis

from govsite.inspections import dispatch
from govsite.inspections.executor import RunOptions, _prepare
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


@pytest.mark.django_db
def test_record_is_keyed_on_the_attempt(registry) -> None:  # noqa: ANN001
    c = _campaign(2)
    cs = c.sites.first()
    a1 = dispatch.claim(c.pk, cs.pk, max_attempts=3)
    # A redelivery (the first worker looked dead) claims the site again…
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
def test_a_job_that_keeps_killing_workers_is_failed(registry) -> None:  # noqa: ANN001
    c = _campaign(1)
    cs = c.sites.get()
    for _ in range(3):  # three deliveries died before recording
        assert dispatch.claim(c.pk, cs.pk, max_attempts=1) is not None
    assert dispatch.claim(c.pk, cs.pk, max_attempts=1) is None
    cs.refresh_from_db()
    assert cs.state == "failed" and "中断" in cs.error


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
