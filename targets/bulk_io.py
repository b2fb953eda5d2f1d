"""Whole columns in and out of the database, one statement each way, no Python object per value.

A national recompute reads 44,000 approved reports and writes 3,500 results. Through the ORM (or
a plain ``fetchall``) every value becomes a Python object, converted one at a time (Decimal,
date, aware datetime), and every written value is adapted one at a time into a statement of
several megabytes; that, not the arithmetic, was where the time went. Here columns travel in
bulk and are typed by numpy and pandas:

- **PostgreSQL reads**: ``COPY (SELECT …) TO STDOUT``. In binary when every column has a fixed
  width (numbers, dates, booleans; NULL sent as a sentinel of the same type): the stream is one
  numpy record array, nothing is parsed. In CSV when there is text, parsed by
  ``pandas.read_csv``.
- **PostgreSQL writes**: the frame as one numpy record array, sent by binary ``COPY … FROM
  STDIN`` into a temporary table (text as codes into a list of its distinct values), then one
  ``INSERT … SELECT … ON CONFLICT … DO UPDATE``, the JSON column built by
  ``jsonb_build_object``.
- **SQLite**: one ``fetchall`` of columns selected so that the driver's per-value converters do
  not run (dates as text, booleans as integers), turned into arrays column by column; writes
  are one ``executemany`` of an ``INSERT … ON CONFLICT`` whose JSON column is built by
  ``json_object`` (which keeps 15 significant digits of a float).

The SQL of a read is the ORM's (joins, filters, ordering and parameters included): callers
build a queryset and name the columns they want from it. COPY statements go through Django's
execute wrappers and, when queries are logged, into the query log, so query counts include
them.
"""

from __future__ import annotations

import contextlib
import gc
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from django.core.exceptions import EmptyResultSet
from django.db import connections, models, transaction
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import F, Func, QuerySet

Kind = Literal[
    "int",
    "nullable_int",
    "float",
    "bool",
    "nullable_bool",
    "date",
    "datetime",
    "text",
    "nullable_text",
]
KINDS: tuple[str, ...] = (
    "int",
    "nullable_int",
    "float",
    "bool",
    "nullable_bool",
    "date",
    "datetime",
    "text",
    "nullable_text",
)

# A nullable text value read through COPY is sent with this first character, so that an empty
# string ("~") and NULL (an empty field) stay apart: read_csv cannot tell a quoted "" from
# nothing. Stripping it costs a Python call per value, hence the separate kind.
_TEXT_MARK = "~"


@dataclass(frozen=True)
class Column:
    """One column of a read: the field path on the queryset's model and the kind of value.

    Kinds and what they become: ``int`` int64, ``nullable_int`` Int64, ``float`` float64 (NaN
    for NULL; decimals too), ``bool`` bool, ``nullable_bool`` boolean, ``date`` datetime64[ns],
    ``datetime`` naive UTC datetime64[ns], ``text`` str for a column that is never NULL (or
    whose NULL means ""; it reads as ""), ``nullable_text`` str with NaN for NULL.
    """

    path: str
    kind: Kind

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Column {self.path!r}: unknown kind {self.kind!r}")


# --- reads -----------------------------------------------------------------------------------


def read_frame(queryset: QuerySet, columns: Mapping[str, Column]) -> pd.DataFrame:
    """The queryset's rows as a frame with one typed column per entry of ``columns``; one query.

    The queryset's filters and ordering are kept (rows come in its order); its own select list
    is replaced by the columns asked for.
    """
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        mode = "fetch"
    elif any(column.kind in ("text", "nullable_text") for column in columns.values()):
        mode = "csv"
    else:
        mode = "binary"  # every value has a fixed width
    return _read_frame(queryset, columns, mode)


