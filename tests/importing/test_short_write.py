"""The import's write transaction does a fixed amount of work, and nothing is stored wrong.

The rows are staged in temporary tables of the importing connection before the transaction
(``targets.import_writes.staged``); the transaction re-checks what they were matched against
and moves them in at most two statements, however long the sheet. Its speed is measured by
``benchmarks/import.py`` (``write_s``, ``other_writer_max_wait_s``), not here.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import connection

from provinces.models import ReviewStatus
from targets import progress_import
from targets.models import ProgressReport
from targets.progress_import import parse_sheet, store
from tests.importing.conftest import csv_bytes
from tests.importing.test_site_stays_up_during_import import PROJECT, SETUP, _env

TODAY = dt.date(2026, 11, 23)
START = dt.date(2021, 1, 31)


def _sheet(days: int, *, value: int = 800) -> bytes:
    dates = [START + dt.timedelta(days=day) for day in range(days)]
    return csv_bytes(
        *(f"SX,sx-2021,standards,{d.isoformat()},{value + n},,," for n, d in enumerate(dates))
    )


def _temporary_tables() -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_temp_master WHERE type = 'table'")
        else:
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname LIKE 'pg_temp%%' "
                "AND tablename LIKE 'import_staging_%%'"
            )
        return [name for (name,) in cursor.fetchall()]


@contextmanager
def _statements_in_the_write():
    """Every statement sent while a transaction is open: (sql, whether many rows were sent)."""
    seen: list[tuple[str, bool]] = []

    def record(execute, sql, params, many, context):
        if connection.in_atomic_block:
            seen.append((sql, many))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


def _store_with_pending_reports(catalogue, make_report, days: int, pending: int):
    """``days`` rows, the first ``pending`` of which replace a submitted report."""
    for day in range(pending):
        make_report(
            catalogue.indicators["standards"],
            START + dt.timedelta(days=day),
            1,
            status=ReviewStatus.SUBMITTED,
        )
    parsed = parse_sheet(_sheet(days), fmt="csv", today=TODAY)
    assert parsed.ok, parsed.problems
    with _statements_in_the_write() as seen:
        outcome = store(parsed, for_review=True)
    return outcome, seen


@pytest.mark.django_db(transaction=True)
def test_the_write_sends_the_same_few_statements_however_long_the_sheet(catalogue, make_report):
    short, short_statements = _store_with_pending_reports(catalogue, make_report, 12, 4)
    ProgressReport.objects.all().delete()
    long, long_statements = _store_with_pending_reports(catalogue, make_report, 400, 40)

    assert (short.created, short.updated) == (8, 4)
    assert (long.created, long.updated) == (360, 40)
    writes = [sql.split(" (")[0] for sql, _ in long_statements if not sql.startswith("SELECT")]
    assert writes == [
        'INSERT INTO "targets_progressreport"',
        'UPDATE "targets_progressreport" SET',
    ], long_statements
    assert len(long_statements) == len(short_statements) <= 6
    assert not any(many for _, many in long_statements), "no row by row inside the write"
    stored = list(
        ProgressReport.objects.order_by("as_of").values_list("as_of", "value", "review_status")
    )
    assert len(stored) == 400
    assert stored[0] == (START, Decimal("800"), ReviewStatus.SUBMITTED)  # an updated one
    assert stored[-1] == (START + dt.timedelta(days=399), Decimal("1199"), "submitted")
    assert _temporary_tables() == []


@pytest.mark.django_db(transaction=True)
def test_new_reports_keep_the_sheet_order_in_their_ids(catalogue):
    rows = [
        f"SX,sx-2021,standards,{(START + dt.timedelta(days=d)).isoformat()},{d},,,"
        for d in (30, 2, 17, 5)
    ]
    outcome = store(parse_sheet(csv_bytes(*rows), fmt="csv", today=TODAY), for_review=True)

    assert outcome.created == 4
    assert list(ProgressReport.objects.order_by("id").values_list("value", flat=True)) == [
        Decimal("30"),
        Decimal("2"),
        Decimal("17"),
        Decimal("5"),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_report_saved_between_the_check_and_the_write_stops_the_whole_import(
    catalogue, make_report, monkeypatch
):
    pending = make_report(
        catalogue.indicators["standards"], START, 1, status=ReviewStatus.SUBMITTED
    )
    staged = progress_import.staged

    @contextmanager
    def someone_saves_it_meanwhile(*args, **kwargs):
        with staged(*args, **kwargs) as statements:
            ProgressReport.objects.filter(pk=pending.pk).update(
                value=Decimal("5"), updated_at=dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
            )
            yield statements

    monkeypatch.setattr(progress_import, "staged", someone_saves_it_meanwhile)
    outcome = store(parse_sheet(_sheet(30), fmt="csv", today=TODAY), for_review=True)

    assert not outcome.ok
    assert "the data changed after the check; nothing was stored" in outcome.errors[0].message
    assert list(ProgressReport.objects.values_list("pk", "value")) == [(pending.pk, Decimal("5"))]
    assert _temporary_tables() == []


@pytest.mark.django_db(transaction=True)
def test_a_write_the_database_refuses_stores_nothing_and_leaves_no_staging(catalogue, monkeypatch):
    parsed = parse_sheet(_sheet(20), fmt="csv", today=TODAY)
    catalogue.indicators["standards"].delete()  # after the check, before the write

    outcome = store(parsed, for_review=True)

    assert not outcome.ok
    assert "nothing was stored" in outcome.errors[0].message
    assert ProgressReport.objects.count() == 0
    assert _temporary_tables() == []


LOCK_PROBE = (
    SETUP
    + """
import json, sqlite3, datetime as dt
from django.db import connection
from targets.progress_import import parse_sheet, store
rows = ["province,document,indicator,as_of,value,note,done"] + [
    f"SX,sx-2021,standards,{dt.date(2021, 1, 1) + dt.timedelta(days=d)},{d},," for d in range(2000)
]
parsed = parse_sheet("\\n".join(rows).encode(), fmt="csv", today=dt.date(2026, 11, 23))
other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)

def other_can_write():
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return False
    other.execute("ROLLBACK")
    return True

seen = {}

def probe(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if sql.startswith('INSERT INTO "import_staging_'):
        seen["while the rows are staged"] = (connection.connection.in_transaction,
                                             other_can_write())
    elif sql.startswith('INSERT INTO "targets_progressreport"'):
        seen["in the write"] = (connection.connection.in_transaction, other_can_write())
    return result

with connection.execute_wrapper(probe):
    outcome = store(parsed, for_review=True)
errors = {"errors": [str(e) for e in outcome.errors[:3]]} if outcome.errors else {}
print(json.dumps({"created": outcome.created, **seen, **errors}))
"""
)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's one write lock")
def test_on_sqlite_staging_the_rows_leaves_the_database_free_for_other_writers(tmp_path):
    """On one SQLite file: while the rows are staged (inside a transaction of the temporary
    database), another connection can begin a write at once; during the write it cannot,
    which shows the probe sees the lock."""
    env = _env(f"sqlite:///{tmp_path / 'lock.sqlite3'}")
    run = {"cwd": PROJECT, "env": env, "timeout": 300, "capture_output": True, "text": True}
    migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"]
    subprocess.run(migrate, check=True, **run)

    probed = subprocess.run([sys.executable, "-c", LOCK_PROBE], **run)

    assert probed.returncode == 0, probed.stderr
    seen = json.loads(probed.stdout.strip().splitlines()[-1])
    assert seen == {
        "created": 2000,
        "while the rows are staged": [True, True],
        "in the write": [True, False],
    }
