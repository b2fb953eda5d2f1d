"""Dashboard pages at national scale, served as in production (issue "The read side rebuilt").

    .venv/bin/python benchmarks/pages.py [--database-url postgres://postgres@127.0.0.1:5432/metrology_pages_bench]
                                         [--sizes 4,31] [--clients 2] [--rounds 15] [--workers 2]

For each data set — ``4``: the five seed documents with their demo data; ``31``: the national
synthetic set of ``benchmarks/recompute.py`` (31 provinces × four documents) — it builds a
database of its own (dropped afterwards unless ``--keep-database``), recomputes the stored
results as the nightly job does, then:

- counts each page's SQL queries in-process (Django's test client, one logged-in user); for the
  synthetic set at 1, 8 and 31 provinces, growing the data in place, so a query count that grows
  with the data shows;
- serves the site with gunicorn under production settings (DEBUG off, compressed static files,
  ``--workers`` sync workers) and sends ``--clients`` concurrent logged-in clients through every
  page and ``/healthz`` ``--rounds`` times each, in a shuffled order, after one warm-up pass;
- prints a table (page, p50, p95, × the trivial view, KB of HTML, queries) and, as its last
  line, one JSON object with every figure and whether the goals hold: each page's p50 ≤ 3× the
  p50 of ``/healthz`` and p95 ≤ 5× its p95 in the same run, HTML ≤ 300 KB, the same query count
  at 1, 8 and 31 provinces.

No test asserts a time; ``tests/benchmarks/`` only checks the script runs at a tiny size.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Run as a script, this folder comes first on sys.path, where benchmarks/onboarding.py would
# stand in for the onboarding app: import the sibling through the package instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))
from benchmarks import recompute as national  # noqa: E402

PROJECT_DIR = national.PROJECT_DIR
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/metrology_pages_bench"
GOAL_P50 = 3.0
GOAL_P95 = 5.0
GOAL_KB = 300.0
AS_OF = "2026-11-23"


def _say(text: str) -> None:
    print(text, flush=True)


def page_urls() -> dict[str, str]:
    """One URL of every dashboard page kind, over whatever data the database holds."""
    from django.db.models import Count

    from provinces.models import Department, PolicyDocument
    from targets.models import Indicator, IndicatorCategory
    from tasks.models import Task

    document = (
        PolicyDocument.objects.annotate(n=Count("indicators")).filter(n__gt=0).order_by("id")[0]
    )
    indicator = Indicator.objects.filter(document=document).order_by("sort_order", "id")[0]
    task = Task.objects.filter(document=document).order_by("sort_order", "id")[0]
    department = Department.objects.annotate(n=Count("assignments")).order_by("-n", "id")[0]
    category = IndicatorCategory.objects.annotate(n=Count("indicators")).order_by("-n", "code")[0]
    code = document.province.code
    q = f"?as_of={AS_OF}"
    return {
        "overview": f"/{q}",
        "compare": f"/compare/{q}&category={category.code}",
        "province": f"/provinces/{code}/{q}",
        "departments": f"/provinces/{department.province.code}/departments/{q}",
        "department": f"/departments/{department.pk}/{q}",
        "document": f"/documents/{document.slug}/{q}",
        "responsibilities": f"/documents/{document.slug}/responsibilities/{q}",
        "indicator": f"/indicators/{indicator.pk}/{q}",
        "task": f"/tasks/{task.pk}/{q}",
    }


def default_pages() -> dict[str, str]:
    """The same pages at the default as-of date (today): the path a leader takes most."""
    return {f"{name}@today": url.split("?")[0] for name, url in page_urls().items()}


def _user() -> Any:
    from django.contrib.auth import get_user_model

    from provinces.accounts import assign_role
    from provinces.models import Role

    user, _ = get_user_model().objects.get_or_create(username="bench-leader")
    assign_role(user=user, role=Role.LEADER)
    return user


def count_queries(urls: dict[str, str]) -> dict[str, int]:
    """SQL statements per page, the user logged in, as a fresh request would run them."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(_user())
    counts: dict[str, int] = {}
    for name, url in urls.items():
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, HTTP_HOST="127.0.0.1")
        if response.status_code != 200:
            raise national.BenchmarkError(f"{url} answered {response.status_code}")
        counts[name] = len(captured)
    return counts


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def served(url: str, *, workers: int, static_root: Path, port: int = 0):
    """gunicorn under production settings on the benchmark database; yields its base URL."""
    port = port or _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "REDIS_URL")},
        # The page cache as in production (docker-compose sets REDIS_URL); empty: per-process
        # local memory, so each worker fills its own.
        **(
            {"REDIS_URL": os.environ["BENCH_REDIS_URL"]}
            if os.environ.get("BENCH_REDIS_URL")
            else {}
        ),
        "DATABASE_URL": url,
        "DEBUG": "False",
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "False",
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "metrology_tracker.settings",
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "metrology_tracker.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, OSError):  # refused, reset or slow to boot
                if time.monotonic() > deadline or process.poll() is not None:
                    raise national.BenchmarkError("gunicorn did not start") from None
                time.sleep(0.3)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _session_cookie() -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(_user())
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _fetch(base: str, url: str, cookie: str) -> tuple[float, int, int]:
    request = urllib.request.Request(f"{base}{url}", headers={"Cookie": cookie})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as answer:
        body = answer.read()
        status = answer.status
    return time.perf_counter() - started, status, len(body)


