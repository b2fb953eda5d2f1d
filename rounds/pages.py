"""What the round pages show, built from one ``round_completeness`` read: tables (also the
CSV / Excel downloads) and the departments × rounds chart."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from rounds import charts, completeness
from rounds.models import ReportingRound
from rounds.selectors import RoundsCompleteness

STATE_LABELS = {
    completeness.MISSING: gettext_lazy("未填报"),
    completeness.DRAFT: gettext_lazy("草稿未提交"),
    completeness.SUBMITTED: gettext_lazy("待审核"),
    completeness.APPROVED: gettext_lazy("已审核"),
    completeness.RETURNED: gettext_lazy("已退回"),
}


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


@dataclass
class Sheet:
    """A table as headers and rows of text, for the page and for downloads alike."""

    name: str
    headers: list[str]
    rows: list[list[Any]]


def no_department() -> str:
    return _("未指定单位")


def tally_sheet(data: RoundsCompleteness, *, today: dt.date) -> Sheet:
    headers = [
        _("填报周期"),
        _("文件"),
        _("责任单位"),
        _("应报"),
        _("已提交待审核"),
        _("已审核"),
        _("已退回"),
        _("未报"),
        _("逾期"),
        _("完成率"),
    ]
    rows = []
    for line in data.lines():
        tally = line["tally"]
        rnd: ReportingRound = line["round"]
        rows.append(
            [
                f"{rnd.document.province.name} {rnd.label}",
                rnd.document.slug,
                line["department"] or no_department(),
                tally.due,
                tally.submitted,
                tally.approved,
                tally.returned,
                tally.missing,
                tally.overdue,
                "" if tally.share is None else f"{round(tally.share * 100)}%",
            ]
        )
    return Sheet("completeness", headers, rows)


def item_sheet(data: RoundsCompleteness, *, today: dt.date) -> Sheet:
    headers = [
        _("填报周期"),
        _("类型"),
        _("代码/序号"),
        _("名称"),
        _("责任单位"),
        _("状态"),
        _("逾期"),
    ]
    by_round = {r.pk: r for r in data.rounds}
    rows = []
    for item in data.items:
        rnd = by_round[item.round_id]
        rows.append(
            [
                f"{rnd.document.province.name} {rnd.label}",
                _("指标") if item.kind == "indicator" else _("任务"),
                item.code,
                item.name,
                data.department_name(item.department_id) or no_department(),
                state_label(item.state),
                _("是") if item.overdue(today) else "",
            ]
        )
    return Sheet("items", headers, rows)


def item_rows(data: RoundsCompleteness, *, today: dt.date) -> list[dict[str, Any]]:
    return [
        {
            "item": item,
            "department": data.department_name(item.department_id) or no_department(),
            "state": state_label(item.state),
            "overdue": item.overdue(today),
        }
        for item in data.items
    ]


# As Django's json_script escapes them, so no label can close the script element.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def chart(data: RoundsCompleteness) -> dict[str, Any] | None:
    """Departments × rounds (oldest round on the left), the share handed in per cell."""
    if not data.tallies:
        return None
    rounds = sorted(data.rounds, key=lambda r: (r.as_of, r.document.slug))
    columns = [
        f"{r.label}·{r.document.slug}" if len({x.document_id for x in rounds}) > 1 else r.label
        for r in rounds
    ]
    departments = sorted(
        {key[1] for key in data.tallies}, key=lambda d: data.department_name(d) or "~"
    )
    names = [data.department_name(d) or no_department() for d in departments]
    shares, labels = [], []
    for department_id in departments:
        share_row, label_row = [], []
        for rnd in rounds:
            tally = data.tallies.get((rnd.pk, department_id))
            share_row.append(tally.share if tally else None)
            label_row.append(f"{tally.handed_in}/{tally.due}" if tally else "")
        shares.append(share_row)
        labels.append(label_row)
    figure = charts.completeness_heatmap(
        departments=names,
        rounds=columns,
        shares=shares,
        labels=labels,
    )
    return {
        "id": "chart-completeness",
        "data_id": "chart-completeness-data",
        "title": _("各单位各周期已提交比例(已提交或已审核 / 应报)"),
        "figure": figure,
        # The page's chart include reads the figure as script text (dashboards/_chart.html).
        "json": mark_safe(
            json.dumps(figure, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
        ),
        "traces": 1,
        "table": "completeness",
        "filename": "completeness",
    }


def sheet_csv(sheet: Sheet) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(sheet.headers)
    for row in sheet.rows:
        writer.writerow([_safe(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def sheets_xlsx(sheets: list[Sheet]) -> bytes:
    book = Workbook(write_only=True)
    for sheet in sheets:
        page = book.create_sheet(sheet.name)
        page.append(sheet.headers)
        for row in sheet.rows:
            page.append([_safe(cell) for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _safe(cell: Any) -> Any:
    """No formula injection through a name someone typed (=, +, -, @ start a formula)."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@"):
        return "'" + cell
    return cell