def _read_frame(queryset: QuerySet, columns: Mapping[str, Column], mode: str) -> pd.DataFrame:
    """read_frame by a given path ("binary", "csv", "fetch"); the first two need PostgreSQL."""
    connection = connections[queryset.db]
    selected = queryset.values_list(
        *(_select_expression(column, mode) for column in columns.values())
    )
    try:
        sql, params = selected.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:  # e.g. id__in=[]: nothing can match, no query needed
        return _empty_frame(columns)
    if mode == "binary":
        return _read_binary(connection, sql, params, columns)
    if mode == "csv":
        return _read_copy(connection, sql, params, columns)
    with connection.cursor() as cursor, _without_cycle_collection():
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        values = list(zip(*rows, strict=True))
        del rows
    if not values:
        return _empty_frame(columns)
    return pd.DataFrame(
        {
            name: _typed(values[position], column.kind)
            for position, (name, column) in enumerate(columns.items())
        }
    )


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a driver builds one tuple per row.

    Tens of thousands of new tuples trigger collections that walk the whole heap (a worker that
    has loaded Django, pandas and a frame or two holds millions of objects); rows hold no
    cycles, so those walks find nothing. Measured on a national read: the collections cost as
    much as the fetch itself. The collector is switched back on only if it was on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _select_expression(column: Column, mode: str) -> Func | F:
    """How a column is selected: in a form that is cheap to parse for the chosen path.

    ``binary`` (PostgreSQL COPY in binary): every value with a fixed width, NULL as a sentinel
    of the same type (NaN, -infinity, the smallest integer, -1 for a missing boolean), so the
    rows are one numpy record array. ``csv`` (PostgreSQL COPY in CSV, when there is text):
    nullable text gets the mark (NULL stays NULL), booleans become 0/1. ``fetch`` (SQLite):
    dates, datetimes and booleans are wrapped in an expression, which has no declared type, so
    the driver hands back the stored text or integer instead of calling Django's converter on
    each value.
    """
    field = F(column.path)
    if mode == "binary":
        template, output = _BINARY_SELECT[column.kind]
        return Func(field, template=template, output_field=output)
    if column.kind == "nullable_text" and mode == "csv":
        return Func(field, template=f"('{_TEXT_MARK}' || %(expressions)s)", output_field=_TEXT)
    if column.kind in ("bool", "nullable_bool"):
        return Func(field, template="CAST(%(expressions)s AS integer)", output_field=_INT)
    if column.kind in ("date", "datetime") and mode == "fetch":
        return Func(field, template="(%(expressions)s || '')", output_field=_TEXT)
    return field


_TEXT = models.TextField()
_INT = models.IntegerField()
_INT64_NULL = np.iinfo(np.int64).min  # also -infinity as a PostgreSQL timestamp
_INT32_NULL = np.iinfo(np.int32).min  # also -infinity as a PostgreSQL date
_PG_EPOCH = np.datetime64("2000-01-01T00:00:00", "us")  # day and microsecond 0 of its clock
# The smallest bigint as SQL: written bare, -9223372036854775808 would be a numeric.
_SQL_INT64_NULL = f"CAST('{_INT64_NULL}' AS bigint)"
# kind → (SQL producing a fixed-width value, its numpy type in network byte order)
_BINARY_SELECT: dict[str, tuple[str, models.Field]] = {
    "int": ("CAST(%(expressions)s AS bigint)", models.BigIntegerField()),
    "nullable_int": (
        f"COALESCE(CAST(%(expressions)s AS bigint), {_SQL_INT64_NULL})",
        models.BigIntegerField(),
    ),
    "float": ("COALESCE(CAST(%(expressions)s AS double precision), 'NaN')", models.FloatField()),
    "bool": ("CAST(%(expressions)s AS boolean)", models.BooleanField()),
    "nullable_bool": (
        "CAST(COALESCE(CAST(%(expressions)s AS integer), -1) AS smallint)",
        models.SmallIntegerField(),
    ),
    "date": ("COALESCE(%(expressions)s, '-infinity'::date)", models.DateField()),
    "datetime": ("COALESCE(%(expressions)s, '-infinity'::timestamptz)", models.DateTimeField()),
}
_BINARY_DTYPES = {
    "int": ">i8",
    "nullable_int": ">i8",
    "float": ">f8",
    "bool": "i1",
    "nullable_bool": ">i2",
    "date": ">i4",
    "datetime": ">i8",
}
# PostgreSQL's binary COPY: an 11-byte signature, flags and a header extension (both 32-bit);
# then per row a 16-bit field count and, per field, a 32-bit byte length and the value in
# network byte order; a count of -1 ends the data.
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
_COPY_HEADER = _COPY_SIGNATURE + bytes(8)
_COPY_TRAILER = b"\xff\xff"


