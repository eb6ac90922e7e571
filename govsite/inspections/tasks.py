"""Celery tasks (loaded by the worker through govsite.project.celery)."""

from __future__ import annotations

import logging
import os
import random
import time
from typing import Any

from django.db import DatabaseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from govsite.inspections import brokerclock
from govsite.project.celery import app

log = logging.getLogger("govsite.inspections.tasks")

# No worker clock decides when a job is redelivered: kombu's Redis visibility timeout runs on
# Redis's clock (a no-op with RabbitMQ).
brokerclock.install(os.environ.get("GOVSITE_BROKER_URL"))


@app.task(name="govsite.check_site", bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=30)
def check_site_task(self: Any, message: dict) -> str:
    """Check one campaign site; idempotent (see govsite.inspections.dispatch.check_one)."""
    from govsite.inspections.dispatch import check_one, lane

    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    try:
        return check_one(message, redelivered=redelivered, lane=lane())
    except (DatabaseError, RedisConnectionError, RedisTimeoutError) as exc:
        # An outage longer than check_one waits out in place: the job goes back to the queue
        # (the claim/record protocol makes the repeat harmless). The backoff is slept here, on
        # the monotonic clock: a Celery countdown would become an absolute ETA that the worker
        # taking the retry reads by ITS clock — hours off on a skewed worker.
        delay = min(60.0, 2.0 ** (self.request.retries + 1)) * (0.5 + random.random())
        log.warning(
            "网站 %s：数据库或 Redis 暂不可用，%.0f 秒后第 %s 次重试任务：%s",
            message.get("job", {}).get("code"),
            delay,
            self.request.retries + 1,
            exc,
        )
        time.sleep(delay)
        raise self.retry(exc=exc, countdown=0) from exc
