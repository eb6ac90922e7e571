"""The registry version token also changes when a registry table is emptied by TRUNCATE
(PostgreSQL; SQLite has no TRUNCATE, and its DELETE without WHERE fires the row triggers of 0006).
TRUNCATE fires no row triggers, and constraint triggers cannot be statement triggers: an ordinary
statement trigger, which may lock the version row early — TRUNCATE locks its whole table anyway."""

from django.db import migrations

TABLES = ("registry_site", "registry_region", "registry_department")


def install(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        for table in TABLES:
            cur.execute(f"CREATE TRIGGER {table}_version_truncate AFTER TRUNCATE ON {table} "
                        "FOR EACH STATEMENT EXECUTE FUNCTION registry_version_bump()")


def uninstall(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        for table in TABLES:
            cur.execute(f"DROP TRIGGER IF EXISTS {table}_version_truncate ON {table}")


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0006_registry_version'),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
