"""While a long import runs, the login page, a login and a dashboard page still answer.

Real processes on one SQLite file (the embedded default, where one writer locks the whole
database): a server, and ``import_progress`` on a sheet of tens of thousands of rows. Before
issue 11 the import held the write lock for minutes and a login POST failed with a 500 after
20 s; now the sheet is read and checked outside any transaction and written in one short one.
"""

from __future__ import annotations

import csv
import datetime as dt
import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

PROJECT = Path(settings.BASE_DIR)
PORT = 8113
EXTRA_INDICATORS = 30

SETUP = f"""
import django
django.setup()
from django.contrib.auth import get_user_model
from tests.targets.conftest import build_catalogue, make_indicator
cat = build_catalogue()
for number in range({EXTRA_INDICATORS}):
    make_indicator(cat.sx_doc, f"extra{{number:02d}}", sort_order=10 + number)
get_user_model().objects.create_user(username="reader", password="correct-horse-battery-staple")
"""


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "REDIS_URL")}
    env.update(DATABASE_URL=url, PYTHONPATH=str(PROJECT), LOG_LEVEL="WARNING")
    env["DJANGO_SETTINGS_MODULE"] = "metrology_tracker.settings"
    return env


def _sheet(path: Path) -> int:
    codes = ["standards", "centers"] + [f"extra{n:02d}" for n in range(EXTRA_INDICATORS)]
    start, rows = dt.date(2021, 1, 1), 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["province", "document", "indicator", "as_of", "value", "note"])
        for day in range(1200):
            for code in codes:
                as_of = (start + dt.timedelta(days=day)).isoformat()
                writer.writerow(["SX", "sx-2021", code, as_of, day % 97 + 1, "年报：数据"])
                rows += 1
    return rows


def _wait_for_port(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"the server never listened on {port}")


class Visitor:
    """A browser: cookies, the CSRF token, statuses of everything it asked."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, path: str, data: dict | None = None) -> int:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def csrf(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken")

    def log_in_and_read_a_page(self) -> list[int]:
        self.cookies.clear()
        statuses = [self.request("/accounts/login/")]
        statuses.append(
            self.request(
                "/accounts/login/",
                {
                    "username": "reader",
                    "password": "correct-horse-battery-staple",
                    "csrfmiddlewaretoken": self.csrf(),
                },
            )
        )
        statuses.append(self.request("/"))
        return statuses


def test_a_page_and_a_login_answer_while_a_long_import_runs(tmp_path):
    url = f"sqlite:///{tmp_path / 'busy.sqlite3'}"
    env = _env(url)
    run = {"cwd": PROJECT, "env": env, "check": True, "timeout": 300, "capture_output": True}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], **run)
    subprocess.run([sys.executable, "-c", SETUP], **run)
    sheet = tmp_path / "big.csv"
    rows = _sheet(sheet)

    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    importer = None
    try:
        _wait_for_port(PORT, time.monotonic() + 60)
        visitor = Visitor(f"http://127.0.0.1:{PORT}")
        assert visitor.log_in_and_read_a_page() == [200, 200, 200]  # warm, and logins work

        importer = subprocess.Popen(
            [sys.executable, "manage.py", "import_progress", str(sheet), "--for-review"],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        rounds_during_import: list[list[int]] = []
        while importer.poll() is None:
            statuses = visitor.log_in_and_read_a_page()
            if importer.poll() is None:  # the import was still running when all three answered
                rounds_during_import.append(statuses)
            else:
                assert statuses == [200, 200, 200]
        out, err = importer.communicate(timeout=60)

        assert importer.returncode == 0, err
        assert f"新增{rows}条" in out
        assert rounds_during_import, "the import ended before one login round: make it longer"
        assert all(statuses == [200, 200, 200] for statuses in rounds_during_import)
    finally:
        for process in (importer, server):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=30)


@pytest.fixture(autouse=True)
def _port_is_free():
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            pytest.skip(f"port {PORT} is taken")
    yield
