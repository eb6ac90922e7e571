"""The monitor service's schedule (deterministic, jittered, every day complete) and a real
run against local HTTP servers under a time warp."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, datetime, timedelta

from aiohttp import web

from govsite.engine.indicators.availability import CST
from govsite.engine.monitor import Monitor, MonitorConfig, day_schedule, next_probe


def test_schedule_is_deterministic_jittered_and_complete() -> None:
    day = date(2017, 9, 14)
    a = day_schedule("site-1", day, 20, seed=7)
    assert a == day_schedule("site-1", day, 20, seed=7)  # same seed, same schedule
    assert a != day_schedule("site-1", day, 20, seed=8) and a != day_schedule("site-2", day, 20, seed=7)
    midnight = datetime(2017, 9, 14, tzinfo=CST)
    interval = 86400 / 20
    offsets = [(t - midnight).total_seconds() - k * interval for k, t in enumerate(a)]
    # one probe in each slot, inside its middle 80 %, so consecutive probes are ≥ 0.2 slot apart
    assert len(a) == 20 and all(0.1 * interval <= o <= 0.9 * interval for o in offsets)
    assert len({round(o) for o in offsets}) > 10  # jittered, not the slot middles
    assert day_schedule("x", day, 20, seed=7, jitter=0) == [midnight + timedelta(seconds=(k + 0.5) * interval)
                                                          for k in range(20)]


def test_next_probe_follows_the_schedule_across_midnight() -> None:
    day = date(2017, 9, 14)
    today, tomorrow = day_schedule("s", day, 24, seed=3), day_schedule("s", day + timedelta(days=1), 24, seed=3)
    t = datetime(2017, 9, 14, tzinfo=CST) - timedelta(seconds=1)
    seen = []
    for _ in range(26):
        t = next_probe("s", t, 24, seed=3)
        seen.append(t)
    assert seen == today + tomorrow[:2]


def test_monitor_probes_every_site_on_schedule_and_applies_the_timeout() -> None:
    async def scenario() -> tuple[list, object]:
        async def ok(_: web.Request) -> web.Response:
            return web.Response(text="<html>ok</html>")

        async def down(_: web.Request) -> web.Response:
            return web.Response(status=503, text="down")

        async def slow(_: web.Request) -> web.Response:
            await asyncio.sleep(3.0)
            return web.Response(text="late")

        app = web.Application()
        app.router.add_get("/", ok)
        app.router.add_get("/down", down)
        app.router.add_get("/slow", slow)
        runner = web.AppRunner(app)
        await runner.setup()
        base = []
        for _ in range(3):  # one server per site: the slow one must not hold the others' per-host slots
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            base.append(f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}")  # type: ignore[union-attr]
        got: list = []

        async def sites() -> list:
            return [("ok", f"{base[0]}/"), ("down", f"{base[1]}/down"), ("slow", f"{base[2]}/slow")]

        async def sink(batch: list) -> None:
            got.extend(batch)

        # One simulated day in 4 real seconds; a real timeout of 1 s stands for the 15 s rule.
        warp = 86400 / 4
        cfg = MonitorConfig(per_day=20, timeout=15, seed=1, time_warp=warp, start=datetime(2017, 9, 14, tzinfo=CST),
                            allow_private=True, min_real_timeout=1.0, flush_every=0.2)
        mon = Monitor(cfg, sites, sink)
        try:
            stats = await mon.run(duration=4.0 + 1.5)
        finally:
            await runner.cleanup()
        return got, stats

    got, stats = asyncio.run(scenario())
    day = [(k, p) for k, p in got if p.t.astimezone(CST).date() == date(2017, 9, 14)]
    assert Counter(k for k, _ in day) == {"ok": 20, "down": 20, "slow": 20}
    # stamped with the seeded schedule
    assert sorted(p.t for k, p in day if k == "ok") == day_schedule("ok", date(2017, 9, 14), 20, seed=1)
    assert all(p.ok for k, p in day if k == "ok")
    assert all(not p.ok and p.status == 503 for k, p in day if k == "down")
    assert all(not p.ok and p.error == "timeout" for k, p in day if k == "slow")
    assert stats.probes == len(got) and stats.sites == 3
