"""Model instances read by plain SQL on the console's hot path. Every console request reads its
session and its user with the user's role; built and compiled by the ORM each time, those two
small queries cost more CPU than running them. The SQL is written once per model and
connection vendor, and the rows become instances the way the ORM makes them: the database's
converters applied (SQLite returns datetimes as text) and Model.from_db called."""

from __future__ import annotations

from functools import cache

from django.db import connection
from django.db.models import Model


class ModelRow:
    """The concrete columns of `model` under a table alias, and instances from those columns."""

    def __init__(self, model: type[Model], alias: str) -> None:
        qn = connection.ops.quote_name
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.table = f"{qn(model._meta.db_table)} {alias}"
        self.columns = ", ".join(f"{alias}.{qn(f.column)}" for f in self.fields)
        self.attnames = [f.attname for f in self.fields]
        self.converters = [
            (i, [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)], col)
            for i, col in enumerate(f.get_col(alias) for f in self.fields)
        ]
        self.converters = [(i, funcs, col) for i, funcs, col in self.converters if funcs]

    def column(self, name: str, alias: str) -> str:
        return f"{alias}.{connection.ops.quote_name(self.model._meta.get_field(name).column)}"

    def instance(self, row: tuple, start: int = 0) -> Model:
        values = list(row[start : start + len(self.fields)])
        for i, funcs, col in self.converters:
            for f in funcs:
                values[i] = f(values[i], col, connection)
        return self.model.from_db(connection.alias, self.attnames, values)


def model_row(model: type[Model], alias: str) -> ModelRow:
    return _model_row(model, alias, connection.vendor)


@cache
def _model_row(model: type[Model], alias: str, vendor: str) -> ModelRow:  # one per database vendor
    return ModelRow(model, alias)
