"""A small world for assessments: 山西 and 江苏 plans with targets, reports and tasks, and the
personas of STYLE.md (a 山西 evaluator, reviewer, reporter, leader and admin, a 江苏 evaluator
and leader, a national leader, a system admin).

The numbers can be redone by hand: 计量标准 743 → 900 by 2025, 820 reported for 2025-12-31
(completion (820 − 743) / (900 − 743) = 49 %); 强检覆盖率 85 → 90 %, 91 reported (achieved).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from provinces.models import Province, ReviewStatus, Role
from tests import factories as f

AS_OF = dt.date(2025, 12, 31)
TODAY = dt.date(2026, 11, 23)


@dataclass
class World:
    sx: Province
    js: Province
    sx_doc: Any
    js_doc: Any
    standards: Any  # indicator 计量标准 (项)
    coverage: Any  # indicator 强检覆盖率 (%)
    standards_target: Any
    coverage_target: Any
    standards_report: Any
    task: Any
    other_task: Any
    department: Any


def approved_report(indicator, as_of, value, **extra):
    return f.make_report(
        indicator=indicator,
        as_of=as_of,
        value=Decimal(str(value)),
        review_status=ReviewStatus.APPROVED,
        reviewed_at=extra.pop("reviewed_at", timezone.now()),
        **extra,
    )


@pytest.fixture
def world(db) -> World:
    sx = f.make_province(code="SX", name="山西", full_name="山西省")
    js = f.make_province(code="JS", name="江苏", full_name="江苏省")
    sx_doc = f.make_document(province=sx, slug="sx-2021", title="山西省计量发展规划实施意见")
    js_doc = f.make_document(province=js, slug="js-2022", title="江苏省计量发展规划实施意见")
    standards = f.make_indicator(document=sx_doc, name="计量标准", sort_order=1)
    coverage = f.make_indicator(
        document=sx_doc, name="强检项目覆盖率", unit="%", baseline_value=Decimal(85), sort_order=2
    )
    standards_target = f.make_target(indicator=standards, year=2025, value=Decimal(900))
    f.make_target(indicator=standards, year=2035, value=Decimal(1200), quote="到2035年")
    coverage_target = f.make_target(indicator=coverage, year=2025, value=Decimal(90))
    approved_report(standards, dt.date(2023, 12, 31), 780)
    standards_report = approved_report(
        standards, AS_OF, 820, evidence_quote="2025年统计年报：计量标准820项"
    )
    approved_report(coverage, AS_OF, 91)
    js_ind = f.make_indicator(document=js_doc, name="社会公用计量标准", sort_order=1)
    f.make_target(indicator=js_ind, year=2025, value=Decimal(900))
    approved_report(js_ind, AS_OF, 910)
    part = f.make_section(document=sx_doc, number="二、", title="夯实计量基础")
    sub = f.make_section(parent=part, number="(一)", title="加强计量科技创新")
    department = f.make_department(province=sx, name="省市场监管局")
    task = f.make_task(section=sub, number="1", title="加强计量测试技术研究")
    f.make_assignment(task=task, department=department, role="lead")
    f.make_task_update(
        task=task,
        as_of=dt.date(2025, 6, 30),
        status="in_progress",
        percent=50,
        review_status=ReviewStatus.APPROVED,
    )
    f.make_task_update(
        task=task,
        as_of=AS_OF,
        status="in_progress",
        percent=95,
        review_status=ReviewStatus.APPROVED,
        narrative="已建成省级计量测试中心3个。",
    )
    other_task = f.make_task(section=sub, number="2", title="建设计量公共服务平台")
    f.make_task(document=js_doc, number="(一)", title="江苏任务")
    return World(
        sx=sx,
        js=js,
        sx_doc=sx_doc,
        js_doc=js_doc,
        standards=standards,
        coverage=coverage,
        standards_target=standards_target,
        coverage_target=coverage_target,
        standards_report=standards_report,
        task=task,
        other_task=other_task,
        department=department,
    )


@pytest.fixture
def people(world) -> dict[str, Any]:
    """name → user for every persona (no password: tests log in with force_login, and
    hashing ten passwords per test would cost seconds)."""
    return {
        "sx_evaluator": f.make_user(
            password=None, username="sx-evaluator", role=Role.EVALUATOR, province=world.sx
        ),
        "sx_reviewer": f.make_user(
            password=None, username="sx-reviewer", role=Role.REVIEWER, province=world.sx
        ),
        "sx_reporter": f.make_user(
            password=None, username="sx-reporter", role=Role.REPORTER, province=world.sx
        ),
        "sx_leader": f.make_user(
            password=None, username="sx-leader", role=Role.LEADER, province=world.sx
        ),
        "sx_admin": f.make_user(
            password=None, username="sx-admin", role=Role.PROVINCE_ADMIN, province=world.sx
        ),
        "js_evaluator": f.make_user(
            password=None, username="js-evaluator", role=Role.EVALUATOR, province=world.js
        ),
        "js_leader": f.make_user(
            password=None, username="js-leader", role=Role.LEADER, province=world.js
        ),
        "national_leader": f.make_user(password=None, username="national-leader", role=Role.LEADER),
        "system_admin": f.make_user(
            password=None, username="root", is_superuser=True, is_staff=True
        ),
        "no_role": f.make_user(username="no-role"),
    }


@pytest.fixture
def draft(world, people):
    """山西's 2025 mid-term, frozen as of 2025-12-31 by its evaluator."""
    from assessments.services import assessment_create

    return assessment_create(
        document=world.sx_doc,
        kind="mid_term",
        as_of=AS_OF,
        created_by=people["sx_evaluator"],
        today=TODAY,
    )


def rate_everything(assessment, user) -> None:
    from assessments import services

    services.assessment_accept_proposals(assessment=assessment, by=user)
    services.assessment_conclude(
        assessment=assessment,
        by=user,
        overall_rating="fairly_good",
        achievements="计量标准体系不断完善。",
        problems="计量标准数量增长偏慢。",
        recommendations="加快社会公用计量标准建设。",
    )


@pytest.fixture
def published(draft, people):
    """The draft rated, concluded, submitted and published by the 山西 reviewer."""
    from assessments import services

    rate_everything(draft, people["sx_evaluator"])
    services.assessment_submit(assessment=draft, by=people["sx_evaluator"])
    return services.assessment_publish(assessment=draft, by=people["sx_reviewer"])


@pytest.fixture
def draft_js(world, people):
    """江苏's 2025 mid-term draft, frozen by the system admin."""
    from assessments.services import assessment_create

    return assessment_create(
        document=world.js_doc,
        kind="mid_term",
        as_of=AS_OF,
        created_by=people["system_admin"],
        today=TODAY,
    )
