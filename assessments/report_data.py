"""One assessment as the reader sees it: the figures the page, the PDF and the workbook share.

Built once from the frozen rows (no further queries), formatted once, so the three cannot
disagree: a test reads the page, the PDF and the workbook back and compares.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from assessments import rules
from assessments.models import (
    Assessment,
    AssessmentTarget,
    AssessmentTask,
    TargetRating,
    TaskRating,
)
from dashboards.labels import METHOD_LABELS, OUTLOOK_LABELS, PACE_LABELS, ROLE_LABELS, TASK_LABELS
from dashboards.tables import format_number as _format_number


def number(value: float | None, unit: str = "") -> str:
    """743 → "743", 81.4 + "%" → "81.4%", None → "—"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{_format_number(value)}{unit}"


def percent(share: float | None) -> str:
    """0.753 → "75.3%", None → "—" (completion and time elapsed are shares of 1)."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    return f"{_format_number(round(share * 100, 1))}%"


def _label(choices: Any, code: str) -> str:
    return str(dict(choices.choices).get(code, "")) if code else ""


@dataclass
class TargetLine:
    row: AssessmentTarget
    baseline: str
    value: str
    completion: str
    time_elapsed: str
    status: str
    outlook: str
    method: str
    proposed: str
    rating: str
    changed: bool


@dataclass
class TaskLine:
    row: AssessmentTask
    departments: str
    lead: str
    status: str
    percent: str
    proposed: str
    rating: str
    changed: bool


@dataclass
class DepartmentLine:
    name: str
    lead: int = 0
    support: int = 0
    ratings: dict[str, int] = field(default_factory=dict)


@dataclass
class ReportData:
    assessment: Assessment
    targets: list[TargetLine]
    tasks: list[TaskLine]
    parts: list[tuple[str, list[TaskLine]]]
    departments: list[DepartmentLine]
    target_counts: list[tuple[str, str, int]]  # (code, label, count)
    task_counts: list[tuple[str, str, int]]
    unrated_targets: int
    unrated_tasks: int
    carried_targets: list[TargetLine]
    carried_tasks: list[TaskLine]
    summary: list[tuple[str, str]]


def _value(row: AssessmentTarget) -> str:
    if row.measure_kind == "milestone":
        if row.value_done is None:
            return "—"
        return _("已完成") if row.value_done else _("未完成")
    return number(row.value, row.unit)


def _target_line(row: AssessmentTarget) -> TargetLine:
    return TargetLine(
        row=row,
        baseline=number(row.baseline_value, row.unit) if row.measure_kind != "milestone" else "—",
        value=_value(row),
        completion=percent(row.completion_display),
        time_elapsed=percent(row.time_elapsed),
        status=str(PACE_LABELS.get(row.pace_status, row.pace_status)),
        outlook=str(OUTLOOK_LABELS.get(row.outlook, "")) if row.outlook else "",
        method=str(METHOD_LABELS.get(row.method, "")) if row.method else "",
        proposed=_label(TargetRating, row.proposed_rating),
        rating=_label(TargetRating, row.rating),
        changed=bool(row.rating) and row.rating != row.proposed_rating,
    )


def _task_line(row: AssessmentTask) -> TaskLine:
    lead = [d["name"] for d in row.departments if d.get("role") in ("lead", "responsible")]
    return TaskLine(
        row=row,
        departments="、".join(
            f"{d['name']}({ROLE_LABELS.get(d.get('role'), '')})" for d in row.departments
        ),
        lead="、".join(lead),
        status=str(TASK_LABELS.get(row.update_status or "no_update", "")),
        percent="—" if row.update_percent is None else f"{row.update_percent}%",
        proposed=_label(TaskRating, row.proposed_rating),
        rating=_label(TaskRating, row.rating),
        changed=bool(row.rating) and row.rating != row.proposed_rating,
    )


def _departments(tasks: list[TaskLine]) -> list[DepartmentLine]:
    by_name: dict[str, DepartmentLine] = OrderedDict()
    for line in tasks:
        for d in line.row.departments:
            dept = by_name.setdefault(
                d["name"],
                DepartmentLine(name=d["name"], ratings=dict.fromkeys(TaskRating.values, 0)),
            )
            if d.get("role") == "support":
                dept.support += 1
            else:
                dept.lead += 1
            if line.row.rating:
                dept.ratings[line.row.rating] += 1
    return sorted(by_name.values(), key=lambda d: (-(d.lead + d.support), d.name))


def build(assessment: Assessment) -> ReportData:
    """Everything the page, PDF and workbook show, from the prefetched rows."""
    targets = [_target_line(r) for r in assessment.target_rows.all()]
    tasks = [_task_line(r) for r in assessment.task_rows.all()]
    parts: dict[str, list[TaskLine]] = OrderedDict()
    for line in tasks:
        parts.setdefault(line.row.part or _("其他"), []).append(line)
    target_counts = rules.counts((t.row.rating for t in targets), rules.TARGET_RATINGS)
    task_counts = rules.counts((t.row.rating for t in tasks), rules.TASK_RATINGS)
    a = assessment
    summary = [
        (_("省份"), a.document.province.full_name or a.document.province.name),
        (_("文件"), a.document.title),
        (_("文号"), a.document.number or "—"),
        (_("评估类型"), a.get_kind_display()),
        (_("评估基准日"), a.as_of.isoformat()),
        (_("版本"), f"v{a.version}"),
        (_("状态"), a.get_status_display()),
        (_("冻结时间"), a.frozen_at.strftime("%Y-%m-%d %H:%M")),
        (_("评估员"), "、".join(u.get_full_name() or u.get_username() for u in a.evaluators.all())),
        (
            _("发布"),
            f"{a.published_by.get_username()} {a.published_at:%Y-%m-%d %H:%M}"
            if a.published_at and a.published_by
            else "—",
        ),
        (_("总体评价"), a.get_overall_rating_display() or "—"),
        (_("目标数"), str(len(targets))),
        *((label, str(target_counts[code])) for code, label in TargetRating.choices),
        (_("任务数"), str(len(tasks))),
        *((label, str(task_counts[code])) for code, label in TaskRating.choices),
    ]
    return ReportData(
        assessment=assessment,
        targets=targets,
        tasks=tasks,
        parts=list(parts.items()),
        departments=_departments(tasks),
        target_counts=[(c, str(label), target_counts[c]) for c, label in TargetRating.choices],
        task_counts=[(c, str(label), task_counts[c]) for c, label in TaskRating.choices],
        unrated_targets=target_counts[""],
        unrated_tasks=task_counts[""],
        carried_targets=[t for t in targets if t.row.carry_over],
        carried_tasks=[t for t in tasks if t.row.carry_over],
        summary=[(str(k), str(v)) for k, v in summary],
    )


def charts(data: ReportData) -> dict[str, str]:
    """SVG charts: ratings of the targets and tasks, and completion of the targets due first."""
    from assessments.reports.charts import (
        TARGET_COLOURS,
        TASK_COLOURS,
        bar_chart,
        completion_chart,
    )

    out = {
        "targets": bar_chart(
            _("主要指标评价"),
            [(label, count) for _c, label, count in data.target_counts],
            TARGET_COLOURS,
        ),
        "tasks": bar_chart(
            _("重点任务评价"),
            [(label, count) for _c, label, count in data.task_counts],
            TASK_COLOURS,
        ),
    }
    numeric = [t for t in data.targets if t.row.measure_kind != "milestone"]
    years = sorted({t.row.target_year for t in numeric})
    if years:
        as_of_year = data.assessment.as_of.year
        year = next((y for y in years if y >= as_of_year), years[-1])
        due = [t for t in numeric if t.row.target_year == year]
        elapsed = sorted(t.row.time_elapsed for t in due if t.row.time_elapsed is not None)
        out["completion"] = completion_chart(
            _("%(year)s年目标完成进度") % {"year": year},
            [(t.row.indicator_name, t.row.completion) for t in due],
            marker=elapsed[len(elapsed) // 2] if elapsed else None,
            marker_label=_("时间进度"),
        )
    return out
