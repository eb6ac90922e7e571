"""Running-site statistics: parts always sum to totals."""

from __future__ import annotations

from collections import Counter

import pytest

from govsite.registry.models import Region, Site
from govsite.registry.stats import REGION_CATEGORIES, registry_stats
from tests.registry.conftest import SMALL_COUNTS

pytestmark = pytest.mark.django_db


def _check_sums(data: dict) -> None:
    by_cat = {c["category"]: c["count"] for c in data["by_category"]}
    assert data["total"] == sum(by_cat.values())
    for c in REGION_CATEGORIES:
        assert sum(r["counts"][str(c)] for r in data["by_region"]) == by_cat[c] == data["region_totals"][str(c)]
    for r in data["by_region"]:
        assert r["total"] == sum(r["counts"].values())
    assert data["region_totals"]["total"] == sum(by_cat[c] for c in REGION_CATEGORIES)
    assert sum(d["total"] for d in data["by_department"]) == by_cat[1] == data["department_totals"]["total"]
    for d in data["by_department"]:
        assert d["total"] == d["portal"] + d["other"]


def test_stats_of_generated_registry(small_registry):
    data = registry_stats()
    assert [c["count"] for c in data["by_category"]] == [SMALL_COUNTS[c] for c in range(1, 8)]
    assert data["total"] == sum(SMALL_COUNTS.values())
    assert [r["short_name"] for r in data["by_region"]][:3] == ["北京", "天津", "河北"]
    assert data["by_region"][-1]["short_name"] == "新疆生产建设兵团"
    assert len(data["by_region"]) == 32
    expected = Counter(r.region[:2] for r in small_registry.records if r.category >= 2)
    for row in data["by_region"]:
        assert row["total"] == expected.get(row["code"][:2], 0)
    _check_sums(data)


def test_only_running_sites_count_and_unknown_rows_keep_sums(small_registry):
    site = Site.objects.filter(category=5).first()
    site.status = Site.Status.CLOSED
    site.save()
    orphan = Site.objects.filter(category=3).first()
    # A provincial department stored without a region (possible through the ORM) still counts.
    orphan.region = None
    orphan.department_id = Site.objects.filter(category=1).values_list("department_id", flat=True).first()
    orphan.save()
    data = registry_stats()
    assert data["by_category"][4]["count"] == SMALL_COUNTS[5] - 1
    assert data["by_region"][-1]["name"] == "未知地区" and data["by_region"][-1]["total"] == 1
    _check_sums(data)
    assert registry_stats(status=None)["total"] == sum(SMALL_COUNTS.values())


def test_empty_registry():
    data = registry_stats()
    assert data["total"] == 0 and len(data["by_region"]) == Region.objects.filter(level="province").count()
    _check_sums(data)
