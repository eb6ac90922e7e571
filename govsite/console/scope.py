"""The console's view of scope, built on govsite.accounts.scope: every page and API query
starts from these helpers, so an id outside the user's scope is simply "not found"."""

from __future__ import annotations

import hashlib

from django.db.models import Q, QuerySet
from django.http import Http404

from govsite.accounts.models import NATIONAL_ROLES, Role
from govsite.accounts.scope import membership_of, sites_in_scope
from govsite.console.refresh import fresh_or_stale
from govsite.feedback.models import Message
from govsite.feedback.workflow import messages_in_scope
from govsite.inspections.models import Assignment, Campaign, CampaignSite, RectificationTask
from govsite.registry.models import Site


def is_national(user) -> bool:  # noqa: ANN001
    m = membership_of(user)
    return m is not None and m.role in NATIONAL_ROLES


def visible_sites(user) -> QuerySet[Site]:  # noqa: ANN001
    """sites_in_scope, plus for an inspector the sites assigned to them for review."""
    m = membership_of(user)
    qs = sites_in_scope(user)
    if m is not None and m.role == Role.INSPECTOR:
        assigned = Assignment.objects.filter(inspector=user).values("site_id")
        qs = Site.objects.filter(Q(pk__in=qs.values("pk")) | Q(pk__in=assigned))
    return qs


def scope_key(user) -> str:  # noqa: ANN001
    """A cache key part naming the user's scope (same scope → same cached figures)."""
    m = membership_of(user)
    if m is None:
        return "none"
    if m.role in NATIONAL_ROLES:
        return "national"
    if m.role == Role.REGIONAL_ADMIN:
        return f"region:{m.region_id}"
    if m.role == Role.DEPARTMENT_ADMIN:
        return f"dept:{m.department_id}"
    return f"user:{user.pk}"  # operators and inspectors: their own lists


def version_scope_key(user) -> str | None:  # noqa: ANN001
    """scope_key for scopes that the registry's own tables define (national; a region and the
    regions below it; a department), whose lists may be cached by registry version; None for
    operators and inspectors, whose lists also depend on their memberships and assignments."""
    m = membership_of(user)
    if m is None or m.role not in (*NATIONAL_ROLES, Role.REGIONAL_ADMIN, Role.DEPARTMENT_ADMIN):
        return None
    return scope_key(user)


def site_or_404(user, code: str) -> Site:  # noqa: ANN001
    site = visible_sites(user).select_related("region", "department", "sponsor").filter(code=code).first()
    if site is None:
        raise Http404("网站不存在或不在您的管辖范围内")
    return site


def campaign_sites(user) -> QuerySet[CampaignSite]:  # noqa: ANN001
    if is_national(user):
        return CampaignSite.objects.all()
    return CampaignSite.objects.filter(site__in=visible_sites(user).values("pk"))


def campaigns(user) -> QuerySet[Campaign]:  # noqa: ANN001
    if is_national(user):
        return Campaign.objects.all()
    return Campaign.objects.filter(pk__in=campaign_sites(user).values("campaign_id"))


_MAX_ID = 2**63 - 1  # larger ids would overflow a bigint column (a 500 on PostgreSQL)


def campaign_or_404(user, pk: int) -> Campaign:  # noqa: ANN001
    c = campaigns(user).filter(pk=pk).first() if 0 < pk <= _MAX_ID else None
    if c is None:
        raise Http404("检查活动不存在或不在您的管辖范围内")
    return c


def messages(user) -> QuerySet[Message]:  # noqa: ANN001
    return messages_in_scope(user)


def message_or_404(user, pk: int) -> Message:  # noqa: ANN001
    msg = messages(user).filter(pk=pk).select_related("site").first() if 0 < pk <= _MAX_ID else None
    if msg is None:
        raise Http404("留言不存在或不在您的管辖范围内")
    return msg


def rectifications(user) -> QuerySet[RectificationTask]:  # noqa: ANN001
    if is_national(user):
        return RectificationTask.objects.all()
    return RectificationTask.objects.filter(site__in=visible_sites(user).values("pk"))


def cached_count(user, qs: QuerySet, key: str, ttl: int = 60) -> int:
    """COUNT(*) over tens of thousands of rows is the slow part of a list page: cache it per
    scope and filter, recounted in the background once a minute old (console.refresh)."""
    digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()
    return fresh_or_stale(f"console:count:{scope_key(user)}:{digest}", qs.count, ttl)


def exact_count(qs: QuerySet, token: str, skey: str, key: str, ttl: int = 600) -> int:
    """COUNT(*) of a version_scope_key scope, cached under the registry version token: exact,
    since any change to the registry gives the next request a new token (registry.version)."""
    from django.core.cache import cache

    digest = hashlib.sha1(f"{token}\0{skey}\0{key}".encode(), usedforsecurity=False).hexdigest()
    n = cache.get(f"console:count:v:{digest}")
    if n is None:
        n = qs.count()
        cache.set(f"console:count:v:{digest}", n, ttl)
    return n
