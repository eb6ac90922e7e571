"""A small registry for campaign tests: a few provinces and departments, sites in several
categories, some with non-standard names or domains (so the test checker finds problems)."""

from __future__ import annotations

import pytest

# (province code, category) → number of running sites
LAYOUT = {
    ("110000", 2): 1, ("110000", 3): 6, ("110000", 5): 12, ("110000", 6): 4,
    ("120000", 2): 1, ("120000", 3): 5, ("120000", 5): 9,
    ("220000", 2): 1, ("220000", 3): 4, ("220000", 4): 3, ("220000", 6): 8, ("220000", 7): 5,
}
DEPARTMENTS = {"bm01": 3, "bm04": 7}


def build_registry(layout: dict | None = None, departments: dict | None = None, closed: int = 2) -> list:
    from govsite.registry.models import Department, Organization, Region, Site

    layout = LAYOUT if layout is None else layout
    departments = DEPARTMENTS if departments is None else departments
    sites = []
    serial = 0
    for (prov, cat), n in layout.items():
        region = Region.objects.get(code=prov)
        org = Organization.objects.create(name=f"{region.name}人民政府{cat}", region=region)
        for _ in range(n):
            serial += 1
            # Every 5th site carries a decorated name, every 7th a non-.gov.cn domain.
            name = f"{region.name}测试网站{serial}" + ("公众信息网" if serial % 5 == 0 else "")
            tld = "com.cn" if serial % 7 == 0 else "gov.cn"
            sites.append(Site(
                code=f"{prov[:2]}{cat:02d}{serial:06d}", name=name, home_url=f"http://s{serial}.example.{tld}/",
                category=cat, site_class="department", level="province", region=region, sponsor=org,
            ))
    for code, n in departments.items():
        dept = Department.objects.get(code=code)
        org = Organization.objects.create(name=dept.name, department=dept)
        for i in range(n):
            serial += 1
            sites.append(Site(
                code=f"bm{int(code[2:]):02d}{serial:06d}", name=f"{dept.name}网站{i}",
                home_url=f"http://d{serial}.example.gov.cn/", category=1, site_class="department",
                level="national", department=dept, sponsor=org,
            ))
    Site.objects.bulk_create(sites)
    for s in Site.objects.order_by("code")[:closed]:
        s.status = Site.Status.CLOSED
        s.save()
    return list(Site.objects.order_by("code"))


@pytest.fixture
def registry(db) -> list:  # noqa: ANN001
    return build_registry()


@pytest.fixture
def inspector(db):  # noqa: ANN001, ANN201
    return make_user("alice", "inspector")


def make_user(username: str, role: str):  # noqa: ANN201
    from django.contrib.auth import get_user_model

    from govsite.accounts.models import Membership

    user = get_user_model().objects.create_user(username=username, password="not-used-1234")
    Membership.objects.create(user=user, role=role)
    return user
