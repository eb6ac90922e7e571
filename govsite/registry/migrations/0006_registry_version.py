"""A registry version: one row whose random token database triggers replace whenever a change to
sites, regions or departments commits — every path included (ORM saves, bulk updates, COPY, raw
SQL, other processes). Caches keyed by the token (the console registry) can never serve an
earlier state: a new token is visible exactly when the change is."""

from django.db import migrations, models

TABLES = ("registry_site", "registry_region", "registry_department")

# PostgreSQL: a deferred constraint trigger runs at COMMIT, so the version row is locked only at
# the very end of a writing transaction (an ordinary trigger would hold it from the first write to
# the commit: writers serialised and open to deadlocks). Row triggers (constraint triggers can be
# nothing else) skip the upsert after the first row of a statement: at COMMIT that is once a
# transaction; with SET CONSTRAINTS … IMMEDIATE (tests in a rolled-back transaction) once a statement.
PG_FUNCTION = """
CREATE FUNCTION registry_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  mark text := txid_current()::text || '@' || statement_timestamp()::text;
BEGIN
  IF current_setting('govsite.registry_version_mark', true) IS DISTINCT FROM mark THEN
    PERFORM set_config('govsite.registry_version_mark', mark, true);
    INSERT INTO registry_version (id, token) VALUES (1, gen_random_uuid()::text)
      ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
  END IF;
  RETURN NULL;
END $$;
"""
PG_TRIGGER = """
CREATE CONSTRAINT TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE ON {table}
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION registry_version_bump();
"""
# SQLite: one writer at a time (the database lock), so a plain row trigger cannot deadlock.
SQLITE_TRIGGER = """
CREATE TRIGGER {table}_version_{event} AFTER {event} ON {table} BEGIN
  INSERT INTO registry_version (id, token) VALUES (1, lower(hex(randomblob(16))))
    ON CONFLICT (id) DO UPDATE SET token = excluded.token;
END;
"""
EVENTS = ("insert", "update", "delete")


def install(apps, schema_editor) -> None:  # noqa: ANN001
    conn = schema_editor.connection
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute(PG_FUNCTION)
            for table in TABLES:
                cur.execute(PG_TRIGGER.format(table=table))
            cur.execute("INSERT INTO registry_version (id, token) VALUES (1, gen_random_uuid()::text)")
        elif conn.vendor == "sqlite":
            for table in TABLES:
                for event in EVENTS:
                    cur.execute(SQLITE_TRIGGER.format(table=table, event=event))
            cur.execute("INSERT INTO registry_version (id, token) VALUES (1, lower(hex(randomblob(16))))")
        else:  # no triggers: the console then caches nothing by version (registry.version.token is None)
            return


def uninstall(apps, schema_editor) -> None:  # noqa: ANN001
    conn = schema_editor.connection
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            for table in TABLES:
                cur.execute(f"DROP TRIGGER IF EXISTS {table}_version ON {table}")
            cur.execute("DROP FUNCTION IF EXISTS registry_version_bump()")
        elif conn.vendor == "sqlite":
            for table in TABLES:
                for event in EVENTS:
                    cur.execute(f"DROP TRIGGER IF EXISTS {table}_version_{event}")


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0005_site_category_code_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='RegistryVersion',
            fields=[
                ('id', models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ('token', models.CharField(max_length=64)),
            ],
            options={'db_table': 'registry_version', 'verbose_name': '登记库版本', 'verbose_name_plural': '登记库版本'},
        ),
        migrations.RunPython(install, uninstall),
    ]
