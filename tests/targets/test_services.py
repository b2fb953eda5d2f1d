"""Stored results: idempotent, crash-safe, kept per as-of date; reviews that trigger recompute."""

import datetime as dt
import math
from decimal import Decimal
from unittest import mock

import pandas as pd
import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from provinces.accounts import assign_role
from provinces.models import ReviewStatus, Role
from targets import services
from targets.models import ProgressReport, ProgressResult, ProgressRun
from targets.progress import compute_progress
from targets.selectors import approved_reports_frame, targets_frame
from targets.services import (
    approve_reports,
    progress_recompute,
    progress_recompute_history,
    progress_report_create,
    progress_report_update,
    return_reports,
)

END_2023 = dt.date(2023, 12, 31)  # three of five plan years: time elapsed 0.6 for 2025 targets
MID_2024 = dt.date(2024, 6, 30)
COMPARED = [
    "target_id",
    "as_of",
    "latest_value",
    "latest_date",
    "baseline_value",
    "baseline_date",
    "baseline_source",
    "achieved",
    "completion",
    "completion_display",
    "time_elapsed",
    "pace_status",
    "outlook",
    "outlook_ratio",
    "projection",
    "method",
    "n_points",
    "score",
    "inputs",
]


def stored(as_of=None):
    queryset = ProgressResult.objects.order_by("target_id", "as_of")
    if as_of is not None:
        queryset = queryset.filter(as_of=as_of)
    return list(queryset.values("id", *COMPARED))


def status_of(target, as_of):
    return ProgressResult.objects.get(target=target, as_of=as_of).pace_status


@pytest.fixture
def reviewer(django_user_model):
    user = django_user_model.objects.create_user(username="sx-reviewer", password="x")
    user.user_permissions.add(Permission.objects.get(codename="change_progressreport"))
    # Reviews are scoped by unit: a national system admin reviews every province.
    assign_role(user=user, role=Role.SYSTEM_ADMIN)
    return django_user_model.objects.get(pk=user.pk)


@pytest.fixture
def reported(catalogue, make_report):
    """山西's values at the end of 2023, approved."""
    ind = catalogue.indicators
    make_report(ind["coverage"], END_2023, 88)  # c = 3/5 = 0.6 = e → on track
    make_report(ind["standards"], END_2023, 800)  # c = 57/157 = 0.363 → c/e 0.61 lagging
    make_report(ind["centers"], END_2023, 1)  # c = 1/3 → c/e 0.56 seriously lagging
    make_report(ind["regulation"], END_2023, done=False)
    return catalogue


@pytest.mark.django_db
def test_recompute_stores_one_result_per_target_with_the_statuses_of_the_method(reported):
    run = progress_recompute(as_of=END_2023)

    assert run.status == ProgressRun.Status.DONE
    assert run.targets_count == 6
    assert run.finished_at is not None
    assert ProgressResult.objects.filter(as_of=END_2023).count() == 6
    tg = reported.targets
    assert status_of(tg["coverage"], END_2023) == "on_track"
    assert status_of(tg["standards"], END_2023) == "lagging"
    assert status_of(tg["centers"], END_2023) == "seriously_lagging"
    assert status_of(tg["regulation"], END_2023) == "pending"
    assert status_of(tg["js-standards"], END_2023) == "no_data"
    coverage = ProgressResult.objects.get(target=tg["coverage"], as_of=END_2023)
    assert coverage.completion == pytest.approx(0.6)
    assert coverage.time_elapsed == pytest.approx(0.6)
    assert coverage.latest_date == END_2023
    assert coverage.baseline_date == dt.date(2020, 12, 31)
    assert coverage.method == "linear"
    assert coverage.inputs["goal_value"] == 90.0
    assert coverage.inputs["comparator"] == "gte"
    assert coverage.inputs["unit"] == "%"
    assert coverage.inputs["target_year"] == 2025
    assert coverage.inputs["years_total"] == pytest.approx(5.0)
    assert coverage.inputs["pace_ratio"] == pytest.approx(1.0)
    assert coverage.inputs["cagr_observed"] is None  # linear method: no growth rates
    assert "explanation" not in coverage.inputs  # written from the row where it is shown


