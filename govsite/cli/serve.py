"""`govsite serve`: the web console (and the public 找错 pages) on gunicorn, or Django's
development server with --dev; `govsite api-token`: issue an API token for a user."""

from __future__ import annotations

import os

import click

from govsite.cli.errors import UserError


def register(main: click.Group) -> None:
    main.add_command(serve)
    main.add_command(api_token)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="监听端口")
@click.option("--workers", default=max(2, (os.cpu_count() or 1) * 2), show_default=True, type=click.IntRange(1, 64),
              help="gunicorn 工作进程数")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="每个进程的线程数")
@click.option("--dev", is_flag=True, help="使用 Django 开发服务器（自动重载，仅限开发）")
def serve(host: str, port: int, workers: int, threads: int, dev: bool) -> None:
    """启动管理控制台（/console/）和找错平台（/feedback/）。"""
    from govsite.project.boot import setup_django

    setup_django()  # applies pending migrations
    if dev:
        from django.core.management import call_command

        call_command("runserver", f"{host}:{port}", use_reloader=False)
        return
    from gunicorn.app.base import BaseApplication

    from govsite.project.wsgi import application

    class _App(BaseApplication):
        def load_config(self) -> None:
            for k, v in {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                         "worker_class": "gthread", "accesslog": None, "timeout": 60}.items():
                self.cfg.set(k, v)

        def load(self):  # noqa: ANN202
            return application

    # Static files (CSS, vendored ECharts) come from WhiteNoise; behind nginx, serve STATIC_ROOT
    # after `collectstatic` instead (see README).
    click.echo(f"控制台地址：http://{host}:{port}/console/")
    _App().run()


@click.command("api-token")
@click.argument("username")
@click.option("--name", default="", help="令牌用途说明")
def api_token(username: str, name: str) -> None:
    """为用户签发 API 令牌（只显示一次）。"""
    from govsite.project.boot import setup_django

    setup_django()
    from django.contrib.auth import get_user_model

    from govsite.accounts.scope import membership_of
    from govsite.console.models import ApiToken

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise UserError(f"用户“{username}”不存在")
    if membership_of(user) is None:
        raise UserError(f"用户“{username}”没有角色，不能使用 API")
    _, raw = ApiToken.issue(user, name)
    click.echo(raw)
