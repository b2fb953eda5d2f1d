"""Personas and a small two-province world for the entry and review tests.

山西 has an indicator (a percentage with a 2025 target), a task led by the 山西 reporter's
department, and one entry in each state; 江苏 has its own indicator and a submitted report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from provinces.models import ReviewStatus, Role
from tests import factories as f

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    sx: Any
    js: Any
    users: dict[str, Any]
    sx_indicator: Any
    js_indicator: Any
    sx_task: Any
    sx_draft: Any
    sx_submitted: Any
    sx_approved: Any
    js_submitted: Any
    sx_update_draft: Any
    sx_update_submitted: Any
    sx_update_approved: Any
    sx_evidence: Any


def _evidence(report, user):
    from reporting.models import Evidence

    item = Evidence(report=report, name="统计报表.pdf", size=len(PDF_BYTES), uploaded_by=user)
    item.file.save("统计报表.pdf", ContentFile(PDF_BYTES), save=False)
    item.save()
    return item


@pytest.fixture
def world(db) -> World:
    sx = f.make_province(code="SX", name="山西")
    js = f.make_province(code="JS", name="江苏")
    sx_dept = f.make_department(province=sx, name="省市场监管局")
    users = {
        "sx_reporter": f.make_user(
            username="sx-reporter", role=Role.REPORTER, province=sx, department=sx_dept
        ),
        "sx_reviewer": f.make_user(username="sx-reviewer", role=Role.REVIEWER, province=sx),
        "js_reporter": f.make_user(username="js-reporter", role=Role.REPORTER, province=js),
        "js_reviewer": f.make_user(username="js-reviewer", role=Role.REVIEWER, province=js),
        "leader": f.make_user(username="leader", role=Role.LEADER),
        "evaluator": f.make_user(username="evaluator", role=Role.EVALUATOR),
    }
    sx_doc = f.make_document(province=sx)
    js_doc = f.make_document(province=js)
    sx_indicator = f.make_indicator(document=sx_doc, name="强制检定项目覆盖率", unit="%")
    f.make_target(indicator=sx_indicator, value=Decimal("95"))
    js_indicator = f.make_indicator(document=js_doc, name="强制检定项目覆盖率", unit="%")
    f.make_target(indicator=js_indicator, value=Decimal("95"))
    sx_task = f.make_task(document=sx_doc)
    f.make_assignment(task=sx_task, department=sx_dept)
    reporter = users["sx_reporter"]
    mine = {"reporter": reporter, "last_modified_by": reporter}
    now = timezone.now()
    sx_draft = f.make_report(indicator=sx_indicator, value=Decimal("88"), **mine)
    sx_submitted = f.make_report(
        indicator=sx_indicator,
        value=Decimal("89"),
        as_of=dt.date(2024, 6, 30),
        review_status=ReviewStatus.SUBMITTED,
        submitted_at=now,
        **mine,
    )
    sx_approved = f.make_report(
        indicator=sx_indicator,
        value=Decimal("87"),
        as_of=dt.date(2022, 12, 31),
        review_status=ReviewStatus.APPROVED,
        reviewed_by=users["sx_reviewer"],
        **mine,
    )
    js_submitted = f.make_report(
        indicator=js_indicator,
        value=Decimal("90"),
        review_status=ReviewStatus.SUBMITTED,
        reporter=users["js_reporter"],
        last_modified_by=users["js_reporter"],
    )
    update_mine = {"reporter": reporter, "last_modified_by": reporter}
    return World(
        sx=sx,
        js=js,
        users=users,
        sx_indicator=sx_indicator,
        js_indicator=js_indicator,
        sx_task=sx_task,
        sx_draft=sx_draft,
        sx_submitted=sx_submitted,
        sx_approved=sx_approved,
        js_submitted=js_submitted,
        sx_update_draft=f.make_task_update(task=sx_task, **update_mine),
        sx_update_submitted=f.make_task_update(
            task=sx_task, review_status=ReviewStatus.SUBMITTED, **update_mine
        ),
        sx_update_approved=f.make_task_update(
            task=sx_task, review_status=ReviewStatus.APPROVED, **update_mine
        ),
        sx_evidence=_evidence(sx_submitted, reporter),
    )


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client
