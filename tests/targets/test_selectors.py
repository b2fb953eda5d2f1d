"""Selectors: the engine's input frames, each in one query whatever the size."""

import datetime as dt

import pandas as pd
import pytest
from django.utils import timezone, translation

from provinces.models import ReviewStatus
from targets.progress import REPORT_INPUT_COLUMNS, TARGET_INPUT_COLUMNS
from targets.selectors import (
    REPORT_COLUMNS,
    TARGET_COLUMNS,
    TASK_STATUS_COLUMNS,
    approved_reports_frame,
    demo_data_present,
    latest_results_as_of,
    progress_results_frame,
    stored_results_dates,
    targets_frame,
    task_status_frame,
)
from targets.services import progress_recompute
from tasks.models import Role, TaskStatus
from tests import factories as f


@pytest.mark.django_db
def test_the_targets_frame_has_what_the_engine_needs(catalogue, django_assert_num_queries):
    with django_assert_num_queries(1):
        frame = targets_frame()

    assert tuple(frame.columns) == TARGET_COLUMNS
    assert len(frame) == 6
    coverage = frame.set_index("target_id").loc[catalogue.targets["coverage"].pk]
    assert coverage["province"] == "SX"
    assert coverage["plan_base_year"] == 2020
    assert (coverage["baseline_year"], coverage["baseline_value"]) == (2020, 85.0)
    assert (coverage["target_year"], coverage["target_value"]) == (2025, 90.0)
    assert coverage["unit"] == "%"
    assert frame["target_value"].dtype == "float64"
    regulation = frame.set_index("target_id").loc[catalogue.targets["regulation"].pk]
    assert pd.isna(regulation["target_value"]) and pd.isna(regulation["baseline_year"])


@pytest.mark.django_db
def test_the_targets_frame_narrows_to_a_scope(catalogue):
    standards = catalogue.indicators["standards"]

    assert set(targets_frame(indicator_ids=[standards.pk])["target_year"]) == {2025, 2035}
    assert set(targets_frame(document_ids=[catalogue.js_doc.pk])["province"]) == {"JS"}
    assert set(targets_frame(province_codes=["SX"])["document_id"]) == {catalogue.sx_doc.pk}
    assert targets_frame(indicator_ids=[]).empty


@pytest.mark.django_db
def test_the_targets_frame_can_read_only_what_the_engine_reads(catalogue):
    full = targets_frame()

    lean = targets_frame(columns=TARGET_INPUT_COLUMNS)

    assert tuple(lean.columns) == TARGET_INPUT_COLUMNS
    pd.testing.assert_frame_equal(lean, full[list(TARGET_INPUT_COLUMNS)])
    with pytest.raises(ValueError, match="indicator_title"):
        targets_frame(columns=["target_id", "indicator_title"])


@pytest.mark.django_db
def test_approved_reports_come_by_indicator_date_and_approval_whatever_the_insert_order(
    catalogue, make_report
):
    coverage, standards = catalogue.indicators["coverage"], catalogue.indicators["standards"]
    same_moment = timezone.now()
    late = make_report(standards, "2024-12-31", 810, reviewed_at=same_moment)
    early = make_report(standards, "2023-12-31", 800, reviewed_at=same_moment)
    tie_first = make_report(coverage, "2023-12-31", 87, reviewed_at=same_moment)
    tie_second = make_report(coverage, "2023-12-31", 88, reviewed_at=same_moment)  # one batch
    corrected = make_report(
        coverage, "2022-12-31", 86, reviewed_at=same_moment + dt.timedelta(days=1)
    )
    superseded = make_report(coverage, "2022-12-31", 85, reviewed_at=same_moment)

    frame = approved_reports_frame()

    coverage_first = coverage.pk < standards.pk
    by_coverage = [superseded, corrected, tie_first, tie_second]
    by_standards = [early, late]
    expected = by_coverage + by_standards if coverage_first else by_standards + by_coverage
    assert list(frame["report_id"]) == [report.pk for report in expected]


@pytest.mark.django_db
def test_the_engine_can_read_only_the_report_columns_it_uses(catalogue, make_report):
    coverage = catalogue.indicators["coverage"]
    make_report(coverage, "2024-12-31", 89, is_demo=True)
    make_report(coverage, "2023-12-31", 88)
    make_report(catalogue.indicators["regulation"], "2024-06-30", done=True)

    lean = approved_reports_frame(columns=REPORT_INPUT_COLUMNS)

    assert tuple(lean.columns) == REPORT_INPUT_COLUMNS
    pd.testing.assert_frame_equal(lean, approved_reports_frame()[list(REPORT_INPUT_COLUMNS)])
    with pytest.raises(ValueError, match="reporter"):
        approved_reports_frame(columns=["value", "reporter"])


@pytest.mark.django_db
def test_the_stored_explanation_is_written_in_the_readers_language(catalogue, make_report):
    make_report(catalogue.indicators["coverage"], "2023-12-31", 88)
    progress_recompute(as_of=dt.date(2023, 12, 31))
    coverage = catalogue.targets["coverage"].pk

    with translation.override("zh-hans"):
        chinese = progress_results_frame(target_ids=[coverage])["explanation"].iloc[0]
    with translation.override("en"):
        english = progress_results_frame(target_ids=[coverage])["explanation"].iloc[0]

    assert chinese.startswith("强检项目覆盖率：2025年目标90%（不低于）")
    assert english.startswith("强检项目覆盖率: 2025 target at least 90%")
    assert "on track" in english


