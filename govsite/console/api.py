"""The console API (django-ninja, OpenAPI at /console/api/openapi.json, docs at /console/api/docs).
Bearer tokens act with their user's role and scope: the same scope helpers as the pages."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.security import HttpBearer

from govsite.accounts.models import Role
from govsite.accounts.scope import can_act_on, membership_of
from govsite.console import data, scope
from govsite.console.audit import record
from govsite.console.models import ApiToken, hash_token
from govsite.feedback.workflow import WorkflowError, act, allowed_steps
from govsite.inspections import indicators as ind
from govsite.registry.models import Site, SiteChange


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):  # noqa: ANN201
        if not token or len(token) > 200:
            return None
        t = ApiToken.objects.select_related("user").filter(key_hash=hash_token(token), revoked=False).first()
        if t is None or not t.user.is_active or membership_of(t.user) is None:
            return None
        if t.last_used_at is None or timezone.now() - t.last_used_at > dt.timedelta(minutes=5):
            ApiToken.objects.filter(pk=t.pk).update(last_used_at=timezone.now())
        request.user = t.user
        return t.user


api = NinjaAPI(title="govsite 政府网站监管平台 API", version="1", auth=TokenAuth(), urls_namespace="console:api")


NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL: refuse it at the schema (422), not at the database
SITE_CODE = Path(..., pattern=r"^[0-9A-Za-z]{1,10}$")


class SiteOut(Schema):
    code: str
    name: str
    home_url: str
    category: int
    level: str
    status: str
    region_code: str | None
    department_code: str | None
    operator: str
    icp: str


def _site_out(s: Site) -> dict:
    return {"code": s.code, "name": s.name, "home_url": s.home_url, "category": s.category, "level": s.level,
            "status": s.status, "region_code": s.region.code if s.region_id else None,
            "department_code": s.department.code if s.department_id else None, "operator": s.operator, "icp": s.icp}


class SitePage(Schema):
    items: list[SiteOut]
    next_after: str | None


class SiteFilter(Schema):
    q: str = Field("", max_length=64, pattern=NO_NUL)
    category: int | None = Field(None, ge=1, le=7)
    province: str = Field("", pattern=r"^(\d{2})?$")
    after: str = Field("", max_length=10, pattern=r"^[0-9A-Za-z]*$")
    limit: int = Field(100, ge=1, le=500)


@api.get("/sites", response=SitePage, summary="登记库网站列表（按网站标识码分页）")
def list_sites(request: HttpRequest, f: Query[SiteFilter]) -> dict:
    qs = scope.visible_sites(request.auth).select_related("region", "department").order_by("code")
    if f.q:
        qs = qs.filter(name__contains=f.q) | qs.filter(code__startswith=f.q)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.province:
        qs = qs.filter(region__code__startswith=f.province)
    if f.after:
        qs = qs.filter(code__gt=f.after)
    rows = list(qs[: f.limit + 1])
    more = len(rows) > f.limit
    rows = rows[: f.limit]
    return {"items": [_site_out(s) for s in rows], "next_after": rows[-1].code if more and rows else None}


@api.get("/sites/{code}", response=SiteOut, summary="一个网站的登记信息")
def get_site(request: HttpRequest, code: str = SITE_CODE) -> dict:
    return _site_out(scope.site_or_404(request.auth, code))


class SitePatch(Schema):
    """Fields a regional system may sync; anything else in the registry changes through the registry."""

    operator: str | None = Field(None, max_length=128, pattern=NO_NUL)
    icp: str | None = Field(None, max_length=64, pattern=NO_NUL)
    police_record: str | None = Field(None, max_length=64, pattern=NO_NUL)
    conac_id: str | None = Field(None, max_length=64, pattern=NO_NUL)
    reason: str = Field(..., min_length=1, max_length=512, pattern=NO_NUL)


class Error(Schema):
    detail: str


@api.patch("/sites/{code}", response={200: SiteOut, 403: Error, 404: Error}, summary="同步网站备案与承办信息")
def patch_site(request: HttpRequest, body: SitePatch, code: str = SITE_CODE) -> dict | tuple[int, dict]:
    site = scope.site_or_404(request.auth, code)
    roles = {Role.NATIONAL_ADMIN, Role.REGIONAL_ADMIN, Role.DEPARTMENT_ADMIN}
    if not can_act_on(request.auth, site, roles=roles):
        return 403, {"detail": "无权修改该网站"}
    fields = body.dict(exclude_none=True, exclude={"reason"})
    changes = {k: [getattr(site, k), v] for k, v in fields.items() if getattr(site, k) != v}
    if changes:
        with transaction.atomic():
            for k, (_, v) in changes.items():
                setattr(site, k, v)
            site.save(update_fields=[*changes, "updated_at"])
            SiteChange.objects.create(site=site, actor=request.auth.get_username(), action=SiteChange.Action.UPDATE,
                                      changes=changes, reason=body.reason)
            record(request, "site_update", site, {"changes": changes, "reason": body.reason}, channel="api")
    return _site_out(site)


class CampaignOut(Schema):
    id: int
    name: str
    quarter: str
    kind: str
    state: str
    total: int
    done: int
    failed: int


@api.get("/campaigns", response=list[CampaignOut], summary="检查活动（本范围内的网站数与进度）")
def list_campaigns(request: HttpRequest) -> list[dict]:
    items = list(scope.campaigns(request.auth).order_by("-quarter", "-id")[:200])
    progress = data.campaign_progress(request.auth, [c.pk for c in items])
    return [
        {"id": c.pk, "name": c.name, "quarter": c.quarter, "kind": c.kind, "state": c.state,
         **{k: progress.get(c.pk, {}).get(k, 0) for k in ("total", "done", "failed")}}
        for c in items
    ]


class ResultOut(Schema):
    site: str
    name: str
    state: str
    score: float | None
    verdict: str
    final: bool
    problems: list[str]


@api.get("/campaigns/{campaign_id}/results", response=list[ResultOut], summary="检查活动结果（本范围内）")
def campaign_results(request: HttpRequest, campaign_id: int) -> list[dict]:
    if not -(2**62) < campaign_id < 2**62:
        raise Http404
    c = scope.campaign_or_404(request.auth, campaign_id)
    rows = scope.campaign_sites(request.auth).filter(campaign=c).select_related("site").order_by("site__code")
    return [
        {"site": cs.site.code, "name": cs.site.name, "state": cs.state, "score": cs.score,
         "verdict": data.verdict_of(cs.review_state, cs.reviewed_verdict, cs.auto_verdict),
         "final": cs.review_state == "final", "problems": ind.problem_ids(cs.report or {})}
        for cs in rows[:5000]
    ]


class MessageOut(Schema):
    id: int
    query_code: str
    site: str
    category: int
    status: int
    status_label: str
    overdue: bool
    created_at: dt.datetime
    allowed_actions: list[str]


def _msg_out(request: HttpRequest, m) -> dict:  # noqa: ANN001
    role = membership_of(request.auth).role
    return {"id": m.pk, "query_code": m.query_code, "site": m.site_code, "category": m.category, "status": m.status,
            "status_label": m.label_for(role), "overdue": m.overdue, "created_at": m.created_at,
            "allowed_actions": allowed_steps(request.auth, m)}


@api.get("/messages", response=list[MessageOut], summary="找错留言（本范围内）")
def list_messages(request: HttpRequest, overdue: bool = False, limit: int = Query(100, ge=1, le=500)) -> list[dict]:
    qs = scope.messages(request.auth).order_by("-created_at")
    if overdue:
        qs = qs.filter(overdue=True)
    return [_msg_out(request, m) for m in qs[:limit]]


def _msg(request: HttpRequest, message_id: int):  # noqa: ANN202
    if not -(2**62) < message_id < 2**62:
        raise Http404
    return scope.message_or_404(request.auth, message_id)


@api.get("/messages/{message_id}", response=MessageOut, summary="一条找错留言")
def get_message(request: HttpRequest, message_id: int) -> dict:
    return _msg_out(request, _msg(request, message_id))


class ActIn(Schema):
    action: str = Field(..., min_length=1, max_length=32, pattern=NO_NUL)
    reason: str = Field("", max_length=2000, pattern=NO_NUL)
    reply: str = Field("", max_length=5000, pattern=NO_NUL)
    target: int | None = Field(None, ge=0, le=100)


@api.post("/messages/{message_id}/act", response={200: MessageOut, 400: Error, 404: Error}, summary="办理留言")
def act_message(request: HttpRequest, message_id: int, body: ActIn) -> dict | tuple[int, dict]:
    msg = _msg(request, message_id)
    before = msg.status
    try:
        msg = act(msg, request.auth, body.action, reason=body.reason, target=body.target, reply=body.reply)
    except WorkflowError as exc:
        return 400, {"detail": str(exc)}
    record(request, f"message_{body.action}", msg, {"from": before, "to": msg.status}, channel="api")
    return _msg_out(request, msg)
