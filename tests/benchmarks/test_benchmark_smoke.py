"""The national benchmark's builder and measuring function, run at a tiny size.

No timing is asserted: only that the figures the benchmark prints describe what it built and
ran (counts, queries, the JSON last line), so a broken benchmark cannot report a pass.
"""

import datetime as dt
import json
import random

import pytest

from benchmarks.recompute import (
    INDICATOR_TEMPLATES,
    BenchmarkError,
    DatabaseTime,
    DatasetSpec,
    _checked_url,
    _indicator_numbers,
    _trajectory,
    build_dataset,
    closing_lines,
    measure,
    parse_args,
    summary,
)
from provinces.models import PolicyDocument, Province, ReviewStatus
from targets.models import Indicator, ProgressReport, ProgressResult, ProgressRun, Target
from tasks.models import Assignment, Task, TaskUpdate

AS_OF = dt.date(2026, 11, 23)
# One document of five indicators (level, range, milestone, two percentages), 2021–2026.
TINY = DatasetSpec(
    documents_per_province=1,
    indicators_per_document=5,
    tasks_per_document=3,
    first_year=2021,
    last_year=2026,
)
QUARTERS = 24
EXTRA_REPORTS = 6  # 2 corrections, 3 returned, 1 draft per indicator


@pytest.mark.django_db
def test_the_builder_writes_exactly_what_it_counts():
    counts = build_dataset(TINY, range(0, 1))

    templates = INDICATOR_TEMPLATES[:5]
    assert counts.provinces == Province.objects.count() == 1
    assert counts.documents == PolicyDocument.objects.count() == 1
    assert counts.indicators == Indicator.objects.count() == 5
    assert counts.targets == Target.objects.count() == sum(len(t.targets) for t in templates)
    assert counts.reports == ProgressReport.objects.count() == 5 * (QUARTERS + EXTRA_REPORTS)
    assert counts.approved_reports == 5 * (QUARTERS + 2)
    assert counts.approved_reports == (
        ProgressReport.objects.filter(review_status=ReviewStatus.APPROVED).count()
    )
    assert counts.tasks == Task.objects.count() == 3
    assert counts.assignments == Assignment.objects.count()
    assert 2 * 3 <= counts.assignments <= 5 * 3
    assert counts.task_updates == TaskUpdate.objects.count() > 0
    assert set(Target.objects.values_list("comparator", flat=True)) >= {"gte", "range", "done"}
    assert Province.objects.get().code == "BJ"


@pytest.mark.django_db
def test_the_measurement_describes_the_data_and_ends_in_one_json_line():
    counts = build_dataset(TINY, range(0, 1))

    result = measure(as_of=AS_OF, repeat=1)

    counted = ProgressReport.objects.filter(
        review_status=ReviewStatus.APPROVED, as_of__lte=AS_OF
    ).count()
    assert result.provinces == 1
    assert result.targets == result.results == counts.targets
    assert result.reports == counts.reports
    assert result.reports_counted == counted
    assert ProgressResult.objects.filter(as_of=AS_OF).count() == counts.targets
    assert ProgressRun.objects.filter(status=ProgressRun.Status.DONE).count() == 2  # timed + memory
    assert result.queries > 0
    assert result.queries_per_run == [result.queries]
    assert result.recompute_s > 0
    assert result.pure_s > 0
    assert result.non_arithmetic_s == pytest.approx(result.recompute_s - result.pure_s)
    assert result.database_s > 0
    assert result.orm_s > 0
    # The three parts of one run add up to it (pure here is the run's own compute_progress).
    assert result.database_s + result.orm_s < result.recompute_s
    assert result.select_s > 0
    assert result.write_s > 0
    assert result.select_s + result.write_s < result.recompute_s
    assert result.peak_mb > 0
    assert result.rss_mb > 0
    assert sum(result.statuses.values()) == counts.targets

    figures = summary([result], database="sqlite", as_of=AS_OF)
    last = json.loads(closing_lines([result], figures)[-1])
    assert {"provinces", "targets", "reports", "recompute_s", "pure_s", "orm_s"} <= set(last)
    assert {"database_s", "non_arithmetic_s"} <= set(last)
    assert set(last["targets_met"]) == {
        "under_10_s",
        "constant_queries",
        "orm_not_above_pure",
        "all_but_arithmetic_not_above_pure",
    }
    assert {"queries", "peak_mb", "growth", "targets_met"} <= set(last)
    assert last["provinces"] == 1
    assert last["targets"] == counts.targets
    assert last["reports"] == counts.reports
    assert last["queries"] == result.queries
    assert last["as_of"] == "2026-11-23"
    assert [size["provinces"] for size in last["growth"]] == [1]
    assert last["queries_constant"] is None  # one size cannot show it


