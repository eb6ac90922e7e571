"""Boot Django for the CLI and apply pending migrations, so every command works on a
fresh database."""

import os

_booted = False


def setup_django(migrate: bool = True) -> None:
    global _booted
    if _booted:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govsite.project.settings")
    import django

    django.setup()
    _booted = True
    if migrate:
        apply_migrations()


def apply_migrations(verbosity: int = 0) -> int:
    """Apply unapplied migrations; return how many were applied."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        call_command("migrate", interactive=False, verbosity=verbosity)
    return len(plan)