def _read_binary(
    connection: Any, sql: str, params: Sequence[Any], columns: Mapping[str, Column]
) -> pd.DataFrame:
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode()  # Django sets client_encoding UTF8
        copy_sql = f"COPY ({query}) TO STDOUT WITH (FORMAT binary)"
        _copy(cursor, copy_sql, lambda raw: raw.copy_expert(copy_sql, buffer))
    data = buffer.getbuffer()
    if bytes(data[: len(_COPY_SIGNATURE)]) != _COPY_SIGNATURE:
        raise ValueError("read_frame: not a PostgreSQL binary COPY stream")
    start = len(_COPY_SIGNATURE) + 8 + int.from_bytes(data[15:19], "big")
    layout = [("fields", ">i2")]
    for position, column in enumerate(columns.values()):
        layout += [(f"size{position}", ">i4"), (f"value{position}", _BINARY_DTYPES[column.kind])]
    record = np.dtype(layout)
    body = len(data) - start - len(_COPY_TRAILER)
    if body < 0 or body % record.itemsize or bytes(data[-2:]) != _COPY_TRAILER:
        raise ValueError("read_frame: unexpected row layout in the binary COPY stream")
    rows = np.frombuffer(data, dtype=record, count=body // record.itemsize, offset=start)
    widths = [np.dtype(_BINARY_DTYPES[column.kind]).itemsize for column in columns.values()]
    for position, width in enumerate(widths):
        if len(rows) and not (rows[f"size{position}"] == width).all():
            raise ValueError("read_frame: a NULL or a value of another width in a fixed column")
    frame = pd.DataFrame(
        {
            name: _from_binary(rows[f"value{position}"], column.kind)
            for position, (name, column) in enumerate(columns.items())
        }
    )
    del rows, data
    return frame


def _from_binary(values: np.ndarray, kind: str) -> Any:
    """A fixed-width column in network byte order → the kind's type, sentinels → missing."""
    native = values.astype(values.dtype.newbyteorder("="))
    if kind == "int":
        return native.astype(np.int64)
    if kind == "nullable_int":
        return _masked_int(native)
    if kind == "float":
        return native.astype(np.float64)
    if kind == "bool":
        return native.astype(bool)
    if kind == "nullable_bool":
        flags = pd.array(native == 1, dtype="boolean")
        flags[native < 0] = pd.NA
        return flags
    if kind == "date":
        days = _PG_EPOCH.astype("datetime64[D]") + native.astype(np.int64).astype("timedelta64[D]")
        days[native == _INT32_NULL] = np.datetime64("NaT")
        return days.astype("datetime64[ns]")
    micro = _PG_EPOCH + native.astype(np.int64).astype("timedelta64[us]")  # INT64_NULL is NaT
    return micro.astype("datetime64[ns]")


def _masked_int(values: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(values.astype(np.int64), values == _INT64_NULL)


def _read_copy(
    connection: Any, sql: str, params: Sequence[Any], columns: Mapping[str, Column]
) -> pd.DataFrame:
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode()  # Django sets client_encoding UTF8
        copy_sql = f"COPY ({query}) TO STDOUT WITH (FORMAT csv)"
        _copy(cursor, copy_sql, lambda raw: raw.copy_expert(copy_sql, buffer))
    if buffer.tell() == 0:
        return _empty_frame(columns)
    buffer.seek(0)
    frame = pd.read_csv(
        buffer,
        header=None,
        names=list(columns),
        dtype={name: _CSV_DTYPES[column.kind] for name, column in columns.items()},
        keep_default_na=False,
        # Only an empty field is NULL, and never in a text column that cannot be NULL.
        na_values={name: [""] for name, column in columns.items() if column.kind != "text"},
        encoding="utf-8",
        engine="c",
    )
    for name, column in columns.items():
        series = frame[name]
        if column.kind == "nullable_text":
            frame[name] = series.str.slice(len(_TEXT_MARK))
        elif column.kind == "bool":
            frame[name] = series.astype(bool)
        elif column.kind == "nullable_bool":
            frame[name] = series.astype("boolean")
        elif column.kind in ("date", "datetime"):
            frame[name] = _timestamps(series, column.kind)
    return frame


_CSV_DTYPES = {
    "int": "int64",
    "nullable_int": "Int64",
    "float": "float64",
    "bool": "int8",
    "nullable_bool": "float64",
    "date": "str",
    "datetime": "str",
    "text": "str",
    "nullable_text": "str",
}


def _timestamps(values: pd.Series | Sequence[Any], kind: str) -> pd.Series:
    """ISO text → datetime64[ns]; datetimes (naive meaning UTC, or with an offset) as naive UTC."""
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    if kind == "date":
        return pd.to_datetime(series, format="%Y-%m-%d").astype("datetime64[ns]")
    stamps = pd.to_datetime(series, utc=True, format="ISO8601")
    return stamps.dt.tz_localize(None).astype("datetime64[ns]")


def _iso_to_datetime64(values: Sequence[Any], kind: str) -> np.ndarray:
    """SQLite's stored text (``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM:SS[.ffffff]`` naive UTC, None)
    as datetime64[ns].

    numpy parses that text in C, a third of pandas' time on a national read. Text with an
    offset (``+08:00``, ``Z``; Django never writes one, another program might) numpy turns into
    UTC too, with a UserWarning; a form numpy cannot read at all goes to pandas. (No warnings
    filter here: changing one is process-wide, and pages read frames from several threads.)
    """
    unit = "datetime64[D]" if kind == "date" else "datetime64[us]"
    try:
        return np.array(values, dtype=unit).astype("datetime64[ns]")
    except ValueError:
        return _timestamps(values, kind).to_numpy()


def _typed(values: Sequence[Any], kind: str) -> Any:
    """A column of driver values (numbers, ISO text, None) as a typed array."""
    if kind == "int":
        return np.array(values, dtype=np.int64)
    if kind == "nullable_int":
        return pd.array(values, dtype="Int64")
    if kind == "float":
        return np.array(values, dtype=float)  # None → NaN
    if kind == "bool":
        return np.array(values, dtype=bool)
    if kind == "nullable_bool":
        flags = np.array(values, dtype=float)  # None → NaN; a tenth of pd.array's time
        return pd.arrays.BooleanArray(flags == 1, np.isnan(flags))
    if kind in ("date", "datetime"):
        return _iso_to_datetime64(values, kind)
    text = pd.array(values, dtype="str")
    return text.fillna("") if kind == "text" else text


def _empty_frame(columns: Mapping[str, Column]) -> pd.DataFrame:
    return pd.DataFrame({name: _typed([], column.kind) for name, column in columns.items()})


def _copy(cursor: CursorWrapper, sql: str, run: Callable[[Any], None]) -> None:
    """Run a COPY on the driver's cursor as if it were ``cursor.execute``.

    psycopg2 runs COPY through ``copy_expert``, which Django does not see. Going through the
    wrapper's execute-wrapper chain (a private helper of Django's CursorWrapper, stable since
    Django 2.0) lets ``connection.execute_wrapper`` hooks see the statement, and ``debug_sql``
    logs it where Django logs queries (DEBUG, ``assertNumQueries``), so query counts stay honest.
    """
    db = cursor.db

    def executor(sql: str, params: Any, many: bool, context: Any) -> None:
        db.validate_no_broken_transaction()
        with db.wrap_database_errors:
            run(cursor.cursor)

    logged = isinstance(cursor, CursorDebugWrapper)
    with cursor.debug_sql(sql) if logged else contextlib.nullcontext():
        cursor._execute_with_wrappers(sql, None, False, executor)


# --- writes ----------------------------------------------------------------------------------


def upsert_frame(
    model: type[models.Model],
    frame: pd.DataFrame,
    *,
    unique: Sequence[str],
    json_fields: Mapping[str, pd.DataFrame] | None = None,
) -> int:
    """Insert the frame's rows, or update the row with the same ``unique`` fields; returns rows.

    ``frame`` has one column per model field written (by attribute name: ``target_id``); the
    fields in ``unique`` must be covered by a unique constraint. ``json_fields`` maps a JSON
    field to a frame of the same length whose columns become the keys of each row's object
    (NaN and ±∞ become null, as JSON has no NaN). Float NaN becomes NULL. At most a few
    statements whatever the size (PostgreSQL: create, COPY, insert, drop; others: one
    executemany), inside a transaction: all rows are written or none.
    """
    json_fields = dict(json_fields or {})
    if frame.empty:
        return 0
    for name, values in json_fields.items():
        if len(values) != len(frame):
            raise ValueError(f"upsert_frame: {name} has {len(values)} rows, the frame {len(frame)}")
    meta = model._meta
    fields = [_field(meta, name) for name in frame.columns]
    json_model_fields = [meta.get_field(name) for name in json_fields]
    keys = [meta.get_field(name).column for name in unique]
    connection = connections[model.objects.db]
    if connection.vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(
            f"upsert_frame supports PostgreSQL and SQLite, not {connection.vendor}"
        )
    quote = connection.ops.quote_name
    columns = [field.column for field in fields] + [field.column for field in json_model_fields]
    updates = ", ".join(
        f"{quote(column)} = EXCLUDED.{quote(column)}" for column in columns if column not in keys
    )
    conflict = f"ON CONFLICT ({', '.join(quote(key) for key in keys)}) DO UPDATE SET {updates}"
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)})"
    with transaction.atomic(using=connection.alias, savepoint=False), _without_cycle_collection():
        if connection.vendor == "postgresql":
            _upsert_copy(connection, meta.db_table, head, conflict, frame, fields, json_fields)
        else:
            _upsert_many(connection, head, conflict, frame, fields, json_fields)
    return len(frame)


