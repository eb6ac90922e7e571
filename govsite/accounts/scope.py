"""Scope queries other apps reuse: which sites a user may see, and whether a user may act on a
site. Keep every permission decision about "where" here, so the rules stay in one place."""

from __future__ import annotations

import secrets

from django.core.cache import cache
from django.db.models import Q, QuerySet

from govsite.accounts.models import NATIONAL_ROLES, Membership, Role
from govsite.registry.models import Region, Site


def membership_of(user) -> Membership | None:  # noqa: ANN001 - any Django user (or AnonymousUser)
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def role_of(user) -> str | None:  # noqa: ANN001
    m = membership_of(user)
    return m.role if m else None


REGION_TREE_TTL = 600  # seconds; a change to any region also drops every cached tree at once
_REGION_VERSION_KEY = "scope:region-version"


def region_tree_changed(**_: object) -> None:
    """Forget every cached region tree (connected to Region saves and deletes): a new version
    makes all earlier keys unreachable, in every process when the cache is shared (Redis)."""
    cache.set(_REGION_VERSION_KEY, secrets.token_hex(8), None)


def _region_version() -> str:
    version = cache.get(_REGION_VERSION_KEY)
    if version is None:
        version = secrets.token_hex(8)
        if not cache.add(_REGION_VERSION_KEY, version, None):
            version = cache.get(_REGION_VERSION_KEY) or version
    return version


def descendant_ids(region_id: int) -> frozenset[int]:
    """The region and every region below it. Divisions are reference data read on every scoped
    request, so the walk (one query per level) is cached; the version key drops it on change."""
    key = f"scope:region-tree:{_region_version()}:{region_id}"
    ids = cache.get(key)
    if ids is None:
        found = {region_id}
        frontier = [region_id]
        while frontier:
            frontier = [pk for pk in Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
                        if pk not in found]
            found.update(frontier)
        ids = frozenset(found)
        cache.set(key, ids, REGION_TREE_TTL)
    return ids


def region_ids_by_code_prefix(prefix: str) -> frozenset[int]:
    """Ids of the regions whose code starts with `prefix` (a province's two digits name the
    province and everything in it), cached like descendant_ids."""
    key = f"scope:region-prefix:{_region_version()}:{prefix}"
    ids = cache.get(key)
    if ids is None:
        ids = frozenset(Region.objects.filter(code__startswith=prefix).values_list("pk", flat=True))
        cache.set(key, ids, REGION_TREE_TTL)
    return ids


def region_and_descendant_ids(region: Region) -> frozenset[int]:
    """The region and every region below it (see descendant_ids)."""
    return descendant_ids(region.pk)


def province_of(region: Region | None) -> Region | None:
    """The province-level region a region belongs to (walks `parent` up)."""
    seen = 0
    while region is not None and region.level != Region.Level.PROVINCE and seen < 10:
        region = region.parent
        seen += 1
    return region


def _scope_filter(m: Membership) -> Q | None:
    """None means unrestricted (national roles)."""
    if m.role in NATIONAL_ROLES:
        return None
    q = Q(pk__in=[])
    if m.role in (Role.REGIONAL_ADMIN, Role.INSPECTOR) and m.region_id:
        q |= Q(region_id__in=descendant_ids(m.region_id))
    if m.role in (Role.DEPARTMENT_ADMIN, Role.INSPECTOR) and m.department_id:
        q |= Q(department_id=m.department_id)
    if m.role in (Role.SITE_OPERATOR, Role.INSPECTOR):
        q |= Q(pk__in=m.sites.values("pk"))
    return q


def sites_in_scope(user) -> QuerySet[Site]:  # noqa: ANN001
    """Every site the user may see; empty for anonymous users and users without a role."""
    m = membership_of(user)
    if m is None:
        return Site.objects.none()
    q = _scope_filter(m)
    return Site.objects.all() if q is None else Site.objects.filter(q)


def can_see(user, site: Site) -> bool:  # noqa: ANN001
    return sites_in_scope(user).filter(pk=site.pk).exists()


def can_act_on(user, site: Site, roles: frozenset[str] | set[str] | None = None) -> bool:  # noqa: ANN001
    """True if the user holds one of `roles` (any role if None) and the site is in scope.
    Inspectors only read unless `roles` names them explicitly."""
    m = membership_of(user)
    if m is None:
        return False
    if roles is not None and m.role not in roles:
        return False
    if roles is None and m.role == Role.INSPECTOR:
        return False
    return can_see(user, site)
