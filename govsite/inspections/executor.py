"""The in-process asyncio executor that checks a campaign's sites.

- One checker context per run, so the engine shares one Fetcher — and so one politeness
  budget per host — across the whole campaign; on top of that at most ``per_host`` sites
  on the same host are checked at once, and sites are dispatched host-interleaved.
- Every state change goes through one writer task that drains its queue into a single
  transaction, so bookkeeping stays cheap on 29,431 sites and the database always tells
  what is finished. A crash loses only checks that were in flight; ``run`` again resumes
  with the sites that are not ``done``/``failed`` (``running`` ones are reset to pending).
- Errors are retried with exponential backoff; after ``max_attempts`` the site is
  ``failed`` with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import importlib
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django.db import transaction
from django.utils import timezone

from govsite.inspections.bulk import update_rows
from govsite.inspections.errors import InspectionError

log = logging.getLogger("govsite.inspections.executor")

CheckFn = Callable[["CheckJob"], Awaitable[dict]]
CheckerFactory = Callable[["RunOptions"], contextlib.AbstractAsyncContextManager[CheckFn]]


@dataclass(frozen=True)
class CheckJob:
    """What a checker needs to check one site (built from the registry, no Django objects)."""

    campaign_site_id: int
    url: str
    name: str
    code: str
    category: int
    official_name: str
    domains: tuple[str, ...]
    as_of: dt.datetime
    ruleset: str
    probe_log: str | None = None
    # Registry site whose probes `govsite monitor --serve` stored from this day (ISO) to as_of:
    # the check reads them for V15-1/D15-1 instead of making 3 short probes.
    stored_probes_site: int | None = None
    stored_probes_from: str | None = None

    @property
    def host(self) -> str:
        """host[:port]: the unit of politeness (a port is a separate server)."""
        return urlsplit(self.url).netloc.rpartition("@")[2].lower()


@dataclass
class RunOptions:
    concurrency: int = 16
    per_host: int = 2
    max_attempts: int = 3
    backoff: float = 2.0  # seconds before the 2nd attempt; doubles after each failure
    timeout: float | None = 900.0  # per attempt, on top of the engine's own time budget
    retry_failed: bool = False
    resolve: tuple[str, ...] = ()
    allow_private: bool = False
    probe_log: str | None = None
    max_pages: int | None = None
    max_depth: int | None = None
    time_budget: float | None = None
    url_overrides: dict[str, str] = field(default_factory=dict)  # code → URL (farm runs)


@dataclass
class RunSummary:
    total: int
    done: int
    failed: int
    checked_now: int
    seconds: float


@contextlib.asynccontextmanager
async def engine_checker(options: RunOptions) -> AsyncIterator[CheckFn]:
    """The real checker: govsite.engine.check.check_site with one shared Fetcher, so the
    engine's per-host budget (concurrency and delay) holds across the whole campaign."""
    try:
        from govsite.engine import check as engine
        from govsite.engine.fetch import parse_resolve
    except ImportError as exc:  # the engine is a separate part; say so plainly
        raise InspectionError(f"检查引擎不可用：{exc}") from exc
    try:
        resolve = {k: v[0] for k, v in parse_resolve(list(options.resolve)).items()}
    except ValueError as exc:
        raise InspectionError(str(exc)) from exc
    base: dict[str, Any] = {"allow_private": options.allow_private, "resolve": resolve}
    for name in ("max_pages", "max_depth", "time_budget"):
        if getattr(options, name) is not None:
            base[name] = getattr(options, name)
    fetcher = engine.make_fetcher(engine.CheckOptions(as_of=timezone.now(), **base))
    async with fetcher:

        async def check(job: CheckJob) -> dict:
            probe_log, stored = job.probe_log, None
            if probe_log is None and job.stored_probes_site is not None:
                probe_log = stored = await sync_to_async(_stored_probe_log, thread_sensitive=True)(job)
            target = engine.SiteTarget(
                url=job.url,
                name=job.name,
                code=job.code,
                category=job.category,
                official_name=job.official_name,
                domains=list(job.domains),
            )
            opts = engine.CheckOptions(as_of=job.as_of, ruleset=job.ruleset, probe_log=probe_log, **base)
            try:
                return await engine.check_site(target, opts, fetcher=fetcher)
            finally:
                if stored:
                    with contextlib.suppress(OSError):
                        os.unlink(stored)

        yield check