@pytest.mark.django_db
def test_only_approved_reports_up_to_the_date_reach_the_engine(
    catalogue, make_report, django_assert_num_queries
):
    coverage = catalogue.indicators["coverage"]
    make_report(coverage, "2023-12-31", 88)
    make_report(coverage, "2024-12-31", 89, status=ReviewStatus.SUBMITTED)
    make_report(coverage, "2025-12-31", 91)
    make_report(catalogue.indicators["regulation"], "2024-06-30", done=True)

    with django_assert_num_queries(1):
        frame = approved_reports_frame(as_of=dt.date(2024, 12, 31))

    assert tuple(frame.columns) == REPORT_COLUMNS
    assert list(frame["as_of"]) == [pd.Timestamp("2023-12-31"), pd.Timestamp("2024-06-30")]
    assert frame["as_of"].dtype == "datetime64[ns]"
    assert frame["approved_at"].dtype == "datetime64[ns]"  # naive UTC
    assert frame["value"].iloc[0] == 88.0 and pd.isna(frame["value"].iloc[1])
    assert bool(frame["done"].iloc[1]) is True and pd.isna(frame["done"].iloc[0])
    assert len(approved_reports_frame(indicator_ids=[coverage.pk])) == 2


@pytest.mark.django_db
def test_the_task_status_frame_takes_each_tasks_latest_approved_update(
    django_assert_num_queries,
):
    document = f.make_document()
    led = f.make_task(document=document)
    lead = f.make_assignment(task=led, role=Role.LEAD)
    support = f.make_assignment(task=led, role=Role.SUPPORT)
    alone = f.make_task(document=document)  # no department printed, no update
    f.make_task_update(
        task=led,
        as_of=dt.date(2024, 12, 31),
        status=TaskStatus.IN_PROGRESS,
        review_status=ReviewStatus.APPROVED,
    )
    f.make_task_update(
        task=led,
        as_of=dt.date(2025, 12, 31),
        status=TaskStatus.DELAYED,
        percent=30,
        review_status=ReviewStatus.APPROVED,
    )
    f.make_task_update(
        task=led,
        as_of=dt.date(2026, 6, 30),
        status=TaskStatus.COMPLETED,
        percent=100,
        review_status=ReviewStatus.SUBMITTED,
    )

    with django_assert_num_queries(1):
        frame = task_status_frame(document_ids=[document.pk])

    assert tuple(frame.columns) == TASK_STATUS_COLUMNS
    rows = frame.set_index(["task_id", "role"], drop=False)
    assert rows.loc[(led.pk, "lead"), "department_id"] == lead.department_id
    assert rows.loc[(led.pk, "support"), "department_id"] == support.department_id
    assert set(frame.loc[frame["task_id"] == led.pk, "status"]) == {"delayed"}
    assert set(frame.loc[frame["task_id"] == led.pk, "percent"]) == {30}
    lonely = frame[frame["task_id"] == alone.pk]
    assert len(lonely) == 1
    assert pd.isna(lonely["status"].iloc[0]) and pd.isna(lonely["department_id"].iloc[0])

    earlier = task_status_frame(document_ids=[document.pk], as_of=dt.date(2025, 6, 30))
    assert set(earlier.loc[earlier["task_id"] == led.pk, "status"]) == {"in_progress"}


@pytest.mark.django_db
def test_the_task_status_frame_costs_one_query_for_many_tasks(django_assert_num_queries):
    document = f.make_document()
    for _ in range(30):
        task = f.make_task(document=document)
        f.make_assignment(task=task)
        f.make_task_update(task=task, review_status=ReviewStatus.APPROVED)

    with django_assert_num_queries(1):
        frame = task_status_frame()

    assert len(frame) == 30


@pytest.mark.django_db
def test_stored_results_come_back_with_their_targets_and_history(
    catalogue, make_report, django_assert_num_queries
):
    make_report(catalogue.indicators["coverage"], "2023-12-31", 88)
    progress_recompute(as_of=dt.date(2023, 12, 31))
    progress_recompute(as_of=dt.date(2024, 6, 30))

    with django_assert_num_queries(1):
        latest = progress_results_frame(as_of=dt.date(2024, 6, 30), province_codes=["SX"])
    history = progress_results_frame(target_ids=[catalogue.targets["coverage"].pk])

    assert len(latest) == 5
    coverage = latest[latest["indicator_code"] == "coverage"].iloc[0]
    assert coverage["printed_baseline_value"] == 85.0
    assert coverage["baseline_value"] == 85.0
    assert coverage["explanation"].startswith("强检项目覆盖率")
    assert list(history["as_of"]) == [pd.Timestamp("2023-12-31"), pd.Timestamp("2024-06-30")]
    assert stored_results_dates() == [dt.date(2023, 12, 31), dt.date(2024, 6, 30)]
    assert latest_results_as_of() == dt.date(2024, 6, 30)
    assert latest_results_as_of(on_or_before=dt.date(2024, 1, 1)) == dt.date(2023, 12, 31)


@pytest.mark.django_db
def test_demo_data_is_noticed_while_any_demo_row_exists(catalogue, make_report):
    assert demo_data_present() is False
    report = make_report(catalogue.indicators["coverage"], "2023-12-31", 88, is_demo=True)
    assert demo_data_present() is True
    report.delete()
    f.make_task_update(is_demo=True)
    assert demo_data_present() is True
