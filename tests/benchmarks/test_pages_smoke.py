"""benchmarks/pages.py at a tiny size, without gunicorn: its page list, its query counter, its
table and its verdict. No timing is asserted; a broken benchmark must not report a pass."""

import datetime as dt

import pytest
from django.core.cache import cache

from benchmarks.pages import (
    GOAL_KB,
    count_queries,
    default_pages,
    page_urls,
    parse_args,
    table,
    verdict,
)
from benchmarks.recompute import DatasetSpec, build_dataset
from dashboards.urls import urlpatterns
from targets.services import progress_recompute

AS_OF = dt.date(2026, 11, 23)
TINY = DatasetSpec(
    documents_per_province=1,
    indicators_per_document=5,
    tasks_per_document=3,
    first_year=2021,
    last_year=2026,
)


@pytest.fixture
def tiny(db, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
    build_dataset(TINY, range(0, 1))
    progress_recompute(as_of=AS_OF)


def test_every_page_of_the_dashboards_is_measured(tiny):
    urls = page_urls()
    pages = {p.name for p in urlpatterns if not p.name.startswith("catalogue")}
    assert set(urls) == pages
    assert all(
        url.endswith("?as_of=2026-11-23") or "as_of=2026-11-23&" in url for url in urls.values()
    )
    today = default_pages()
    assert set(today) == {f"{name}@today" for name in pages}
    assert all("?" not in url for url in today.values())


def test_queries_are_counted_on_a_fresh_page_and_grow_with_nothing(tiny):
    urls = {**page_urls(), **default_pages()}
    first = count_queries(urls)
    assert set(first) == set(urls)
    assert all(n >= 3 for n in first.values())  # session, user, the version at least
    # A stored page would cost less: the counter empties the cache before each page.
    again = count_queries(urls)
    assert again == first
    cache.clear()
    build_dataset(TINY, range(1, 2))  # a second province: same count per page
    progress_recompute(as_of=AS_OF)
    assert count_queries({**page_urls(), **default_pages()}) == first


def _figures(page_ms: float, kb: float = 10.0) -> dict:
    return {
        "healthz": {"p50_ms": 10.0, "p95_ms": 20.0, "kb": 0.0},
        "overview": {"p50_ms": page_ms, "p95_ms": 2 * page_ms, "kb": kb},
    }


def test_the_verdict_holds_each_goal_to_its_figure():
    assert verdict(_figures(30.0), {"overview": [9, 9, 9]}) == {"all_met": True, "missed": []}
    assert verdict(_figures(31.0), {"overview": [9]})["missed"] == ["overview p50"]
    assert verdict(_figures(30.0, kb=GOAL_KB + 1), {"overview": [9]})["missed"] == ["overview size"]
    assert verdict(_figures(30.0), {"overview": [9, 9, 10]})["missed"] == ["overview queries"]
    slow = _figures(30.0)
    slow["overview"]["p95_ms"] = 101.0
    assert verdict(slow, {"overview": [9]})["missed"] == ["overview p95"]


def test_the_table_prints_every_page_with_its_ratio_and_queries():
    text = table(_figures(30.0), {"overview": [9, 9, 9]})
    lines = text.splitlines()
    assert lines[0].split() == ["page", "p50", "ms", "p95", "ms", "×p50", "×p95", "KB", "queries"]
    assert lines[2].split() == ["overview", "30.0", "60.0", "3.0", "3.0", "10.0", "9/9/9"]


def test_the_options_default_to_the_issue_s_conditions():
    args = parse_args([])
    assert (args.sizes, args.clients, args.workers) == ("4,31", 2, 2)
    assert "bench" in args.database_url
    assert parse_args(["--port", "8180", "--redis-url", "redis://x/8"]).port == 8180
