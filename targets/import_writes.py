"""Bulk INSERT and UPDATE of plain rows (attname → value) for the progress import.

``bulk_create`` compiles every value of every row through its field: 10,000 reports took 1.8 s,
most of the import's write lock. Here each column's values are prepared once (memoised), and
the rows are sent, before the write transaction, into a temporary table of this connection:
on SQLite the temporary database has its own lock, so filling it makes nobody wait. The write
transaction then runs one ``INSERT … SELECT`` (and one ``UPDATE``) from it, which the database
does without a round trip per row: 100,000 reports hold SQLite's write lock about 0.5 s
instead of 2.2 s for the prepared ``executemany`` (benchmarks/README.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, connection

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


def _driver_value(value: Any) -> Any:
    """What SQLite's adapter would make of a value, done once here rather than in the write."""
    if connection.vendor == "sqlite" and isinstance(value, Decimal):
        return str(value)
    return value


def _insert_plan(model, rows: list[dict[str, Any]]) -> tuple[list, list[tuple]]:
    """The columns an INSERT of ``rows`` names, and every row's values prepared for them."""
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
    plan = [
        (f.attname, None, constants[f.attname])
        if f.attname in constants
        else (f.attname, _Prepared(f), defaults.get(f.attname))
        for f in fields
    ]
    values = [
        tuple(
            default if prepare is None else prepare(row.get(name, default))
            for name, prepare, default in plan
        )
        for row in rows
    ]
    return fields, values


def _update_plan(model, rows: list[dict[str, Any]], names: Sequence[str]) -> tuple[list, list]:
    """The ``names`` columns (the primary key first) and each row's values prepared for them."""
    fields = [model._meta.pk, *_column_fields(model, names)]
    prepare = [_Prepared(f) for f in fields]
    values = [
        tuple(p(row[f.attname]) for p, f in zip(prepare, fields, strict=True)) for row in rows
    ]
    return fields, values


def _quoted(fields) -> str:
    return ", ".join(connection.ops.quote_name(f.column) for f in fields)


@contextmanager
def _private_transaction() -> Iterator[None]:
    """On SQLite, a DEFERRED transaction for writes to this connection's temporary tables:
    it never takes the main database's write lock (Django begins IMMEDIATE, which would), and
    row by row in autocommit 100,000 rows took 3 s instead of 0.9 s. PostgreSQL needs none:
    its temporary tables are unlogged and private, so batches in autocommit cost nothing more.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
        try:
            yield
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")


def _fill(table: str, columns: str, values: list[tuple]) -> None:
    """INSERT ``values`` into ``table`` with the fewest round trips the driver allows."""
    if not values:
        return
    width = len(values[0]) + 1  # the row's position comes first
    one = "(" + ", ".join(["%s"] * width) + ")"
    with _private_transaction(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # in-process: one executemany is the fast path
            cursor.executemany(
                f"INSERT INTO {table} (position, {columns}) VALUES {one}",
                [(position, *row) for position, row in enumerate(values)],
            )
            return
        for start in range(0, len(values), _INSERT_BATCH):
            batch = values[start : start + _INSERT_BATCH]
            cursor.execute(
                f"INSERT INTO {table} (position, {columns}) VALUES "
                + ", ".join([one] * len(batch)),
                [v for position, row in enumerate(batch, start) for v in (position, *row)],
            )


class Staging:
    """Rows waiting in temporary tables of this connection; ``statements`` moves them.

    Made by ``staged``; ``statements`` are what the write transaction runs, a fixed number
    whatever the sheet's size.
    """

    def __init__(self) -> None:
        self.tables: list[str] = []
        self.statements: list[str] = []

    def table_like(self, model, fields, *, indexed: str = "") -> str:
        """A new, empty temporary table with ``fields``' columns (and types) and a position;
        ``indexed`` names a column to index."""
        bare = f"import_staging_{uuid.uuid4().hex[:12]}"
        name = connection.ops.quote_name(bare)
        source = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {name} AS "
                f"SELECT 0 AS position, {_quoted(fields)} FROM {source} WHERE 1 = 0"
            )
            self.tables.append(name)
            if indexed:
                index = connection.ops.quote_name(f"{bare}_{indexed}")
                column = connection.ops.quote_name(indexed)
                cursor.execute(f"CREATE INDEX {index} ON {name} ({column})")
        return name

    def drop(self) -> None:
        with connection.cursor() as cursor:
            for name in self.tables:
                # If an outer transaction failed, it took the table with it.
                with suppress(DatabaseError):
                    cursor.execute(f"DROP TABLE IF EXISTS {name}")
        self.tables.clear()


@contextmanager
def staged(
    model,
    *,
    new: list[dict[str, Any]],
    changed: list[dict[str, Any]],
    changed_names: Sequence[str],
) -> Iterator[list[str]]:
    """Stage ``new`` rows to INSERT and ``changed`` rows to UPDATE (by ``id``, the
    ``changed_names`` columns); yield the statements that apply them, for the transaction.

    Run outside the write transaction: filling a temporary table takes no lock anyone else
    waits for (SQLite's temporary database is the connection's own). The tables are dropped
    on the way out, whatever happened.
    """
    staging = Staging()
    table = connection.ops.quote_name(model._meta.db_table)
    try:
        if new:
            fields, values = _insert_plan(model, new)
            name = staging.table_like(model, fields)
            _fill(name, _quoted(fields), values)
            staging.statements.append(
                f"INSERT INTO {table} ({_quoted(fields)}) "
                f"SELECT {_quoted(fields)} FROM {name} ORDER BY position"
            )
        if changed:
            fields, values = _update_plan(model, changed, changed_names)
            name = staging.table_like(model, fields, indexed=model._meta.pk.column)
            pk = connection.ops.quote_name(model._meta.pk.column)
            _fill(name, _quoted(fields), values)
            assigned = _quoted(fields[1:])
            staging.statements.append(
                f"UPDATE {table} SET ({assigned}) = "
                f"(SELECT {assigned} FROM {name} AS staged WHERE staged.{pk} = {table}.{pk}) "
                f"WHERE {pk} IN (SELECT {pk} FROM {name})"
            )
        yield staging.statements
    finally:
        staging.drop()


def execute(statements: Iterable[str]) -> None:
    """Run the staged statements: the only work left for the write transaction."""
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
