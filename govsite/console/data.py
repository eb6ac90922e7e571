"""Figures the dashboard and the API share, always computed over the user's scope."""

from __future__ import annotations

from collections import defaultdict

from django.core.cache import cache
from django.db.models import Count

from govsite.console import scope
from govsite.inspections.models import Campaign, CampaignSite, RectificationTask
from govsite.registry.models import Region


def verdict_of(review_state: str, reviewed: str, auto: str) -> str:
    """The reviewed verdict once final, else the automatic one (marked provisional by callers)."""
    return reviewed if review_state == CampaignSite.ReviewState.FINAL and reviewed else auto


def campaign_progress(user, campaign_ids: list[int]) -> dict[int, dict[str, int]]:  # noqa: ANN001
    rows = (
        scope.campaign_sites(user)
        .filter(campaign_id__in=campaign_ids)
        .values("campaign_id", "state")
        .annotate(n=Count("id"))
    )
    out: dict[int, dict[str, int]] = defaultdict(lambda: {"total": 0, "pending": 0, "running": 0, "done": 0, "failed": 0})
    for r in rows:
        d = out[r["campaign_id"]]
        d[r["state"]] = r["n"]
        d["total"] += r["n"]
    for d in out.values():
        d["percent"] = round(100 * (d["done"] + d["failed"]) / d["total"]) if d["total"] else 0
    return dict(out)


def latest_quarter(user) -> str | None:  # noqa: ANN001
    c = scope.campaigns(user).filter(kind=Campaign.Kind.NATIONAL_SAMPLE).order_by("-quarter").first()
    return c.quarter if c else None


def _province_names() -> dict[str, str]:
    names = cache.get("console:province-names")
    if names is None:
        names = {r.code[:2]: r.name for r in Region.objects.filter(level=Region.Level.PROVINCE)}
        cache.set("console:province-names", names, 3600)
    return names


def pass_rates(user, quarter: str) -> list[dict]:  # noqa: ANN001
    """Pass rates of the quarter's national sample by province (or department), in scope."""
    rows = (
        scope.campaign_sites(user)
        .filter(campaign__quarter=quarter, campaign__kind=Campaign.Kind.NATIONAL_SAMPLE, state=CampaignSite.State.DONE)
        .values("site__region__code", "site__department__name", "review_state", "reviewed_verdict", "auto_verdict")
    )
    names = _province_names()
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # checked, passed, final
    for r in rows:
        code = r["site__region__code"]
        unit = names.get(code[:2], code) if code else (r["site__department__name"] or "—")
        t = tally[unit]
        t[0] += 1
        t[1] += verdict_of(r["review_state"], r["reviewed_verdict"], r["auto_verdict"]) == "pass"
        t[2] += r["review_state"] == CampaignSite.ReviewState.FINAL
    out = [
        {"unit": unit, "checked": c, "passed": p, "reviewed": f, "rate": round(100 * p / c, 1) if c else None}
        for unit, (c, p, f) in tally.items()
    ]
    out.sort(key=lambda d: (-(d["rate"] or 0), d["unit"]))
    return out


def rectification_due(user, limit: int = 10) -> list[RectificationTask]:  # noqa: ANN001
    states = [RectificationTask.State.OPEN, RectificationTask.State.OVERDUE]
    return list(scope.rectifications(user).filter(state__in=states).select_related("site").order_by("deadline")[:limit])
