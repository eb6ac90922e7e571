"""The availability monitor as a long-running service (plain asyncio, no Django).

Every site is probed `per_day` times per calendar day (China time): the day is cut into
`per_day` equal slots and each probe falls at a random point inside the middle `jitter` share
of its slot, drawn from (seed, site, day, slot) — so the schedule is reproducible, the
probes of 29,431 sites are spread over the day instead of firing together, and every day
has exactly `per_day` probes. Each probe is `availability.probe_once` through one shared
Fetcher: the home page must answer within `timeout` seconds (the 15 s rule).

Where the sites come from and where probes go are the caller's: `sites()` is re-read every
`refresh` seconds (sites opened or closed in the registry), and `sink(results)` receives the
finished probes in batches (the platform stores them, see govsite.registry.availability).
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import random
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from govsite.engine.fetch import FetchConfig, Fetcher
from govsite.engine.indicators.availability import CST, Probe, probe_once

log = logging.getLogger("govsite.engine.monitor")

SitesFn = Callable[[], Awaitable[list[tuple[Hashable, str]]]]
SinkFn = Callable[[list[tuple[Hashable, Probe]]], Awaitable[None]]


@dataclass
class MonitorConfig:
    per_day: int = 20
    timeout: float = 15.0  # the 15 s rule: no answer within this (simulated) time is a failure
    seed: int = 0
    jitter: float = 0.8  # share of a slot the probe may fall in (centred), 0 = slot middles
    concurrency: int = 256  # probes in flight at once
    per_host: int = 2
    time_warp: float = 1.0  # simulated seconds per real second (against the farm's warp)
    start: datetime | None = None  # simulated start; default now
    refresh: float = 300.0  # real seconds between re-reads of the site list
    flush_every: float = 1.0  # real seconds between sink calls
    allow_private: bool = False
    resolve: dict = field(default_factory=dict)
    min_real_timeout: float = 0.5  # under a warp a loaded machine still needs real time to answer


def _midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=CST)


def slot_time(key: Hashable, day: date, slot: int, per_day: int, seed: int, jitter: float) -> datetime:
    """The probe time of one slot of one site on one day (deterministic)."""
    interval = 86400.0 / per_day
    u = random.Random(f"{seed}|{key}|{day.isoformat()}|{slot}").random()
    return _midnight(day) + timedelta(seconds=interval * (slot + 0.5 + (u - 0.5) * jitter))


def day_schedule(key: Hashable, day: date, per_day: int, seed: int = 0, jitter: float = 0.8) -> list[datetime]:
    return [slot_time(key, day, k, per_day, seed, jitter) for k in range(per_day)]


def next_probe(key: Hashable, after: datetime, per_day: int, seed: int = 0, jitter: float = 0.8) -> datetime:
    """The first scheduled probe of `key` strictly after `after`."""
    local = after.astimezone(CST)
    day = local.date()
    interval = 86400.0 / per_day
    k = max(0, int((local - _midnight(day)).total_seconds() // interval) - 1)
    while True:
        if k >= per_day:
            day, k = day + timedelta(days=1), 0
        t = slot_time(key, day, k, per_day, seed, jitter)
        if t > after:
            return t
        k += 1


@dataclass
class MonitorStats:
    probes: int = 0
    failures: int = 0
    late: int = 0  # probes started more than one slot after their time (the monitor fell behind)
    sites: int = 0
    started: float = field(default_factory=time.monotonic)
    cpu_started: float = field(default_factory=time.process_time)


class Monitor:
    def __init__(self, cfg: MonitorConfig, sites: SitesFn, sink: SinkFn) -> None:
        self.cfg = cfg
        self._sites_fn = sites
        self._sink = sink
        self.stats = MonitorStats()
        self._urls: dict[Hashable, str] = {}
        self._heap: list[tuple[datetime, int, Hashable]] = []
        self._seq = 0
        self._buffer: list[tuple[Hashable, Probe]] = []
        self._t0 = 0.0
        self._sim0 = cfg.start or datetime.now(CST)

    # simulated clock: the real clock, sped up by the warp from the start
    def now(self) -> datetime:
        real = asyncio.get_running_loop().time() - self._t0
        return self._sim0 + timedelta(seconds=real * self.cfg.time_warp)

    def _real_at(self, t: datetime) -> float:
        return self._t0 + (t - self._sim0).total_seconds() / self.cfg.time_warp

    def _push(self, key: Hashable, after: datetime) -> None:
        t = next_probe(key, after, self.cfg.per_day, self.cfg.seed, self.cfg.jitter)
        self._seq += 1
        heapq.heappush(self._heap, (t, self._seq, key))

    async def _refresh(self) -> None:
        sites = dict(await self._sites_fn())
        now = self.now()
        added = [k for k in sites if k not in self._urls]
        removed = [k for k in self._urls if k not in sites]
        self._urls = sites
        for k in added:
            self._push(k, now)
        self.stats.sites = len(sites)
        if added or removed:
            log.info("监测网站 %s 个（新增 %s，移除 %s）", len(sites), len(added), len(removed))

    async def _flush(self) -> None:
        if self._buffer:
            batch, self._buffer = self._buffer, []
            await self._sink(batch)

    async def run(self, stop: asyncio.Event | None = None, duration: float | None = None) -> MonitorStats:
        """Probe until `stop` is set or `duration` real seconds have passed."""
        cfg = self.cfg
        loop = asyncio.get_running_loop()
        self._t0 = loop.time()
        self.stats = MonitorStats()
        stop = stop or asyncio.Event()
        end = self._t0 + duration if duration is not None else None
        real_timeout = max(cfg.min_real_timeout, cfg.timeout / cfg.time_warp)
        fcfg = FetchConfig(allow_private=cfg.allow_private, resolve=cfg.resolve, retries=0,
                           connect_timeout=real_timeout, read_timeout=real_timeout, total_timeout=real_timeout,
                           per_host=cfg.per_host, global_limit=cfg.concurrency)
        sem = asyncio.Semaphore(cfg.concurrency)
        inflight: set[asyncio.Task] = set()
        slot_real = 86400.0 / cfg.per_day / cfg.time_warp

        async def one(key: Hashable, url: str, due: datetime, f: Fetcher) -> None:
            try:
                # Under a warp a probe is stamped with its slot time (a few ms of local lag
                # would be minutes of simulated time); in real time, with the moment it ran.
                p = await probe_once(f, url, cfg.timeout, cfg.time_warp, at=due if cfg.time_warp > 1 else None,
                                     real_timeout=real_timeout)
            finally:
                sem.release()
            self.stats.probes += 1
            self.stats.failures += 0 if p.ok else 1
            self._buffer.append((key, p))

        async with Fetcher(fcfg) as f:
            await self._refresh()
            next_refresh = loop.time() + cfg.refresh
            next_flush = loop.time() + cfg.flush_every
            try:
                while not stop.is_set() and (end is None or loop.time() < end):
                    now_real = loop.time()
                    if now_real >= next_flush:
                        await self._flush()
                        next_flush = now_real + cfg.flush_every
                    if now_real >= next_refresh:
                        await self._refresh()
                        next_refresh = now_real + cfg.refresh
                    if not self._heap:
                        await _wait(stop, min(next_flush, next_refresh) - loop.time())
                        continue
                    due, _, key = self._heap[0]
                    wait = self._real_at(due) - loop.time()
                    if wait > 0:
                        horizon = min(next_flush, next_refresh, end or float("inf"))
                        await _wait(stop, min(wait, horizon - loop.time()))
                        continue
                    heapq.heappop(self._heap)
                    url = self._urls.get(key)
                    if url is None:  # left the registry since it was scheduled
                        continue
                    if -wait > slot_real:
                        self.stats.late += 1
                    self._push(key, due)
                    await sem.acquire()
                    t = asyncio.create_task(one(key, url, due, f))
                    inflight.add(t)
                    t.add_done_callback(inflight.discard)
            finally:
                if inflight:
                    await asyncio.gather(*inflight, return_exceptions=True)
                await self._flush()
        return self.stats


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    if seconds <= 0:
        await asyncio.sleep(0)
        return
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
