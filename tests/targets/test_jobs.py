"""The Celery jobs: thin, idempotent, retried on database hiccups, and proven on a real worker."""

import datetime as dt
from unittest import mock

import pytest
from celery.signals import task_postrun
from django.contrib.auth.models import Permission
from django.db import OperationalError
from django.utils import timezone

from metrology_tracker.celery_app import app
from provinces.models import ReviewStatus
from targets.jobs import recompute_all_progress, recompute_indicator_progress
from targets.models import ProgressResult, ProgressRun
from targets.services import approve_reports, progress_recompute
from tests.workers import wait_for


def test_the_jobs_are_late_acknowledged_and_retry_database_errors_with_back_off():
    for job in (recompute_indicator_progress, recompute_all_progress):
        assert job.acks_late is True
        assert OperationalError in job.autoretry_for
        assert job.retry_backoff
        assert job.max_retries == 5


def test_the_nightly_schedule_names_the_recompute_job():
    schedule = app.conf.beat_schedule["recompute-progress-nightly"]
    assert schedule["task"] == recompute_all_progress.name == "targets.jobs.recompute_all_progress"


@pytest.mark.django_db
def test_recomputing_one_indicator_stores_its_results_as_of_today(catalogue, make_report):
    make_report(catalogue.indicators["coverage"], "2025-12-31", 91)

    run_id = recompute_indicator_progress.delay(catalogue.indicators["coverage"].pk).get()

    run = ProgressRun.objects.get(pk=run_id)
    assert run.as_of == timezone.localdate()
    assert run.status == ProgressRun.Status.DONE
    result = ProgressResult.objects.get(target=catalogue.targets["coverage"])
    assert (result.as_of, result.pace_status) == (timezone.localdate(), "achieved")


@pytest.mark.django_db
def test_recomputing_everything_takes_an_iso_date(catalogue):
    recompute_all_progress.delay("2023-12-31").get()

    assert set(ProgressResult.objects.values_list("as_of", flat=True)) == {dt.date(2023, 12, 31)}
    assert ProgressResult.objects.count() == 6


@pytest.mark.django_db
def test_running_the_same_job_twice_leaves_one_row_per_target(catalogue):
    recompute_all_progress.delay("2023-12-31").get()
    recompute_all_progress.delay("2023-12-31").get()

    assert ProgressResult.objects.count() == 6


@pytest.mark.django_db
def test_a_database_error_is_retried(catalogue):
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return progress_recompute(**kwargs)

    with mock.patch("targets.jobs.progress_recompute", side_effect=flaky):
        result = recompute_all_progress.apply(args=["2023-12-31"], throw=False)

    assert result.successful()
    assert len(calls) == 2
    assert ProgressResult.objects.count() == 6


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_turns_an_approval_into_a_new_stored_status(
    catalogue, make_report, django_user_model, real_worker
):
    from provinces.accounts import assign_role
    from provinces.models import Role

    reviewer = django_user_model.objects.create_user(username="reviewer", password="x")
    reviewer.user_permissions.add(Permission.objects.get(codename="change_progressreport"))
    assign_role(user=reviewer, role=Role.SYSTEM_ADMIN)  # reviews are scoped by unit
    reviewer = django_user_model.objects.get(pk=reviewer.pk)
    today = timezone.localdate()
    make_report(catalogue.indicators["coverage"], "2023-12-31", 88)
    progress_recompute(as_of=today)
    target = catalogue.targets["coverage"]
    assert ProgressResult.objects.get(target=target, as_of=today).pace_status == "missed"
    report = make_report(
        catalogue.indicators["coverage"], "2025-12-31", 91, status=ReviewStatus.SUBMITTED
    )

    executed = []

    def record(sender=None, task_id=None, task=None, **kwargs):
        delivery = task.request.delivery_info or {}
        executed.append((task.name, task.request.is_eager, delivery.get("routing_key")))

    task_postrun.connect(record, weak=False)
    try:
        approve_reports(reports=[report], reviewer=reviewer)  # commits; on_commit enqueues

        def achieved():
            result = ProgressResult.objects.get(target=target, as_of=today)
            return result.pace_status == "achieved"

        assert wait_for(achieved), "the worker did not recompute the indicator"
        assert wait_for(lambda: bool(executed))
    finally:
        task_postrun.disconnect(record)
    # Delivered by the broker (a routing key), not run in-process.
    assert executed[0] == ("targets.jobs.recompute_indicator_progress", False, "celery")
    run = ProgressRun.objects.filter(scope=f"indicators:{catalogue.indicators['coverage'].pk}")
    assert run.get().status == ProgressRun.Status.DONE
