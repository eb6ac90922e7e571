"""Console pages (Chinese). Every query starts from govsite.console.scope, so an id outside
the user's scope answers 404 exactly like an id that does not exist."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import secrets
import threading
from collections import OrderedDict
from functools import lru_cache, wraps
from html import escape  # the stdlib one Django's wraps: same output, no lazy-string overhead
from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods

from govsite.accounts.models import Role
from govsite.accounts.rows import model_row
from govsite.accounts.scope import can_act_on, membership_of
from govsite.console import data, scope
from govsite.console.audit import record
from govsite.console.refresh import fresh_or_stale
from govsite.feedback.models import Status
from govsite.feedback.workflow import STEPS, WorkflowError, act, allowed_steps
from govsite.inspections import indicators as ind
from govsite.inspections import rectification, reviews
from govsite.inspections.errors import InspectionError
from govsite.inspections.models import Assignment, Campaign, CampaignSite, RectificationTask
from govsite.registry import version as registry_version
from govsite.registry.models import Category, Region, Site

PAGE_SIZE = 50
STATUS_LABELS = {"ok": "符合", "deduct": "扣分", "veto": "单项否决", "bonus": "加分", "na": "不适用", "error": "未能判定"}


def console_view(view):  # noqa: ANN001, ANN201
    """Logged in and holding a role; everything else is decided by scope."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:  # noqa: ANN002, ANN003
        if membership_of(request.user) is None:
            raise PermissionDenied("您的账号尚未分配角色")
        return view(request, *args, **kwargs)

    return wrapper


def _ctx(request: HttpRequest, **extra) -> dict:  # noqa: ANN003
    m = membership_of(request.user)
    return {"role": m.role if m else None, "role_label": m.get_role_display() if m else "", **extra}


DASHBOARD_TTL = 30  # seconds before a background refresh; saves of the figures' models drop the cache at once
_DASHBOARD_GEN_KEY = "console:dashboard-gen"


def dashboard_changed(**_: object) -> None:
    """Drop every scope's cached dashboard (connected to saves and deletes of campaigns, their
    rows, messages and rectification tasks in apps.py)."""
    from django.core.cache import cache

    cache.set(_DASHBOARD_GEN_KEY, secrets.token_hex(8), None)


def _render_dashboard_figures(user) -> dict:  # noqa: ANN001
    recent = list(scope.campaigns(user).order_by("-created_at")[:6])
    progress = data.campaign_progress(user, [c.pk for c in recent])
    quarter = data.latest_quarter(user)
    rates = data.pass_rates(user, quarter) if quarter else []
    msgs = scope.messages(user).filter(overdue=True)
    html = render_to_string("console/_dashboard_figures.html", {
        "campaigns": [(c, progress.get(c.pk, {"total": 0, "percent": 0, "done": 0, "failed": 0})) for c in recent],
        "quarter": quarter, "rates": rates,
        "chart": {"units": [r["unit"] for r in rates], "rates": [r["rate"] for r in rates]},
        "overdue": list(msgs.order_by("created_at")[:10]), "overdue_count": msgs.count(),
        "due": data.rectification_due(user),
    })
    return {"figures_html": str(html), "has_rates": bool(rates),
            "site_count": scope.cached_count(user, scope.visible_sites(user), "all")}


def _dashboard_figures(user) -> dict:  # noqa: ANN001
    """The scope's shared figures, rendered to HTML once per scope: with about a hundred units
    the table cost more to render than everything else on the page. Keyed by scope_key, so
    users of one scope share it and no other scope can reach it. After a change (a new
    generation) the next request renders them; after DASHBOARD_TTL a background thread does."""
    from django.core.cache import cache

    gen = cache.get(_DASHBOARD_GEN_KEY)
    if gen is None:  # first use, or evicted: a fresh generation, never an earlier one again
        cache.add(_DASHBOARD_GEN_KEY, secrets.token_hex(8), None)
        gen = cache.get(_DASHBOARD_GEN_KEY)
    key = f"console:dashboard:{gen}:{scope.scope_key(user)}"
    figures = fresh_or_stale(key, lambda: _render_dashboard_figures(user), DASHBOARD_TTL)
    # Our own template output, escaped when it was rendered.
    return {**figures, "figures_html": mark_safe(figures["figures_html"])}  # noqa: S308


