"""Inputs that reached a 500 (issue 11): each answered properly, none reaches a constraint."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from targets.models import ProgressReport
from tasks.models import Task, TaskUpdate


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["province=a%0Ab", "document=x%0D%0ASet-Cookie:%20a=b", "province=%22"]
)
def test_a_catalogue_download_with_a_newline_in_a_filter_is_no_500(viewer_client, query):
    for path in ("/catalogue/targets.csv", "/catalogue/tasks.csv"):
        response = viewer_client.get(f"{path}?{query}")

        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        assert "\n" not in disposition and "\r" not in disposition
        assert disposition.startswith('attachment; filename="') and disposition.count('"') == 2


def test_a_download_name_keeps_only_safe_characters():
    from metrology_tracker.downloads import safe_filename

    assert safe_filename("targets-a\nb.csv") == "targets-a-b.csv"
    assert safe_filename('x"; y.csv') == "x-y.csv"
    assert safe_filename("\n\n") == "download"


def _add_report(client, indicator, **values):
    data = {"indicator": indicator.pk, "as_of": "2023-12-31", "value": "", "done": "unknown"}
    data.update(values)
    return client.post(reverse("admin:targets_progressreport_add"), data)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["150", "-3"])
def test_the_admin_add_form_refuses_a_percentage_out_of_range_as_a_form_error(
    staff_client, catalogue, value
):
    response = _add_report(staff_client, catalogue.indicators["coverage"], value=value)

    assert response.status_code == 200
    assert "0–100" in response.content.decode()
    assert ProgressReport.objects.count() == 0


@pytest.mark.django_db
def test_the_admin_add_form_refuses_a_milestone_with_done_unknown_as_a_form_error(
    staff_client, catalogue
):
    response = _add_report(staff_client, catalogue.indicators["regulation"], done="unknown")

    assert response.status_code == 200
    assert "milestone" in response.content.decode()
    assert ProgressReport.objects.count() == 0


@pytest.mark.django_db
def test_the_admin_add_form_still_saves_a_good_report(staff_client, catalogue):
    response = _add_report(staff_client, catalogue.indicators["coverage"], value="88")

    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert (report.value, report.is_percentage) == (Decimal("88"), True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "percent", "english"),
    [
        ("in_progress", "150", "within 0–100"),
        ("in_progress", "-3", "within 0–100"),
        ("completed", "50", "100% done"),
    ],
)
def test_the_task_update_form_refuses_what_the_constraints_forbid(
    staff_client, tasks_catalogue_min, status, percent, english
):
    response = staff_client.post(
        reverse("admin:tasks_taskupdate_add"),
        {
            "task": tasks_catalogue_min.pk,
            "as_of": "2023-12-31",
            "status": status,
            "percent": percent,
            "narrative": "x",
        },
    )

    assert response.status_code == 200
    assert english in response.content.decode()
    assert TaskUpdate.objects.count() == 0


@pytest.fixture
def tasks_catalogue_min(catalogue):
    from provinces.models import Section

    section = Section.objects.create(
        document=catalogue.sx_doc, key="二", number="二、", title="主要任务"
    )
    return Task.objects.create(
        document=catalogue.sx_doc,
        section=section,
        number="1",
        title="任务",
        quote="1. 任务。",
        sort_order=1,
    )


@pytest.mark.django_db
def test_a_future_date_in_the_admin_form_is_a_form_error(staff_client, catalogue):
    future = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    response = _add_report(staff_client, catalogue.indicators["coverage"], value="88", as_of=future)

    assert response.status_code == 200
    assert ProgressReport.objects.count() == 0
