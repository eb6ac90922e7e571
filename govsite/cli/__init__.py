"""The `govsite` command: one entry point to every part of the platform.

Each area keeps its commands in its own module here and attaches them in `register(main)`.
Engine and farm commands never import Django; platform commands boot it lazily."""

import click

from govsite import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
