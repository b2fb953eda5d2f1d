"""Small builders for valid domain rows, shared by the whole suite.

Every ``make_*`` saves and returns one row with sensible defaults; pass any model field as a
keyword to override it. Parents are created on demand (``make_task()`` makes a province, a
document and a section), or passed in to share them. Unique codes come from a counter, so
builders can be called any number of times in one test.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from provinces.models import Department, PolicyDocument, Province, ReviewStatus, Section
from targets.models import (
    Comparator,
    Indicator,
    IndicatorCategory,
    MeasureKind,
    ProgressReport,
    ProgressResult,
    ProgressRun,
    Target,
)
from tasks.models import Assignment, Column, ColumnItem, Role, Task, TaskStatus, TaskUpdate

_counter = itertools.count(1)


def _next() -> int:
    return next(_counter)


def make_province(**overrides: Any) -> Province:
    n = _next()
    fields = {
        "code": f"P{n}",
        "name": f"测试省{n}",
        "full_name": f"测试省{n}人民政府",
        "sort_order": n,
    }
    fields.update(overrides)
    return Province.objects.create(**fields)


def make_department(*, province: Province | None = None, **overrides: Any) -> Department:
    fields = {"name": f"省市场监管局{_next()}"}
    fields.update(overrides)
    return Department.objects.create(province=province or make_province(), **fields)


def make_document(*, province: Province | None = None, **overrides: Any) -> PolicyDocument:
    n = _next()
    fields = {
        "slug": f"doc-{n}",
        "title": f"关于贯彻落实计量发展规划(2021—2035年)的实施意见{n}",
        "issuer": "测试省人民政府",
        "number": f"测政发〔2022〕{n}号",
        "signed_on": date(2022, 8, 29),
        "period_start": 2021,
        "period_end": 2035,
        "base_year": 2020,
        "milestone_years": [2025, 2035],
        "quote": "关于贯彻落实计量发展规划的实施意见",
    }
    fields.update(overrides)
    return PolicyDocument.objects.create(province=province or make_province(), **fields)


def make_section(
    *, document: PolicyDocument | None = None, parent: Section | None = None, **overrides: Any
) -> Section:
    n = _next()
    document = document or (parent.document if parent else make_document())
    fields = {
        "key": f"{parent.key}/{n}" if parent else f"s{n}",
        "number": f"({n})" if parent else f"{n}、",
        "title": f"夯实计量基础{n}",
        "level": parent.level + 1 if parent else 1,
        "sort_order": n,
        "quote": f"{n}、夯实计量基础",
    }
    fields.update(overrides)
    return Section.objects.create(document=document, parent=parent, **fields)


def make_task(*, section: Section | None = None, **overrides: Any) -> Task:
    n = _next()
    if section is None:
        section = make_section(document=overrides.pop("document", None))
    fields = {
        "document": section.document,
        "number": str(n),
        "title": f"加强计量测试技术研究{n}",
        "text": "加强计量核心技术的研究,推进量子计量技术应用。",
        "quote": f"{n}. 加强计量测试技术研究。",
        "sort_order": n,
    }
    fields.update(overrides)
    return Task.objects.create(section=section, **fields)


def make_assignment(
    *, task: Task | None = None, department: Department | None = None, **overrides: Any
) -> Assignment:
    task = task or make_task()
    department = department or make_department(province=task.document.province)
    fields = {"role": Role.LEAD, "sort_order": _next()}
    fields.update(overrides)
    return Assignment.objects.create(task=task, department=department, **fields)


def make_column(
    *, document: PolicyDocument | None = None, task: Task | None = None, **overrides: Any
) -> Column:
    n = _next()
    document = document or (task.document if task else make_document())
    fields = {"number": n, "title": f"计量科学技术创新研究{n}", "quote": f"专栏 {n} 计量科学"}
    fields.update(overrides)
    return Column.objects.create(document=document, task=task, **fields)


def make_column_item(*, column: Column | None = None, **overrides: Any) -> ColumnItem:
    n = _next()
    fields = {
        "number": str(n),
        "title": f"计量理论研究{n}",
        "text": "重点开展计量战略发展研究。",
        "quote": f"{n}. 计量理论研究。",
        "sort_order": n,
    }
    fields.update(overrides)
    return ColumnItem.objects.create(column=column or make_column(), **fields)


def make_task_update(*, task: Task | None = None, **overrides: Any) -> TaskUpdate:
    fields = {
        "as_of": date(2025, 12, 31),
        "status": TaskStatus.IN_PROGRESS,
        "percent": 60,
        "narrative": "已建成省级计量测试中心3个。",
    }
    fields.update(overrides)
    if fields.get("review_status") == ReviewStatus.APPROVED:
        fields.setdefault("reviewed_at", timezone.now())
    return TaskUpdate.objects.create(task=task or make_task(), **fields)


def make_category(**overrides: Any) -> IndicatorCategory:
    n = _next()
    fields = {"code": f"category-{n}", "name": f"强制检定覆盖率{n}", "note": "按省级口径统计"}
    fields.update(overrides)
    return IndicatorCategory.objects.create(**fields)


def make_indicator(*, document: PolicyDocument | None = None, **overrides: Any) -> Indicator:
    """A level indicator counted in 项 with a 2020 baseline (85 for a % unit), unless told
    otherwise; a milestone has no unit and no baseline."""
    n = _next()
    kind = overrides.get("measure_kind", MeasureKind.LEVEL)
    fields: dict[str, Any] = {
        "code": f"indicator-{n}",
        "name": f"计量标准{n}",
        "area": "支撑保障",
        "unit": "项",
        "measure_kind": kind,
        "quote": "计量标准由现有743项增加到900项以上",
        "sort_order": n,
    }
    if kind != MeasureKind.MILESTONE:
        percent = overrides.get("unit") == "%"
        fields.update(baseline_year=2020, baseline_value=Decimal("85" if percent else "743"))
    else:
        fields["unit"] = ""
    fields.update(overrides)
    return Indicator.objects.create(document=document or make_document(), **fields)


def make_target(*, indicator: Indicator | None = None, **overrides: Any) -> Target:
    """A ≥ target for 2025 (or a "done" one for a milestone indicator)."""
    indicator = indicator or make_indicator()
    fields: dict[str, Any] = {"year": 2025, "quote": "到2025年,计量标准达到900项以上"}
    if indicator.is_milestone:
        fields.update(comparator=Comparator.DONE, value=None)
    else:
        fields.update(comparator=Comparator.GTE, value=Decimal("900"))
    fields.update(overrides)
    return Target.objects.create(indicator=indicator, **fields)


def make_report(*, indicator: Indicator | None = None, **overrides: Any) -> ProgressReport:
    """A draft report of a value (or of "done" for a milestone indicator)."""
    indicator = indicator or make_indicator()
    fields: dict[str, Any] = {"as_of": date(2023, 12, 31), "note": "来自年度统计"}
    if indicator.is_milestone:
        fields.update(done=True)
    else:
        fields.update(value=Decimal("800"))
    fields.update(overrides)
    if fields.get("review_status") == ReviewStatus.APPROVED:
        fields.setdefault("reviewed_at", timezone.now())
    return ProgressReport.objects.create(indicator=indicator, **fields)


def make_progress_run(**overrides: Any) -> ProgressRun:
    fields = {"as_of": date(2026, 11, 23), "scope": "all", "status": ProgressRun.Status.DONE}
    fields.update(overrides)
    return ProgressRun.objects.create(**fields)


def make_progress_result(*, target: Target | None = None, **overrides: Any) -> ProgressResult:
    fields: dict[str, Any] = {
        "as_of": date(2026, 11, 23),
        "computed_at": timezone.now(),
        "latest_value": 850.0,
        "latest_date": date(2025, 12, 31),
        "baseline_value": 743.0,
        "baseline_date": date(2020, 12, 31),
        "baseline_source": "document",
        "achieved": False,
        "completion": 0.68,
        "completion_display": 0.68,
        "time_elapsed": 1.0,
        "pace_status": "missed",
        "n_points": 2,
        "inputs": {"说明": "测试"},
    }
    fields.update(overrides)
    return ProgressResult.objects.create(target=target or make_target(), **fields)


def make_user(
    *,
    role: str | None = None,
    province: Province | None = None,
    department: Department | None = None,
    password: str = "correct-horse-battery-staple",
    **overrides: Any,
) -> Any:
    """A user with a profile (when ``role`` is given) through the one service that assigns it."""
    from django.contrib.auth import get_user_model

    from provinces.accounts import assign_role

    fields = {"username": f"user{_next()}"}
    fields.update(overrides)
    user = get_user_model().objects.create_user(password=password, **fields)
    if role is not None:
        assign_role(user=user, role=role, province=province, department=department)
    return user