def _field(meta: Any, name: str) -> models.Field:
    """A concrete field by its column name in the frame: the attribute name (``target_id``)."""
    for field in meta.concrete_fields:
        if name in (field.attname, field.name) and not field.many_to_many:
            return field
    raise ValueError(f"upsert_frame: {meta.label} has no field {name!r}")


def _kind_of_field(field: models.Field) -> str:
    target = field.target_field if field.is_relation else field
    internal = target.get_internal_type()
    if internal in ("FloatField", "DecimalField"):
        return "float"
    if internal in ("DateField",):
        return "date"
    if internal in ("DateTimeField",):
        return "datetime"
    if internal in ("BooleanField", "NullBooleanField"):
        return "nullable_bool"
    if internal in ("CharField", "TextField", "SlugField", "EmailField", "URLField"):
        return "text"
    if "Integer" in internal or internal.endswith("AutoField"):
        return "int"
    raise ValueError(f"upsert_frame: no bulk form for {field.name} ({internal})")


def _kind_of_values(values: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(values.dtype):
        return "nullable_bool"
    if pd.api.types.is_integer_dtype(values.dtype):
        return "int"
    if pd.api.types.is_float_dtype(values.dtype):
        return "float"
    return "text"


def _finite(values: pd.Series) -> np.ndarray:
    array = values.to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isfinite(array), array, np.nan)


