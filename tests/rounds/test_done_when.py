"""Issue 12's "done when", end to end, as a new user would go through it:

a 山西 reviewer opens the 2026 Q4 round; a reporter of 省科技厅 downloads the template, fills it,
uploads it, sees its one bad row named in both languages, fixes it and confirms; completeness
shows that 省市场监管局 is still missing; after the deadline that department's reporter
receives one reminder email on the test SMTP server, and only one.
"""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from provinces.models import ReviewStatus
from rounds.jobs import send_round_reminders
from rounds.models import ReportingRound
from targets.models import ProgressReport
from tests import factories as f

from .conftest import body, login, subject


@pytest.mark.django_db
def test_a_round_from_opening_to_the_one_reminder_of_the_department_still_missing(
    client, plan, smtp_server
):
    # A 山西 reviewer opens the 2026 Q4 round.
    login(client, plan.users["sx_reviewer"])
    opened = client.post(
        reverse("rounds:open"),
        {
            "document": plan.doc.pk,
            "period_kind": "quarter",
            "year": "2026",
            "number": "4",
            "opens_on": "2026-12-01",
            "deadline": "2027-01-15",
        },
        follow=True,
    )
    q4 = ReportingRound.objects.get()
    assert "山西 2026年第四季度" in opened.content.decode()
    client.logout()

    # 省科技厅's reporter downloads the template and fills it, one value badly.
    reporter = plan.users["sx_science"]
    login(client, reporter)
    round_page = client.get(reverse("rounds:round", args=[q4.pk])).content.decode()
    assert reverse("rounds:template", args=[q4.pk]) in round_page
    book = load_workbook(io.BytesIO(client.get(reverse("rounds:template", args=[q4.pk])).content))
    assert book["填报"]["D4"].value == "省级产业计量测试中心"
    book["填报"]["J4"] = "约12"

    def send(workbook):
        buffer = io.BytesIO()
        workbook.save(buffer)
        return client.post(
            reverse("rounds:upload", args=[q4.pk]),
            {"file": SimpleUploadedFile("科技厅.xlsx", buffer.getvalue())},
            follow=True,
        )

    refused = send(book)
    [problem] = refused.context["row_problems"]
    assert (problem.row, problem.column) == (4, "J")
    text = refused.content.decode()
    assert "未保存任何数据" in text and "nothing was stored" in text
    assert not ProgressReport.objects.exists()

    # Fixes it, sees the preview, confirms.
    book["填报"]["J4"] = 12
    preview = send(book)
    assert "新增 (new)" in preview.content.decode()
    client.post(reverse("rounds:confirm", args=[preview.context["upload"].token]))
    assert ProgressReport.objects.get().review_status == ReviewStatus.SUBMITTED
    # Its task update comes from the workbench (reporting/), here as it lands.
    f.make_task_update(
        task=plan.task,
        as_of=dt.date(2026, 12, 31),
        review_status=ReviewStatus.SUBMITTED,
        reporter=reporter,
        reporting_department=plan.science,
    )
    client.logout()

    # Completeness, for the reviewer: 省科技厅 handed everything in, 省市场监管局 is missing.
    login(client, plan.users["sx_reviewer"])
    page = client.get(reverse("rounds:round", args=[q4.pk]))
    lines = {line["department"]: line["tally"] for line in page.context["lines"]}
    assert (lines["省科技厅"].due, lines["省科技厅"].handed_in) == (2, 2)
    assert (lines["省市场监管局"].due, lines["省市场监管局"].missing) == (1, 1)
    assert [i.name for i in lines["省市场监管局"].missing_items] == ["社会公用计量标准"]
    csv = client.get(reverse("rounds:completeness"), {"province": "SX", "format": "csv"})
    assert "省市场监管局,1,0,0,0,1" in csv.content.decode("utf-8-sig")

    # After the deadline, beat's job runs (twice: a restart); one mail, to the missing one.
    send_round_reminders.delay("2027-01-16").get()
    send_round_reminders.delay("2027-01-16").get()
    assert len(smtp_server.messages) == 1
    [mail] = smtp_server.to("market@sx.example.cn")
    assert "填报已逾期" in subject(mail)
    assert "社会公用计量标准" in body(mail)
    assert smtp_server.to("science@sx.example.cn") == []
