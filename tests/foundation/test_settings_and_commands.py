import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.clients import get_in

ROOT = Path(__file__).resolve().parents[2]


def _settings_in_subprocess(env: dict[str, str], expression: str) -> str:
    """Read a setting as a fresh process sees it, so environment variables really apply."""
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'metrology_tracker.settings'); django.setup(); from django.conf import settings; "
        f"print({expression})"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_interface_is_chinese_first_with_english_available():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert dict(settings.LANGUAGES).keys() == {"zh-hans", "en"}
    assert settings.TIME_ZONE == "Asia/Shanghai"


def test_without_a_broker_jobs_run_in_process():
    assert _settings_in_subprocess({}, "settings.CELERY_TASK_ALWAYS_EAGER") == "True"


def test_a_broker_url_turns_on_the_real_queue():
    out = _settings_in_subprocess(
        {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/9"}, "settings.CELERY_TASK_ALWAYS_EAGER"
    )
    assert out == "False"


def test_database_url_selects_postgresql():
    out = _settings_in_subprocess(
        {"DATABASE_URL": "postgres://u@db.example:5432/metrology"},
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME']",
    )
    assert out == "django.db.backends.postgresql metrology"


def test_the_default_database_is_a_sqlite_file_in_the_project():
    out = _settings_in_subprocess({}, "settings.DATABASES['default']['NAME']")
    assert out == str(ROOT / "db.sqlite3")


def test_production_refuses_to_start_without_a_secret_key():
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'metrology_tracker.settings'; "
        "import django; django.setup()"
    )
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DEBUG": "False"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_never_allows_demo_data():
    out = _settings_in_subprocess(
        {"DEBUG": "False", "SECRET_KEY": "x" * 50}, "settings.DEMO_DATA_ALLOWED"
    )
    assert out == "False"


@pytest.mark.django_db
def test_the_demo_administrator_is_created_and_reset_on_a_second_run(capsys):
    call_command("create_demo_admin")
    call_command("create_demo_admin")
    out = capsys.readouterr().out
    assert "username=demo" in out and "password=demo-metrology-2026" in out
    user = get_user_model().objects.get(username="demo")
    assert user.is_superuser and user.check_password("demo-metrology-2026")
    assert get_user_model().objects.filter(username="demo").count() == 1


@pytest.mark.django_db
def test_the_demo_administrator_is_refused_in_production(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="production"):
        call_command("create_demo_admin")
    assert not get_user_model().objects.filter(username="demo").exists()


@pytest.mark.django_db
def test_the_login_page_speaks_chinese_by_default_and_english_on_request(client):
    zh = get_in(client, "/accounts/login/", "zh-hans")
    assert zh.status_code == 200
    with translation.override("en"):
        en = get_in(client, "/accounts/login/", "en")
    assert en.status_code == 200
    assert "用户名" in zh.content.decode()
    assert "Username" in en.content.decode()


@pytest.mark.django_db
def test_an_english_browser_still_gets_the_chinese_interface_until_the_user_switches(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "用户名" in page and "Username" not in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "Username" in page


_TWO_WRITERS = """
import os, threading, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metrology_tracker.settings")
django.setup()
from django.db import connection, transaction

with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    mode = cursor.fetchone()[0]
    cursor.execute("PRAGMA synchronous")
    sync = cursor.fetchone()[0]
    cursor.execute("CREATE TABLE counter (n integer)")
    cursor.execute("INSERT INTO counter VALUES (0)")
connection.close()
errors = []

def bump(pause):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT n FROM counter")
            n = cursor.fetchone()[0]
            time.sleep(pause)
            cursor.execute("UPDATE counter SET n = %s", [n + 1])
    except Exception as exc:
        errors.append(type(exc).__name__)
    finally:
        connection.close()

first = threading.Thread(target=bump, args=(0.6,))
second = threading.Thread(target=bump, args=(0,))
first.start(); time.sleep(0.2); second.start(); first.join(); second.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT n FROM counter")
    print(mode, sync, cursor.fetchone()[0], errors)
"""


def test_the_sqlite_file_lets_two_writers_queue_instead_of_failing(tmp_path):
    """The embedded default: WAL (pages read while a job writes), synchronous NORMAL, and
    transactions that take the write lock when they begin, so the second of two read-then-write
    transactions waits for the first and sees its update, instead of failing with "database is
    locked" or losing the update."""
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    result = subprocess.run(
        [sys.executable, "-c", _TWO_WRITERS],
        env={**clean, "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "1", "2", "[]"]
