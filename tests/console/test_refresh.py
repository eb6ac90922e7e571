"""Cached console figures are refreshed in the background: once a value exists, no request waits
for its recomputation, and concurrent requests start one refill, not one each."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import cache

from govsite.console import refresh, scope
from govsite.console.refresh import fresh_or_stale, wait_for_refills
from govsite.registry.models import Site
from tests.console.conftest import Console, client_for


class Counter:
    """A computation that reports which threads ran it and can be held up."""

    def __init__(self) -> None:
        self.value = 0
        self.threads: list[int] = []
        self.release = threading.Event()
        self.release.set()

    def __call__(self) -> int:
        self.threads.append(threading.get_ident())
        self.release.wait(5)
        self.value += 1
        return self.value


def test_a_stale_value_is_served_while_one_background_thread_recomputes_it() -> None:
    cache.clear()
    compute = Counter()
    assert fresh_or_stale("t:stale", compute, fresh=1) == 1  # missing: computed in the request
    assert compute.threads == [threading.get_ident()]
    assert fresh_or_stale("t:stale", compute, fresh=1) == 1  # fresh: served as is
    time.sleep(1.05)
    compute.release.clear()  # the refill now blocks until released
    answers = []

    def request() -> None:
        answers.append(fresh_or_stale("t:stale", compute, fresh=1))

    requests = [threading.Thread(target=request) for _ in range(8)]
    for t in requests:
        t.start()
    for t in requests:
        t.join(5)
    # Every request answered at once with the stale value while the refill is still held up…
    assert answers == [1] * 8
    assert len(compute.threads) == 2  # …and only one refill started, on a thread of its own
    assert compute.threads[1] not in {t.ident for t in requests} | {threading.get_ident()}
    compute.release.set()
    wait_for_refills()
    assert fresh_or_stale("t:stale", compute, fresh=1) == 2
    assert len(compute.threads) == 2


def test_a_failed_refill_keeps_the_stale_value_and_is_retried() -> None:
    cache.clear()
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database gone")
        return f"v{len(calls)}"

    assert fresh_or_stale("t:flaky", flaky, fresh=1) == "v1"
    time.sleep(1.05)
    assert fresh_or_stale("t:flaky", flaky, fresh=1) == "v1"  # starts the refill that fails
    wait_for_refills()
    assert fresh_or_stale("t:flaky", flaky, fresh=1) == "v1"  # still served; the retry starts
    wait_for_refills()
    assert fresh_or_stale("t:flaky", flaky, fresh=1) == "v3"


@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # the refill thread reads the database on its own connection
def test_the_registry_count_is_recounted_in_the_background(console: Console) -> None:
    user = console.w.users["nadmin"]

    def running() -> int:
        qs = scope.visible_sites(user).filter(status=Site.Status.RUNNING)
        return scope.cached_count(user, qs, "running", ttl=1)

    before = running()
    assert before == Site.objects.filter(status=Site.Status.RUNNING).count() > 0
    Site.objects.filter(pk=console.w.dept_site.pk).update(status=Site.Status.CLOSED)
    time.sleep(1.05)
    assert running() == before  # the stale count, at once
    wait_for_refills()
    assert running() == before - 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_dashboard_is_served_and_refreshed_after_its_ttl(console: Console, monkeypatch) -> None:  # noqa: ANN001
    from govsite.console import views

    monkeypatch.setattr(views, "DASHBOARD_TTL", 1)
    c = client_for(console.w.users["gd_admin"])
    first = c.get("/console/")
    assert first.status_code == 200
    # A change the save signals do not see (a bulk update): picked up by the background refresh.
    from govsite.feedback.models import Message

    gz_code = console.messages[console.w.gz_site.code].query_code
    assert gz_code not in first.content.decode()
    Message.objects.filter(query_code=gz_code).update(overdue=True)
    time.sleep(1.05)
    assert gz_code not in c.get("/console/").content.decode()  # the stale figures, at once
    wait_for_refills()
    assert gz_code in c.get("/console/").content.decode()


def test_threads_missing_the_same_value_together_compute_it_once() -> None:
    cache.clear()
    compute = Counter()
    compute.release.clear()
    answers = []

    def request() -> None:
        answers.append(fresh_or_stale("t:cold", compute, fresh=60))

    requests = [threading.Thread(target=request) for _ in range(6)]
    for t in requests:
        t.start()
    time.sleep(0.2)  # all six are in: one computes, the others wait for it
    compute.release.set()
    for t in requests:
        t.join(5)
    assert answers == [1] * 6 and len(compute.threads) == 1
    assert refresh._missing == {}  # no lock left behind for the key
