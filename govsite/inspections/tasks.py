"""Celery tasks (loaded by the worker through govsite.project.celery)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from govsite.project.celery import app

log = logging.getLogger("govsite.inspections.tasks")


# A database or Redis outage is waited out: the job is sent again with backoff instead of
# being acknowledged as failed (the claim/record protocol makes the repeat harmless).
@app.task(
    name="govsite.check_site",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError, RedisConnectionError, RedisTimeoutError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=30,
)
def check_site_task(self: Any, message: dict) -> str:
    """Check one campaign site; idempotent (see govsite.inspections.dispatch.check_one)."""
    from govsite.inspections.dispatch import check_one

    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    if self.request.retries:
        log.warning(
            "网站 %s：数据库或 Redis 暂不可用，第 %s 次重试任务",
            message.get("job", {}).get("code"),
            self.request.retries,
        )
    return check_one(message, redelivered=redelivered)
