"""Shared test setup. Database tests are marked `django_db`; `make test` runs them on SQLite
and again on PostgreSQL. A service that CI needs and cannot reach fails the run."""

import os

import pytest


def pytest_sessionstart(session: pytest.Session) -> None:
    url = os.environ.get("GOVSITE_DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        try:
            psycopg.connect(url, connect_timeout=5).close()
        except Exception as exc:  # pragma: no cover - only on a broken machine
            raise pytest.UsageError(f"PostgreSQL at {url} is required by this run and is unreachable: {exc}") from exc
