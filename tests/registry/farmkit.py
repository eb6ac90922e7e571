"""Registry records for farm sites, and a farm with extra hosts served in a thread."""

from __future__ import annotations

from datetime import date

from govsite.farm.model import Farm, Identity
from govsite.registry.models import Category, Domain, Organization, Region, Site, SiteChange

CATEGORY = {"市级政府门户": Category.CITY_PORTAL, "市级政府部门": Category.CITY_DEPARTMENT,
            "县级政府门户": Category.COUNTY_PORTAL, "县级政府部门": Category.BELOW_COUNTY}


def small_farm(sites: int = 60, seed: int = 5) -> Farm:
    return Farm(seed, sites, date(2017, 9, 14), port=0)


def register(ident: Identity, status: str = Site.Status.RUNNING, host: str | None = None, code: str | None = None) -> Site:
    """A registry record for a farm identity (its own host and code unless given)."""
    region = Region.objects.filter(code=ident.division).first() or Region.objects.filter(
        code=ident.division[:4] + "00").first()
    assert region is not None, ident.division
    org, _ = Organization.objects.get_or_create(name=ident.official_name, region=region, department=None)
    h = host or ident.host
    category = CATEGORY[ident.category]
    site = Site.objects.create(
        code=code or ident.code, name=ident.official_name, home_url=f"http://{h}/", category=category,
        site_class=Site.SiteClass.DEPARTMENT if ident.dept else Site.SiteClass.PORTAL,
        level=Site.Level.CITY if "市级" in ident.category else Site.Level.COUNTY, region=region, sponsor=org,
        status=status,
    )
    Domain.objects.create(site=site, host=h, is_primary=True)
    SiteChange.objects.create(site=site, actor="tester", action=SiteChange.Action.CREATE,
                              changes={"status": [None, status]})
    return site