def time_pages(
    base: str, urls: dict[str, str], *, clients: int, rounds: int, seed: int, warmup: int = 1
) -> dict[str, dict[str, float]]:
    """p50 / p95 in ms and body size per page, ``clients`` threads sending at once."""
    cookie = _session_cookie()
    everything = {"healthz": "/healthz", **urls}
    sizes: dict[str, int] = {}
    # Warm-up: first hits fill imports and, per worker with a local-memory cache, stored pages;
    # as many passes as workers so each is likely to have served each page once.
    for _pass in range(max(warmup, 1)):
        for name, url in everything.items():
            _seconds, status, size = _fetch(base, url, cookie)
            if status != 200:
                raise national.BenchmarkError(f"{url} answered {status}")
            sizes[name] = size
    times: dict[str, list[float]] = {name: [] for name in everything}
    lock = threading.Lock()
    failures: list[str] = []

    def client(number: int) -> None:
        order = [name for _ in range(rounds) for name in everything]
        random.Random(seed + number).shuffle(order)
        for name in order:
            try:
                seconds, status, _size = _fetch(base, everything[name], cookie)
            except Exception as exc:
                failures.append(f"{name}: {exc}")
                continue
            with lock:
                if status != 200:
                    failures.append(f"{name}: HTTP {status}")
                times[name].append(seconds)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise national.BenchmarkError("requests failed: " + "; ".join(failures[:5]))
    figures = {}
    for name, values in times.items():
        values.sort()
        figures[name] = {
            "p50_ms": statistics.median(values) * 1000,
            "p95_ms": values[min(len(values) - 1, round(0.95 * (len(values) - 1)))] * 1000,
            "kb": sizes[name] / 1024,
        }
    return figures


def table(figures: dict[str, dict[str, float]], queries: dict[str, list[int]]) -> str:
    trivial = figures["healthz"]
    lines = [
        f"{'page':<24}{'p50 ms':>9}{'p95 ms':>9}{'×p50':>7}{'×p95':>7}{'KB':>8}  queries",
    ]
    for name, row in figures.items():
        counts = "/".join(str(n) for n in queries.get(name, [])) or "-"
        lines.append(
            f"{name:<24}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}"
            f"{row['p50_ms'] / trivial['p50_ms']:>7.1f}{row['p95_ms'] / trivial['p95_ms']:>7.1f}"
            f"{row['kb']:>8.1f}  {counts}"
        )
    return "\n".join(lines)


def verdict(figures: dict[str, dict[str, float]], queries: dict[str, list[int]]) -> dict[str, Any]:
    trivial = figures["healthz"]
    pages = {name: row for name, row in figures.items() if name != "healthz"}
    missed = []
    for name, row in pages.items():
        if row["p50_ms"] > GOAL_P50 * trivial["p50_ms"]:
            missed.append(f"{name} p50")
        if row["p95_ms"] > GOAL_P95 * trivial["p95_ms"]:
            missed.append(f"{name} p95")
        if row["kb"] > GOAL_KB:
            missed.append(f"{name} size")
        if len(set(queries.get(name, []))) > 1:
            missed.append(f"{name} queries")
    return {"all_met": not missed, "missed": missed}


