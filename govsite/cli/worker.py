"""`govsite worker` (Celery workers for scale-out)."""

from __future__ import annotations

import os

import click

from govsite.cli.errors import UserError


def register(main: click.Group) -> None:
    @main.command(context_settings={"show_default": True})
    @click.option(
        "--concurrency",
        default=8,
        type=int,
        help="本工作进程同时检查的网站数（线程池：共用一个事件循环和一个 Fetcher；prefork：子进程数）",
    )
    @click.option(
        "--pool",
        default="threads",
        type=click.Choice(["threads", "prefork"]),
        help="threads：一个进程（一个 CPU 核）内并发检查；多核请每核启动一个 worker",
    )
    @click.option(
        "--queues", default=None, help="监听的队列（逗号分隔；默认 GOVSITE_QUEUE 或 govsite.check）"
    )
    @click.option("--hostname", default=None, help="工作进程名称（默认 govsite@主机名）")
    @click.option("--loglevel", default="INFO", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]))
    def worker(concurrency: int, pool: str, queues: str | None, hostname: str | None, loglevel: str) -> None:
        """启动检查工作进程：从 GOVSITE_BROKER_URL 的队列领取检查任务，结果写入数据库。"""
        if not os.environ.get("GOVSITE_BROKER_URL"):
            raise UserError("未设置 GOVSITE_BROKER_URL（例如 redis://127.0.0.1:6379/0）")
        if concurrency < 1:
            raise UserError("--concurrency 须为正整数")
        queues = queues or os.environ.get("GOVSITE_QUEUE", "govsite.check")
        names = [q.strip() for q in queues.split(",") if q.strip()]
        if not names:
            raise UserError("--queues 不能为空")
        from govsite.inspections.dispatch import limiter_url
        from govsite.project.boot import setup_django

        if not limiter_url():
            raise UserError("未设置 GOVSITE_REDIS_URL：跨工作进程的主机限速需要 Redis")
        setup_django()  # migrations applied once, before the pool forks
        from django.db import connections

        connections.close_all()  # children must not share the parent's connection
        from govsite.project.celery import app

        argv = [
            "worker",
            f"--concurrency={concurrency}",
            f"--queues={','.join(names)}",
            f"--loglevel={loglevel}",
            f"--pool={pool}",
            "--without-gossip",
            "--without-mingle",
        ]
        if hostname:
            argv.append(f"--hostname={hostname}")
        app.worker_main(argv)
