"""Storing the availability monitor's probes, alerting operators, and reading any window back.

- `store(results)`: one transaction per batch — the recent raw probes, the per-day totals
  (an upsert that adds to the day's counts), the per-site failure streak; then one e-mail per
  site whose streak just reached `alert_after` to the site's operators (accounts.Membership
  with role site_operator and the site in its scope). The streak is alerted once; a success
  clears it.
- `window_probes(site, start, end)`: what availability.availability() reads, for any window:
  raw probes where they are still kept, per-day totals before that (the share is exact).
- `stored_probe_log(...)`: the same written as a probe log, which is how a campaign check
  (in-process or on a Celery worker) takes the stored probes instead of its 3 short probes.
"""

from __future__ import annotations

import logging
import tempfile
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from govsite.engine.indicators.availability import CST, DayTotals, Probe, probes_from_aggregates, write_log
from govsite.registry.availability_models import AvailabilityDay, AvailabilityProbe, AvailabilityState
from govsite.registry.models import Site

log = logging.getLogger("govsite.registry.availability")

_UPSERT = (
    "INSERT INTO registry_availabilityday (site_id, day, probes, failures, elapsed_ms) VALUES (%s, %s, %s, %s, %s) "
    "ON CONFLICT (site_id, day) DO UPDATE SET probes = registry_availabilityday.probes + excluded.probes, "
    "failures = registry_availabilityday.failures + excluded.failures, "
    "elapsed_ms = registry_availabilityday.elapsed_ms + excluded.elapsed_ms"
)


def alert_after() -> int:
    return int(getattr(settings, "MONITOR_ALERT_AFTER", 3))


def raw_days() -> int:
    return int(getattr(settings, "MONITOR_RAW_DAYS", 8))


def running_sites() -> list[tuple[int, str, str]]:
    """(site id, code, home URL) of every running site: what the monitor probes."""
    return list(Site.objects.filter(status=Site.Status.RUNNING).order_by("pk").values_list("pk", "code", "home_url"))


def store(results: list[tuple[int, Probe]], alert_n: int | None = None) -> list[int]:
    """Store a batch of probes; return the ids of the sites whose operators were alerted."""
    if not results:
        return []
    alert_n = alert_n or alert_after()
    results = sorted(results, key=lambda r: r[1].t)
    days: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    for sid, p in results:
        tot = days[(sid, p.t.astimezone(CST).date())]
        tot[0] += 1
        tot[1] += 0 if p.ok else 1
        tot[2] += int(p.elapsed * 1000)
    alerts: list[tuple[int, int]] = []
    with transaction.atomic():
        AvailabilityProbe.objects.bulk_create(
            [AvailabilityProbe(site_id=sid, t=p.t, ok=p.ok, status=p.status, elapsed_ms=min(int(p.elapsed * 1000), 2**31 - 1),
                               error=(p.error or "")[:32]) for sid, p in results],
            batch_size=1000,
        )
        with connection.cursor() as cur:
            cur.executemany(_UPSERT, [(sid, d, n, f, ms) for (sid, d), (n, f, ms) in days.items()])
        ids = sorted({sid for sid, _ in results})
        states = AvailabilityState.objects.select_for_update().in_bulk(ids)
        new = []
        for sid in ids:
            if sid not in states:
                states[sid] = AvailabilityState(site_id=sid)
                new.append(states[sid])
        for sid, p in results:
            st = states[sid]
            st.last_probe_at = p.t
            if p.ok:
                st.consecutive_failures = 0
                st.last_ok_at = p.t
                st.alerted_at = None
                continue
            st.consecutive_failures += 1
            if st.consecutive_failures >= alert_n and st.alerted_at is None:
                st.alerted_at = timezone.now()
                alerts.append((sid, st.consecutive_failures))
        AvailabilityState.objects.bulk_create(new)
        old = [s for sid, s in states.items() if s not in new]
        AvailabilityState.objects.bulk_update(
            old, ["consecutive_failures", "last_probe_at", "last_ok_at", "alerted_at"], batch_size=1000)
    for sid, n in alerts:
        _alert(sid, n, [p for s, p in results if s == sid and not p.ok])
    return [sid for sid, _ in alerts]