def plain(value):
    """A computed value as the database gives it back: None for NaN, NA and NaT; dates."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value.item() if hasattr(value, "item") else value


@pytest.mark.django_db
def test_what_is_stored_is_exactly_what_the_method_computed(reported, make_report):
    make_report(reported.indicators["standards"], MID_2024, 850)  # a growth-rate fit
    make_report(reported.indicators["centers"], MID_2024, 2)

    progress_recompute(as_of=MID_2024)

    computed = compute_progress(
        targets_frame(), approved_reports_frame(as_of=MID_2024), MID_2024
    ).set_index("target_id")
    rows = ProgressResult.objects.filter(as_of=MID_2024).values()
    assert len(rows) == len(computed) == 6
    assert set(computed["method"].dropna()) == {"growth_rate", "linear"}
    blank_when_missing = ("baseline_source", "outlook", "method")
    for row in rows:
        result = computed.loc[row["target_id"]]
        for name in ("latest_value", "baseline_value", "completion", "completion_display"):
            assert row[name] == plain(result[name]), name  # floats to the last bit
        for name in ("time_elapsed", "outlook_ratio", "projection", "score", "n_points"):
            assert row[name] == plain(result[name]), name
        for name in ("latest_date", "baseline_date", "achieved", "pace_status"):
            assert row[name] == plain(result[name]), name
        for name in blank_when_missing:
            assert row[name] == (plain(result[name]) or ""), name
        assert set(row["inputs"]) == set(services._INPUT_COLUMNS)
        for name in ("pace_ratio", "years_elapsed", "years_total", "cagr_observed", "slope"):
            expected = plain(result[name])
            if expected is None or not math.isfinite(expected):
                assert row["inputs"][name] is None, name
            else:
                assert row["inputs"][name] == pytest.approx(expected, rel=1e-14), name


@pytest.mark.django_db
def test_an_empty_scope_writes_nothing_and_still_finishes(reported):
    run = progress_recompute(as_of=END_2023, indicator_ids=[])

    assert (run.status, run.targets_count) == (ProgressRun.Status.DONE, 0)
    assert not ProgressResult.objects.exists()


@pytest.mark.django_db
def test_each_result_records_when_it_was_computed(reported):
    before = timezone.now()
    progress_recompute(as_of=END_2023)
    after = timezone.now()

    moments = set(ProgressResult.objects.values_list("computed_at", flat=True))
    assert len(moments) == 1 and before <= moments.pop() <= after


@pytest.mark.django_db
def test_running_it_again_gives_the_same_rows(reported):
    progress_recompute(as_of=END_2023)
    first = stored()

    progress_recompute(as_of=END_2023)

    assert stored() == first  # same ids too: rows are updated in place
    assert ProgressRun.objects.filter(status=ProgressRun.Status.DONE).count() == 2


@pytest.mark.django_db
def test_history_is_kept_per_as_of_date(reported, make_report):
    progress_recompute(as_of=END_2023)
    make_report(reported.indicators["coverage"], MID_2024, 89.5)

    progress_recompute(as_of=MID_2024)

    coverage = reported.targets["coverage"]
    history = list(
        ProgressResult.objects.filter(target=coverage)
        .order_by("as_of")
        .values_list("as_of", "latest_value", "pace_status")
    )
    # mid-2024: c = 4.5/5 = 0.9, e = 3.5/5 = 0.7 (decimal years), c/e 1.29 → ahead
    assert history == [(END_2023, 88.0, "on_track"), (MID_2024, 89.5, "ahead")]


@pytest.mark.django_db
def test_a_crash_midway_leaves_the_previous_complete_set(reported, make_report):
    progress_recompute(as_of=END_2023)
    before = stored()
    make_report(reported.indicators["coverage"], END_2023, 70)  # would change the status

    with (
        mock.patch("targets.services._upsert_results", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        progress_recompute(as_of=END_2023)

    assert stored() == before
    failed = ProgressRun.objects.get(status=ProgressRun.Status.FAILED)
    assert "disk full" in failed.error
    assert failed.finished_at is not None


@pytest.mark.django_db
def test_a_crash_after_the_rows_are_written_rolls_them_back(reported, make_report):
    progress_recompute(as_of=END_2023)
    before = stored()
    make_report(reported.indicators["coverage"], END_2023, 70)
    original_save = ProgressRun.save

    def save_then_crash(run, *args, **kwargs):
        if "status" in (kwargs.get("update_fields") or ()):
            written = ProgressResult.objects.get(target=reported.targets["coverage"])
            assert written.latest_value == 70
            raise RuntimeError("worker killed")
        return original_save(run, *args, **kwargs)

    with (
        mock.patch.object(ProgressRun, "save", save_then_crash),
        pytest.raises(RuntimeError),
    ):
        progress_recompute(as_of=END_2023)

    assert stored() == before
    assert ProgressRun.objects.filter(status=ProgressRun.Status.FAILED).count() == 1


@pytest.mark.django_db
def test_an_indicator_scope_rewrites_only_that_indicators_targets(reported, make_report):
    progress_recompute(as_of=END_2023)
    standards = reported.indicators["standards"]
    make_report(standards, END_2023, 900, reviewed_at=None)  # later approval wins: achieved
    untouched = ProgressResult.objects.exclude(target__indicator=standards).order_by("id")
    others = list(untouched.values("id", "computed_at", "pace_status"))

    run = progress_recompute(as_of=END_2023, indicator_ids=[standards.pk])

    assert run.scope == f"indicators:{standards.pk}"
    assert run.targets_count == 2  # its 2025 and 2035 targets
    assert status_of(reported.targets["standards"], END_2023) == "achieved"
    assert list(untouched.values("id", "computed_at", "pace_status")) == others


@pytest.mark.django_db
def test_history_recompute_refreshes_every_stored_date(reported, make_report):
    progress_recompute(as_of=END_2023)
    progress_recompute(as_of=MID_2024)
    make_report(reported.indicators["centers"], END_2023, 3)  # a correction, approved later

    runs = progress_recompute_history(indicator_ids=[reported.indicators["centers"].pk])

    assert [run.as_of for run in runs] == [END_2023, MID_2024]
    assert status_of(reported.targets["centers"], END_2023) == "achieved"
    assert status_of(reported.targets["centers"], MID_2024) == "achieved"


@pytest.mark.django_db
def test_recompute_costs_the_same_queries_for_few_or_many_targets(
    catalogue,
    make_indicator,
    make_target,
    make_report,
    django_assert_max_num_queries,
    django_assert_num_queries,
):
    progress_recompute(as_of=END_2023)
    with django_assert_max_num_queries(12) as small:
        progress_recompute(as_of=END_2023)
    # 6 targets, then 126: more than one of Django's SQLite insert batches (49 rows) would hold.
    for n in range(120):
        indicator = make_indicator(catalogue.js_doc, f"extra-{n}", baseline=n + 10)
        make_target(indicator, 2025, n + 20)
        make_report(indicator, END_2023, n + 15)

    with django_assert_num_queries(len(small.captured_queries)):
        run = progress_recompute(as_of=END_2023)

    assert run.targets_count == 126


@pytest.mark.django_db
def test_approving_a_report_recomputes_its_indicator_after_commit(
    reported, make_report, reviewer, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    progress_recompute(as_of=today)
    coverage = reported.targets["coverage"]
    assert status_of(coverage, today) == "missed"  # 88 % by 2025: 2025 has passed
    report = make_report(
        reported.indicators["coverage"], dt.date(2025, 12, 31), 91, status=ReviewStatus.SUBMITTED
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        changed = approve_reports(reports=[report], reviewer=reviewer)

    assert changed == 1
    assert len(callbacks) == 1
    report.refresh_from_db()
    assert report.review_status == ReviewStatus.APPROVED
    assert report.reviewed_at is not None
    assert status_of(coverage, today) == "achieved"


@pytest.mark.django_db
def test_approving_enqueues_one_recompute_per_indicator_and_skips_approved_reports(
    reported, make_report, reviewer, django_capture_on_commit_callbacks
):
    ind = reported.indicators
    submitted = [
        make_report(ind["coverage"], "2024-12-31", 89, status=ReviewStatus.SUBMITTED),
        make_report(ind["coverage"], "2025-06-30", 89.5, status=ReviewStatus.SUBMITTED),
        make_report(ind["standards"], "2024-12-31", 850, status=ReviewStatus.SUBMITTED),
    ]
    already = ProgressReport.objects.filter(indicator=ind["centers"])

    with (
        mock.patch("targets.jobs.recompute_indicator_progress.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        changed = approve_reports(
            reports=ProgressReport.objects.filter(pk__in=[r.pk for r in submitted]) | already,
            reviewer=reviewer,
        )

    assert changed == 3
    assert sorted(call.args[0] for call in delay.call_args_list) == sorted(
        [ind["coverage"].pk, ind["standards"].pk]
    )


@pytest.mark.django_db
def test_nothing_is_enqueued_when_the_approval_rolls_back(
    reported, make_report, reviewer, django_capture_on_commit_callbacks
):
    from django.db import transaction

    report = make_report(reported.indicators["coverage"], "2024-12-31", 89, status="submitted")
    with (
        mock.patch("targets.jobs.recompute_indicator_progress.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        approve_reports(reports=[report], reviewer=reviewer)
        transaction.set_rollback(True)

    delay.assert_not_called()
    report.refresh_from_db()
    assert report.review_status == ReviewStatus.SUBMITTED


@pytest.mark.django_db
def test_returning_an_approved_report_withdraws_it_from_the_results(
    reported, reviewer, django_capture_on_commit_callbacks
):
    progress_recompute(as_of=timezone.localdate())
    report = ProgressReport.objects.get(indicator=reported.indicators["coverage"])

    with django_capture_on_commit_callbacks(execute=True):
        changed = return_reports(reports=[report], reviewer=reviewer, reason="数据口径不一致")

    assert changed == 1
    report.refresh_from_db()
    assert report.review_status == ReviewStatus.RETURNED
    assert report.review_comment == "数据口径不一致"
    assert report.reviewed_by == reviewer
    assert status_of(reported.targets["coverage"], timezone.localdate()) == "no_data"


@pytest.mark.django_db
def test_returning_a_submitted_report_needs_no_recompute(
    reported, make_report, reviewer, django_capture_on_commit_callbacks
):
    report = make_report(reported.indicators["coverage"], "2024-12-31", 89, status="submitted")
    with (
        mock.patch("targets.jobs.recompute_indicator_progress.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert return_reports(reports=[report], reviewer=reviewer, reason="请补充佐证") == 1
    delay.assert_not_called()


@pytest.mark.django_db
def test_it_refuses_a_reviewer_without_the_permission(reported, make_report, viewer):
    report = make_report(reported.indicators["coverage"], "2024-12-31", 89, status="submitted")

    with pytest.raises(PermissionDenied):
        approve_reports(reports=[report], reviewer=viewer)
    with pytest.raises(PermissionDenied):
        return_reports(reports=[report], reviewer=viewer, reason="不对")

    report.refresh_from_db()
    assert report.review_status == ReviewStatus.SUBMITTED


@pytest.mark.django_db
def test_a_new_report_is_a_draft_until_submitted(catalogue, staff_user):
    report = progress_report_create(
        indicator=catalogue.indicators["coverage"],
        as_of=dt.date(2024, 12, 31),
        value="89.5",
        reporter=staff_user,
    )
    assert report.review_status == ReviewStatus.DRAFT
    assert report.value == Decimal("89.5")
    assert report.is_percentage

    submitted = progress_report_create(
        indicator=catalogue.indicators["regulation"],
        as_of=dt.date(2024, 12, 31),
        done=True,
        submit=True,
    )
    assert submitted.review_status == ReviewStatus.SUBMITTED
    assert submitted.value is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "kwargs", "field", "words"),
    [
        ("coverage", {"value": "101"}, "value", "0–100"),
        ("coverage", {"value": "abc"}, "value", "not a number"),
        ("standards", {}, "value", "required"),
        ("regulation", {}, "done", "milestone"),
        ("standards", {"value": 800, "as_of": dt.date(2099, 1, 1)}, "as_of", "future"),
    ],
)
def test_a_bad_report_is_refused_in_both_languages(catalogue, code, kwargs, field, words):
    kwargs.setdefault("as_of", dt.date(2024, 12, 31))
    with pytest.raises(ValidationError) as refused:
        progress_report_create(indicator=catalogue.indicators[code], **kwargs)

    message = " ".join(refused.value.message_dict[field])
    assert words in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)  # and in Chinese
    assert ProgressReport.objects.count() == 0


@pytest.mark.django_db
def test_changing_an_approved_report_recomputes_but_a_note_does_not(
    reported, django_capture_on_commit_callbacks
):
    report = ProgressReport.objects.get(indicator=reported.indicators["coverage"])
    with (
        mock.patch("targets.jobs.recompute_indicator_progress.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        progress_report_update(report=report, note="核对无误")
        delay.assert_not_called()
        progress_report_update(report=report, value="88.4")

    delay.assert_called_once_with(reported.indicators["coverage"].pk)
    report.refresh_from_db()
    assert report.value == Decimal("88.4")


@pytest.mark.django_db
def test_changing_a_draft_enqueues_nothing(catalogue, django_capture_on_commit_callbacks):
    report = progress_report_create(
        indicator=catalogue.indicators["coverage"], as_of=dt.date(2024, 12, 31), value=89
    )
    with (
        mock.patch("targets.jobs.recompute_indicator_progress.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        progress_report_update(report=report, value=90)
    delay.assert_not_called()


@pytest.mark.django_db
def test_an_update_cannot_slip_in_a_bad_value(reported):
    report = ProgressReport.objects.get(indicator=reported.indicators["coverage"])
    with pytest.raises(ValidationError):
        progress_report_update(report=report, value=120)
    report.refresh_from_db()
    assert report.value == Decimal("88")
    with pytest.raises(ValueError, match="cannot change"):
        progress_report_update(report=report, review_status="approved")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_over_the_same_targets_at_once_queue_instead_of_clashing(catalogue, make_report):
    import threading

    from django.db import connection

    from targets import services

    make_report(catalogue.indicators["coverage"], END_2023, 88)
    first_inside = threading.Event()
    compute = services.compute_progress

    def slow_first(*args, **kwargs):
        # The first run to get the lock dawdles while holding it; the second must wait.
        if not first_inside.is_set():
            first_inside.set()
            threading.Event().wait(0.5)
        return compute(*args, **kwargs)

    errors = []

    def run(indicator_ids, wait_for_first):
        try:
            if wait_for_first:
                first_inside.wait(10)
            services.progress_recompute(as_of=END_2023, indicator_ids=indicator_ids)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    coverage_id = catalogue.indicators["coverage"].pk
    with mock.patch.object(services, "compute_progress", slow_first):
        threads = [
            threading.Thread(target=run, args=(None, False)),
            threading.Thread(target=run, args=([coverage_id], True)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

    assert errors == []
    runs = list(ProgressRun.objects.order_by("finished_at").values_list("scope", "status"))
    assert runs == [("all", "done"), (f"indicators:{coverage_id}", "done")]  # serialised
    assert ProgressResult.objects.filter(as_of=END_2023).count() == 6
