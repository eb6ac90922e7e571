"""Registry rows, users with roles, and a form helper shared by the feedback tests."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from govsite.accounts.models import Membership, Role
from govsite.registry.models import Department, Domain, Organization, Region, Site


@dataclass
class World:
    gd: Region
    gz: Region
    tianhe: Region
    hb: Region
    dept: Department
    dept2: Department
    gz_site: Site  # Guangzhou city portal (region 440100 → routed to 广东省)
    th_site: Site  # Tianhe district portal (440106 → 广东省)
    hb_site: Site  # Hubei provincial portal
    dept_site: Site  # 外交部 portal (routed to the department)
    users: dict


def make_site(code: str, name: str, host: str, region: Region | None = None, department: Department | None = None,
              category: int = 4, level: str = "city") -> Site:
    org = Organization.objects.create(name=name + "办公室", region=region, department=department)
    site = Site.objects.create(code=code, name=name, home_url=f"https://{host}/", category=category,
                               site_class="portal", level=level, region=region, department=department, sponsor=org)
    Domain.objects.create(site=site, host=host, is_primary=True)
    return site


def make_user(name: str, role: str, region=None, department=None, sites=()):  # noqa: ANN001, ANN201
    user = get_user_model().objects.create_user(name, email=f"{name}@example.gov.cn", password=None)  # no hashing: fast tests
    m = Membership.objects.create(user=user, role=role, region=region, department=department)
    m.sites.set(sites)
    return user


@pytest.fixture
def world(db) -> World:  # noqa: ANN001
    gd, gz, tianhe, hb = (Region.objects.get(code=c) for c in ("440000", "440100", "440106", "420000"))
    dept, dept2 = Department.objects.get(code="bm01"), Department.objects.get(code="bm03")
    gz_site = make_site("4401000059", "广州市人民政府", "www.gz.gov.cn", region=gz)
    th_site = make_site("4401060001", "广州市天河区人民政府", "www.thnet.gov.cn", region=tianhe, category=6, level="county")
    hb_site = make_site("4200000001", "湖北省人民政府", "www.hubei.gov.cn", region=hb, category=2, level="province")
    dept_site = make_site("bm01000001", "外交部", "www.mfa.gov.cn", department=dept, category=1, level="national")
    users = {
        "ops": make_user("ops", Role.NATIONAL_OPS),
        "nadmin": make_user("nadmin", Role.NATIONAL_ADMIN),
        "gd_admin": make_user("gd_admin", Role.REGIONAL_ADMIN, region=gd),
        "gz_admin": make_user("gz_admin", Role.REGIONAL_ADMIN, region=gz),
        "hb_admin": make_user("hb_admin", Role.REGIONAL_ADMIN, region=hb),
        "dept_admin": make_user("dept_admin", Role.DEPARTMENT_ADMIN, department=dept),
        "dept2_admin": make_user("dept2_admin", Role.DEPARTMENT_ADMIN, department=dept2),
        "gz_operator": make_user("gz_operator", Role.SITE_OPERATOR, sites=[gz_site]),
        "th_operator": make_user("th_operator", Role.SITE_OPERATOR, sites=[th_site]),
        "dept_operator": make_user("dept_operator", Role.SITE_OPERATOR, sites=[dept_site]),
        "inspector": make_user("inspector", Role.INSPECTOR, region=gz),
    }
    return World(gd, gz, tianhe, hb, dept, dept2, gz_site, th_site, hb_site, dept_site, users)


def form_fields(html: str) -> dict[str, str]:
    """Hidden inputs of a rendered report form (csrf token, captcha token, site code)."""
    out = {}
    for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html):
        out[m.group(1)] = m.group(2)
    return out


def captcha_answer(token: str) -> str:
    from govsite.feedback.intake import captcha_text

    a, b = re.findall(r"\d+", captcha_text(token))
    return str(int(a) + int(b))
