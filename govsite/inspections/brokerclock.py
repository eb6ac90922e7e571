"""Kombu's Redis transport on Redis's clock instead of the worker's.

With late acknowledgement, kombu's Redis transport keeps each delivered message in an
"unacked" index scored by the wall-clock time of the worker that took it, and every worker
periodically puts back in the queue the messages whose score is older than the visibility
timeout — by ITS OWN clock. A worker hours ahead therefore redelivers every other worker's
running jobs, and the jobs of a worker hours behind look hours old to everyone else.

The transport reads the wall clock in exactly those two places (the module-level ``time()`` in
``QoS.append`` and ``QoS.restore_visible``); :func:`install` makes that name read Redis's clock
(``TIME``), so every worker stamps and judges by the same clock whatever its own says. The
reading is anchored to the process's monotonic clock and re-taken every few minutes, so it
costs one round trip per ``refresh`` seconds, not one per message.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger("govsite.inspections.brokerclock")


class RedisClock:
    """Seconds since the epoch by the Redis server's clock (a callable like ``time.time``)."""

    def __init__(self, url: str, refresh: float = 300.0) -> None:
        import redis

        self.url = url
        self.refresh = refresh
        self._client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._anchor: tuple[float, float] | None = None  # (Redis time, monotonic) at the last reading
        self._lock = threading.Lock()

    def __call__(self) -> float:
        import redis

        with self._lock:
            now = time.monotonic()
            if self._anchor is None or now - self._anchor[1] > self.refresh:
                try:
                    seconds, micros = self._client.time()
                    after = time.monotonic()
                    first = self._anchor is None
                    self._anchor = (seconds + micros / 1e6, (now + after) / 2)
                    self._said(first, self._anchor[0] - time.time())
                except redis.RedisError:
                    if self._anchor is None:
                        raise  # kombu treats it as a broker connection error and reconnects
                    # Keep the last anchor: the monotonic clock carries it over a Redis restart.
            server, mono = self._anchor
            return server + (time.monotonic() - mono)

    @staticmethod
    def _said(first: bool, offset: float) -> None:
        if abs(offset) > 60:
            log.warning(
                "本机时钟与 Redis 相差 %+.0f 秒：任务的可见性超时仍按 Redis 时钟判断，请用 NTP 校准本机时钟",
                offset,
            )
        elif first:
            log.info("可见性超时按 Redis 时钟判断（本机时钟与 Redis 相差 %+.1f 秒）", offset)


def install(broker_url: str | None) -> bool:
    """Put kombu's Redis transport in this process on the broker's clock; False when the
    broker is not Redis (RabbitMQ redelivers on a lost connection, with no clock involved)."""
    if not broker_url or not broker_url.startswith(("redis://", "rediss://")):
        return False
    from kombu.transport import redis as kombu_redis

    current = getattr(kombu_redis, "time", None)
    if isinstance(current, RedisClock):
        return True
    if current is not time.time:
        # A kombu that no longer reads time() this way: say so rather than patch blindly.
        log.warning(
            "kombu 的 Redis 传输未按预期读取本机时钟，未改用 Redis 时钟（工作进程间时钟偏差可能导致重复投递）"
        )
        return False
    kombu_redis.time = RedisClock(broker_url)
    return True