def _iso_cells(values: pd.Series, kind: str) -> np.ndarray:
    """Dates as YYYY-MM-DD, datetimes as UTC YYYY-MM-DD HH:MM:SS.ffffff, None for missing."""
    stamps = pd.to_datetime(values, utc=kind == "datetime")
    if kind == "datetime":
        cells = stamps.dt.tz_localize(None).dt.strftime("%Y-%m-%d %H:%M:%S.%f")
    else:
        cells = stamps.dt.strftime("%Y-%m-%d")
    cells = np.array(cells, dtype=object)
    cells[stamps.isna().to_numpy()] = None
    return cells


@dataclass(frozen=True)
class _Staged:
    """One column of the temporary table: its SQL type, its values and how to read them back."""

    sql_type: str
    cells: np.ndarray  # fixed width, big-endian
    expression: str  # the value as the target column wants it; {column} is the staged column
    parameters: tuple[Any, ...] = ()


def _staged(values: pd.Series, kind: str) -> _Staged:
    if kind == "float":  # NaN (and ±∞, which JSON cannot hold) → NULL
        return _Staged("double precision", _finite(values).astype(">f8"), "NULLIF({column}, 'NaN')")
    if kind == "int":
        numbers = values.astype("Int64").to_numpy(dtype=np.int64, na_value=_INT64_NULL)
        return _Staged("bigint", numbers.astype(">i8"), f"NULLIF({{column}}, {_SQL_INT64_NULL})")
    if kind == "nullable_bool":
        flags = values.astype("boolean")
        codes = np.where(flags.isna(), -1, flags.fillna(False).astype(int)).astype(">i2")
        return _Staged("smallint", codes, "CASE {column} WHEN 1 THEN TRUE WHEN 0 THEN FALSE END")
    if kind == "date":  # days since 2000-01-01; -infinity for NULL
        days = pd.to_datetime(values).to_numpy(dtype="datetime64[D]")
        offset = (days - _PG_EPOCH.astype("datetime64[D]")).astype(np.int64)
        offset = np.where(np.isnat(days), _INT32_NULL, offset)
        return _Staged("date", offset.astype(">i4"), "NULLIF({column}, '-infinity')")
    if kind == "datetime":  # microseconds since 2000-01-01 UTC; -infinity for NULL
        stamps = pd.to_datetime(values, utc=True).dt.tz_localize(None)
        micro = stamps.to_numpy(dtype="datetime64[us]")
        offset = np.where(np.isnat(micro), _INT64_NULL, (micro - _PG_EPOCH).astype(np.int64))
        return _Staged(
            "timestamp with time zone", offset.astype(">i8"), "NULLIF({column}, '-infinity')"
        )
    # Text: a code into the column's own list of distinct values, sent once as an array.
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    return _Staged(
        "integer",
        (codes + 1).astype(">i4"),  # 1-based; 0 (a missing value) is outside the array: NULL
        "(%s::text[])[{column}]",
        (list(map(str, uniques)),),
    )


