"""The loaded catalogue as CSV: one row per target, one row per task.

``export_targets`` / ``export_tasks`` print these, and the site's download buttons serve the
same text. Each row is a dict with stable English keys; the CSV header is Chinese (the columns
below pair them). Every query count is fixed whatever the catalogue's size: one query for the
targets, two for the tasks (tasks, then their assignments).

Targets columns (key → header):
    province 省份, document 文件 (its slug, e.g. sx-2021), indicator 指标, area 领域, unit 单位,
    measure_kind 测度类型, baseline_year 基期年, baseline_value 基期值, target_year 目标年,
    target_value 目标值, comparator 比较方式, lower_bound 区间下限, category 类别,
    quote 原文摘录 (the target's quote), restated_quotes 其他表述 (the other sentences of the
    document that state the same target, e.g. a goal's number repeated in a task, joined with
    " / " so that a row stays one line in a CSV viewer and one readable cell in Excel).
Tasks columns:
    province 省份, document 文件, section 章节, number 序号, title 任务, lead_departments 牵头单位,
    support_departments 配合单位, responsible_departments 责任单位(未分牵头配合), quote 原文摘录.
    山西 prints one list of 责任单位 without saying who leads: those units go in the third
    department column rather than being passed off as leads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import translation

from targets.models import Target
from tasks.models import Assignment, Role, Task

TARGET_COLUMNS: list[tuple[str, str]] = [
    ("province", "省份"),
    ("document", "文件"),
    ("indicator", "指标"),
    ("area", "领域"),
    ("unit", "单位"),
    ("measure_kind", "测度类型"),
    ("baseline_year", "基期年"),
    ("baseline_value", "基期值"),
    ("target_year", "目标年"),
    ("target_value", "目标值"),
    ("comparator", "比较方式"),
    ("lower_bound", "区间下限"),
    ("category", "类别"),
    ("quote", "原文摘录"),
    ("restated_quotes", "其他表述"),
]

TASK_COLUMNS: list[tuple[str, str]] = [
    ("province", "省份"),
    ("document", "文件"),
    ("section", "章节"),
    ("number", "序号"),
    ("title", "任务"),
    ("lead_departments", "牵头单位"),
    ("support_departments", "配合单位"),
    ("responsible_departments", "责任单位(未分牵头配合)"),
    ("quote", "原文摘录"),
]

HEADERS: dict[str, str] = dict(TARGET_COLUMNS + TASK_COLUMNS)

DEPARTMENT_SEPARATOR = "、"  # as the documents print lists of units
# Between a target's restated sentences; no source text contains it, so a cell splits back.
RESTATED_SEPARATOR = " / "
# Spreadsheet programs run a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@")


def format_number(value: Decimal | None) -> str:
    """90.0000 → "90", 0.5000 → "0.5", None → ""."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _document_filter(prefix: str, province: str | None, document: str | None) -> Q:
    condition = Q()
    if province:
        condition &= Q(**{f"{prefix}province__code__iexact": province}) | Q(
            **{f"{prefix}province__name": province}
        )
    if document:
        condition &= Q(**{f"{prefix}slug": document})
    return condition


def targets_queryset(*, province: str | None = None, document: str | None = None) -> QuerySet:
    return (
        Target.objects.filter(_document_filter("indicator__document__", province, document))
        .select_related("indicator__document__province", "indicator__category")
        .order_by(
            "indicator__document__province__sort_order",
            "indicator__document__province__code",
            "indicator__document__period_start",
            "indicator__document__slug",
            "indicator__sort_order",
            "indicator__code",
            "year",
        )
    )


def targets_catalogue_rows(
    *, province: str | None = None, document: str | None = None
) -> list[dict[str, str]]:
    """One row per target; ``province``: a code (SX) or short name (山西); ``document``: a slug."""
    rows = []
    with translation.override("zh-hans"):  # choice labels in the header's language
        for target in targets_queryset(province=province, document=document):
            indicator = target.indicator
            rows.append(
                {
                    "province": indicator.document.province.name,
                    "document": indicator.document.slug,
                    "indicator": indicator.name,
                    "area": indicator.area,
                    "unit": indicator.unit,
                    "measure_kind": str(indicator.get_measure_kind_display()),
                    "baseline_year": (
                        str(indicator.baseline_year) if indicator.baseline_year else ""
                    ),
                    "baseline_value": format_number(indicator.baseline_value),
                    "target_year": str(target.year),
                    "target_value": format_number(target.value),
                    "comparator": str(target.get_comparator_display()),
                    "lower_bound": format_number(target.lower_bound),
                    "category": indicator.category.name if indicator.category else "",
                    "quote": target.quote,
                    "restated_quotes": RESTATED_SEPARATOR.join(target.restated_quotes),
                }
            )
    return rows


def tasks_queryset(*, province: str | None = None, document: str | None = None) -> QuerySet:
    assignments = Assignment.objects.select_related("department").order_by("sort_order", "pk")
    return (
        Task.objects.filter(_document_filter("document__", province, document))
        .select_related("document__province", "section")
        .prefetch_related(Prefetch("assignments", queryset=assignments))
        .order_by(
            "document__province__sort_order",
            "document__province__code",
            "document__period_start",
            "document__slug",
            "sort_order",
            "pk",
        )
    )


def tasks_catalogue_rows(
    *, province: str | None = None, document: str | None = None
) -> list[dict[str, str]]:
    """One row per task, its units split by role (lead, support, or listed without a role)."""
    rows = []
    for task in tasks_queryset(province=province, document=document):
        by_role: dict[str, list[str]] = {role: [] for role in Role.values}
        for assignment in task.assignments.all():
            by_role[assignment.role].append(assignment.department.name)
        rows.append(
            {
                "province": task.document.province.name,
                "document": task.document.slug,
                "section": f"{task.section.number}{task.section.title}",
                "number": task.number,
                "title": task.title,
                "lead_departments": DEPARTMENT_SEPARATOR.join(by_role[Role.LEAD]),
                "support_departments": DEPARTMENT_SEPARATOR.join(by_role[Role.SUPPORT]),
                "responsible_departments": DEPARTMENT_SEPARATOR.join(by_role[Role.RESPONSIBLE]),
                "quote": task.quote,
            }
        )
    return rows


def _escape_formula(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (OWASP CSV injection)."""
    stripped = value.lstrip()
    if stripped.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def rows_to_csv(
    rows: Iterable[Mapping[str, str]],
    *,
    columns: Sequence[tuple[str, str]] | None = None,
    escape_formulas: bool = True,
) -> str:
    """CSV text: a Chinese header row (from ``columns``), then the rows in that column order.

    Without ``columns`` the first row's keys give the columns (headed by ``HEADERS``); with no
    rows either, the result is "". The text is plain; add a BOM (``"\\ufeff"``) when writing a
    file for Excel.
    """
    rows = list(rows)
    if columns is None:
        if not rows:
            return ""
        columns = [(key, HEADERS.get(key, key)) for key in rows[0]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header for _, header in columns])
    for row in rows:
        values = [str(row.get(key, "")) for key, _ in columns]
        writer.writerow([_escape_formula(v) for v in values] if escape_formulas else values)
    return buffer.getvalue()


def targets_catalogue_csv(*, province: str | None = None, document: str | None = None) -> str:
    return rows_to_csv(
        targets_catalogue_rows(province=province, document=document), columns=TARGET_COLUMNS
    )


def tasks_catalogue_csv(*, province: str | None = None, document: str | None = None) -> str:
    return rows_to_csv(
        tasks_catalogue_rows(province=province, document=document), columns=TASK_COLUMNS
    )
