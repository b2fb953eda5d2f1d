"""Entry and review as staff use them: drafts, submission, four eyes, returns with a reason,
corrections that supersede, evidence files and their limits, history with who and why."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from provinces.models import ReviewStatus
from reporting import services
from reporting.models import Evidence
from targets.models import ProgressReport
from tests.clients import get_in
from tests.reporting.conftest import PDF_BYTES

pytestmark = pytest.mark.django_db


def pdf(name: str = "佐证.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def test_a_reporter_saves_a_draft_then_submits_it_with_a_pdf(world, client):
    client.force_login(world.users["sx_reporter"])
    url = reverse("reporting:report_new")
    data = {"indicator": world.sx_indicator.pk, "as_of": "2025-03-31", "value": "91.5"}

    response = client.post(url, {**data, "draft": "1", "files": [pdf()]})

    report = ProgressReport.objects.latest("id")
    assert response.status_code == 302
    assert report.review_status == ReviewStatus.DRAFT
    assert report.evidence_items.get().name == "佐证.pdf"
    client.post(reverse("reporting:report_submit", args=[report.pk]))
    report.refresh_from_db()
    assert report.review_status == ReviewStatus.SUBMITTED
    assert report.submitted_at is not None
    assert report.reporter == world.users["sx_reporter"]


def test_the_form_shows_the_indicator_with_its_document_unit_target_and_last_value(world, client):
    client.force_login(world.users["sx_reporter"])
    response = client.get(reverse("reporting:report_new") + f"?indicator={world.sx_indicator.pk}")
    page = response.content.decode()
    assert world.sx_indicator.document.title in page
    assert "≥95%" in page  # the 2025 target
    assert "87%" in page  # the last approved value
    # The picker says whose indicator each is: the same name exists in 江苏.
    assert "江苏" not in page.split('id="id_indicator"')[1].split("</select>")[0]
    assert "山西 2021—2035 · 强制检定项目覆盖率(%)" in page


@pytest.mark.parametrize(
    ("value", "as_of", "field", "chinese", "english"),
    [
        ("120", "2025-03-31", "value", "不在0–100之间", "is a percentage: 120 is not within 0–100"),
        ("abc", "2025-03-31", "value", "请输入数字", "enter a number"),
        ("90", "2099-12-31", "as_of", "晚于今天", "is in the future"),
    ],
)
def test_bad_values_are_refused_beside_the_field_in_both_languages(
    world, client, value, as_of, field, chinese, english
):
    client.force_login(world.users["sx_reporter"])
    data = {"indicator": world.sx_indicator.pk, "as_of": as_of, "value": value, "submit": "1"}
    before = ProgressReport.objects.count()

    response = client.post(reverse("reporting:report_new"), data)

    assert response.status_code == 400
    beside = response.content.decode().split(f'id="field-{field}"')[1].split("</div>")[0]
    assert chinese in beside
    assert ProgressReport.objects.count() == before
    client.cookies["django_language"] = "en"
    response = client.post(reverse("reporting:report_new"), data)
    beside = response.content.decode().split(f'id="field-{field}"')[1].split("</div>")[0]
    assert english.lower() in beside.lower()


def test_a_file_that_is_too_large_or_not_what_its_name_says_is_refused(world, client, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    client.force_login(world.users["sx_reporter"])
    data = {"indicator": world.sx_indicator.pk, "as_of": "2025-03-31", "value": "90"}
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 200)
    fake = SimpleUploadedFile("setup.pdf", b"MZ\x90\x00 a program")
    program = SimpleUploadedFile("setup.exe", b"MZ\x90\x00 a program")

    for upload, message in [
        (big, "超过"),
        (fake, "扩展名与内容不符"),
        (program, "不接受"),
    ]:
        response = client.post(reverse("reporting:report_new"), {**data, "files": [upload]})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Evidence.objects.filter(report__indicator=world.sx_indicator, name="big.pdf")
    assert ProgressReport.objects.filter(as_of=dt.date(2025, 3, 31)).count() == 0


def test_four_eyes_nobody_approves_what_they_entered_or_last_changed(world):
    reviewer = world.users["sx_reviewer"]
    report = world.sx_submitted
    report.last_modified_by = reviewer
    report.save()

    with pytest.raises(ValidationError, match="四眼"):
        services.entries_review(reviewer=reviewer, reports=[report], approve=True)
    report.refresh_from_db()
    assert report.review_status == ReviewStatus.SUBMITTED


def test_a_reporter_cannot_approve_its_own_report_even_by_posting(world, client):
    client.force_login(world.users["sx_reporter"])
    response = client.post(
        reverse("reporting:review"), {"report": [world.sx_submitted.pk], "action": "approve"}
    )
    assert response.status_code == 404
    world.sx_submitted.refresh_from_db()
    assert world.sx_submitted.review_status == ReviewStatus.SUBMITTED


def test_a_reviewer_cannot_review_another_provinces_submission(world, client):
    client.force_login(world.users["sx_reviewer"])
    response = client.post(
        reverse("reporting:review"), {"report": [world.js_submitted.pk], "action": "approve"}
    )
    assert response.status_code == 404
    world.js_submitted.refresh_from_db()
    assert world.js_submitted.review_status == ReviewStatus.SUBMITTED


def test_returning_needs_a_reason_which_the_reporter_then_sees(world, client):
    client.force_login(world.users["sx_reviewer"])
    url = reverse("reporting:review")
    refused = client.post(url, {"report": [world.sx_submitted.pk], "action": "return"})
    assert refused.status_code == 400
    assert "退回须填写原因" in refused.content.decode()

    client.post(
        url, {"report": [world.sx_submitted.pk], "action": "return", "reason": "请附统计报表"}
    )

    client.force_login(world.users["sx_reporter"])
    bench = client.get(reverse("reporting:workbench")).content.decode()
    returned = bench.split('id="returned"')[1].split("</table>")[0]
    assert "请附统计报表" in returned


def test_approving_many_at_once_enqueues_each_indicators_recompute(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.users["sx_reviewer"])
    with (
        mock.patch("targets.jobs.recompute_indicator_progress.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("reporting:review"),
            {
                "report": [world.sx_submitted.pk],
                "update": [world.sx_update_submitted.pk],
                "action": "approve",
            },
        )
    assert response.status_code == 302
    delay.assert_called_once_with(world.sx_indicator.pk)
    world.sx_update_submitted.refresh_from_db()
    assert world.sx_update_submitted.review_status == ReviewStatus.APPROVED
    assert world.sx_update_submitted.reviewed_by == world.users["sx_reviewer"]


def test_an_approved_report_is_corrected_by_a_new_report_that_supersedes_it(world, client):
    client.force_login(world.users["sx_reporter"])
    original = world.sx_approved
    assert client.get(reverse("reporting:report_edit", args=[original.pk])).status_code == 404

    refused = client.post(
        reverse("reporting:report_correct", args=[original.pk]),
        {"as_of": "2022-12-31", "value": "86", "submit": "1"},
    )
    assert "请填写更正原因" in refused.content.decode()
    client.post(
        reverse("reporting:report_correct", args=[original.pk]),
        {"as_of": "2022-12-31", "value": "86", "correction_reason": "统计口径调整", "submit": "1"},
    )

    correction = ProgressReport.objects.get(supersedes=original)
    original.refresh_from_db()
    assert original.value == Decimal("87") and original.review_status == ReviewStatus.APPROVED
    assert correction.correction_reason == "统计口径调整"
    assert correction.review_status == ReviewStatus.SUBMITTED


def test_history_shows_who_did_what_and_why(world, client):
    reviewer = world.users["sx_reviewer"]
    services.entries_review(
        reviewer=reviewer, reports=[world.sx_submitted], approve=False, reason="数值有误"
    )
    client.force_login(world.users["sx_reporter"])
    page = client.get(reverse("reporting:report", args=[world.sx_submitted.pk])).content.decode()
    history = page.split('id="history"')[1]
    assert "sx-reviewer" in history
    assert "退回 / returned: 数值有误" in history
    assert "已提交 → 已退回" in history or "submitted → returned" in history


def test_the_audit_csv_is_scoped_to_the_readers_units(world, client):
    services.entries_review(
        reviewer=world.users["js_reviewer"], reports=[world.js_submitted], approve=True
    )
    client.force_login(world.users["sx_reviewer"])
    body = client.get(reverse("reporting:audit_csv", args=["reports"])).content.decode("utf-8-sig")
    assert "js-reviewer" not in body
    client.force_login(world.users["leader"])
    body = client.get(reverse("reporting:audit_csv", args=["reports"])).content.decode("utf-8-sig")
    assert "js-reviewer" in body and "审核通过 / approved" in body


def test_evidence_is_served_to_its_province_and_a_404_to_another(world, client):
    url = reverse("reporting:evidence", args=[world.sx_evidence.pk])
    client.force_login(world.users["sx_reviewer"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    client.force_login(world.users["js_reporter"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("reporting:report", args=[world.sx_submitted.pk])).status_code == 404


def test_media_files_have_no_public_url(world, client):
    client.force_login(world.users["sx_reviewer"])
    assert client.get("/media/" + world.sx_evidence.file.name).status_code == 404


def test_due_items_are_the_indicators_and_department_tasks_without_a_report_this_quarter(world):
    from reporting.selectors import due_items

    today = timezone.localdate()
    due = due_items(world.users["sx_reporter"], as_of=today)
    assert world.sx_indicator in due.indicators and world.js_indicator not in due.indicators
    assert world.sx_task in due.tasks
    services.report_save(
        user=world.users["sx_reporter"],
        indicator=world.sx_indicator,
        as_of=today,
        value=Decimal("90"),
    )
    assert world.sx_indicator not in due_items(world.users["sx_reporter"], as_of=today).indicators
    assert due_items(world.users["leader"], as_of=today).indicators == []


def test_a_task_update_is_entered_only_by_the_tasks_departments(world, client):
    client.force_login(world.users["sx_reporter"])
    url = reverse("reporting:task_update_new")
    response = client.post(
        url,
        {"task": world.sx_task.pk, "as_of": "2025-03-31", "status": "completed", "percent": "80"},
    )
    assert response.status_code == 400
    assert "已完成的任务百分比应为100" in response.content.decode()
    response = client.post(
        url,
        {
            "task": world.sx_task.pk,
            "as_of": "2025-03-31",
            "status": "in_progress",
            "percent": "150",
            "submit": "1",
        },
    )
    assert "不在0–100之间" in response.content.decode()
    client.force_login(world.users["js_reporter"])
    assert client.get(url + f"?task={world.sx_task.pk}").status_code == 404


def test_the_workbench_reads_in_english(world, client):
    client.force_login(world.users["sx_reporter"])
    page = get_in(client, reverse("reporting:workbench"), "en").content.decode()
    assert "Workbench" in page


def test_services_refuse_another_provinces_indicator(world):
    with pytest.raises(Http404):
        services.report_save(
            user=world.users["js_reporter"],
            indicator=world.sx_indicator,
            as_of=dt.date(2025, 3, 31),
            value=Decimal("90"),
        )


def test_the_review_actions_show_only_when_something_waits(world, client):
    client.force_login(world.users["js_reviewer"])
    url = reverse("reporting:review")
    assert 'value="approve"' in client.get(url).content.decode()  # 江苏's submitted report

    ProgressReport.objects.filter(review_status=ReviewStatus.SUBMITTED).delete()

    page = client.get(url).content.decode()
    assert "没有待审核的指标进展" in page
    assert 'value="approve"' not in page and 'name="reason"' not in page