def _review_queue(user, limit: int = 20) -> list[Assignment]:  # noqa: ANN001
    """The user's review assignments with their site and campaign, as select_related would give
    them, by plain SQL written once: the ORM took 1.4 ms to compile this query (two wide joined
    models) and the database 0.1 ms to answer it, on every dashboard of a national user."""
    a, s, c = model_row(Assignment, "a"), model_row(Site, "s"), model_row(Campaign, "c")
    sql = (f"SELECT {a.columns}, {s.columns}, {c.columns} FROM {a.table} "
           f"JOIN {s.table} ON {s.column('id', 's')} = {a.column('site', 'a')} "
           f"JOIN {c.table} ON {c.column('id', 'c')} = {a.column('campaign', 'a')} "
           f"WHERE {a.column('inspector', 'a')} = %s "
           f"ORDER BY {a.column('campaign', 'a')}, {s.column('code', 's')} LIMIT %s")
    with connection.cursor() as cur:
        cur.execute(sql, [user.pk, limit])
        rows = cur.fetchall()
    queue = []
    for row in rows:
        assignment = a.instance(row)
        Assignment.site.field.set_cached_value(assignment, s.instance(row, len(a.fields)))
        Assignment.campaign.field.set_cached_value(assignment, c.instance(row, len(a.fields) + len(s.fields)))
        queue.append(assignment)
    return queue


@console_view
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    m = membership_of(user)
    queue = _review_queue(user) if m.role in (Role.INSPECTOR, Role.NATIONAL_ADMIN, Role.NATIONAL_OPS) else []
    return render(request, "console/dashboard.html", _ctx(request, queue=queue, **_dashboard_figures(user)))


_FILTERS = ("q", "category", "status", "province")


def _registry_filters(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "").strip()[:64] for k in _FILTERS}


def _registry_query(user, f: dict[str, str]) -> QuerySet[Site]:  # noqa: ANN001
    qs = scope.visible_sites(user)
    if f["q"]:
        qs = qs.filter(Q(code__startswith=f["q"]) | Q(name__contains=f["q"]))
    if f["category"].isdigit():
        qs = qs.filter(category=int(f["category"]))
    if f["status"] in Site.Status.values:
        qs = qs.filter(status=f["status"])
    if f["province"].isdigit() and len(f["province"]) == 2:
        # A subquery on the province's regions rather than a join: the planner may then walk
        # the site code index and stop at the first page.
        qs = qs.filter(region_id__in=Region.objects.filter(code__startswith=f["province"]).values("pk"))
    return qs


_CATEGORY_LABELS = dict(Category.choices)
_STATUS_LABELS = dict(Site.Status.choices)
_CATEGORY_CHOICES, _STATUS_CHOICES = tuple(Category.choices), tuple(Site.Status.choices)


@lru_cache(maxsize=256)  # the same few lists on every registry page (about a hundred options)
def _options_html(choices: tuple[tuple[object, object], ...], selected: str) -> str:
    return "".join(
        f'<option value="{escape(str(v))}"{" selected" if str(v) == selected else ""}>{escape(str(label))}</option>'
        for v, label in choices)