def _stored_probe_log(job: CheckJob) -> str | None:
    """The monitor's stored probes for the job's window as a temporary probe log (None: none
    stored, or the database is unreachable — then the check makes its own short probes). The
    connection stays open between sites (a new one per site started a PostgreSQL backend per
    site); one broken by a database restart is replaced once."""
    from django.db import DatabaseError, connection

    from govsite.engine.indicators.availability import CST
    from govsite.registry.availability import stored_probe_log

    for again in (True, False):
        try:
            return stored_probe_log(
                job.stored_probes_site,
                job.url,
                dt.date.fromisoformat(job.stored_probes_from or ""),
                job.as_of.astimezone(CST).date(),
            )
        except DatabaseError as exc:
            if again and not connection.in_atomic_block:
                connection.close()  # workers are long-lived: reconnect after a database restart
                continue
            log.warning("网站 %s：读取已存储的可用性探测失败，改用短时探测：%s", job.code, exc)
        except ValueError as exc:
            log.warning("网站 %s：读取已存储的可用性探测失败，改用短时探测：%s", job.code, exc)
        return None
    return None


def _stored_window(campaign: Any, options: RunOptions, site_ids: list[int]) -> tuple[str | None, set[int]]:
    """First day of the campaign's availability window (its quarter, up to as_of) and the
    sites with stored monitor probes in it. An explicit probe log wins over stored probes."""
    if options.probe_log:
        return None, set()
    from govsite.engine.indicators.availability import CST
    from govsite.periods import Quarter, QuarterError
    from govsite.registry.availability import sites_with_probes

    end = campaign.as_of.astimezone(CST).date()
    try:
        start = Quarter.parse(campaign.quarter).start
    except QuarterError:
        start = end - dt.timedelta(days=7)
    start = min(start, end - dt.timedelta(days=7))
    return start.isoformat(), sites_with_probes(site_ids, start, end)


