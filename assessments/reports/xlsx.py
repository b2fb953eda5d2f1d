"""The Excel workbook: 概况 (summary), 主要指标 (targets), 重点任务 (tasks), 责任单位 (departments).

Numbers stay numbers (completion and time elapsed as fractions formatted as percentages, to the
0.1 % the page shows), so a bureau can sort and sum them; the figures are the page's.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from assessments import report_data, selectors
from assessments.models import Assessment, TaskRating

HEADER_FILL = PatternFill("solid", fgColor="E8EDF3")
TARGET_HEADERS = (
    "序号",
    "指标",
    "领域",
    "单位",
    "目标年",
    "目标",
    "基期值",
    "基期日期",
    "评估值",
    "数据日期",
    "所用填报",
    "佐证",
    "完成进度",
    "时间进度",
    "测算状态",
    "趋势研判",
    "预测方法",
    "建议评价",
    "评价",
    "调整理由",
    "评估意见",
    "结转下一阶段",
)
TASK_HEADERS = (
    "序号",
    "部分",
    "任务序号",
    "任务",
    "责任单位",
    "进展状态",
    "完成百分比",
    "进展日期",
    "进展说明",
    "建议评价",
    "评价",
    "调整理由",
    "评估意见",
    "结转下一阶段",
)


def share(value: float | None) -> float | None:
    """A completion or time share rounded as the page shows it (0.1 %)."""
    return None if value is None else round(value * 100, 1) / 100


def _sheet(workbook: Workbook, title: str, headers: tuple[str, ...], rows: list[list[Any]]):
    sheet = workbook.create_sheet(title)
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(header) * 3))
    return sheet


def _percent_columns(sheet, *names: str) -> None:
    headers = [c.value for c in sheet[1]]
    for name in names:
        column = headers.index(name) + 1
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = "0.0%"


def render_xlsx(assessment: Assessment) -> bytes:
    assessment = selectors.assessment_for_page(assessment.pk)
    data = report_data.build(assessment)
    workbook = Workbook()
    summary = workbook.active
    summary.title = "概况"
    summary.append(["项目", "内容"])
    for cell in summary[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for label, value in data.summary:
        summary.append([label, value])
    for label, text in (
        ("主要成效", assessment.achievements),
        ("存在问题", assessment.problems),
        ("下一步建议", assessment.recommendations),
    ):
        summary.append([label, text])
        summary.cell(summary.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    summary.column_dimensions["A"].width = 16
    summary.column_dimensions["B"].width = 90

    targets = _sheet(
        workbook,
        "主要指标",
        TARGET_HEADERS,
        [
            [
                index,
                t.row.indicator_name,
                t.row.area,
                t.row.unit,
                t.row.target_year,
                t.row.target_display,
                t.row.baseline_value,
                t.row.baseline_date,
                t.row.value if t.row.measure_kind != "milestone" else t.value,
                t.row.value_date,
                t.row.report_id,
                t.row.report_evidence,
                share(t.row.completion_display),
                share(t.row.time_elapsed),
                t.status,
                t.outlook,
                t.method,
                t.proposed,
                t.rating,
                t.row.rating_reason,
                t.row.comment,
                "是" if t.row.carry_over else "",
            ]
            for index, t in enumerate(data.targets, start=1)
        ],
    )
    _percent_columns(targets, "完成进度", "时间进度")
    _sheet(
        workbook,
        "重点任务",
        TASK_HEADERS,
        [
            [
                index,
                k.row.part,
                k.row.task_number,
                k.row.task_title,
                k.departments,
                k.status,
                k.row.update_percent,
                k.row.update_as_of,
                k.row.update_narrative,
                k.proposed,
                k.rating,
                k.row.rating_reason,
                k.row.comment,
                "是" if k.row.carry_over else "",
            ]
            for index, k in enumerate(data.tasks, start=1)
        ],
    )
    _sheet(
        workbook,
        "责任单位",
        ("责任单位", "牵头/负责任务", "配合任务", *(str(label) for _, label in TaskRating.choices)),
        [
            [d.name, d.lead, d.support, *(d.ratings[code] for code in TaskRating.values)]
            for d in data.departments
        ],
    )
    for sheet in workbook.worksheets[1:]:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if hasattr(cell.value, "isoformat") and not isinstance(cell.value, str):
                    cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
