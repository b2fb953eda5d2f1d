"""Runs killed midway are marked failed; pages can say when results were last complete;
jobs import services, never the other way round."""

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from targets.models import ProgressRun
from targets.selectors import last_complete_run_at
from targets.services import progress_recompute, progress_runs_fail_stale


def _run(status, minutes_ago, finished=None):
    run = ProgressRun.objects.create(as_of=dt.date(2025, 12, 31), status=status)
    ProgressRun.objects.filter(pk=run.pk).update(
        started_at=timezone.now() - dt.timedelta(minutes=minutes_ago), finished_at=finished
    )
    return run


@pytest.mark.django_db
def test_a_run_started_longer_ago_than_the_timeout_is_marked_failed(settings):
    settings.PROGRESS_RUN_STALE_AFTER_SECONDS = 600
    stale = _run(ProgressRun.Status.STARTED, 60)
    fresh = _run(ProgressRun.Status.STARTED, 1)

    assert progress_runs_fail_stale() == 1

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == ProgressRun.Status.FAILED
    assert "stale" in stale.error and stale.finished_at is not None
    assert fresh.status == ProgressRun.Status.STARTED


@pytest.mark.django_db
def test_each_new_recompute_sweeps_the_stale_runs(catalogue, settings):
    settings.PROGRESS_RUN_STALE_AFTER_SECONDS = 600
    stale = _run(ProgressRun.Status.STARTED, 60)

    progress_recompute(as_of=dt.date(2025, 12, 31))

    stale.refresh_from_db()
    assert stale.status == ProgressRun.Status.FAILED


@pytest.mark.django_db
def test_the_last_complete_run_time_ignores_started_and_failed_runs(catalogue):
    assert last_complete_run_at() is None
    done = progress_recompute(as_of=dt.date(2025, 12, 31))
    _run(ProgressRun.Status.STARTED, 0)
    _run(ProgressRun.Status.FAILED, 0, finished=timezone.now() + dt.timedelta(hours=1))

    assert last_complete_run_at() == ProgressRun.objects.get(pk=done.pk).finished_at


@pytest.mark.django_db
def test_pages_show_when_results_were_last_complete(viewer_client, catalogue):
    run = progress_recompute(as_of=dt.date(2025, 12, 31))
    shown = timezone.localtime(ProgressRun.objects.get(pk=run.pk).finished_at)

    body = viewer_client.get("/").content.decode()

    assert f"测算结果更新于 {shown:%Y-%m-%d %H:%M}" in body


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_services_never_import_jobs_and_jobs_import_services():
    base = Path(settings.BASE_DIR) / "targets"
    assert "targets.jobs" not in _imports(base / "services.py")
    assert "targets.services" in _imports(base / "jobs.py")


@pytest.mark.django_db
def test_an_approval_still_enqueues_the_job_registered_under_its_name(
    catalogue, make_report, staff_user, django_capture_on_commit_callbacks
):
    from unittest import mock

    from targets.services import approve_reports

    report = make_report(catalogue.indicators["coverage"], "2023-12-31", 88, status="submitted")
    with (
        mock.patch("targets.jobs.recompute_indicator_progress.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        approve_reports(reports=[report], reviewer=staff_user)

    delay.assert_called_once_with(catalogue.indicators["coverage"].pk)
