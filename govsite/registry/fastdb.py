"""Bulk INSERTs for the registry's bulk paths (import, generate): multi-row VALUES on SQLite,
COPY on PostgreSQL. Django's bulk_create spends most of its time preparing each value through
the field API (about 25 s for the 29,431-site registry on this machine); here values are
prepared once per kind, the insert itself is a fraction of a second."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import orjson
from django.db import connection, models

# SQLite allows 32,766 bound parameters per statement (since 3.32); stay well below.
MAX_PARAMS = 20000


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector around a bulk step. Allocating tens of thousands of
    small dicts and lists triggers full collections that rescan everything alive: building the
    29,431 change dicts takes ~0.7 s CPU with the collector and ~0.15 s without. Nothing here
    creates reference cycles that must be freed early; collection resumes afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def db_datetime(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def json_adapter() -> Callable[[Any], Any]:
    """What JSONField.get_db_prep_save produces (json text on SQLite, Jsonb on PostgreSQL),
    without the per-call field machinery (and the connection proxy's thread-local look-up);
    registry JSON fields use the default encoder."""
    # orjson writes the same JSON text Django reads back (UTF-8, no \uXXXX escapes) several
    # times faster than the json module; encoding change records was a fifth of an import.
    def dumps(value: Any) -> str:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()

    if connection.vendor == "sqlite":
        return dumps
    from psycopg.types.json import Jsonb

    return lambda value: Jsonb(value, dumps=dumps)


def fast_insert(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """INSERT rows (tuples of DB-ready values, in `fields` order: attnames such as `site_id`)."""
    if not rows:
        return 0
    meta = model._meta
    qn = connection.ops.quote_name
    columns = ", ".join(qn(meta.get_field(f).column) for f in fields)
    if connection.vendor == "postgresql":
        # COPY streams rows without building giant statements (several times faster than VALUES lists).
        with connection.cursor() as wrapper:
            with wrapper.cursor.copy(f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return len(rows)
    sqlite = connection.vendor == "sqlite"
    # SQLite: qmark placeholders straight to sqlite3 (Django's wrapper would regex-rewrite %s in
    # statements with thousands of parameters). Both skip the DEBUG query log for these large statements.
    one = "(" + ", ".join(["?" if sqlite else "%s"] * len(fields)) + ")"
    per = max(1, min(1000, MAX_PARAMS // len(fields)))
    head = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES "
    with connection.cursor() as wrapper:
        for start in range(0, len(rows), per):
            chunk = rows[start:start + per]
            sql = head + ", ".join([one] * len(chunk))
            params = [v for row in chunk for v in row]
            if sqlite:
                connection.connection.execute(sql, params)
            else:
                wrapper.cursor.execute(sql, params)
    return len(rows)


# After this many rows written, planner statistics are refreshed: without them the console's
# filtered registry pages sort the whole table instead of walking the code index.
ANALYZE_AFTER_ROWS = 1000


def analyze(*model_types: type[models.Model]) -> None:
    """Refresh the planner statistics of these tables (outside any transaction)."""
    with connection.cursor() as cur:
        for m in model_types:
            cur.execute(f"ANALYZE {connection.ops.quote_name(m._meta.db_table)}")
