"""The Redis cache backend: real Redis, one client per pool, values round-trip across threads."""

from __future__ import annotations

import threading

import pytest

from govsite.project.cache import RedisCache

REDIS = "redis://127.0.0.1:6379/13"


@pytest.fixture
def cache():  # noqa: ANN201
    c = RedisCache(REDIS, {"KEY_PREFIX": "govsite-test-cache"})
    c.clear()
    yield c
    c.clear()


def test_one_client_per_pool(cache) -> None:  # noqa: ANN001
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client("any-key") is client


def test_values_round_trip_from_many_threads(cache) -> None:  # noqa: ANN001
    cache.set("shared", {"sites": 29431}, 60)
    seen: list[object] = []

    def worker(i: int) -> None:
        cache.set(f"k{i}", i, 60)
        seen.append((cache.get("shared"), cache.get(f"k{i}")))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen, key=lambda x: x[1]) == [({"sites": 29431}, i) for i in range(8)]
    assert cache.get_many(["k0", "k7", "missing"]) == {"k0": 0, "k7": 7}
    cache.delete("k0")
    assert cache.get("k0") is None
