"""What the database alone needs for a national recompute, with no ORM and no Python around it.

    .venv/bin/python benchmarks/recompute.py --provinces 31 --keep-database [--database-url URL]
    .venv/bin/python benchmarks/floor.py --database-url URL_IT_PRINTED

The issue's third target asks that the time a recompute spends outside the arithmetic be no
more than the arithmetic's. This script measures the least any implementation must spend
there, on a database that ``recompute.py --keep-database`` built and recomputed: hand-written
SQL sent through the bare driver connection (psycopg2 or sqlite3; Django is only used to find
the connection and to time ``compute_progress``):

- ``read_targets_s``: the targets with their indicator and plan columns (a three-table join);
- ``read_reports_s``: the approved reports on or before the as-of date, five columns, in no
  particular order (PostgreSQL: binary ``COPY`` into memory, no parsing; SQLite: ``fetchall``);
- ``write_results_s``: inserting the finished results again under a new date by one
  ``INSERT … SELECT`` from the results already stored (the rows are built inside the database,
  nothing travels), with PostgreSQL's deferred foreign-key checks forced; then rolled back, so
  the database is left as it was. No commit is timed.

``floor_s`` is their sum; ``pure_s`` is ``compute_progress`` on the frames the service reads.
The last line is one JSON object. Each figure is the median of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import recompute  # the sibling script: settings, argument types, error type

RESULT_COLUMNS = (
    "target_id, computed_at, latest_value, latest_date, baseline_value, baseline_date, "
    "baseline_source, achieved, completion, completion_display, time_elapsed, pace_status, "
    "outlook, outlook_ratio, projection, method, n_points, score, inputs"
)
TARGETS_SQL = (
    "SELECT t.id, t.indicator_id, d.base_year, i.measure_kind, i.direction, i.unit, "
    "i.baseline_year, i.baseline_value, t.year, t.value, t.comparator, t.lower_bound "
    "FROM targets_target t JOIN targets_indicator i ON i.id = t.indicator_id "
    "JOIN provinces_policydocument d ON d.id = i.document_id"
)
REPORTS_SQL = (
    "SELECT indicator_id, as_of, value, done, reviewed_at FROM targets_progressreport "
    "WHERE review_status = 'approved' AND as_of <= '{as_of}'"
)
WRITE_SQL = (
    f"INSERT INTO targets_progressresult (as_of, {RESULT_COLUMNS}) "
    f"SELECT '{{new_date}}', {RESULT_COLUMNS} FROM targets_progressresult "
    "WHERE as_of = '{as_of}'"
)


def _median_seconds(function: Callable[[], Any], repeat: int) -> float:
    """Median wall time, Python's cycle collector paused as targets.bulk_io pauses it (tens of
    thousands of new row tuples would otherwise set off collections that walk the whole heap:
    time of neither the database nor the driver)."""
    runs = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            function()
            runs.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return statistics.median(runs)


def measure_floor(*, as_of: dt.date, repeat: int) -> dict[str, Any]:
    """The three floors and the pure computation, on the configured database."""
    from django.db import connection

    from targets.models import ProgressResult, Target
    from targets.progress import REPORT_INPUT_COLUMNS, TARGET_INPUT_COLUMNS, compute_progress
    from targets.selectors import approved_reports_frame, targets_frame

    stored = ProgressResult.objects.filter(as_of=as_of).count()
    targets_count = Target.objects.count()
    if stored == 0 or stored != targets_count:
        raise recompute.BenchmarkError(
            f"测算日 {as_of} 有 {stored} 条结果, 目标 {targets_count} 个; 请先运行 recompute.py "
            f"--keep-database / {stored} results stored as of {as_of} for {targets_count} "
            "targets: run recompute.py --keep-database with the same --as-of first."
        )
    targets = targets_frame(columns=TARGET_INPUT_COLUMNS)
    reports = approved_reports_frame(as_of=as_of, columns=REPORT_INPUT_COLUMNS)
    pure_s = _median_seconds(lambda: compute_progress(targets, reports, as_of), repeat)

    connection.ensure_connection()
    raw = connection.connection  # the driver's own connection: no Django wrapper from here on
    postgres = connection.vendor == "postgresql"
    reports_sql = REPORTS_SQL.format(as_of=as_of.isoformat())
    new_date = dt.date(2999, 12, 31)
    write_sql = WRITE_SQL.format(new_date=new_date.isoformat(), as_of=as_of.isoformat())
    connection.set_autocommit(False)
    try:
        if postgres:

            def read(sql: str, binary: bool) -> None:
                buffer = io.BytesIO()
                form = "binary" if binary else "csv"
                with raw.cursor() as cursor:
                    cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT {form})", buffer)

            def write() -> None:
                with raw.cursor() as cursor:
                    cursor.execute(write_sql)
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                raw.rollback()

            read_targets = _median_seconds(lambda: read(TARGETS_SQL, False), repeat)
            read_reports = _median_seconds(lambda: read(reports_sql, True), repeat)
        else:

            def fetch(sql: str) -> None:
                cursor = raw.execute(sql)
                cursor.fetchall()
                cursor.close()

            def write() -> None:
                raw.execute(write_sql)
                raw.rollback()

            read_targets = _median_seconds(lambda: fetch(TARGETS_SQL), repeat)
            read_reports = _median_seconds(lambda: fetch(reports_sql), repeat)
        raw.rollback()
        write_results = _median_seconds(write, repeat)
    finally:
        raw.rollback()
        connection.set_autocommit(True)
    if ProgressResult.objects.filter(as_of=new_date).exists():  # a safeguard: nothing may stay
        raise recompute.BenchmarkError("写入测试未回滚 / the write floor was not rolled back")
    floor_s = read_targets + read_reports + write_results
    return {
        "database": connection.vendor,
        "as_of": as_of.isoformat(),
        "targets": targets_count,
        "reports_counted": len(reports),
        "read_targets_s": round(read_targets, 4),
        "read_reports_s": round(read_reports, 4),
        "write_results_s": round(write_results, 4),
        "floor_s": round(floor_s, 4),
        "pure_s": round(pure_s, 4),
        "floor_vs_pure": round(floor_s / pure_s, 2),
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        required=True,
        help="recompute.py --keep-database 保留的数据库 / the database recompute.py kept",
    )
    parser.add_argument(
        "--as-of",
        type=recompute._date,
        default=None,
        help="与 recompute.py 相同的测算基准日 / the as-of date recompute.py used (default today)",
    )
    parser.add_argument("--repeat", type=recompute._positive, default=5)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        recompute.configure_django(recompute._checked_url(args.database_url, None))
        from django.utils import timezone

        figures = measure_floor(as_of=args.as_of or timezone.localdate(), repeat=args.repeat)
    except recompute.BenchmarkError as exc:
        print(f"错误 / Error: {exc}", file=sys.stderr)
        return 2
    print(
        f"{figures['database']}: read targets {figures['read_targets_s']:.4f} s, read reports "
        f"{figures['read_reports_s']:.4f} s, write results {figures['write_results_s']:.4f} s "
        f"= floor {figures['floor_s']:.4f} s against pure {figures['pure_s']:.4f} s "
        f"({figures['floor_vs_pure']:g}×)"
    )
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
