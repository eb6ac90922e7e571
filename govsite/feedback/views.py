"""Public pages (report, query, captcha, entry script) and the minimal staff pages."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods

from govsite.accounts.scope import role_of
from govsite.feedback import conf, intake
from govsite.feedback.forms import ReportForm
from govsite.feedback.intake import IntakeError
from govsite.feedback.models import Message, Status, status_label
from govsite.feedback.workdays import CalendarNotCovered, load_calendar
from govsite.feedback.workflow import STEPS, WorkflowError, act, allowed_steps, handle_due, messages_in_scope

STATIC_DIR = Path(__file__).parent / "static" / "feedback"
PUBLIC_REASON_ACTIONS = {"submit", "screen_reject", "screen_duplicate"}


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR") or None


def _render_form(request: HttpRequest, form: ReportForm, error: str = "", status: int = 200,
                 choices: list | None = None, site=None) -> HttpResponse:  # noqa: ANN001
    token = intake.new_captcha()
    data = form.data.copy() if form.is_bound else None
    if data is not None:
        data["captcha_token"] = token
        data["captcha_answer"] = ""
        form = ReportForm(data, form.files)
        form.is_valid()  # keep field errors for display
    else:
        form.initial["captcha_token"] = token
    ctx = {"form": form, "error": error, "choices": choices or [], "site": site, "captcha_token": token,
           "desc_max": conf.get("DESCRIPTION_MAX"), "desc_min": conf.get("DESCRIPTION_MIN"),
           "upload_mb": int(conf.get("UPLOAD_MAX_BYTES")) // 1048576}
    return render(request, "feedback/report.html", ctx, status=status)


def _resolve_site(form: ReportForm):  # noqa: ANN202
    """(site, choices, error) from the code, the page URL's host, or the search text."""

    code = form.cleaned_data.get("site_code") or ""
    if code:
        site = intake.site_by_code(code)
        if site is None:
            return None, [], f"网站标识码 {code} 不存在，请通过网站名称或域名搜索"
        return site, [], ""
    query = form.cleaned_data.get("site_query") or ""
    if not query:
        site = intake.site_for_host(intake.host_of(form.cleaned_data.get("page_url") or ""))
        if site is None:
            return None, [], "未能根据问题页面网址识别网站，请填写网站名称、域名或网站标识码"
        return site, [], ""
    found = intake.search_sites(query, limit=20)
    if not found:
        return None, [], f"未找到与“{query}”匹配的政府网站，请检查网站名称、域名或网站标识码"
    if len(found) == 1 or found[0].code == query or query.lower() in {d.host for d in found[0].domains.all()}:
        return found[0], [], ""
    return None, found, "找到多个匹配的网站，请选择一个"


@never_cache
@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        code = request.GET.get("site_code", "")[:10]
        url = request.GET.get("url", "")[:1000]
        form = ReportForm(initial={"site_code": code, "page_url": url})
        from govsite.registry.models import Site

        site = Site.objects.filter(code=code).first() if code else intake.site_for_host(intake.host_of(url))
        if site is not None:
            form.initial["site_code"] = site.code
        elif code:
            form.initial["site_code"] = ""
        return _render_form(request, form, site=site)

    ip = client_ip(request)
    if intake.rate_limited(ip):
        return _render_form(request, ReportForm(request.POST), status=429,
                            error="提交过于频繁，请稍后再试")
    intake.count_attempt(ip)
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_form(request, form, status=400, error="提交的内容有误，请按提示修改后重新提交")
    site, choices, err = _resolve_site(form)
    if site is None:
        return _render_form(request, form, error=err, status=400, choices=choices)
    try:
        nonce = intake.check_captcha(form.cleaned_data["captcha_token"], form.cleaned_data["captcha_answer"])
        upload = form.cleaned_data.get("screenshot")
        shot = intake.sanitize_screenshot(upload) if upload else None
        msg = intake.submit(intake.Submission(
            site=site, page_url=form.cleaned_data["page_url"], category=form.cleaned_data["category"],
            description=form.cleaned_data["description"], contact=form.cleaned_data["contact"],
            nonce=nonce, ip=ip, screenshot=shot))
    except IntakeError as exc:
        return _render_form(request, form, error=str(exc), status=400, site=site)
    return redirect(f"{reverse('feedback:query')}?code={msg.query_code}&new=1")


@never_cache
@require_GET
def query(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip()[:64]
    msg = None
    error = ""
    if code:
        msg = Message.objects.select_related("office_region", "office_department").filter(query_code=code).first()
        if msg is None:
            error = "查询码不存在，请核对后重新输入"
    history = []
    if msg is not None:
        for t in msg.transitions.all():
            history.append({"at": t.at, "label": status_label(t.to_status, None),
                            "reason": t.reason if t.action in PUBLIC_REASON_ACTIONS else ""})
    return render(request, "feedback/query.html", {
        "code": code, "msg": msg, "error": error, "history": history, "new": request.GET.get("new") == "1",
        "status_label": status_label(msg.status, None) if msg else ""}, status=404 if error else 200)


@require_GET
def site_search(request: HttpRequest) -> JsonResponse:
    sites = intake.search_sites(request.GET.get("q", "")[:200], limit=10)
    return JsonResponse({"results": [{"code": s.code, "name": s.name, "home_url": s.home_url} for s in sites]})


@never_cache
@require_GET
def captcha_image(request: HttpRequest, token: str) -> HttpResponse:
    try:
        png = intake.render_captcha_png(token)
    except IntakeError:
        raise Http404("验证码无效") from None
    return HttpResponse(png, content_type="image/png")


@lru_cache(maxsize=8)
def _asset(name: str) -> bytes:
    return (STATIC_DIR / name).read_bytes()


ASSET_TYPES = {"feedback.css": "text/css; charset=utf-8", "jiucuo.js": "application/javascript; charset=utf-8",
               "jiucuo.svg": "image/svg+xml"}


@require_GET
def asset(request: HttpRequest, name: str) -> HttpResponse:
    """The app's own CSS, entry script and badge, served by the app so embedding works without a
    separate static server (no CDN)."""
    if name not in ASSET_TYPES:
        raise Http404
    resp = HttpResponse(_asset(name), content_type=ASSET_TYPES[name])
    resp["Cache-Control"] = "public, max-age=3600"
    if name == "jiucuo.js":
        # The entry is loaded cross-origin by every government site's footer.
        resp["Access-Control-Allow-Origin"] = "*"
    return resp


# --- staff ---------------------------------------------------------------------------------------

@login_required(login_url="/admin/login/")
@require_GET
def manage_list(request: HttpRequest) -> HttpResponse:
    role = role_of(request.user)
    qs = messages_in_scope(request.user).select_related("office_region", "office_department")
    status = request.GET.get("status", "")
    if status.lstrip("-").isdigit():
        qs = qs.filter(status=int(status))
    rows = [(m, m.label_for(role)) for m in qs[:200]]
    return render(request, "feedback/manage_list.html", {"rows": rows, "role": role,
                                                         "statuses": Status.choices, "status": status})


@login_required(login_url="/admin/login/")
@require_http_methods(["GET", "POST"])
def manage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    msg = get_object_or_404(messages_in_scope(request.user), pk=pk)
    role = role_of(request.user)
    error = ""
    if request.method == "POST":
        target = request.POST.get("target", "")
        try:
            act(msg, request.user, request.POST.get("action", ""), reason=request.POST.get("reason", "")[:4000],
                target=int(target) if target.lstrip("-").isdigit() else None,
                reply=request.POST.get("reply", "")[:4000], published_text=request.POST.get("published_text", "")[:4000])
            return redirect("feedback:manage_detail", pk=msg.pk)
        except WorkflowError as exc:
            error = str(exc)
        msg.refresh_from_db()
    try:
        cal = load_calendar()
        due = handle_due(msg, cal)
    except CalendarNotCovered as exc:
        due, error = None, error or str(exc)
    steps = [(name, STEPS[name]) for name in allowed_steps(request.user, msg)]
    history = [(t, status_label(t.to_status, role)) for t in msg.transitions.all()]
    from govsite.feedback.models import REJECTED_STATUSES

    return render(request, "feedback/manage_detail.html", {
        "msg": msg, "label": msg.label_for(role), "steps": steps, "history": history, "error": error, "due": due,
        "reject_choices": [(int(s), Status(s).label) for s in sorted(REJECTED_STATUSES)]},
        status=400 if error and request.method == "POST" else 200)


@login_required(login_url="/admin/login/")
@require_GET
def manage_screenshot(request: HttpRequest, pk: int) -> FileResponse:
    """Screenshots are only for staff in scope, always as image/png or image/jpeg (the stored
    name is ours, so the type never comes from the uploader)."""
    msg = get_object_or_404(messages_in_scope(request.user), pk=pk)
    if not msg.screenshot:
        raise Http404
    ctype = "image/jpeg" if msg.screenshot.name.endswith(".jpg") else "image/png"
    resp = FileResponse(msg.screenshot.open("rb"), content_type=ctype)
    resp["Content-Disposition"] = "inline"
    resp["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp

