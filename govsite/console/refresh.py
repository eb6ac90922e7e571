"""Cached figures that no user request waits for once they exist: a value older than `fresh`
seconds is still served while one background thread recomputes it (stale-while-revalidate).
Only a value that is missing — never computed, evicted, dropped on change, or unused for longer
than `keep` seconds — is computed in the request that asks for it.

One refill at a time per key: the refill marker is taken with cache.add, atomic in the local
memory cache (one refiller per process) and in Redis (one for every worker)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connections

T = TypeVar("T")
log = logging.getLogger(__name__)
REFILL_TIMEOUT = 120  # seconds: a refill marker left by a killed process frees itself
_running: set[threading.Thread] = set()
_running_lock = threading.Lock()
_missing: dict[str, threading.Lock] = {}  # keys being computed in a request


def fresh_or_stale(key: str, compute: Callable[[], T], fresh: int, keep: int | None = None) -> T:
    """The cached value of `key`; recomputed in the background once older than `fresh` seconds,
    in this request only when missing or older than `keep` (default five times `fresh`)."""
    keep = keep if keep is not None else 5 * fresh
    entry = cache.get(key)  # (value, fresh until), kept `keep` seconds
    if entry is None:
        # The threads of this process that miss together wait for one computation: under the GIL
        # computing it in each at once only made every one of them slower.
        with _running_lock:
            lock = _missing.setdefault(key, threading.Lock())
        try:
            with lock:
                entry = cache.get(key)
                if entry is None:
                    value = compute()
                    cache.set(key, (value, time.time() + fresh), keep)
                    return value
        finally:
            with _running_lock:  # keys come and go (a dashboard generation per change): no lock kept
                if _missing.get(key) is lock and not lock.locked():
                    del _missing[key]
    value, fresh_until = entry
    if time.time() >= fresh_until and cache.add(f"{key}:refill", 1, REFILL_TIMEOUT):
        thread = threading.Thread(
            target=_refill, args=(key, compute, fresh, keep), name=f"refill {key}", daemon=True
        )
        with _running_lock:
            _running.add(thread)
        thread.start()
    return value


def _refill(key: str, compute: Callable[[], T], fresh: int, keep: int) -> None:
    try:
        value = compute()
        cache.set(key, (value, time.time() + fresh), keep)
    except Exception:  # the stale value stays; the next request after the marker is gone retries
        log.exception("后台刷新缓存失败：%s", key)
    finally:
        cache.delete(f"{key}:refill")
        connections.close_all()  # this thread's own connections only
        with _running_lock:
            _running.discard(threading.current_thread())


def wait_for_refills(timeout: float = 10.0) -> None:
    """Wait until the background refills started so far are done (tests, orderly shutdown)."""
    with _running_lock:
        threads = list(_running)
    for t in threads:
        t.join(timeout)