def _site_rows(rows: list[tuple]) -> SafeString:
    """The registry table's rows. Built in Python with every cell escaped: the template engine
    spent more CPU on these 300 cells than the query and the rest of the page together."""
    base = reverse("console:registry")
    out = []
    for code, name, region, dept, cat, st in rows:
        out.append(f'<tr><td><a href="{escape(base + quote(code) + "/")}">{escape(code)}</a></td>'
                   f"<td>{escape(name)}</td><td>{escape(region or dept or '—')}</td>"
                   f"<td>{escape(str(_CATEGORY_LABELS.get(cat, cat)))}</td><td>{escape(str(_STATUS_LABELS.get(st, st)))}</td></tr>")
    return mark_safe("".join(out))  # noqa: S308 - each cell escaped above


def _provinces(token: str | None) -> tuple[tuple[str, str], ...]:
    """The province filter's choices: read once per registry version in each process."""
    rows = _local_get(("provinces", token)) if token else None
    if rows is None:
        rows = tuple((c[:2], n) for c, n in
                     Region.objects.filter(level=Region.Level.PROVINCE).order_by("code").values_list("code", "name"))
        if token:
            _local_put(("provinces", token), rows)
    return rows


# Registry pages by registry version (govsite.registry.version): a version token changes in the
# same commit as any change to sites, regions or departments, so a page cached under the token
# read at the start of a request is never one from before the latest change. Kept in each
# process (no cache round trip on a hit) and in the shared cache (one computation for all workers).
REGISTRY_TTL = 600  # seconds in the shared cache; entries of earlier tokens are simply never read
_LOCAL_MAX = 512  # pages held in each process (~8 kB each)
_local: OrderedDict[tuple, object] = OrderedDict()
_local_lock = threading.Lock()


def forget_registry_pages() -> None:
    """Empty this process's registry pages (tests: a rolled-back transaction can bring an
    earlier token back with other data; in production a token never repeats)."""
    with _local_lock:
        _local.clear()


def _local_get(key: tuple) -> object | None:
    with _local_lock:
        value = _local.get(key)
        if value is not None:
            _local.move_to_end(key)
        return value


def _local_put(key: tuple, value: object) -> None:
    with _local_lock:
        _local[key] = value
        _local.move_to_end(key)
        while len(_local) > _LOCAL_MAX:
            _local.popitem(last=False)


def _registry_page(user, f: dict[str, str], after: str, before: str, token: str | None, skey: str | None) -> str:  # noqa: ANN001
    """The page's content (console/registry.html's content block) for these filters and keyset."""
    qs = _registry_query(user, f)
    page = qs.values_list("code", "name", "region__name", "department__name", "category", "status")
    if before:
        rows = list(page.filter(code__lt=before).order_by("-code")[: PAGE_SIZE + 1])
        has_prev = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE][::-1]
        has_next = True
    else:
        rows = list((page.filter(code__gt=after) if after else page).order_by("code")[: PAGE_SIZE + 1])
        has_next = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        has_prev = bool(after)
    key = json.dumps(f, sort_keys=True, ensure_ascii=False)
    if token and skey:
        total = scope.exact_count(qs, token, skey, key)
    else:
        total = scope.cached_count(user, qs, key)
    # Built in Python like the rows (every value escaped): the template engine spent a fifth of a
    # cached page's CPU on this block. The markup is the template's as it was, character for character.
    query = escape(urlencode({k: v for k, v in f.items() if v}))
    prev_before, next_after = escape(rows[0][0]) if rows and has_prev else "", escape(rows[-1][0]) if rows and has_next else ""
    pager = ""
    if has_prev:
        pager = (f'<a href="?{query}">首页</a> '
                 f'<a rel="prev" href="?{query}&amp;before={prev_before}">上一页</a>')
    pager += "\n"
    body = _site_rows(rows) if rows else '<tr><td colspan="5">没有符合条件的网站</td></tr>'
    if has_next:
        pager += f'<a rel="next" href="?{query}&amp;after={next_after}">下一页</a>'
    return (
        f'\n<h1>网站登记库 <small>共 {total} 个</small></h1>\n<form method="get" class="filters">\n'
        f'<input name="q" value="{escape(f["q"])}" placeholder="网站名称或标识码" aria-label="搜索">\n'
        f'<select name="category" aria-label="类别"><option value="">全部类别</option>'
        f'{_options_html(_CATEGORY_CHOICES, f["category"])}</select>\n'
        f'<select name="status" aria-label="运行状态"><option value="">全部状态</option>'
        f'{_options_html(_STATUS_CHOICES, f["status"])}</select>\n'
        f'<select name="province" aria-label="省份"><option value="">全部地区</option>'
        f'{_options_html(_provinces(token), f["province"])}</select>\n'
        f'<button type="submit">查询</button></form>\n<table id="sites"><thead><tr><th>网站标识码</th><th>网站名称</th>'
        f"<th>地区/部门</th><th>类别</th><th>状态</th></tr></thead><tbody>\n"
        f"{body}</tbody></table>\n"
        f'<nav class="pager">{pager}</nav>\n'
    )


