"""A real recompute process killed (SIGKILL) in the middle of its write, on SQLite and PostgreSQL.

The process is the real service in its own interpreter against its own database; the only thing
added is a pause right after the results are written and before the commit, so that the kill
lands mid-write every time instead of by luck. Afterwards the previous complete set must be
what the database holds, and the dead run must be marked failed once it is stale.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.conftest import ON_POSTGRES

PROJECT = Path(settings.BASE_DIR)
AS_OF = "2025-12-31"

SETUP = """
import datetime as dt, django
django.setup()
from tests.targets.conftest import build_catalogue, make_report
from targets.services import progress_recompute
cat = build_catalogue()
make_report(cat.indicators["coverage"], "2022-12-31", 87)
make_report(cat.indicators["standards"], "2022-12-31", 800)
progress_recompute(as_of=dt.date(2025, 12, 31))
# Data that a new recompute would turn into different results.
make_report(cat.indicators["coverage"], "2024-12-31", 95)
make_report(cat.indicators["standards"], "2024-12-31", 950)
make_report(cat.indicators["centers"], "2024-12-31", 3)
"""

KILLED = """
import datetime as dt, sys, time, django
django.setup()
from targets import services
written = services._upsert_results
def pause_after_writing(*args, **kwargs):
    count = written(*args, **kwargs)
    open(sys.argv[1], "w").write(str(count))  # the results are written, not committed
    time.sleep(600)
    return count
services._upsert_results = pause_after_writing
services.progress_recompute(as_of=dt.date(2025, 12, 31))
"""

AGAIN = """
import datetime as dt, django
django.setup()
from targets.services import progress_recompute
progress_recompute(as_of=dt.date(2025, 12, 31))
"""


def _database(backend: str, tmp_path: Path):
    if backend == "sqlite":
        path = tmp_path / "killed.sqlite3"
        url = f"sqlite:///{path}"

        def query(sql: str) -> list[tuple]:
            with sqlite3.connect(path) as connection:
                return connection.execute(sql).fetchall()

        return url, query, lambda: None
    import psycopg2
    from psycopg2 import sql

    base = urlsplit(os.environ["DATABASE_URL"])
    name = "metrology_i11_killed"
    url = base._replace(path=f"/{name}").geturl()
    maintenance = base._replace(path="/postgres").geturl()

    def admin(statement) -> None:
        connection = psycopg2.connect(maintenance)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)
        connection.close()

    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    admin(drop)
    admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def query(statement: str) -> list[tuple]:
        connection = psycopg2.connect(url)
        with connection.cursor() as cursor:
            cursor.execute(statement)
            rows = cursor.fetchall()
        connection.close()
        return rows

    return url, query, lambda: admin(drop)


def _env(url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "REDIS_URL")}
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="metrology_tracker.settings",
        PYTHONPATH=str(PROJECT),
        LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def _python(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


RESULTS = (
    "SELECT target_id, as_of, pace_status, latest_value, completion, computed_at "
    "FROM targets_progressresult ORDER BY target_id, as_of"
)


@pytest.mark.parametrize(
    "backend",
    [
        "sqlite",
        pytest.param(
            "postgres",
            marks=pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (DATABASE_URL)"),
        ),
    ],
)
def test_a_recompute_killed_mid_write_leaves_the_previous_set_and_is_marked_failed(
    backend, tmp_path
):
    url, query, drop = _database(backend, tmp_path)
    try:
        env = _env(url)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=PROJECT,
            env=env,
            check=True,
            timeout=300,
            capture_output=True,
        )
        _python(SETUP, env)
        before = query(RESULTS)
        assert len(before) == 6  # one complete set: every target as of 2025-12-31

        marker = tmp_path / "written"
        process = subprocess.Popen(
            [sys.executable, "-c", KILLED, str(marker)], cwd=PROJECT, env=env
        )
        try:
            deadline = time.monotonic() + 240
            while not marker.exists():
                assert process.poll() is None, "the recompute ended before writing"
                assert time.monotonic() < deadline, "the recompute never wrote its results"
                time.sleep(0.1)
            assert int(marker.read_text()) == 6  # all six rows written, not yet committed
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=60)
        assert process.returncode == -signal.SIGKILL

        assert query(RESULTS) == before  # the previous complete set, untouched
        runs = query("SELECT id, status FROM targets_progressrun ORDER BY id")
        killed_id, killed_status = runs[-1]
        assert killed_status == "started"  # a dead process cannot say it failed

        _python(AGAIN, _env(url, PROGRESS_RUN_STALE_AFTER_SECONDS="0"))

        status, error = query(
            f"SELECT status, error FROM targets_progressrun WHERE id = {int(killed_id)}"
        )[0]
        assert status == "failed" and "stale" in error
        after = query(RESULTS)
        assert len(after) == 6 and after != before  # the next run completed the new set
        latest = query("SELECT status FROM targets_progressrun ORDER BY id DESC LIMIT 1")
        assert latest == [("done",)]
    finally:
        drop()
