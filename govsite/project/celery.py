"""The Celery application for scale-out checking (used only when GOVSITE_BROKER_URL is set).

Broker: Redis (default, ``redis://127.0.0.1:6379/0``) or RabbitMQ (``amqp://…``). No result
backend: PostgreSQL is the only record of what was checked. Jobs are acknowledged late and
rejected back to the queue when their worker process dies, so a killed worker loses nothing;
the per-site work is idempotent (see govsite.inspections.dispatch) so a redelivery duplicates
nothing."""

from __future__ import annotations

import os

from celery import Celery

from govsite.project.boot import setup_django

# One queue per deployment; tests and benchmarks use their own so they never share jobs.
CHECK_QUEUE = os.environ.get("GOVSITE_QUEUE", "govsite.check")


def broker_url() -> str | None:
    return os.environ.get("GOVSITE_BROKER_URL") or None


def visibility_timeout() -> int:
    """Seconds a Redis-delivered job may stay unacknowledged before Redis hands it to another
    worker. It must exceed the longest check (attempts × per-attempt timeout); a too short one
    only costs duplicate work, which the conditional record ignores."""
    return int(os.environ.get("GOVSITE_VISIBILITY_TIMEOUT", "7200"))


def make_app() -> Celery:
    app = Celery("govsite", broker=broker_url() or "redis://127.0.0.1:6379/0", include=["govsite.inspections.tasks"])
    app.conf.update(
        task_acks_late=True,  # ack after the site is recorded, not on receipt
        task_reject_on_worker_lost=True,  # a SIGKILLed child's job goes back to the queue
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,  # a killed worker holds at most its running jobs
        task_ignore_result=True,
        task_default_queue=CHECK_QUEUE,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a broker restart is waited out, not fatal
        broker_transport_options={"visibility_timeout": visibility_timeout()},
        worker_hijack_root_logger=True,
        worker_redirect_stdouts=False,
        timezone="Asia/Shanghai",
        enable_utc=True,
    )
    return app


app = make_app()


@app.on_after_configure.connect
def _boot_django(**_: object) -> None:
    setup_django()
