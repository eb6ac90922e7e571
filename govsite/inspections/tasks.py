"""Celery tasks (loaded by the worker through govsite.project.celery)."""

from __future__ import annotations

from typing import Any

from govsite.project.celery import app


@app.task(name="govsite.check_site", bind=True, acks_late=True, reject_on_worker_lost=True)
def check_site_task(self: Any, message: dict) -> str:
    """Check one campaign site; idempotent (see govsite.inspections.dispatch.check_one)."""
    from govsite.inspections.dispatch import check_one

    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    return check_one(message, redelivered=redelivered)