@pytest.mark.django_db
def test_growing_the_data_set_is_reported_size_by_size_against_the_smallest():
    build_dataset(TINY, range(0, 1))
    small = measure(as_of=AS_OF, repeat=1)
    build_dataset(TINY, range(1, 3))
    large = measure(as_of=AS_OF, repeat=1)

    figures = summary([small, large], database="sqlite", as_of=AS_OF)

    assert (small.provinces, large.provinces) == (1, 3)
    assert large.targets == 3 * small.targets
    assert large.reports == 3 * small.reports
    assert figures["queries_constant"] is (large.queries == small.queries)
    assert figures["targets_met"]["constant_queries"] is figures["queries_constant"]
    assert figures["provinces"] == 3
    assert [size["targets"] for size in figures["growth"]] == [small.targets, large.targets]
    assert [size["queries"] for size in figures["growth"]] == [small.queries, large.queries]
    assert figures["growth"][0]["time_vs_smallest"] == 1.0
    assert figures["growth"][1]["time_vs_smallest"] == round(
        large.recompute_s / small.recompute_s, 2
    )


def test_the_same_seed_gives_the_same_indicator_and_values():
    template = INDICATOR_TEMPLATES[0]

    def draw() -> tuple:
        rng = random.Random("2026-0")
        baseline, origin, numbers = _indicator_numbers(template, rng)
        return baseline, numbers, _trajectory(template, origin, numbers[2035][1], 60, rng)

    assert draw() == draw()


def test_percentages_stay_between_0_and_100_and_cumulative_counts_never_fall():
    rng = random.Random(7)
    for template in INDICATOR_TEMPLATES:
        if template.kind == "milestone":
            continue
        for _ in range(20):
            _, origin, numbers = _indicator_numbers(template, rng)
            value = numbers[2035][1]
            values = _trajectory(template, origin, value, 60, rng)
            if template.unit == "%":
                assert all(0 <= v <= 100 for v in values), template.code
            if template.kind == "cumulative":
                assert values == sorted(values), template.code


def test_it_refuses_to_drop_a_database_whose_name_could_be_a_real_one(tmp_path):
    with pytest.raises(BenchmarkError, match="bench") as refused:
        _checked_url("postgres://postgres@127.0.0.1:5432/metrology", tmp_path)
    assert "须含" in str(refused.value)
    assert "must contain" in str(refused.value)
    with pytest.raises(BenchmarkError, match="sqlite or postgres"):
        _checked_url("mysql://root@localhost/metrology_bench", tmp_path)
    assert _checked_url(None, tmp_path).endswith("metrology_bench.sqlite3")
    url = "postgres://postgres@127.0.0.1:5432/metrology_bench"
    assert _checked_url(url, tmp_path) == url


def test_more_provinces_than_the_country_has_is_refused_in_both_languages(capsys):
    with pytest.raises(SystemExit) as exited:
        parse_args(["--provinces", "32"])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "省份数须在1到31之间" in error
    assert "between 1 and 31" in error


def test_a_dataset_spec_outside_the_templates_is_refused():
    with pytest.raises(BenchmarkError, match="indicators per document"):
        DatasetSpec(indicators_per_document=len(INDICATOR_TEMPLATES) + 1)


@pytest.mark.django_db(transaction=True)
def test_database_time_counts_statements_fetches_and_the_commit():
    from django.db import connection, transaction

    Province.objects.create(code="ZZ", name="测试", full_name="测试省")
    executed = []

    def seen(run, sql, *args):
        executed.append(sql)
        return run(sql, *args)

    timer = DatabaseTime(connection)
    with timer.patch(), connection.execute_wrapper(seen), transaction.atomic():
        names = list(Province.objects.values_list("name", flat=True))
        Province.objects.filter(code="ZZ").update(name="测试2")

    assert names == ["测试"]
    assert timer.calls["statement"] == len(executed) >= 2  # SQLite adds its BEGIN
    assert timer.calls["fetch"] >= 1
    assert timer.calls["commit"] == 1
    assert timer.seconds > 0
    before = timer.seconds
    with timer.patch():
        pass
    assert timer.seconds == before  # nothing ran, nothing counted