def _copy_binary(staged: Sequence[_Staged]) -> bytes:
    """Rows in the binary COPY layout: every staged field has a fixed width (NULL travels as a
    sentinel that the INSERT turns back into NULL), so all rows are one numpy record array."""
    layout = [("fields", ">i2")]
    for position, column in enumerate(staged):
        layout += [(f"size{position}", ">i4"), (f"value{position}", column.cells.dtype)]
    rows = np.empty(len(staged[0].cells), dtype=np.dtype(layout))
    rows["fields"] = len(staged)
    for position, column in enumerate(staged):
        rows[f"size{position}"] = column.cells.dtype.itemsize
        rows[f"value{position}"] = column.cells
    return _COPY_HEADER + rows.tobytes() + _COPY_TRAILER


def _upsert_copy(
    connection: Any,
    table: str,
    head: str,
    conflict: str,
    frame: pd.DataFrame,
    fields: list[models.Field],
    json_fields: Mapping[str, pd.DataFrame],
) -> None:
    """Binary COPY into a temporary table, then one INSERT … SELECT … ON CONFLICT."""
    quote = connection.ops.quote_name
    load = quote(f"{table}_load")
    staged: list[_Staged] = []
    selected: list[str] = []
    parameters: list[Any] = []

    def stage(values: pd.Series, kind: str) -> str:
        column = _staged(values, kind)
        name = quote(f"c{len(staged)}")
        staged.append(column)
        parameters.extend(column.parameters)
        return column.expression.format(column=name)

    for name, field in zip(frame.columns, fields, strict=True):
        selected.append(stage(frame[name], _kind_of_field(field)))
    for values in json_fields.values():
        pairs = [
            f"{_literal(key)}, {stage(values[key], _kind_of_values(values[key]))}"
            for key in values.columns
        ]
        selected.append(f"jsonb_build_object({', '.join(pairs)})")
    definition = ", ".join(
        f"{quote(f'c{position}')} {column.sql_type}" for position, column in enumerate(staged)
    )
    data = io.BytesIO(_copy_binary(staged))
    copy_sql = f"COPY {load} FROM STDIN WITH (FORMAT binary)"
    with connection.cursor() as cursor:
        # ON COMMIT DROP as a backstop; dropped explicitly so a second call in the same
        # transaction (a history recompute inside one atomic block) can create it again.
        cursor.execute(f"CREATE TEMPORARY TABLE {load} ({definition}) ON COMMIT DROP")
        _copy(cursor, copy_sql, lambda raw: raw.copy_expert(copy_sql, data))
        cursor.execute(f"{head} SELECT {', '.join(selected)} FROM {load} {conflict}", parameters)
        cursor.execute(f"DROP TABLE {load}")


