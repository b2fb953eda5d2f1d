"""The six entry forms (new, edit, correct × report, task update) through HTTP: a GET shows
the form filled in, a bad POST is refused with 400 and stores nothing, a good one saves
through the service and goes to the entry's page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from provinces.models import ReviewStatus
from targets.models import ProgressReport
from tasks.models import TaskUpdate

pytestmark = pytest.mark.django_db


def _forms(world):
    """(url, what the GET shows, a bad POST, a good POST, the saved entry, its page name)."""
    reports, updates = ProgressReport.objects, TaskUpdate.objects
    return [
        (
            reverse("reporting:report_new") + f"?indicator={world.sx_indicator.pk}",
            'value="' + dt_today() + '"',
            {"indicator": world.sx_indicator.pk, "as_of": "2025-03-31", "value": "120"},
            {"indicator": world.sx_indicator.pk, "as_of": "2025-03-31", "value": "91.5"},
            lambda: reports.latest("id"),
            "reporting:report",
        ),
        (
            reverse("reporting:report_edit", args=[world.sx_draft.pk]),
            'value="88"',
            {"as_of": "2025-03-31", "value": "abc"},
            {"as_of": "2025-03-31", "value": "90", "note": "改"},
            lambda: reports.get(pk=world.sx_draft.pk),
            "reporting:report",
        ),
        (
            reverse("reporting:report_correct", args=[world.sx_approved.pk]),
            'value="87"',
            {"as_of": "2022-12-31", "value": "86"},  # no reason
            {"as_of": "2022-12-31", "value": "86", "correction_reason": "口径调整"},
            lambda: reports.get(supersedes=world.sx_approved),
            "reporting:report",
        ),
        (
            reverse("reporting:task_update_new") + f"?task={world.sx_task.pk}",
            'value="' + dt_today() + '"',
            {"task": world.sx_task.pk, "as_of": "2025-03-31", "status": "x"},
            {
                "task": world.sx_task.pk,
                "as_of": "2025-03-31",
                "status": "in_progress",
                "percent": "40",
                "narrative": "推进中",
            },
            lambda: updates.latest("id"),
            "reporting:task_update",
        ),
        (
            reverse("reporting:task_update_edit", args=[world.sx_update_draft.pk]),
            "<textarea",
            {"as_of": "2025-03-31", "status": "in_progress", "percent": "140"},
            {"as_of": "2025-03-31", "status": "in_progress", "percent": "60"},
            lambda: updates.get(pk=world.sx_update_draft.pk),
            "reporting:task_update",
        ),
        (
            reverse("reporting:task_update_correct", args=[world.sx_update_approved.pk]),
            "correction_reason",
            {"as_of": "2025-03-31", "status": "in_progress", "percent": "60"},  # no reason
            {
                "as_of": "2025-03-31",
                "status": "in_progress",
                "percent": "60",
                "correction_reason": "补充",
            },
            lambda: updates.get(supersedes=world.sx_update_approved),
            "reporting:task_update",
        ),
    ]


def dt_today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _fingerprint():
    return (
        list(ProgressReport.objects.order_by("id").values_list("id", "value", "review_status")),
        list(TaskUpdate.objects.order_by("id").values_list("id", "percent", "review_status")),
    )


@pytest.mark.parametrize("number", range(6))
def test_each_entry_form_shows_refuses_and_saves(world, client, number):
    url, shown, bad, good, saved, page = _forms(world)[number]
    client.force_login(world.users["sx_reporter"])

    form = client.get(url)
    assert form.status_code == 200
    assert shown in form.content.decode()
    assert 'role="alert"' not in form.content.decode()

    before = _fingerprint()
    refused = client.post(url, {**bad, "submit": "1"})
    assert refused.status_code == 400
    assert 'role="alert"' in refused.content.decode()  # beside a field or above the form
    assert _fingerprint() == before

    response = client.post(url, {**good, "submit": "1"})
    entry = saved()
    assert response.status_code == 302
    assert response["Location"] == reverse(page, args=[entry.pk])
    assert entry.review_status == ReviewStatus.SUBMITTED
    if isinstance(entry, ProgressReport):
        assert entry.value == Decimal(good["value"])
    else:
        assert entry.percent == int(good["percent"])
