"""Home-page availability: the prober (`govsite monitor`) and V15-1 / D15-1 from its log.

The log is JSON Lines, one probe per line:
`{"t": "2017-09-14T00:00:00+08:00", "url": …, "ok": true, "status": 200, "elapsed": 0.21, "error": null}`.
`t` and `elapsed` are in simulated time when the prober runs against the farm's time warp
(intervals and timeouts are divided by the warp factor, measured times multiplied by it)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from govsite.engine.fetch import FetchConfig, Fetcher
from govsite.engine.rulesets import RuleSet
from govsite.engine.scoring import Finding, deduction, window_start
from govsite.engine.urls import normalize

CST = timezone(timedelta(hours=8))


@dataclass
class Probe:
    t: datetime
    url: str
    ok: bool
    status: int | None
    elapsed: float
    error: str | None

    def to_json(self) -> dict:
        return {"t": self.t.isoformat(timespec="seconds"), "url": self.url, "ok": self.ok, "status": self.status,
                "elapsed": round(self.elapsed, 3), "error": self.error}


async def probe_once(fetcher: Fetcher, url: str, timeout: float, warp: float = 1.0, at: datetime | None = None,
                     use_server_clock: bool = False, real_timeout: float | None = None) -> Probe:
    """One probe: the page must open within `timeout` (simulated) seconds; ≥ timeout fails."""
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    limit = real_timeout if real_timeout is not None else timeout / warp
    res = await fetcher.fetch(url, "GET", max_body=2 * 1024 * 1024, truncate_ok=True, deadline=t0 + limit)
    real = loop.time() - t0
    elapsed = real * warp
    ok = res.error is None and res.status is not None and res.status < 400 and real < limit
    err = res.error if res.error else (None if ok else "timeout")
    when = at
    if use_server_clock and res.sim_clock:
        try:
            when = datetime.fromisoformat(res.sim_clock)
        except ValueError:
            pass
    return Probe(when or datetime.now(CST), url, ok, res.status, elapsed, err)


async def run_monitor(
    urls: list[str],
    *,
    days: float = 7,
    per_day: int = 20,
    timeout: float = 15.0,
    log: str | Path,
    time_warp: float = 1.0,
    start: datetime | None = None,
    allow_private: bool = False,
    resolve: dict | None = None,
    on_probe: Callable[[Probe], None] | None = None,
    align_to: datetime | None = None,
    min_real_timeout: float = 0.008,
) -> list[Probe]:
    """Probe every URL `per_day` times a day for `days` days, appending to `log` as it goes.

    `align_to` (a simulated instant, read against the server's X-Farm-Clock) starts the series
    half an interval after that instant, so each probe falls in the middle of one time slot.
    Under a time warp the real timeout never drops below `min_real_timeout` (a loopback
    answer needs a few milliseconds whatever the warp)."""
    real_timeout = max(min_real_timeout, timeout / time_warp)
    cfg = FetchConfig(allow_private=allow_private, resolve=resolve or {}, retries=0,
                      connect_timeout=real_timeout, read_timeout=real_timeout, total_timeout=real_timeout,
                      per_host=4, global_limit=256)
    interval = 86400.0 / per_day
    total = int(round(days * per_day))
    server_clock = start is None  # against the farm, stamp probes with its simulated clock
    start = start or datetime.now(CST)
    out: list[Probe] = []
    loop = asyncio.get_running_loop()
    t_real0 = loop.time()
    path = Path(log)
    path.parent.mkdir(parents=True, exist_ok=True)
    async with Fetcher(cfg) as f:
        if time_warp > 1:
            # Under a warp the real timeout is a few milliseconds: open the connections first so
            # the first recorded probe does not pay for the TCP handshake.
            await asyncio.gather(*(f.fetch(u, "GET", deadline=loop.time() + 5, truncate_ok=True) for u in urls))
        if align_to is not None:
            first = await f.get(urls[0])
            if first.sim_clock:
                sim_now = datetime.fromisoformat(first.sim_clock)
                ahead = (align_to - sim_now).total_seconds() + interval / 2
                t_real0 = loop.time() + max(0.0, ahead / time_warp)
                start = align_to + timedelta(seconds=interval / 2)
                server_clock = False  # the schedule itself is aligned; stamp with slot mid-points
        with path.open("a", encoding="utf-8") as fh:
            for i in range(total):
                due = t_real0 + i * interval / time_warp
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                at = start + timedelta(seconds=i * interval)
                probes = list(await asyncio.gather(*(probe_once(f, u, timeout, time_warp, at, server_clock, real_timeout)
                                                     for u in urls)))
                for _ in range(3 if time_warp > 1 else 0):
                    # Under a warp the timeout is milliseconds, within reach of local scheduling noise:
                    # a timed-out probe is repeated at once, inside the same slot (a slow slot stays
                    # slow), and the last answer counts.
                    again = [k for k, p in enumerate(probes) if p.error == "timeout"]
                    if not again:
                        break
                    redo = await asyncio.gather(*(probe_once(f, urls[k], timeout, time_warp, at, server_clock,
                                                             real_timeout) for k in again))
                    for k, p in zip(again, redo, strict=True):
                        probes[k] = p
                for p in probes:
                    fh.write(json.dumps(p.to_json(), ensure_ascii=False) + "\n")
                    out.append(p)
                    if on_probe:
                        on_probe(p)
                fh.flush()
    return out


class ProbeLogError(ValueError):
    pass


def read_log(path: str | Path) -> list[Probe]:
    p = Path(path)
    if not p.is_file():
        raise ProbeLogError(f"探测日志不存在: {p}")
    out = []
    for n, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            t = datetime.fromisoformat(d["t"])
            if t.tzinfo is None:
                t = t.replace(tzinfo=CST)
            out.append(Probe(t, d["url"], bool(d["ok"]), d.get("status"), float(d.get("elapsed") or 0), d.get("error")))
        except (ValueError, KeyError, TypeError) as exc:
            raise ProbeLogError(f"探测日志 {p} 第 {n} 行格式错误: {exc}") from exc
    return out


def availability(rs: RuleSet, probes: list[Probe], home_url: str, as_of: date, short_series: bool = False) -> tuple[Finding, Finding]:
    """V15-1 (failure share ≥ 5 % ⇒ veto) and D15-1 (−5 per full 1 %)."""
    target = normalize(home_url)
    mine = [p for p in probes if normalize(p.url) == target]
    if mine and not short_series:
        lo = window_start(rs, "availability", as_of)
        windowed = [p for p in mine if lo <= p.t.astimezone(CST).date() <= as_of]
        mine = windowed or mine
    ours = [p for p in mine if p.error in ("refused_private", "invalid")]
    if ours:
        # our own refusal (SSRF guard) says nothing about the site's availability
        mine = []
    if not mine:
        why = f"探测日志中没有 {home_url} 的记录" if not ours else f"探测被拒绝：{ours[0].error}"
        e = [{"url": home_url, "detail": why}]
        return Finding("V15-1", "error", 0.0, e, why), Finding("D15-1", "error", 0.0, e, why)
    failed = [p for p in mine if not p.ok]
    pct = 100.0 * len(failed) / len(mine)
    span = f"{min(p.t for p in mine).isoformat(timespec='minutes')} 至 {max(p.t for p in mine).isoformat(timespec='minutes')}"
    basis = (f"仅 {len(mine)} 次短时探测（未提供一周探测日志）" if short_series
             else f"{span} 共探测 {len(mine)} 次")
    summ = f"{basis}，失败 {len(failed)} 次，失败率 {pct:.2f}%"
    ev = [{"url": home_url, "detail": summ}] + [
        {"url": p.url, "detail": f"{p.t.isoformat(timespec='seconds')} 探测失败：{p.error or ''} {p.status or ''} 用时 {p.elapsed:.1f}s".strip()}
        for p in failed[:50]
    ]
    if short_series and failed:
        # A few probes cannot carry a one-week share: report them, leave the verdict open.
        why = f"{summ}；需一周探测日志（govsite monitor）确认"
        return Finding("V15-1", "error", 0.0, ev, why), Finding("D15-1", "error", 0.0, ev, why)
    v_rule = rs.rule("V15-1")
    if pct >= v_rule.get("veto_failure_pct", 5.0):
        v = Finding("V15-1", "veto", 0.0, ev, f"首页无法访问比例 {pct:.2f}% ≥ {v_rule.get('veto_failure_pct')}%")
        d = Finding("D15-1", "ok", 0.0, [], "已按 V15-1 单项否决处理")
        return v, d
    v = Finding("V15-1", "ok", 0.0, ev[:1], summ)
    pts = deduction(rs.rule("D15-1"), {"pct": pct})
    if pts:
        return v, Finding("D15-1", "deduct", -pts, ev, f"首页不可访问比例 {pct:.2f}%，扣 {pts:g} 分")
    return v, Finding("D15-1", "ok", 0.0, ev[:1], summ)


@dataclass(frozen=True)
class DayTotals:
    """One site's probes on one day (China time), as `govsite monitor --serve` stores them."""

    day: date
    probes: int
    failures: int
    elapsed: float = 0.0  # seconds, summed over the day's probes


def probes_from_aggregates(url: str, days: list[DayTotals], raw: list[Probe] | None = None) -> list[Probe]:
    """What `availability()` needs, from stored per-day totals: a day whose raw probes are all
    kept contributes them as they are (failures keep their evidence); an older day contributes
    its counts as probes stamped at noon of that day, so the failure share is exact."""
    by_day: dict[date, list[Probe]] = {}
    for p in raw or []:
        by_day.setdefault(p.t.astimezone(CST).date(), []).append(p)
    out: list[Probe] = []
    for d in sorted(days, key=lambda x: x.day):
        kept = by_day.get(d.day, [])
        if d.probes and len(kept) == d.probes:
            out.extend(sorted(kept, key=lambda p: p.t))
            continue
        noon = datetime(d.day.year, d.day.month, d.day.day, 12, tzinfo=CST)
        mean = d.elapsed / d.probes if d.probes else 0.0
        ok = max(0, d.probes - d.failures)
        out.extend(Probe(noon, url, True, 200, mean, None) for _ in range(ok))
        out.extend(Probe(noon, url, False, None, mean, "按日汇总（原始记录已清理）") for _ in range(min(d.failures, d.probes)))
    return out


def write_log(path: str | Path, probes: list[Probe]) -> None:
    """Write probes in the `read_log` format (a check reads stored probes through it)."""
    with Path(path).open("w", encoding="utf-8") as fh:
        for p in probes:
            fh.write(json.dumps(p.to_json(), ensure_ascii=False) + "\n")