def operator_emails(site_id: int) -> list[str]:
    from govsite.accounts.models import Membership, Role

    return sorted({
        m.user.email for m in Membership.objects.filter(role=Role.SITE_OPERATOR, sites__pk=site_id).select_related("user")
        if m.user.email
    })


def _alert(site_id: int, n: int, failures: list[Probe]) -> None:
    from django.core.mail import send_mail

    site = Site.objects.get(pk=site_id)
    to = operator_emails(site_id)
    if not to:
        log.warning("网站 %s 首页连续 %s 次无法访问，但没有设置邮箱的网站主办单位账号：未发送告警", site.code, n)
        return
    last = failures[-1] if failures else None
    body = [
        f"{site.name}（{site.code}）首页 {site.home_url} 已连续 {n} 次探测无法访问（15 秒内未能打开即为失败）。",
        f"最近一次失败：{last.t.astimezone(CST):%Y-%m-%d %H:%M:%S} {last.error or ''} {last.status or ''}".rstrip() if last else "",
        "首页无法访问比例达到 5% 即单项否决（V15-1），请尽快排查。恢复访问后本告警自动解除。",
    ]
    try:
        send_mail(f"【网站可用性告警】{site.name} 首页连续 {n} 次无法访问", "\n".join(b for b in body if b),
                  settings.DEFAULT_FROM_EMAIL, to)
    except Exception as exc:  # noqa: BLE001 - a mail server outage must not stop the monitor
        log.error("网站 %s 告警邮件发送失败：%s", site.code, exc)
        return
    log.warning("网站 %s 首页连续 %s 次无法访问：已告警 %s", site.code, n, "、".join(to))


def prune(keep_days: int | None = None) -> int:
    """Drop raw probes older than `keep_days` (the per-day totals stay); how many were dropped."""
    cutoff = timezone.now() - timedelta(days=keep_days or raw_days())
    n, _ = AvailabilityProbe.objects.filter(t__lt=cutoff).delete()
    return n


def window_probes(site_id: int, url: str, start: date, end: date) -> list[Probe]:
    """The site's probes from `start` to `end` (days, China time, inclusive)."""
    days = [DayTotals(d, n, f, ms / 1000.0) for d, n, f, ms in AvailabilityDay.objects.filter(
        site_id=site_id, day__gte=start, day__lte=end).values_list("day", "probes", "failures", "elapsed_ms")]
    lo = datetime(start.year, start.month, start.day, tzinfo=CST)
    hi = datetime(end.year, end.month, end.day, tzinfo=CST) + timedelta(days=1)
    raw = [Probe(t, url, ok, status, ms / 1000.0, err or None) for t, ok, status, ms, err in AvailabilityProbe.objects.filter(
        site_id=site_id, t__gte=lo, t__lt=hi).values_list("t", "ok", "status", "elapsed_ms", "error")]
    return probes_from_aggregates(url, days, raw)


def sites_with_probes(site_ids: list[int], start: date, end: date) -> set[int]:
    return set(AvailabilityDay.objects.filter(site_id__in=site_ids, day__gte=start, day__lte=end)
               .values_list("site_id", flat=True).distinct())


def stored_probe_log(site_id: int, url: str, start: date, end: date) -> str | None:
    """A temporary probe log of the stored probes in the window (the caller deletes it), or None."""
    probes = window_probes(site_id, url, start, end)
    if not probes:
        return None
    fh = tempfile.NamedTemporaryFile("w", suffix=".jsonl", prefix=f"govsite-probes-{site_id}-", delete=False)
    fh.close()
    write_log(fh.name, probes)
    return fh.name