def _literal(text: str) -> str:
    """A string literal in a statement that is sent with parameters (so % is doubled)."""
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def _parameters(values: pd.Series, kind: str) -> list[Any]:
    """A column as driver parameters: numbers, ISO text, None for NULL."""
    if kind == "float":
        return _finite(values).tolist()  # SQLite stores a NaN parameter as NULL
    if kind == "int":
        array = values.astype("Int64")
        return array.astype(object).where(array.notna(), None).tolist()
    if kind == "nullable_bool":
        flags = values.astype("boolean")
        return flags.astype(object).where(flags.notna(), None).tolist()
    if kind in ("date", "datetime"):
        return _iso_cells(values, kind).tolist()
    text = values.astype(object)
    return text.where(text.notna(), None).tolist()


def _upsert_many(
    connection: Any,
    head: str,
    conflict: str,
    frame: pd.DataFrame,
    fields: list[models.Field],
    json_fields: Mapping[str, pd.DataFrame],
) -> None:
    columns = [
        _parameters(frame[name], _kind_of_field(field))
        for name, field in zip(frame.columns, fields, strict=True)
    ]
    placeholders = ["%s"] * len(fields)
    for values in json_fields.values():
        pairs = []
        for key in values.columns:
            columns.append(_parameters(values[key], _kind_of_values(values[key])))
            pairs.append(f"{_literal(key)}, %s")
        placeholders.append(f"json_object({', '.join(pairs)})")
    rows = list(zip(*columns, strict=True))
    with connection.cursor() as cursor:
        cursor.executemany(f"{head} VALUES ({', '.join(placeholders)}) {conflict}", rows)


__all__ = ["KINDS", "Column", "Kind", "read_frame", "upsert_frame"]
