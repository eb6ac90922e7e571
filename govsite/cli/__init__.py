"""The `govsite` command: one entry point to every part of the platform.

Each area keeps its commands in its own module here and attaches them in `register(main)`.
Engine and farm commands never import Django; platform commands boot it lazily."""

import sys

import click

from govsite import __version__
from govsite.cli.errors import UserError


def _database_unavailable(exc: BaseException) -> bool:
    # Only when Django is loaded at all: engine and farm commands never import it.
    utils = sys.modules.get("django.db.utils")
    return utils is not None and isinstance(exc, (utils.OperationalError, utils.InterfaceError))


class _Main(click.Group):
    """The root group: a database that cannot be reached (down, restarting, wrong URL) is a
    clear message with exit status 2, not a traceback from deep inside Django."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if not _database_unavailable(exc):
                raise
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise UserError(f"数据库不可用：{first}（请检查数据库服务是否运行及 GOVSITE_DATABASE_URL 设置，"
                            "恢复后重新运行本命令）") from exc


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="govsite")
def main() -> None:
    """govsite: supervise government websites (registry, checks, campaigns, 找错, notices)."""


@main.command()
def migrate() -> None:
    """Create or update the database schema (other commands also do this on demand)."""
    from govsite.project.boot import apply_migrations, setup_django

    setup_django(migrate=False)
    applied = apply_migrations(verbosity=0)
    click.echo(f"database ready ({applied} migrations applied)")


def _register_all() -> None:
    from govsite.cli import (
        campaign,
        check,
        demo,
        extract,
        farm,
        feedback,
        monitor,
        registry,
        report,
        serve,
        text,
        worker,
    )

    for module in (registry, farm, extract, check, monitor, text, campaign, feedback, report, demo, serve, worker):
        module.register(main)


_register_all()
