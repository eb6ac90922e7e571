"""The session store reads the session row by plain SQL with Django's rules: a live session is
read whole, an unknown or expired one is no session and its key is dropped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from govsite.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_live_session_is_read_in_one_query() -> None:
    s = SessionStore()
    s["_auth_user_id"], s["note"] = "7", "工作台"
    s.create()
    again = SessionStore(session_key=s.session_key)
    with CaptureQueriesContext(connection) as q:
        assert again.load() == {"_auth_user_id": "7", "note": "工作台"}
    assert len(q.captured_queries) <= 1  # none when read through a shared cache
    assert again.session_key == s.session_key
    assert settings.SESSION_ENGINE == "govsite.accounts.sessions"


def test_unknown_and_expired_sessions_are_no_session() -> None:
    s = SessionStore()
    s["_auth_user_id"] = "7"
    s.create()
    Session.objects.filter(session_key=s.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    cache.clear()  # with Redis, sessions are read through the cache: here the database row decides
    for key in (s.session_key, "x" * 32):
        store = SessionStore(session_key=key)
        assert store.load() == {}
        assert store.session_key is None