def load_checker(path: str) -> CheckerFactory:
    """Import a checker factory named ``module:attribute``."""
    mod_name, _, attr = path.partition(":")
    try:
        factory = getattr(importlib.import_module(mod_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise InspectionError(f"无法加载检查器“{path}”：{exc}") from exc
    return factory


# --- database side (synchronous, called through sync_to_async) ---------------------------


def _prepare(
    campaign_id: int, options: RunOptions, live_claims: float | None = None
) -> tuple[list[CheckJob], dict[str, int]]:
    """The jobs of a run and the campaign's counts. With ``live_claims`` (seconds; the Celery
    dispatcher), a running site whose claim heartbeat is younger than that (database clock) is
    a live worker's and stays running — its job is sent again all the same, and that delivery
    waits for the holder instead of checking the site a second time."""
    from django.db.models import Q
    from django.db.models.functions import Now

    from govsite.inspections.models import Campaign, CampaignSite

    with transaction.atomic():
        try:
            campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        except Campaign.DoesNotExist as exc:
            raise InspectionError(f"检查活动 {campaign_id} 不存在") from exc
        if campaign.state == Campaign.State.CLOSED:
            raise InspectionError(f"检查活动“{campaign.name}”已结束，不能再运行")
        sites = CampaignSite.objects.filter(campaign=campaign)
        # A crash leaves some sites "running": they never finished, so they run again.
        stale = sites.filter(state=CampaignSite.State.RUNNING)
        todo = Q(state=CampaignSite.State.PENDING)
        if live_claims is not None:
            stale = stale.exclude(heartbeat_at__gte=Now() - dt.timedelta(seconds=live_claims))
            todo |= Q(state=CampaignSite.State.RUNNING)
        stale.update(state=CampaignSite.State.PENDING)
        if options.retry_failed:
            sites.filter(state=CampaignSite.State.FAILED).update(
                state=CampaignSite.State.PENDING, attempts=0, error=""
            )
        rows = list(sites.filter(todo).select_related("site", "site__sponsor").order_by("site__code"))
        domains: dict[int, list[str]] = {}
        from govsite.registry.models import Domain

        for site_id, host in Domain.objects.filter(site_id__in=sites.values("site_id")).values_list(
            "site_id", "host"
        ):
            domains.setdefault(site_id, []).append(host)
        counts = {
            "total": sites.count(),
            "done": sites.filter(state=CampaignSite.State.DONE).count(),
            "failed": sites.filter(state=CampaignSite.State.FAILED).count(),
        }
        campaign.state = Campaign.State.RUNNING
        campaign.started_at = campaign.started_at or timezone.now()
        campaign.total, campaign.done, campaign.failed, campaign.running = (
            counts["total"],
            counts["done"],
            counts["failed"],
            0,
        )
        campaign.save()
    probes_from, with_probes = _stored_window(campaign, options, [r.site_id for r in rows])
    jobs = [
        CheckJob(
            campaign_site_id=r.pk,
            url=options.url_overrides.get(r.site.code, r.site.home_url),
            name=r.site.name,
            code=r.site.code,
            category=r.site.category,
            official_name=r.site.sponsor.name,
            domains=tuple(sorted(domains.get(r.site_id, []))),
            as_of=campaign.as_of,
            ruleset=campaign.ruleset,
            probe_log=options.probe_log,
            stored_probes_site=r.site_id if r.site_id in with_probes else None,
            stored_probes_from=probes_from if r.site_id in with_probes else None,
        )
        for r in rows
    ]
    counts["attempts"] = {r.pk: r.attempts for r in rows}  # type: ignore[assignment]
    return jobs, counts


def _flush(campaign_id: int, events: list[dict], counters: dict[str, Any]) -> None:
    from govsite.inspections.models import Campaign, CampaignSite

    starts = [e for e in events if e["kind"] == "start"]
    ends = {e["id"]: e for e in events if e["kind"] == "end"}
    starts = [e for e in starts if e["id"] not in ends]  # finished in the same batch
    with transaction.atomic():
        if starts:
            update_rows(
                CampaignSite, ["state", "started_at"], [(e["id"], ("running", e["at"])) for e in starts]
            )
        if ends:
            update_rows(
                CampaignSite,
                [
                    "state",
                    "attempts",
                    "error",
                    "report",
                    "score",
                    "auto_verdict",
                    "started_at",
                    "finished_at",
                ],
                [
                    (
                        e["id"],
                        (
                            e["state"],
                            e["attempts"],
                            e.get("error", "")[:1000],
                            e.get("report"),
                            _score(e.get("report")),
                            (e.get("report") or {}).get("verdict", ""),
                            e["started"],
                            e["at"],
                        ),
                    )
                    for e in ends.values()
                ],
            )
        Campaign.objects.filter(pk=campaign_id).update(
            done=counters["done"],
            failed=counters["failed"],
            running=counters["running"],
            eta_seconds=counters.get("eta"),
            progress_at=timezone.now(),
        )


def _score(report: dict | None) -> float | None:
    if not report:
        return None
    value = report.get("score")
    return float(value) if isinstance(value, int | float) else None


def _finish(campaign_id: int) -> None:
    from govsite.inspections.models import Campaign, CampaignSite

    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        sites = CampaignSite.objects.filter(campaign=campaign)
        campaign.done = sites.filter(state=CampaignSite.State.DONE).count()
        campaign.failed = sites.filter(state=CampaignSite.State.FAILED).count()
        campaign.running = 0
        campaign.eta_seconds = 0.0
        if campaign.done + campaign.failed == campaign.total:
            campaign.state = Campaign.State.CHECKED
            campaign.finished_at = timezone.now()
        campaign.save()


# --- the asynchronous run ------------------------------------------------------------------


def _interleave_hosts(jobs: list[CheckJob]) -> list[CheckJob]:
    """Round-robin over hosts so concurrent checks spread across servers."""
    by_host: dict[str, list[CheckJob]] = {}
    for j in jobs:
        by_host.setdefault(j.host, []).append(j)
    queues = [by_host[h] for h in sorted(by_host)]
    out: list[CheckJob] = []
    i = 0
    while queues:
        out.extend(q[i] for q in queues)
        i += 1
        queues = [q for q in queues if len(q) > i]
    return out


async def run_campaign(
    campaign_id: int,
    checker_factory: CheckerFactory = engine_checker,
    options: RunOptions | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
) -> RunSummary:
    """Check every unfinished site of a campaign. ``on_progress(done, failed, total)``."""
    options = options or RunOptions()
    if options.concurrency < 1 or options.per_host < 1 or options.max_attempts < 1:
        raise InspectionError("并发数、每主机并发数和尝试次数都须为正整数")
    jobs, counts = await sync_to_async(_prepare, thread_sensitive=True)(campaign_id, options)
    prior_attempts: dict[int, int] = counts.pop("attempts")  # type: ignore[assignment]
    counters: dict[str, Any] = {"done": counts["done"], "failed": counts["failed"], "running": 0, "eta": None}
    total = counts["total"]
    started = time.monotonic()
    finished_now = 0
    queue: asyncio.Queue[dict | None] = asyncio.Queue()
    flush = sync_to_async(_flush, thread_sensitive=True)

    async def writer() -> None:
        stop = False
        while not stop:
            first = await queue.get()
            batch = [first]
            while not queue.empty():
                batch.append(queue.get_nowait())
            events = [e for e in batch if e is not None]
            stop = any(e is None for e in batch)
            if events:
                await flush(campaign_id, events, dict(counters))

    global_sem = asyncio.Semaphore(options.concurrency)
    host_sems: dict[str, asyncio.Semaphore] = {}

    async def one(job: CheckJob, check: CheckFn) -> None:
        nonlocal finished_now
        host_sem = host_sems.setdefault(job.host, asyncio.Semaphore(options.per_host))
        async with host_sem, global_sem:
            began = timezone.now()
            counters["running"] += 1
            queue.put_nowait({"kind": "start", "id": job.campaign_site_id, "at": began})
            attempts = prior_attempts.get(job.campaign_site_id, 0)
            report: dict | None = None
            error = ""
            failed = False
            while True:
                attempts += 1
                try:
                    coro = check(job)
                    report = await (asyncio.wait_for(coro, options.timeout) if options.timeout else coro)
                    _validate_report(report)
                except Exception as exc:  # noqa: BLE001 - any checker failure is retried, then recorded
                    report, failed = None, True
                    error = f"{type(exc).__name__}: {exc}".strip()
                    if isinstance(exc, TimeoutError):
                        error = f"超时（{options.timeout} 秒）"
                else:
                    outcome = classify(report)
                    failed, error = outcome != "ok", "" if outcome == "ok" else _reason(report, outcome)
                    if outcome in ("ok", "permanent"):
                        break
                if attempts >= options.max_attempts:
                    break
                await asyncio.sleep(options.backoff * (2 ** (attempts - 1)))
            counters["running"] -= 1
            if not failed:
                counters["done"] += 1
                state = "done"
                error = ""
            else:
                # A failed site keeps its last report, if any, so the inspector sees the evidence.
                counters["failed"] += 1
                state = "failed"
            finished_now += 1
            elapsed = time.monotonic() - started
            remaining = total - counters["done"] - counters["failed"]
            counters["eta"] = remaining * elapsed / finished_now if finished_now else None
            queue.put_nowait(
                {
                    "kind": "end",
                    "id": job.campaign_site_id,
                    "state": state,
                    "attempts": attempts,
                    "error": error,
                    "report": report,
                    "started": began,
                    "at": timezone.now(),
                }
            )
            if on_progress:
                on_progress(counters["done"], counters["failed"], total)

    writer_task = asyncio.create_task(writer())
    try:
        async with checker_factory(options) as check:
            tasks = [asyncio.create_task(one(j, check)) for j in _interleave_hosts(jobs)]
            try:
                await asyncio.gather(*tasks)
            finally:
                for t in tasks:
                    t.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        # Record everything that finished, even when the run is being torn down.
        queue.put_nowait(None)
        await writer_task
    await sync_to_async(_finish, thread_sensitive=True)(campaign_id)
    return RunSummary(
        total=total,
        done=counters["done"],
        failed=counters["failed"],
        checked_now=finished_now,
        seconds=time.monotonic() - started,
    )


def classify(report: dict) -> str:
    """``ok``; ``permanent`` (the engine refused the target: bad URL, private address without
    --allow-private — retrying cannot help); ``transient`` (nothing could be fetched at all,
    e.g. the server was down for the moment: retried with backoff)."""
    kind = (report.get("error") or {}).get("kind")
    if kind in ("invalid", "refused_private"):
        return "permanent"
    if report.get("verdict") == "incomplete" and not (report.get("crawl") or {}).get("pages"):
        return "transient"
    return "ok"


def _reason(report: dict, outcome: str) -> str:
    detail = (report.get("error") or {}).get("detail")
    if outcome == "permanent":
        return f"检查被拒绝：{detail or '目标无效'}"
    return f"未能抓取任何页面{('：' + detail) if detail else ''}"


def _validate_report(report: Any) -> None:
    """A checker must return a SiteReport; anything else is an error for this site."""
    if not isinstance(report, dict):
        raise TypeError(f"检查器返回了 {type(report).__name__}，不是 SiteReport")
    if report.get("verdict") not in ("pass", "fail", "incomplete"):
        raise ValueError(f"SiteReport 的 verdict 无效：{report.get('verdict')!r}")
    if not isinstance(report.get("indicators", []), list):
        raise ValueError("SiteReport 的 indicators 不是列表")