@console_view
def registry(request: HttpRequest) -> HttpResponse:
    """Keyset pagination on the unique site code: each page is an indexed range scan, whatever
    the depth. Rows are read as plain values (no JSON contact fields, no model instances) and the
    page's content rendered to escaped HTML in Python. For scopes the registry alone defines
    (national, a region, a department) the content is cached by registry version (exact: any
    change makes the next request recompute it); other scopes (operators, inspectors) are computed
    each time, with the total counted once a minute."""
    from django.core.cache import cache

    user = request.user
    f = _registry_filters(request)
    after, before = request.GET.get("after", "")[:10], request.GET.get("before", "")[:10]
    skey = scope.version_scope_key(user)
    # Read for every scope: it comes with the user's own row, and the province choices depend on
    # the registry alone, so operators' and inspectors' pages reuse them too (_provinces).
    token = registry_version.token(user)
    if token and skey:
        # The content's links are relative ("?after=…"): the script prefix is no part of it (the
        # frame around it, which has prefixed links, is rendered on every request).
        key = ("registry", token, skey, f["q"], f["category"], f["status"], f["province"], after, before)
        content = _local_get(key)
        if content is None:
            shared_key = "console:registry:" + hashlib.sha1(repr(key).encode(), usedforsecurity=False).hexdigest()
            content = cache.get(shared_key)
            if content is None:
                content = _registry_page(user, f, after, before, token, skey)
                cache.set(shared_key, content, REGISTRY_TTL)
            _local_put(key, content)
    else:
        content = _registry_page(user, f, after, before, token, None)
    # Our own markup, every value escaped when it was built (_registry_page).
    return render(request, "console/registry.html", _ctx(request, content=mark_safe(content)))  # noqa: S308


SHOT_MAX_CHARS = 2_000_000  # the engine keeps its screenshots far below this (render.MAX_SHOT)
_SHOT_RE = re.compile(r"data:image/jpeg;base64,[A-Za-z0-9+/]+={0,2}")


def evidence_shot(value: object) -> str | None:
    """The evidence screenshot as an <img> source, only if it is what the engine writes: a
    base64 JPEG data URI whose bytes start like a JPEG. Reports can also arrive through the API,
    so anything else (another media type, a script URL, broken data) is not shown as an image."""
    if not isinstance(value, str) or len(value) > SHOT_MAX_CHARS or not _SHOT_RE.fullmatch(value):
        return None
    try:
        head = base64.b64decode(value[len("data:image/jpeg;base64,"):][:8], validate=True)
    except ValueError:
        return None
    return value if head.startswith(b"\xff\xd8\xff") else None


def _evidence(items: object) -> list:
    out = []
    for e in (items if isinstance(items, list) else [])[:20]:
        if isinstance(e, dict) and "screenshot" in e:
            e = {k: v for k, v in e.items() if k != "screenshot"} | {"shot": evidence_shot(e["screenshot"])}
        out.append(e)
    return out


