"""The registry's version token (migration 0006): replaced by database triggers whenever a
change to sites, regions or departments commits, whichever code or process made it. A value
cached under the token it was computed after can therefore never be served once the registry
has changed: the next request reads a new token and misses."""

from __future__ import annotations

from django.db import connection

TRIGGERS = ("registry_site_version", "registry_region_version", "registry_department_version")
_SQL = "SELECT token FROM registry_version WHERE id = 1"
# The token as a column of another query: the console's user query reads it along (one round trip
# less on every registry page), and its backend leaves it on the user as `registry_token`.
SUBQUERY = f"({_SQL})"
_UNREAD = object()


def token(user: object = None) -> str | None:
    """The current token — read along with `user` if its query did so, earlier in this request
    and so before anything that is cached under it was read; None when nothing may be cached
    under it: a database without the triggers, the table emptied (a test flush), or — on
    PostgreSQL, where the token changes at COMMIT — inside a transaction, which may hold
    registry changes of its own not yet committed."""
    if connection.vendor not in ("postgresql", "sqlite"):
        return None
    if (connection.vendor == "postgresql" and connection.in_atomic_block
            and not getattr(connection, "registry_version_per_statement", False)):
        return None
    read = getattr(user, "registry_token", _UNREAD)
    if read is not _UNREAD:
        return read
    # Plain SQL: the ORM would spend longer building this query than the database answering it.
    with connection.cursor() as cur:
        cur.execute(_SQL)
        row = cur.fetchone()
    return row[0] if row else None


def bump_per_statement() -> None:
    """Tests: inside this connection's current transaction (rolled back, never committed) the
    token changes after every writing statement, as it does in autocommit, and may be used.
    (SQLite's triggers always work so: one writer at a time, no lock to keep short.)"""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cur:
            cur.execute(f"SET CONSTRAINTS {', '.join(TRIGGERS)} IMMEDIATE")
        connection.registry_version_per_statement = True
