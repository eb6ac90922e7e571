"""G-OPEN-7 watch over closed and temporarily closed sites.

A permanently closed site must not be reachable any more; a temporary closure must end on
schedule. Each closed/temp-closed site's home page is probed once:

* closed + serving content → `still_serving`; closed + an "升级改版中" page → `placeholder_after_closure`;
* temp-closed past the allowed period + placeholder → `placeholder_overdue`; + nothing at all →
  `closure_overdue` (a temp-closed site serving normal content again is back, not a finding).

The closure date is the registry's own record: the newest status change to the current status
(SiteChange); the 指引's maximum length of a temporary closure was not recovered, so it is an
option (`allowed_days`).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from govsite.registry.models import ClosedSiteFinding, Site, SiteChange

PLACEHOLDER = re.compile(r"升级改版|改版升级|网站改版|系统升级|升级维护|维护中|建设中|暂停(访问|服务)|临时关闭|关停|已关闭|停止运行|敬请期待")
CONTENT_MIN_CHARS = 200


@dataclass
class Probe:
    url: str
    status: int | None
    error: str | None
    final_url: str = ""
    title: str = ""
    text: str = ""
    items: int = 0  # dated list items seen


@dataclass
class WatchResult:
    checked: int = 0
    findings: list[ClosedSiteFinding] = field(default_factory=list)


def classify_page(p: Probe) -> str:
    """`down`, `placeholder` or `content`."""
    if p.error or p.status is None or not 200 <= p.status < 300:
        return "down"
    blob = p.title + " " + p.text[:600]
    if PLACEHOLDER.search(blob) and (p.items == 0 or len(p.text) < CONTENT_MIN_CHARS):
        return "placeholder"
    if p.items or len(p.text) >= 40:
        return "content"
    return "placeholder"  # a near-empty page: nothing served, but the host still answers


def closure_date(site: Site) -> date:
    """The newest status change to the current status, else the record's last update."""
    for ch in SiteChange.objects.filter(site=site, action__in=[SiteChange.Action.STATUS, SiteChange.Action.UPDATE,
                                                               SiteChange.Action.CREATE]).order_by("-at", "-id"):
        st = (ch.changes or {}).get("status")
        if isinstance(st, list) and len(st) == 2 and st[1] == site.status:
            return timezone.localtime(ch.at).date()
    return timezone.localtime(site.updated_at).date()


async def _probe(fetcher: object, url: str) -> Probe:
    from govsite.engine.extract import extract_page

    res = await fetcher.get(url)  # type: ignore[attr-defined]
    p = Probe(url=url, status=res.status, error=res.error, final_url=res.final_url)
    if res.ok and res.body and res.is_html:
        facts = extract_page(res.text(), res.final_url or url)
        p.title = (facts.title or "").strip()
        p.text = (facts.text or "").strip()
        p.items = sum(len(c.items) for c in facts.columns)
    return p


def watch(fetcher_factory: Callable[[], object], url_for: Callable[[Site], str], *, allowed_days: int = 90,
          today: date | None = None, codes: list[str] | None = None) -> WatchResult:
    today = today or timezone.localdate()
    qs = Site.objects.filter(status__in=[Site.Status.CLOSED, Site.Status.TEMP_CLOSED]).order_by("code")
    if codes:
        qs = qs.filter(code__in=codes)
    sites = list(qs)
    urls = {s.code: url_for(s) for s in sites}

    async def run() -> dict[str, Probe]:
        async with fetcher_factory() as fetcher:  # type: ignore[attr-defined]
            got = await asyncio.gather(*(_probe(fetcher, urls[s.code]) for s in sites))
        return {s.code: p for s, p in zip(sites, got, strict=True)}

    probes = asyncio.run(run()) if sites else {}
    out = WatchResult(checked=len(sites))
    with transaction.atomic():
        for s in sites:
            p = probes[s.code]
            state = classify_page(p)
            since = closure_date(s)
            days = max(0, (today - since).days)
            kind = None
            if s.status == Site.Status.CLOSED:
                kind = {"content": ClosedSiteFinding.Kind.STILL_SERVING,
                        "placeholder": ClosedSiteFinding.Kind.PLACEHOLDER_AFTER_CLOSURE}.get(state)
            elif days > allowed_days:
                kind = {"placeholder": ClosedSiteFinding.Kind.PLACEHOLDER_OVERDUE,
                        "down": ClosedSiteFinding.Kind.CLOSURE_OVERDUE}.get(state)
            if kind is None:
                continue
            evidence = {"status": p.status, "error": p.error, "final_url": p.final_url, "title": p.title[:200],
                        "snippet": p.text[:300], "list_items": p.items, "allowed_days": allowed_days,
                        "checked_on": today.isoformat()}
            out.findings.append(ClosedSiteFinding.objects.create(site=s, kind=kind, url=p.url, since=since, days=days,
                                                                 evidence=evidence))
    return out