def _indicators(cs: CampaignSite) -> list[dict]:
    report = cs.report or {}
    current = cs.reviewed_indicators if cs.reviewed_indicators is not None else report.get("indicators", [])
    return [
        {"id": i.get("id"), "name": ind.name_of(i.get("id", "")), "status": i.get("status"),
         "status_label": STATUS_LABELS.get(i.get("status"), i.get("status")),
         "points": i.get("points"), "evidence": _evidence(i.get("evidence", []))}
        for i in current
    ]


@console_view
def site_detail(request: HttpRequest, code: str) -> HttpResponse:
    site = scope.site_or_404(request.user, code)
    checks = list(CampaignSite.objects.filter(site=site).select_related("campaign").order_by("-campaign__quarter", "-id"))
    latest = next((c for c in checks if c.report), None)
    return render(request, "console/site.html", _ctx(
        request, site=site, checks=checks, latest=latest, findings=_indicators(latest) if latest else [],
        messages_=scope.messages(request.user).filter(site=site).order_by("-created_at")[:50],
        tasks=RectificationTask.objects.filter(site=site).order_by("-quarter"),
        changes=site.changes.order_by("-at")[:20],
        can_report=can_act_on(request.user, site, roles={Role.SITE_OPERATOR}),
    ))


@console_view
@require_http_methods(["GET", "POST"])
def campaign_list(request: HttpRequest) -> HttpResponse:
    """Campaigns in scope; the national administrator draws the quarter's national sample here."""
    error, status = "", 200
    can_draw = role_is(request.user, Role.NATIONAL_ADMIN)
    if request.method == "POST":
        if not can_draw:
            raise PermissionDenied("只有国家级管理员可以抽取国办抽查样本")
        from govsite.inspections.campaigns import draw_national_sample

        size = request.POST.get("size", "")
        try:
            if not size.isdigit() or not 1 <= int(size) <= 5000:
                raise InspectionError("样本量应为 1–5000 的整数")
            c = draw_national_sample(request.POST.get("quarter", "").strip()[:8], int(size),
                                     request.POST.get("seed", "").strip()[:64], actor=request.user.get_username())
        except InspectionError as exc:
            error, status = str(exc), 400
        else:
            record(request, "campaign_draw", c, {"quarter": c.quarter, "size": int(size)})
            return redirect("console:campaign", pk=c.pk)
    items = list(scope.campaigns(request.user).order_by("-quarter", "-created_at")[:200])
    progress = data.campaign_progress(request.user, [c.pk for c in items])
    return render(request, "console/campaigns.html", _ctx(
        request, campaigns=[(c, progress.get(c.pk, {"total": 0, "percent": 0})) for c in items],
        can_draw=can_draw, error=error), status=status)


def role_is(user, *roles: str) -> bool:  # noqa: ANN001
    m = membership_of(user)
    return m is not None and m.role in roles


@console_view
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    c = scope.campaign_or_404(request.user, pk)
    rows = scope.campaign_sites(request.user).filter(campaign=c).select_related("site")
    state = request.GET.get("state", "")
    if state in CampaignSite.State.values:
        rows = rows.filter(state=state)
    progress = data.campaign_progress(request.user, [c.pk]).get(c.pk, {"total": 0, "percent": 0})
    verdicts = {"pass": 0, "fail": 0, "incomplete": 0, "": 0}
    for r in scope.campaign_sites(request.user).filter(campaign=c).values("review_state", "reviewed_verdict", "auto_verdict"):
        verdicts[data.verdict_of(r["review_state"], r["reviewed_verdict"], r["auto_verdict"]) or ""] += 1
    mine = set(Assignment.objects.filter(campaign=c, inspector=request.user).values_list("site_id", flat=True))
    return render(request, "console/campaign.html", _ctx(
        request, campaign=c, progress=progress, verdicts=verdicts, rows=rows.order_by("site__code")[:300],
        mine=mine, state=state, states=CampaignSite.State.choices))


