"""Running-site statistics as the quarterly notice reports them: by category (the seven classes
in the notice's order), by region × category (attachment 2) and by State Council department
(attachment 3). Aggregate queries only; parts always sum to the totals (sites without a
region or department are shown in an explicit 未知 row instead of being dropped).

Other apps call `registry_stats()` (a JSON-ready dict) or the three functions it combines."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from govsite.registry.index import RegistryIndex
from govsite.registry.models import Category, Site
from govsite.registry.reference import PROVINCE_SHORT

REGION_CATEGORIES = (2, 3, 4, 5, 6, 7)
REGION_COLUMNS = ("省级门户", "省级部门", "市级门户", "市级部门", "县级门户", "县级以下")


def _running(status: str | None) -> Any:
    qs = Site.objects.all()
    return qs.filter(status=status) if status else qs


def category_counts(status: str | None = Site.Status.RUNNING) -> dict[int, int]:
    """Sites per category 1..7 (all seven keys, zeros included)."""
    counts = {c.value: 0 for c in Category}
    for row in _running(status).values("category").annotate(n=Count("id")).order_by():
        counts[row["category"]] = row["n"]
    return counts


def region_counts(status: str | None = Site.Status.RUNNING, index: RegistryIndex | None = None) -> list[dict[str, Any]]:
    """Attachment 2: one row per province-level region in notice order, categories 2..7 and 合计."""
    index = index or RegistryIndex()
    rows: dict[str, dict[str, Any]] = {}
    for p in index.provinces:
        rows[p.code] = {"code": p.code, "name": p.name, "short_name": PROVINCE_SHORT.get(p.code, p.name),
                        "counts": dict.fromkeys(REGION_CATEGORIES, 0), "total": 0}
    unknown = {"code": "", "name": "未知地区", "short_name": "未知地区", "counts": dict.fromkeys(REGION_CATEGORIES, 0), "total": 0}
    province_of: dict[int, str] = {rid: index.province_of(info).code for rid, info in index.region_by_id.items()}
    qs = _running(status).filter(category__in=REGION_CATEGORIES).values("region_id", "category").annotate(n=Count("id")).order_by()
    for row in qs:
        target = rows.get(province_of.get(row["region_id"], ""), unknown)
        target["counts"][row["category"]] += row["n"]
        target["total"] += row["n"]
    out = list(rows.values())
    if unknown["total"]:
        out.append(unknown)
    return out


def department_counts(status: str | None = Site.Status.RUNNING, index: RegistryIndex | None = None) -> list[dict[str, Any]]:
    """Attachment 3: category-1 sites per State Council department (portal + internal/vertical units)."""
    index = index or RegistryIndex()
    rows: dict[int | None, dict[str, Any]] = {}
    for d in sorted(index.departments.values(), key=lambda d: (d.notice_order, d.code)):
        rows[d.id] = {"code": d.code, "name": d.name, "short_name": d.short_name or d.name, "portal": 0, "other": 0, "total": 0}
    unknown = {"code": "", "name": "未知部门", "short_name": "未知部门", "portal": 0, "other": 0, "total": 0}
    qs = _running(status).filter(category=Category.STATE_COUNCIL).values("department_id", "site_class").annotate(n=Count("id")).order_by()
    for row in qs:
        target = rows.get(row["department_id"], unknown)
        target["portal" if row["site_class"] == Site.SiteClass.PORTAL else "other"] += row["n"]
        target["total"] += row["n"]
    out = list(rows.values())
    if unknown["total"]:
        out.append(unknown)
    return out


def registry_stats(status: str | None = Site.Status.RUNNING) -> dict[str, Any]:
    index = RegistryIndex()
    by_category = category_counts(status)
    regions = region_counts(status, index)
    departments = department_counts(status, index)
    region_totals = {c: sum(r["counts"][c] for r in regions) for c in REGION_CATEGORIES}
    return {
        "status": status or "all",
        "total": sum(by_category.values()),
        "by_category": [{"category": c.value, "label": c.label, "count": by_category[c.value]} for c in Category],
        "by_region": [{**r, "counts": {str(k): v for k, v in r["counts"].items()}} for r in regions],
        "region_totals": {**{str(k): v for k, v in region_totals.items()}, "total": sum(region_totals.values())},
        "by_department": departments,
        "department_totals": {k: sum(d[k] for d in departments) for k in ("portal", "other", "total")},
    }