def scenario(size: int, url: str, args: argparse.Namespace, static_root: Path) -> dict[str, Any]:
    """Build one data set, count queries (growing it where it is synthetic), serve and time."""
    from django.core.management import call_command

    drop = national._recreate_database(url)
    try:
        from django.db import connections

        connections.close_all()
        call_command("migrate", verbosity=0, interactive=False)
        query_counts: dict[str, list[int]] = {}
        if size == 4:
            call_command("load_policies", verbosity=0)
            call_command("demo_progress", verbosity=0)
            call_command("recompute_progress", verbosity=0)
            urls = {**page_urls(), **default_pages()}
            for name, count in count_queries(urls).items():
                query_counts[name] = [count]
        else:
            spec = national.DatasetSpec(seed=args.seed)
            built = 0
            steps = [n for n in (1, 8, size) if n <= size]
            for step in dict.fromkeys(steps):
                national.build_dataset(spec, range(built, step))
                built = step
                national._analyze()
                call_command("recompute_progress", verbosity=0)
                urls = {**page_urls(), **default_pages()}
                for name, count in count_queries(urls).items():
                    query_counts.setdefault(name, []).append(count)
                _say(f"  {step} provinces built and recomputed")
        connections.close_all()
        with served(url, workers=args.workers, static_root=static_root, port=args.port) as base:
            figures = time_pages(
                base,
                urls,
                clients=args.clients,
                rounds=args.rounds,
                seed=args.seed,
                warmup=args.workers,
            )
        _say(f"\n== {size} provinces, {args.clients} clients, {args.workers} workers ==")
        _say(table(figures, query_counts))
        return {
            "provinces": size,
            "pages": {
                name: {
                    **{k: round(v, 1) for k, v in row.items()},
                    "x_p50": round(row["p50_ms"] / figures["healthz"]["p50_ms"], 2),
                    "x_p95": round(row["p95_ms"] / figures["healthz"]["p95_ms"], 2),
                    "queries": query_counts.get(name, []),
                }
                for name, row in figures.items()
            },
            **verdict(figures, query_counts),
        }
    finally:
        if args.keep_database:
            _say(f"kept database {url}")
        else:
            from django.db import connections

            connections.close_all()
            drop()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Dashboard pages at national scale.")
    parser.add_argument("--database-url", default=DEFAULT_PG_URL)
    parser.add_argument("--sizes", default="4,31", help="comma-separated: 4 (seeds) and/or N")
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=15, help="requests per page per client")
    parser.add_argument("--seed", type=int, default=national.DEFAULT_SEED)
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument(
        "--redis-url",
        default="",
        help="cache for the served site, as production's REDIS_URL (default: local memory)",
    )
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    url = national._checked_url(args.database_url, None)
    os.environ["DEMO_DATA_ALLOWED"] = "True"
    os.environ["SECURE_SSL_REDIRECT"] = "False"
    if args.redis_url:
        os.environ["BENCH_REDIS_URL"] = args.redis_url
    national.configure_django(url)
    from django.conf import settings
    from django.core.management import call_command

    if args.redis_url:  # this process too: count_queries empties the cache gunicorn reads
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": args.redis_url,
            }
        }
    os.environ["SECRET_KEY"] = settings.SECRET_KEY  # gunicorn must read the same sessions
    static_root = Path(tempfile.mkdtemp(prefix="metrology_pages_static_"))

    settings.STATIC_ROOT = static_root
    call_command("collectstatic", interactive=False, verbosity=0)
    _say(
        f"database {url}, cpus {len(os.sched_getaffinity(0))}, "
        f"load average {os.getloadavg()[0]:.2f}, as of {AS_OF} and today"
    )
    results = []
    try:
        for size in (int(s) for s in args.sizes.split(",") if s.strip()):
            results.append(scenario(size, url, args, static_root))
    except national.BenchmarkError as exc:
        print(f"错误 / Error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"runs": results, "load_avg": round(os.getloadavg()[0], 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