@console_view
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Confirm or override each indicator with a reason; the decision goes through
    inspections.reviews.submit (assignment, stage and audit checks live there)."""
    c = scope.campaign_or_404(request.user, pk)
    site = scope.site_or_404(request.user, code)
    cs = CampaignSite.objects.filter(campaign=c, site=site).first()
    assignment = Assignment.objects.filter(campaign=c, site=site, inspector=request.user).first()
    if cs is None or assignment is None:
        raise Http404("该网站未分配给您审核")
    error, status = "", 200
    items = _indicators(cs)
    if request.method == "POST":
        overrides = []
        for i in items:
            new = request.POST.get(f"status_{i['id']}", i["status"])
            reason = request.POST.get(f"reason_{i['id']}", "").strip()[:500]
            if new != i["status"]:
                overrides.append(reviews.Override(i["id"], new, reason))
        verdict = request.POST.get("verdict", "").strip() or None
        try:
            rv = reviews.submit(c, site.code, request.user.get_username(), overrides=overrides, verdict=verdict,
                                verdict_reason=request.POST.get("verdict_reason", "")[:1000],
                                comment=request.POST.get("comment", "")[:1000])
        except InspectionError as exc:
            error, status = str(exc), 400
        else:
            record(request, "review", cs, {"verdict": rv.verdict, "overrides": [o.indicator for o in overrides]})
            return redirect("console:campaign", pk=c.pk)
    return render(request, "console/review.html", _ctx(
        request, campaign=c, cs=cs, site=site, items=items, error=error,
        statuses=[(st, STATUS_LABELS.get(st, st)) for st in ind.STATUSES],
        stage=assignment.get_stage_display()), status=status)


@console_view
def message_list(request: HttpRequest) -> HttpResponse:
    qs = scope.messages(request.user).select_related("site").order_by("-created_at")
    st = request.GET.get("status", "")
    if st.isdigit():
        qs = qs.filter(status=int(st))
    if request.GET.get("overdue") == "1":
        qs = qs.filter(overdue=True)
    m = membership_of(request.user)
    rows = [(msg, msg.label_for(m.role)) for msg in qs[:200]]
    return render(request, "console/messages.html", _ctx(request, rows=rows, statuses=Status.choices, st=st))


@console_view
@require_http_methods(["GET", "POST"])
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    msg = scope.message_or_404(request.user, pk)
    error, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        target = request.POST.get("target", "")
        try:
            before = msg.status
            msg = act(msg, request.user, action, reason=request.POST.get("reason", "")[:2000],
                      target=int(target) if target.isdigit() else None, reply=request.POST.get("reply", "")[:5000])
        except WorkflowError as exc:
            error, status = str(exc), 400
        else:
            record(request, f"message_{action}", msg, {"from": before, "to": msg.status})
            return redirect("console:message", pk=msg.pk)
    m = membership_of(request.user)
    steps = [(name, STEPS[name]) for name in allowed_steps(request.user, msg)]
    return render(request, "console/message.html", _ctx(
        request, msg=msg, label=msg.label_for(m.role), steps=steps, error=error,
        transitions=msg.transitions.order_by("at"), reject_choices=[(s, Status(s).label) for s in sorted(STEPS["screen_reject"].choices)],
    ), status=status)


@console_view
@require_http_methods(["GET", "POST"])
def rectifications(request: HttpRequest) -> HttpResponse:
    error, status = "", 200
    can_account = role_is(request.user, Role.NATIONAL_ADMIN)
    if request.method == "POST" and request.POST.get("form") == "accountability":
        if not can_account:
            raise PermissionDenied("只有国家级管理员可以录入问责情况")
        count = request.POST.get("count", "1")
        try:
            rec = rectification.add_accountability(
                request.POST.get("quarter", "").strip()[:8], request.POST.get("unit", "").strip()[:64],
                request.POST.get("kind", ""), int(count) if count.isdigit() else 0,
                person=request.POST.get("person", "").strip()[:64], site_code=request.POST.get("site", "").strip()[:10],
                note=request.POST.get("note", "").strip()[:1000], actor=request.user.get_username())
        except InspectionError as exc:
            error, status = str(exc), 400
        else:
            record(request, "accountability_add", rec, {"quarter": rec.quarter, "kind": rec.kind, "count": rec.count})
            return redirect("console:rectifications")
    elif request.method == "POST":
        pk = request.POST.get("task", "")
        task = scope.rectifications(request.user).filter(pk=int(pk) if pk.isdigit() else -1).select_related("site").first()
        if task is None:
            raise Http404("整改任务不存在或不在您的管辖范围内")
        if not can_act_on(request.user, task.site, roles={Role.SITE_OPERATOR, Role.REGIONAL_ADMIN, Role.DEPARTMENT_ADMIN}):
            raise PermissionDenied("只有网站主办单位或主管地区、部门可以报送整改")
        try:
            rectification.report_fixed(str(task.pk), request.POST.get("note", "")[:2000], actor=request.user.get_username())
        except InspectionError as exc:
            error, status = str(exc), 400
        else:
            record(request, "rectify_report", task, {"note": request.POST.get("note", "")[:200]})
            return redirect("console:rectifications")
    from govsite.inspections.models import AccountabilityRecord

    tasks = scope.rectifications(request.user).select_related("site").order_by("state", "deadline")[:300]
    records = list(AccountabilityRecord.objects.order_by("-created_at")[:50]) if can_account else []
    return render(request, "console/rectifications.html", _ctx(
        request, tasks=tasks, error=error, can_account=can_account, records=records,
        kinds=AccountabilityRecord.Kind.choices), status=status)


@console_view
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign's results as XLSX, only the rows of sites in the user's scope."""
    from openpyxl import Workbook

    c = scope.campaign_or_404(request.user, pk)
    wb = Workbook()
    ws = wb.active
    ws.title = "检查结果"
    ws.append(["网站标识码", "网站名称", "首页网址", "检查进度", "得分", "自动结论", "审核状态", "审核结论", "主要问题"])
    verdict_names = dict(CampaignSite.Verdict.choices)
    rows = scope.campaign_sites(request.user).filter(campaign=c).select_related("site").order_by("site__code")
    for cs in rows.iterator(chunk_size=500):
        ws.append([cs.site.code, cs.site.name, cs.site.home_url, cs.get_state_display(), cs.score,
                   verdict_names.get(cs.auto_verdict, ""), cs.get_review_state_display(),
                   verdict_names.get(cs.reviewed_verdict, ""), ind.problems_text(ind.problem_ids(cs.report or {}))])
    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="campaign-{c.pk}-results.xlsx"'
    return resp


NOTICE_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


@console_view
def notice_download(request: HttpRequest, quarter: str, fmt: str) -> HttpResponse:
    """The quarter's national notice (reports.generate), for national roles only: it names every
    region and department, so no narrower scope may download it."""
    import tempfile
    from pathlib import Path

    from govsite.reports.collect import collect
    from govsite.reports.data import ReportDataError
    from govsite.reports.generate import generate

    if not scope.is_national(request.user):
        raise PermissionDenied("全国通报仅供国家级用户下载")
    if fmt not in NOTICE_TYPES:
        raise Http404("不支持的格式")
    try:
        data_ = collect(quarter[:8])
        with tempfile.TemporaryDirectory(prefix="govsite-notice-") as tmp:
            result = generate(data_, Path(tmp), formats=(fmt,))
            payload = result.files[fmt].read_bytes()
            name = result.files[fmt].name
    except ReportDataError as exc:
        return render(request, "console/base.html", _ctx(request, error=str(exc)), status=400)
    record(request, "notice_download", quarter[:8], {"format": fmt})
    resp = HttpResponse(payload, content_type=NOTICE_TYPES[fmt])
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp
