"""A small Content-Security-Policy middleware: the console loads scripts, styles and images
from itself only (front-end packages are vendored under static/, never from a CDN)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The API docs page (Swagger UI) ships its own inline bootstrap; keep the policy elsewhere.
        if "/api/docs" not in request.path:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


class NulGuardMiddleware:
    """A NUL character in the path, the query or a form field answers 400 before any view runs:
    PostgreSQL text cannot store it, and no legitimate console input contains it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/console/") and (
            "\x00" in request.path
            or any("\x00" in v for vs in request.GET.lists() for v in vs[1])
            or (request.method == "POST" and request.content_type != "application/json"
                and any("\x00" in v for vs in request.POST.lists() for v in vs[1]))
        ):
            return HttpResponseBadRequest("请求包含非法字符", content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None
