"""Session engine (SESSION_ENGINE): Django's database sessions — read through the cache when the
cache is shared (settings.SESSION_READ_THROUGH_CACHE, Redis) — with the session row read by
plain SQL instead of a query the ORM builds on every request (govsite.accounts.rows). Same rules
as Django's: an unknown or expired key is no session, and the key is dropped."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.backends import cached_db, db
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from govsite.accounts.rows import model_row

_Base = cached_db.SessionStore if settings.SESSION_READ_THROUGH_CACHE else db.SessionStore


class SessionStore(_Base):
    @classmethod
    def get_model_class(cls) -> type[Session]:
        return Session

    def _get_session_from_db(self) -> Session | None:
        if not self._validate_session_key(self.session_key):  # what Django's lookup would not find either
            self._session_key = None
            return None
        rows = model_row(Session, "s")
        sql = (
            f"SELECT {rows.columns} FROM {rows.table} WHERE {rows.column('session_key', 's')} = %s "
            f"AND {rows.column('expire_date', 's')} > %s"
        )
        with connection.cursor() as cur:
            cur.execute(sql, [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cur.fetchone()
        if row is None:
            self._session_key = None
            return None
        return rows.instance(row)
