"""Bulk INSERT and UPDATE of plain rows (attname → value) for the progress import.

``bulk_create`` compiles every value of every row through its field: 10,000 reports took 1.8 s,
most of the import's write lock. The same preparation, memoised per column and sent as one
prepared statement, takes a fraction of that. Fields the rows do not name get their default,
prepared once; a database default leaves the column out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection

_INSERT_BATCH = 1000  # rows per INSERT on PostgreSQL (parameters stay under its 65,535)


class _Prepared:
    """A column's values as the driver wants them, each distinct value prepared once.

    ``bulk_create`` compiles every value of every row through its field (10,000 reports took
    1.8 s, most of the write lock); the same preparation, memoised per column, takes
    milliseconds, and fields this import does not set get their default, prepared once.
    """

    def __init__(self, field) -> None:
        self.field = field
        self.cache: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        try:
            return self.cache[value]
        except KeyError:
            prepared = _driver_value(self.field.get_db_prep_save(value, connection))
            self.cache[value] = prepared
            return prepared
        except TypeError:  # unhashable
            return _driver_value(self.field.get_db_prep_save(value, connection))


def _column_fields(model, names: Iterable[str] | None = None) -> list:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if names is not None:
        wanted = set(names)
        fields = [f for f in fields if f.attname in wanted]
    return fields


Statement = tuple[str, list[Sequence[Any]]]


def _driver_value(value: Any) -> Any:
    """What SQLite's adapter would make of a value, done once here rather than in the write."""
    if connection.vendor == "sqlite" and isinstance(value, Decimal):
        return str(value)
    return value


def insert_statements(model, rows: list[dict[str, Any]]) -> list[Statement]:
    """The INSERTs of ``rows`` (attname → value), every value prepared: no model instances.

    Built before the transaction opens so that the write itself only sends them.
    """
    if not rows:
        return []
    named = set().union(*rows)  # a correction names supersedes_id, a new report does not
    fields = []
    constants: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    for f in _column_fields(model):
        default = f.get_default()
        database_default = getattr(default, "resolve_expression", None) is not None
        if f.attname not in named:
            if database_default:
                continue  # leave the column out: the database fills it
            constants[f.attname] = _driver_value(f.get_db_prep_save(default, connection))
        elif not database_default:
            defaults[f.attname] = default
        fields.append(f)
    columns = [
        (None, constants[f.attname])
        if f.attname in constants
        else (_Prepared(f), defaults.get(f.attname))
        for f in fields
    ]
    plan = [
        (f.attname, prepare, default) for f, (prepare, default) in zip(fields, columns, strict=True)
    ]
    values = [
        tuple(
            default if prepare is None else prepare(row.get(name, default))
            for name, prepare, default in plan
        )
        for row in rows
    ]
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    if connection.vendor == "sqlite":  # in-process: one executemany is the fast path
        return [(f"INSERT INTO {table} ({names}) VALUES {one}", values)]
    statements = []
    for start in range(0, len(values), _INSERT_BATCH):
        batch = values[start : start + _INSERT_BATCH]
        statement = f"INSERT INTO {table} ({names}) VALUES " + ", ".join([one] * len(batch))
        statements.append((statement, [tuple(value for row in batch for value in row)]))
    return statements


def update_statements(model, rows: list[dict[str, Any]], names: Sequence[str]) -> list[Statement]:
    """The UPDATE of the ``names`` columns of each row by its ``id``, values prepared."""
    if not rows:
        return []
    fields = _column_fields(model, names)
    prepare = [_Prepared(f) for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    values = [
        (*(p(row[f.attname]) for p, f in zip(prepare, fields, strict=True)), row["id"])
        for row in rows
    ]
    return [(f"UPDATE {table} SET {assignments} WHERE id = %s", values)]


def execute(statements: Iterable[Statement]) -> None:
    """Send prepared statements: the only work left for the write transaction."""
    with connection.cursor() as cursor:
        for statement, values in statements:
            if len(values) == 1:
                cursor.execute(statement, values[0])
            else:
                cursor.executemany(statement, values)


def bulk_insert(model, rows: list[dict[str, Any]]) -> None:
    """INSERT ``rows`` (attname → value): one prepared statement, no model instances."""
    execute(insert_statements(model, rows))


def bulk_update_rows(model, rows: list[dict[str, Any]], names: Sequence[str]) -> None:
    """UPDATE the ``names`` columns of each row by its ``id``: one prepared statement."""
    execute(update_statements(model, rows, names))
