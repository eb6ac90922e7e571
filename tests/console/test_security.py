"""Bad input at the door: forged CSRF, expired sessions, oversized bodies, password guessing;
the right 4xx, nothing changed, nothing leaked. Plus the deploy checks with DEBUG off."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from govsite.feedback.models import Status
from tests.console.conftest import Console

HB = "4200000001"


@pytest.mark.django_db
def test_forged_or_missing_csrf_is_403_and_changes_nothing(console: Console) -> None:
    msg = console.messages[HB]
    c = Client(enforce_csrf_checks=True)
    c.force_login(console.w.users["ops"])
    assert c.post(f"/console/messages/{msg.pk}/", {"action": "screen_valid"}).status_code == 403
    c.cookies["csrftoken"] = "a" * 32
    r = c.post(f"/console/messages/{msg.pk}/", {"action": "screen_valid", "csrfmiddlewaretoken": "b" * 32})
    assert r.status_code == 403
    msg.refresh_from_db()
    assert msg.status == Status.UNHANDLED


@pytest.mark.django_db
def test_expired_session_is_sent_to_login_and_changes_nothing(console: Console) -> None:
    msg = console.messages[HB]
    c = Client()
    c.force_login(console.w.users["ops"])
    assert c.get("/console/").status_code == 200
    # Through the configured session store (database, or cached_db with Redis), as expiry is seen.
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=c.cookies["sessionid"].value)
    store.set_expiry(-60)
    store.save()
    assert Session.objects.get().expire_date < timezone.now()
    r = c.post(f"/console/messages/{msg.pk}/", {"action": "screen_valid"})
    assert r.status_code == 302 and r["Location"].startswith("/console/login/")
    msg.refresh_from_db()
    assert msg.status == Status.UNHANDLED


@pytest.mark.django_db
def test_oversized_bodies_are_400(console: Console) -> None:
    msg = console.messages[HB]
    c = Client()
    c.force_login(console.w.users["ops"])
    big = "x" * (3 * 1024 * 1024)
    r = c.post(f"/console/messages/{msg.pk}/", {"action": "screen_valid", "reason": big})
    assert r.status_code == 400
    from govsite.console.models import ApiToken

    raw = ApiToken.issue(console.w.users["ops"])[1]
    r = c.post(f"/console/api/messages/{msg.pk}/act", '{"action": "screen_valid", "reason": "' + big + '"}',
               content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 400
    msg.refresh_from_db()
    assert msg.status == Status.UNHANDLED


@pytest.mark.django_db
def test_login_throttled_after_repeated_failures(console: Console, settings) -> None:  # noqa: ANN001
    user = console.w.users["gd_admin"]
    user.set_password("正确的口令-2017Q3")
    user.save()
    c = Client()
    r = c.post("/console/login/", {"username": "gd_admin", "password": "正确的口令-2017Q3"})
    assert r.status_code == 302
    c = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        c.post("/console/login/", {"username": "gd_admin", "password": "wrong"})
    r = c.post("/console/login/", {"username": "gd_admin", "password": "正确的口令-2017Q3"})
    assert r.status_code == 429 and "请求过多" in r.content.decode()
    assert "_auth_user_id" not in c.session


@pytest.mark.django_db
def test_pages_carry_csp_and_error_pages_leak_nothing(console: Console) -> None:
    c = Client()
    c.force_login(console.w.users["gd_admin"])
    r = c.get("/console/")
    assert "script-src 'self'" in r["Content-Security-Policy"] and r["X-Frame-Options"] == "DENY"
    r = c.get(f"/console/sites/{HB}/")
    assert r.status_code == 404 and "湖北" not in r.content.decode()
    assert c.get("/console/campaigns/99999999999999999999/").status_code == 404


def test_deploy_checks_pass_with_debug_off(tmp_path) -> None:  # noqa: ANN001
    env = dict(os.environ, GOVSITE_DEBUG="0", GOVSITE_SECRET_KEY=secrets.token_urlsafe(50),
               GOVSITE_ALLOWED_HOSTS="console.example.gov.cn", GOVSITE_VAR_DIR=str(tmp_path))
    env.pop("GOVSITE_DATABASE_URL", None)
    p = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING",
                        "--settings=govsite.project.settings"], env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "no issues" in p.stdout


@pytest.mark.django_db
def test_nul_characters_are_400_not_a_database_error(console: Console) -> None:
    msg = console.messages[HB]
    c = Client()
    c.force_login(console.w.users["ops"])
    assert c.get("/console/sites/", {"q": "广州\x00"}).status_code == 400
    assert c.post(f"/console/messages/{msg.pk}/", {"action": "screen_reject", "reason": "a\x00b", "target": "5"}).status_code == 400
    from govsite.console.models import ApiToken

    raw = ApiToken.issue(console.w.users["ops"])[1]
    r = c.post(f"/console/api/messages/{msg.pk}/act", '{"action": "screen_duplicate", "reason": "a\\u0000b"}',
               content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 422
    msg.refresh_from_db()
    assert msg.status == Status.UNHANDLED
