"""Campaign checks through Celery workers (when GOVSITE_BROKER_URL is set).

The per-site work is :func:`check_one`: claim the site, check it, record the result. It is
idempotent under redelivery and duplicate delivery:

- claiming bumps ``attempts`` under a row lock and only for a site that is not finished and
  not held by a live claim; the attempt number is the job's token. A claim is live while its
  worker renews its heartbeat (``heartbeat_at``, every GOVSITE_CLAIM_STALE / 4 seconds);
  both the stamp and the judgement of staleness use the DATABASE's clock (``Now()``), so a
  worker whose clock is hours off neither takes live work nor has its own taken. A delivery
  that finds a live claim (a duplicate, or a redelivery of a running job) waits for the holder
  to record or to go stale, keeping its message unacknowledged meanwhile;
- recording is ONE conditional UPDATE keyed on (campaign, site, attempt) and state
  ``running``: if another delivery claimed the site since, or it is already recorded, the
  UPDATE matches nothing and the result is dropped (logged as a duplicate);
- per-host politeness across workers: at most ``per_host`` sites of one host are checked at
  once, through a semaphore in Redis whose slots expire (a killed worker frees its slot) and
  whose clock is Redis's own (clock skew between workers does not matter).

The dispatcher sends one job per unfinished site, then watches the database; when nothing
progresses for a while, the sites no live claim holds (a job lost with a restarted broker, a
dead worker's claim) are sent again — harmless, since a duplicate records nothing. It does not
wait that long when the work has visibly run dry: the queue is empty, no worker holds a live
claim and nothing finished for ``LOST_AFTER`` seconds, yet sites are unfinished — their jobs
were lost (a Redis broker stopped between handing a job out and recording it as unacknowledged)
or sit in a vanished worker's unacknowledged set until the visibility timeout. Such resends back
off (doubling up to the long wait) until something progresses again. No worker's
wall clock decides anything: claims run on the database's clock, host slots on Redis's, and
kombu's Redis visibility timeout on Redis's too (govsite.inspections.brokerclock).

A database restart is waited out where it happens (up to ``DB_OUTAGE`` seconds, logged when it
starts and ends): the dispatcher keeps watching, a worker keeps the result it has in hand and
records it once the database is back, and a claim waits instead of failing the job.

A worker process sends its claims, records and heartbeats through ONE database connection
(:class:`DbLane`) instead of connecting twice per site. It keeps ONE event loop (in a thread
of its own) and one open checker — so one engine Fetcher with its connection pool and per-host
budget — for all the jobs it runs, instead of paying for a new loop and Fetcher per site. With the thread pool (`govsite worker`'s
default) many jobs of one process run at once on that loop: each job's thread claims, waits
for its Redis host slot, hands the check to the loop and records; messages, late acks and the
claim/record protocol are unchanged, so exactly-once holds as before.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import json
import logging
import os
import queue
import random
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models.functions import Now
from django.utils import timezone

from govsite.inspections import executor as ex
from govsite.inspections.errors import InspectionError

log = logging.getLogger("govsite.inspections.dispatch")

# Deliveries beyond max_attempts + this many are a job that keeps killing its worker.
_CRASH_MARGIN = 2
# Seconds a database outage is waited out before the job (or the run) gives up.
DB_OUTAGE = float(os.environ.get("GOVSITE_DB_OUTAGE", "600"))
# Seconds without a heartbeat (database clock) after which a claim is a dead worker's; a
# worker renews its claims every quarter of that.
CLAIM_STALE = float(os.environ.get("GOVSITE_CLAIM_STALE", "120"))
# Seconds with an empty queue, no live claim and no site finished after which the unfinished
# sites' jobs count as lost and are sent again (see the module docstring).
LOST_AFTER = float(os.environ.get("GOVSITE_LOST_JOB_AFTER", "60"))


def _db_call(what: str, fn: Callable[[], Any], outage: float | None = None) -> Any:
    """``fn()``, retried while the database is unreachable (restart, failover): the broken
    connection is dropped and a new one made once the server answers again. Only connection
    failures are waited out — a constraint or data error is raised at once."""
    from django.db import InterfaceError, OperationalError, connection

    outage = DB_OUTAGE if outage is None else outage
    down_since: float | None = None
    while True:
        try:
            result = fn()
        except (OperationalError, InterfaceError) as exc:
            if connection.in_atomic_block:
                raise  # the enclosing transaction is lost anyway; its owner decides
            now = time.monotonic()
            if down_since is None:
                down_since = now
                reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                log.warning("数据库暂不可用，等待恢复后继续%s：%s", what, reason)
            if now - down_since > outage:
                raise
            connection.close()  # a dead connection is never reused: the next try reconnects
            time.sleep(min(5.0, 0.5 * 2 ** min(4, int(now - down_since))))
            continue
        if down_since is not None:
            log.warning("数据库已恢复，继续%s（中断 %.0f 秒）", what, time.monotonic() - down_since)
        return result


# --- messages ------------------------------------------------------------------------------


def job_message(campaign_id: int, job: ex.CheckJob, options: ex.RunOptions, checker: str) -> dict:
    data = dataclasses.asdict(job)
    data["as_of"] = job.as_of.isoformat()
    data["domains"] = list(job.domains)
    opts = {
        k: getattr(options, k)
        for k in (
            "per_host",
            "max_attempts",
            "backoff",
            "timeout",
            "resolve",
            "allow_private",
            "max_pages",
            "max_depth",
            "time_budget",
        )
    }
    opts["resolve"] = list(options.resolve)
    return {"campaign_id": campaign_id, "job": data, "options": opts, "checker": checker}


def _job_from(data: dict) -> ex.CheckJob:
    d = dict(data)
    d["as_of"] = dt.datetime.fromisoformat(d["as_of"])
    d["domains"] = tuple(d["domains"])
    return ex.CheckJob(**d)


def _options_from(data: dict) -> ex.RunOptions:
    d = dict(data)
    d["resolve"] = tuple(d.get("resolve") or ())
    return ex.RunOptions(**d)


# --- claim and record (the idempotent part) -------------------------------------------------


class ClaimHeld(Exception):
    """The site is being checked under another delivery's live claim (fresh heartbeat)."""


def _live_since(stale_after: float | None) -> Any:
    """The database-clock instant after which a heartbeat counts as live."""
    return Now() - dt.timedelta(seconds=CLAIM_STALE if stale_after is None else stale_after)


def claim(
    campaign_id: int,
    site_id: int,
    max_attempts: int,
    expect: int | None = None,
    stale_after: float | None = None,
) -> int | None:
    """Take the site for one attempt; the new attempt number, or None if it is not ours to
    check (finished, or — with ``expect`` — claimed by another delivery meanwhile). Raises
    ClaimHeld while another delivery holds a live claim (heartbeat younger than
    ``stale_after`` seconds, default GOVSITE_CLAIM_STALE). Every time is the database's."""
    from django.db.models import BooleanField, ExpressionWrapper, F, Q

    from govsite.inspections.models import CampaignSite

    if expect is not None:  # our own next try: the claim is ours unless superseded
        n = CampaignSite.objects.filter(
            pk=site_id, campaign_id=campaign_id, state=CampaignSite.State.RUNNING, attempts=expect
        ).update(attempts=F("attempts") + 1, started_at=Now(), heartbeat_at=Now())
        return expect + 1 if n == 1 else None
    with transaction.atomic():
        live = ExpressionWrapper(Q(heartbeat_at__gte=_live_since(stale_after)), output_field=BooleanField())
        row = (
            CampaignSite.objects.select_for_update()
            .filter(pk=site_id, campaign_id=campaign_id)
            .annotate(live=live)
            .values("state", "attempts", "live")
            .first()
        )
        if row is None or row["state"] in (CampaignSite.State.DONE, CampaignSite.State.FAILED):
            return None
        if row["state"] == CampaignSite.State.RUNNING and row["live"]:
            raise ClaimHeld(site_id)
        if row["attempts"] >= max_attempts + _CRASH_MARGIN:
            # Every earlier delivery died before recording: stop feeding it to workers.
            CampaignSite.objects.filter(pk=site_id).update(
                state=CampaignSite.State.FAILED, error="检查进程多次中断，已停止重试", finished_at=Now()
            )
            log.warning("网站 %s 已尝试 %s 次均中断，标记为失败", site_id, row["attempts"])
            return None
        attempt = row["attempts"] + 1
        CampaignSite.objects.filter(pk=site_id).update(
            state=CampaignSite.State.RUNNING, attempts=attempt, started_at=Now(), heartbeat_at=Now()
        )
    return attempt


def heartbeat(held: dict[int, int]) -> int:
    """Renew the live claims of one worker process (site id → attempt) in one UPDATE, stamped
    with the database's clock; the number renewed (a superseded claim is not)."""
    from django.db.models import Q

    from govsite.inspections.models import CampaignSite

    if not held:
        return 0
    which = Q()
    for site_id, attempt in held.items():
        which |= Q(pk=site_id, attempts=attempt)
    return CampaignSite.objects.filter(which, state=CampaignSite.State.RUNNING).update(heartbeat_at=Now())


def record(campaign_id: int, site_id: int, attempt: int, state: str, report: dict | None, error: str) -> bool:
    """One conditional UPDATE keyed on (campaign, site, attempt); False if it matched nothing
    (a duplicate or superseded delivery)."""
    from govsite.inspections.models import CampaignSite

    n = CampaignSite.objects.filter(
        pk=site_id, campaign_id=campaign_id, attempts=attempt, state=CampaignSite.State.RUNNING
    ).update(
        state=state,
        error=error[:1000],
        report=report,
        score=ex._score(report),
        auto_verdict=(report or {}).get("verdict", ""),
        finished_at=Now(),
    )
    return n == 1


# --- shared per-host limiter in Redis ---------------------------------------------------------

_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
end
return 0
"""


class HostLimiter:
    """At most ``limit`` holders per host across all workers. Slots expire after ``ttl``
    seconds (Redis's clock), so a worker killed while holding one frees it by itself."""

    def __init__(self, url: str, prefix: str = "govsite:host:") -> None:
        import redis

        self.redis = redis.Redis.from_url(url)
        self.prefix = prefix
        self._acquire = self.redis.register_script(_ACQUIRE)

    def try_acquire(self, host: str, limit: int, ttl: float) -> str | None:
        token = uuid.uuid4().hex
        ok = self._acquire(keys=[self.prefix + host], args=[limit, int(ttl * 1000), token])
        return token if ok else None

    def acquire(self, host: str, limit: int, ttl: float, poll: float = 0.25, outage: float = 600.0) -> str:
        """Wait for a slot. A Redis outage (restart) is waited out here, up to ``outage``
        seconds: raising would make Celery re-publish the job through a broker that may be
        down with it, and the job would be dropped."""
        import redis

        waited = False
        down_since: float | None = None
        while True:
            try:
                token = self.try_acquire(host, limit, ttl)
            except redis.RedisError as exc:
                now = time.monotonic()
                if down_since is None:
                    down_since = now
                    log.warning("Redis 暂不可用（主机限速），等待恢复后继续检查 %s：%s", host, exc)
                if now - down_since > outage:
                    raise
                time.sleep(min(5.0, 0.5 * 2 ** min(4, int(now - down_since))))
                continue
            if down_since is not None:
                log.warning("Redis 已恢复，继续检查 %s（中断 %.0f 秒）", host, time.monotonic() - down_since)
                down_since = None
            if token:
                if waited:
                    log.debug("主机 %s 已有空位", host)
                return token
            waited = True
            time.sleep(poll * (0.5 + random.random()))  # jitter so waiters do not stampede

    def release(self, host: str, token: str) -> None:
        import redis

        try:
            self.redis.zrem(self.prefix + host, token)
        except redis.RedisError as exc:
            # Redis is restarting: the slot expires by itself; the result must still be recorded.
            log.warning("主机 %s 的限速名额未能归还（Redis 暂不可用，名额到期自动释放）：%s", host, exc)

    def holders(self, host: str) -> int:
        return int(self.redis.zcard(self.prefix + host))


def limiter_url() -> str | None:
    """GOVSITE_REDIS_URL, else the broker itself when it is Redis."""
    url = os.environ.get("GOVSITE_REDIS_URL") or ""
    broker = os.environ.get("GOVSITE_BROKER_URL") or ""
    if not url and broker.startswith(("redis://", "rediss://")):
        url = broker
    return url or None


_limiter: HostLimiter | None = None


def get_limiter() -> HostLimiter:
    global _limiter
    if _limiter is None:
        url = limiter_url()
        if not url:
            raise InspectionError("多工作进程需要 Redis 做跨进程的主机限速：请设置 GOVSITE_REDIS_URL")
        _limiter = HostLimiter(url)
    return _limiter


# --- the per-site work ------------------------------------------------------------------------


def check_one(message: dict, redelivered: bool = False, lane: DbLane | None = None) -> str:
    """Check one site of a campaign and record it idempotently. Returns what happened:
    ``recorded``, ``skipped`` (finished or claimed elsewhere) or ``duplicate``. With ``lane``
    (a worker process) the claim, the record and the claim's heartbeats go through the
    process's one database connection."""
    campaign_id = message["campaign_id"]
    job = _job_from(message["job"])
    options = _options_from(message["options"])
    checker = message.get("checker") or "govsite.inspections.executor:engine_checker"
    factory = ex.load_checker(checker)
    sid = job.campaign_site_id
    db: Callable[[str, Callable[[], Any]], Any] = lane.call if lane is not None else _db_call
    attempt = _claim_when_free(db, campaign_id, sid, options.max_attempts, job.code)
    if attempt is None:
        log.info("网站 %s（活动 %s）已完成或不需检查：忽略重复投递", job.code, campaign_id)
        return "skipped"
    if attempt > 1 or redelivered:
        log.warning(
            "网站 %s（活动 %s）重新投递，第 %s 次尝试（%s）",
            job.code,
            campaign_id,
            attempt,
            "上次未完成" if attempt > 1 else "上次投递未开始检查",
        )
    if lane is None:
        _release_connection()
    else:
        lane.hold(sid, attempt)
    try:
        return _check_and_record(db, lane, campaign_id, job, options, factory, checker, attempt)
    finally:
        if lane is not None:
            lane.drop(sid)


def _claim_when_free(
    db: Callable[[str, Callable[[], Any]], Any], campaign_id: int, sid: int, max_attempts: int, code: str
) -> int | None:
    """Claim the site. While another delivery holds a live claim (a duplicate delivery, or a
    redelivery of a job whose worker is alive), wait until the holder records the site or its
    heartbeat goes stale — both judged by the database's clock — instead of checking the site
    twice; the message stays unacknowledged meanwhile, so a holder that dies loses nothing."""
    waited = False
    while True:
        try:
            return db(f"领取网站 {code}", lambda: claim(campaign_id, sid, max_attempts))
        except ClaimHeld:
            if not waited:
                log.info("网站 %s 正由另一次投递检查（领取心跳未过期）：等待其完成或心跳过期", code)
                waited = True
            time.sleep(min(5.0, CLAIM_STALE / 8) * (0.5 + random.random()))


def _check_and_record(
    db: Callable[[str, Callable[[], Any]], Any],
    lane: DbLane | None,
    campaign_id: int,
    job: ex.CheckJob,
    options: ex.RunOptions,
    factory: ex.CheckerFactory,
    checker: str,
    attempt: int,
) -> str:
    sid = job.campaign_site_id
    limiter = get_limiter()
    # A slot outlives the longest attempt, so only a dead holder's slot expires.
    ttl = (options.timeout or 900.0) + 60.0
    report: dict | None = None
    error = ""
    failed = False
    first = attempt
    while True:
        token = limiter.acquire(job.host, options.per_host, ttl)
        try:
            report, failed, error, final = runtime().run(_attempt(factory, checker, options, job))
        finally:
            limiter.release(job.host, token)
        if final or attempt - first + 1 >= options.max_attempts:
            break
        time.sleep(options.backoff * (2 ** (attempt - first)))
        nxt = db(
            f"领取网站 {job.code}",
            lambda a=attempt: claim(campaign_id, sid, options.max_attempts, expect=a),
        )
        if nxt is None:
            log.info("网站 %s 已被另一次投递接手，本次结果不记录", job.code)
            return "duplicate"
        attempt = nxt
        if lane is not None:
            lane.hold(sid, attempt)
    state = "failed" if failed else "done"
    # The result in hand is kept across a database outage: re-checking would cost the site's
    # check again, and the conditional UPDATE is safe to repeat.
    if db(
        f"记录网站 {job.code} 的结果",
        lambda: record(campaign_id, sid, attempt, state, report, "" if not failed else error),
    ):
        log.info("网站 %s：%s（第 %s 次尝试）", job.code, "完成" if not failed else f"失败 {error}", attempt)
        return "recorded"
    log.warning("网站 %s 第 %s 次尝试的结果已被记录或被新投递取代：重复结果已忽略", job.code, attempt)
    return "duplicate"


class DbLane:
    """One thread and one database connection, kept open, for the small statements of all the
    jobs of a worker process — claims, records and the claims' heartbeats. A job thread hands
    its statement over and waits for it. Without it each job connected to claim and again to
    record (a PostgreSQL backend started twice per site), since holding a connection through
    a check would need one per thread. The lane renews the process's claims (one UPDATE) every
    quarter of GOVSITE_CLAIM_STALE; a killed process stops renewing them, so they go stale."""

    def __init__(self, beat_every: float | None = None) -> None:
        self.pid = os.getpid()
        self.beat_every = beat_every or CLAIM_STALE / 4
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._held: dict[int, int] = {}
        self._held_lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, name="govsite-db", daemon=True)
        self._thread.start()

    def call(self, what: str, fn: Callable[[], Any]) -> Any:
        """``fn()`` on the lane's connection (a database outage waited out as by _db_call)."""
        done: concurrent.futures.Future = concurrent.futures.Future()
        self._queue.put((what, fn, done))
        return done.result()

    def hold(self, site_id: int, attempt: int) -> None:
        with self._held_lock:
            self._held[site_id] = attempt

    def drop(self, site_id: int) -> None:
        with self._held_lock:
            self._held.pop(site_id, None)

    def _serve(self) -> None:
        next_beat = time.monotonic() + self.beat_every
        while True:
            try:
                item = self._queue.get(timeout=max(0.0, next_beat - time.monotonic()))
            except queue.Empty:
                item = None
            if item is not None:
                what, fn, done = item
                try:
                    done.set_result(_db_call(what, fn))
                except BaseException as exc:  # noqa: BLE001 - handed to the waiting job
                    done.set_exception(exc)
            if time.monotonic() >= next_beat:
                next_beat = time.monotonic() + self.beat_every
                self._beat()

    def _beat(self) -> None:
        from django.db import InterfaceError, OperationalError, connection

        with self._held_lock:
            held = dict(self._held)
        try:
            heartbeat(held)
        except (OperationalError, InterfaceError) as exc:
            # The database is away: the next statement reconnects; claims go stale only if it
            # stays away longer than GOVSITE_CLAIM_STALE (then a redelivery may take them).
            connection.close()
            log.warning("领取心跳未能写入（数据库暂不可用）：%s", exc)
        except DatabaseError as exc:
            log.warning("领取心跳未能写入：%s", exc)


_lane: DbLane | None = None


def lane() -> DbLane:
    """This worker process's database lane (a forked pool child makes its own)."""
    global _lane
    with _runtime_lock:
        if _lane is None or _lane.pid != os.getpid():
            _lane = DbLane()
        return _lane


def _release_connection() -> None:
    """Hand the database connection back while the site is checked (seconds to minutes): a
    worker runs many jobs at once in threads, and each would otherwise hold a PostgreSQL
    connection for its whole check. The record reconnects (a few ms)."""
    from django.db import connection

    if not connection.in_atomic_block:
        connection.close()


async def _attempt(factory: ex.CheckerFactory, name: str, options: ex.RunOptions, job: ex.CheckJob) -> tuple:
    """One try, classified like the in-process executor: (report, failed, error, final)."""
    rt = runtime()
    try:
        async with rt.checker(factory, name, options) as check:
            coro = check(job)
            report = await (asyncio.wait_for(coro, options.timeout) if options.timeout else coro)
        ex._validate_report(report)
    except Exception as exc:  # noqa: BLE001 - any checker failure is retried, then recorded
        error = f"{type(exc).__name__}: {exc}".strip()
        if isinstance(exc, TimeoutError):
            error = f"超时（{options.timeout} 秒）"
        return None, True, error, False
    outcome = ex.classify(report)
    if outcome == "ok":
        return report, False, "", True
    return report, True, ex._reason(report, outcome), outcome == "permanent"


class _Entry:
    def __init__(self, cm: contextlib.AbstractAsyncContextManager, check: ex.CheckFn) -> None:
        self.cm, self.check, self.users, self.used = cm, check, 0, time.monotonic()


class Runtime:
    """The worker process's event loop (its own thread) and its open checkers, one per
    (checker, run options) — a campaign's jobs share one engine Fetcher. A checker idle for
    ``idle_close`` seconds is closed (another campaign's options took over)."""

    def __init__(self, idle_close: float = 600.0) -> None:
        self.pid = os.getpid()
        self.idle_close = idle_close
        self.loop = asyncio.new_event_loop()
        self._entries: dict[tuple, _Entry] = {}
        self._lock: asyncio.Lock | None = None
        self._thread = threading.Thread(target=self._serve, name="govsite-checks", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run(self, coro: Any) -> Any:
        """Run a coroutine on the loop from a job's thread and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    @contextlib.asynccontextmanager
    async def checker(self, factory: ex.CheckerFactory, name: str, options: ex.RunOptions) -> Any:
        self._lock = self._lock or asyncio.Lock()
        key = (name, id(factory), json.dumps(dataclasses.asdict(options), sort_keys=True, default=str))
        async with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                cm = factory(options)
                entry = _Entry(cm, await cm.__aenter__())
                self._entries[key] = entry
                log.info("工作进程 %s：打开检查器 %s（此后的任务共用）", self.pid, name)
            entry.users += 1
        try:
            yield entry.check
        finally:
            entry.users -= 1
            entry.used = time.monotonic()
            await self._close_idle()

    async def _close_idle(self, force: bool = False) -> None:
        now = time.monotonic()
        for key, e in list(self._entries.items()):
            if e.users == 0 and (force or now - e.used > self.idle_close):
                del self._entries[key]
                with contextlib.suppress(Exception):
                    await e.cm.__aexit__(None, None, None)

    def close(self) -> None:
        if self.loop.is_running():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._close_idle(force=True), self.loop).result(10)
            self.loop.call_soon_threadsafe(self.loop.stop)


_runtime: Runtime | None = None
_runtime_lock = threading.Lock()


def runtime() -> Runtime:
    """This process's runtime (a forked pool child makes its own)."""
    global _runtime
    with _runtime_lock:
        if _runtime is None or _runtime.pid != os.getpid():
            _runtime = Runtime()
            atexit.register(_runtime.close)
        return _runtime


# --- the dispatcher -------------------------------------------------------------------------


def _counts(campaign_id: int) -> dict[str, int]:
    from django.db.models import Count

    from govsite.inspections.models import CampaignSite

    rows = CampaignSite.objects.filter(campaign_id=campaign_id).values("state").annotate(n=Count("id"))
    return {r["state"]: r["n"] for r in rows}


def _stalled(campaign_id: int) -> list[int]:
    """Unfinished sites that no live claim holds: pending, or running with a heartbeat older
    than GOVSITE_CLAIM_STALE (database clock) — a dead worker's."""
    from django.db.models import Q

    from govsite.inspections.models import CampaignSite

    return list(
        CampaignSite.objects.filter(campaign_id=campaign_id)
        .filter(Q(state="pending") | (Q(state="running") & ~Q(heartbeat_at__gte=_live_since(None))))
        .values_list("pk", flat=True)
    )


def _queued() -> int | None:
    """Jobs waiting in the check queue (not those workers hold), or None when the broker does
    not answer — the caller then assumes nothing about the queue."""
    from govsite.project.celery import CHECK_QUEUE, app

    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1)
            try:
                return conn.default_channel.queue_declare(queue=CHECK_QUEUE, passive=True).message_count
            except conn.channel_errors:
                return 0  # Redis removes an emptied queue's key: "no such queue" is an empty one
    except Exception:  # noqa: BLE001 - kombu raises many kinds for an unreachable broker
        return None


def dispatch_campaign(
    campaign_id: int,
    options: ex.RunOptions,
    checker: str = "govsite.inspections.executor:engine_checker",
    on_progress: Callable[[int, int, int], None] | None = None,
    wait: bool = True,
    poll: float = 1.0,
    resend_after: float | None = None,
) -> ex.RunSummary:
    """Send a job per unfinished site to the workers; with ``wait``, follow progress in the
    database until every site is done or failed. Sites silent for ``resend_after`` seconds
    (default: the per-attempt timeout × attempts + 5 min) are sent again."""
    from govsite.inspections.models import Campaign
    from govsite.inspections.tasks import check_site_task

    if options.concurrency < 1 or options.per_host < 1 or options.max_attempts < 1:
        raise InspectionError("并发数、每主机并发数和尝试次数都须为正整数")
    ex.load_checker(checker)  # a bad checker is the user's error, before anything is sent
    _check_broker()  # an unreachable broker changes nothing in the database
    started = time.monotonic()
    jobs, counts = ex._prepare(campaign_id, options, live_claims=CLAIM_STALE)
    counts.pop("attempts")
    messages = {j.campaign_site_id: job_message(campaign_id, j, options, checker) for j in jobs}
    try:
        for j in ex._interleave_hosts(jobs):
            check_site_task.apply_async(args=[messages[j.campaign_site_id]])
    except Exception as exc:  # noqa: BLE001 - kombu raises many kinds for an unreachable broker
        raise InspectionError(f"无法连接任务队列（GOVSITE_BROKER_URL）：{exc}") from exc
    log.info("活动 %s：已向工作进程发送 %s 个网站", campaign_id, len(jobs))
    total = counts["total"]
    before = counts["done"] + counts["failed"]
    if not wait:
        return ex.RunSummary(total, counts["done"], counts["failed"], 0, time.monotonic() - started)
    resend_after = resend_after or (options.timeout or 900.0) * options.max_attempts + 300.0
    last_change = time.monotonic()
    last_seen = -1
    first_lost_wait = lost_after = min(LOST_AFTER, resend_after)
    next_look = 0.0  # the stall check below queries the database and the broker: not every poll

    def poll_once() -> dict[str, int]:
        c = _counts(campaign_id)
        Campaign.objects.filter(pk=campaign_id).update(
            done=c.get("done", 0),
            failed=c.get("failed", 0),
            running=c.get("running", 0),
            progress_at=timezone.now(),
        )
        return c

    while True:
        try:
            c = _db_call(f"跟踪活动 {campaign_id} 的进度", poll_once)
        except DatabaseError as exc:
            raise InspectionError(
                f"数据库长时间不可用，停止跟踪活动 {campaign_id}（工作进程仍会完成已发送的网站，"
                f"之后可再次运行本命令）：{exc}"
            ) from exc
        done, failed = c.get("done", 0), c.get("failed", 0)
        if on_progress:
            on_progress(done, failed, total)
        if done + failed >= total:
            break
        now = time.monotonic()
        if done + failed != last_seen:
            last_seen, last_change, lost_after = done + failed, now, first_lost_wait
        elif now - last_change > lost_after and now >= next_look:
            next_look = now + min(lost_after, 10.0)
            stalled = _db_call(f"跟踪活动 {campaign_id} 的进度", lambda: _stalled(campaign_id))
            again = [i for i in stalled if i in messages]
            if now - last_change > resend_after:
                reason = "长时间无进展"
            elif again and len(stalled) >= total - done - failed and _queued() == 0:
                reason = "的任务已不在队列中、也无工作进程在检查（任务丢失）"
                lost_after = min(lost_after * 2, resend_after)
            else:
                again = []
            if again:
                log.warning(
                    "活动 %s：%s 个网站%s，重新发送（重复的结果会被忽略）", campaign_id, len(again), reason
                )
                for i in again:
                    check_site_task.apply_async(args=[messages[i]])
                last_change = time.monotonic()
        time.sleep(poll)
    try:
        _db_call(f"结束活动 {campaign_id}", lambda: ex._finish(campaign_id))
        c = _db_call(f"统计活动 {campaign_id}", lambda: _counts(campaign_id))
    except DatabaseError as exc:
        raise InspectionError(
            f"数据库长时间不可用，未能结束活动 {campaign_id}（可再次运行本命令）：{exc}"
        ) from exc
    return ex.RunSummary(
        total=total,
        done=c.get("done", 0),
        failed=c.get("failed", 0),
        checked_now=c.get("done", 0) + c.get("failed", 0) - before,
        seconds=time.monotonic() - started,
    )


def _check_broker() -> None:
    from govsite.project.celery import app

    app.conf.broker_url = os.environ["GOVSITE_BROKER_URL"]  # the environment at run time decides
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001 - kombu raises many kinds for an unreachable broker
        raise InspectionError(f"无法连接任务队列 {os.environ.get('GOVSITE_BROKER_URL')}：{exc}") from exc


def broker_configured() -> bool:
    return bool(os.environ.get("GOVSITE_BROKER_URL"))


def summary_dict(s: ex.RunSummary) -> dict[str, Any]:
    return dataclasses.asdict(s)
