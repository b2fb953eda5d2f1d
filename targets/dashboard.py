"""Page-level reads: everything one dashboard page shows, in a fixed number of queries.

Each ``*_page`` function takes the page's parameters (as-of date, filters) and returns a plain
dict for the template: tables (``Table``, also what the CSV / Excel downloads serve), charts
(Plotly figures as JSON data) and a few headline facts. Status is computed live with the pure
progress module for the as-of date of the URL, so any date works and pages and Celery jobs share
one arithmetic; stored ``ProgressResult`` rows are read only for the history of the status.

Queries are whole-set ``.values()`` reads (through ``targets.selectors`` where one exists); no
per-row queries, no ORM in templates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.db.models import Count, F
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from provinces.models import Department, PolicyDocument, Province, Section
from targets import charts, progress, selectors
from targets.catalogue import rows_to_csv
from targets.models import COMPARATOR_SYMBOLS, Indicator, IndicatorCategory, MeasureKind, Target
from tasks.models import Assignment, Column, ColumnItem, Role, Task, TaskUpdate

# --- labels (literal so makemessages finds them) ----------------------------------------------

PACE_LABELS = {
    "achieved": gettext_lazy("已达成"),
    "ahead": gettext_lazy("超前"),
    "on_track": gettext_lazy("正常"),
    "lagging": gettext_lazy("滞后"),
    "seriously_lagging": gettext_lazy("严重滞后"),
    "regressing": gettext_lazy("倒退"),
    "missed": gettext_lazy("未达成"),
    "pending": gettext_lazy("待完成"),
    "no_data": gettext_lazy("无数据"),
    "cannot_assess": gettext_lazy("无法评估"),
}
OUTLOOK_LABELS = {
    "on_track": gettext_lazy("有望达成"),
    "acceleration_needed": gettext_lazy("需加快"),
    "limited_progress": gettext_lazy("进展有限"),
    # 倒退 is "regressing" as a pace status but "deterioration" as an outlook.
    "deterioration": pgettext_lazy("outlook", "倒退"),
    "insufficient_data": gettext_lazy("数据不足"),
    "not_applicable": gettext_lazy("不适用"),
}
TASK_LABELS = {
    "not_started": gettext_lazy("未启动"),
    "in_progress": gettext_lazy("推进中"),
    "completed": gettext_lazy("已完成"),
    # 滞后 is "lagging" as a target's pace but "delayed" as a task's status.
    "delayed": pgettext_lazy("task status", "滞后"),
    "suspended": gettext_lazy("暂停"),
    "no_update": gettext_lazy("未填报"),
}
METHOD_LABELS = {
    "growth_rate": gettext_lazy("增长率比值法"),
    "linear": gettext_lazy("线性趋势外推法"),
}
ROLE_LABELS = {
    Role.LEAD: gettext_lazy("牵头"),
    Role.SUPPORT: gettext_lazy("配合"),
    Role.RESPONSIBLE: gettext_lazy("责任单位"),
}
ROLE_MARKS = {
    Role.LEAD: gettext_lazy("牵"),
    Role.SUPPORT: gettext_lazy("配"),
    Role.RESPONSIBLE: "●",
}
# What a card or filter shows: the pace statuses folded into five groups a leader reads.
STATUS_GROUPS: dict[str, tuple[str, ...]] = {
    "achieved": ("achieved",),
    "on_track": ("ahead", "on_track"),
    "lagging": ("lagging", "seriously_lagging", "regressing"),
    "missed": ("missed",),
    "no_data": ("no_data", "cannot_assess", "pending"),
}
GROUP_LABELS = {
    "achieved": gettext_lazy("已达成"),
    "on_track": gettext_lazy("正常或超前"),
    "lagging": gettext_lazy("滞后"),
    "missed": gettext_lazy("未达成"),
    "no_data": gettext_lazy("无数据或待评估"),
}
GROUP_OF_STATUS = {status: group for group, members in STATUS_GROUPS.items() for status in members}
RISK_ORDER = {"regressing": 0, "seriously_lagging": 1, "lagging": 2}
TASK_TROUBLE = ("delayed", "suspended")
LEAD_ROLES = (Role.LEAD, Role.RESPONSIBLE)


def chart_text() -> dict[str, str]:
    """The chart module's words in the active language."""
    words = {
        "no_data": _("暂无数据"),
        "province": _("省份"),
        "area": _("领域"),
        "share": _("达成或正常占比"),
        "share_axis": _("达成或正常占比(%)"),
        "time_elapsed": _("时间进度(%)"),
        "completion": _("完成进度(%)"),
        "half_time": _("时间过半"),
        "pace_line": _("完成进度=时间进度"),
        "target_year": _("目标年"),
        "baseline": _("基期值"),
        "latest": _("最新值"),
        # Translators: the chart writes a year before it: 2025年目标 → "2025 target".
        "target": _("年目标"),
        "target_marker": _("目标(100%)"),
        # Translators: follows a year, as in 2025年目标完成进度(%).
        "completion_to": _("年目标完成进度(%)"),
        "value": _("数值"),
        "reported": _("已审核填报值"),
        "demo": _("(示例数据)"),
        # Translators: follows a year, as in 2035年预测.
        "projection": _("年预测"),
        "targets_count": _("目标数(个)"),
        "tasks_count": _("任务数(项)"),
        "department": _("牵头单位"),
        "as_of": _("测算基准日"),
        "status": _("状态"),
        "assessable": _("可评估目标"),
        "good": _("达成或正常"),
    }
    return {key: str(value) for key, value in words.items()}


def _str_labels(labels: Mapping[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in labels.items()}


class BadFilter(ValueError):
    """A page parameter that cannot be honoured; the message is bilingual and shown as is."""


# --- tables ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """A table column. ``kind``: text, link (href in ``<key>_url``), status (pace status code),
    task_status, group, outlook, pct (fraction), num, date, role."""

    key: str
    label: str
    kind: str = "text"


@dataclass
class Table:
    name: str
    title: str
    columns: list[Col]
    rows: list[dict[str, Any]]
    empty: str = ""
    highlight: Callable[[dict[str, Any]], bool] | None = field(default=None, repr=False)
    # A long text shown under its row across the table (the one-sentence explanation); a column
    # of its own in downloads.
    detail: Col | None = None

    def cell_text(self, column: Col, row: Mapping[str, Any]) -> str:
        value = row.get(column.key)
        if _missing(value):
            return "—" if column.kind in ("pct", "num", "date") else ""
        if column.kind == "status":
            return str(PACE_LABELS.get(value, value))
        if column.kind == "task_status":
            return str(TASK_LABELS.get(value, value))
        if column.kind == "group":
            return str(GROUP_LABELS.get(value, value))
        if column.kind == "outlook":
            return str(OUTLOOK_LABELS.get(value, value))
        if column.kind == "role":
            return str(ROLE_LABELS.get(value, value))
        if column.kind == "pct":
            return f"{round(float(value) * 100)}%"
        if column.kind == "num":
            return format_number(value)
        if column.kind == "date":
            return value.isoformat() if hasattr(value, "isoformat") else str(value)
        return str(value)

    @property
    def body(self) -> list[dict[str, Any]]:
        """Rows as display cells for the template: text, link, badge class, numeric flag."""
        out = []
        for row in self.rows:
            cells = []
            for column in self.columns:
                value = row.get(column.key)
                badge = ""
                if column.kind in ("status", "task_status", "group") and not _missing(value):
                    badge = f"badge badge-{value}"
                cells.append(
                    {
                        "text": self.cell_text(column, row),
                        "href": row.get(f"{column.key}_url") or "",
                        "badge": badge,
                        "numeric": column.kind in ("pct", "num"),
                        "title": row.get(f"{column.key}_title") or "",
                    }
                )
            out.append(
                {
                    "cells": cells,
                    "highlight": bool(self.highlight and self.highlight(row)),
                    "detail": self.cell_text(self.detail, row) if self.detail else "",
                }
            )
        return out

    @property
    def headers(self) -> list[str]:
        return [c.label for c in self.columns]

    @property
    def export_columns(self) -> list[Col]:
        return [*self.columns, self.detail] if self.detail else list(self.columns)

    def export_rows(self) -> list[dict[str, str]]:
        columns = self.export_columns
        return [{c.key: self.cell_text(c, row) for c in columns} for row in self.rows]

    def export_value(self, column: Col, row: Mapping[str, Any]) -> Any:
        """Spreadsheet cell: numbers stay numbers (percentages as 0–100), the rest as shown."""
        value = row.get(column.key)
        if _missing(value):
            return None
        if column.kind == "pct":
            return round(float(value) * 100, 1)
        if column.kind == "num":
            return float(value)
        if column.kind == "date":
            return value if isinstance(value, dt.date) else str(value)
        return self.cell_text(column, row)


def table_csv(table: Table) -> bytes:
    """UTF-8 with a BOM so Excel opens the Chinese right; formulas escaped."""
    columns = [(c.key, c.label) for c in table.export_columns]
    text = rows_to_csv(table.export_rows(), columns=columns)
    return ("\ufeff" + text).encode("utf-8")


def tables_xlsx(tables: Sequence[Table]) -> bytes:
    """One sheet per table, header in bold, numbers as numbers; formulas escaped."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in tables:
        name = _sheet_name(table.title or table.name, used)
        sheet = book.create_sheet(name)
        sheet.append([c.label for c in table.export_columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            values = []
            for column in table.export_columns:
                value = table.export_value(column, row)
                if isinstance(value, str) and value.lstrip().startswith(("=", "+", "-", "@")):
                    value = "'" + value
                values.append(value)
            sheet.append(values)
        for index, column in enumerate(table.export_columns, start=1):
            width = max(
                [
                    len(column.label) * 2,
                    *(len(str(r.get(column.key) or "")) for r in table.rows[:200]),
                ],
                default=10,
            )
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(width + 2, 60)
    if not book.worksheets:
        book.create_sheet("empty")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28] or "sheet"
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name[:25]}_{n}", n + 1
    used.add(candidate)
    return candidate


def csv_rows(text: str) -> list[list[str]]:
    """Parse CSV text (tests and the catalogue use it)."""
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


# --- small helpers ---------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value)) if not isinstance(value, (str, list, dict, tuple)) else False
    except (TypeError, ValueError):
        return False


def format_number(value: Any) -> str:
    """90.0 → "90", 85.5 → "85.5", 0.125 → "0.13"."""
    if _missing(value):
        return "—"
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _plain(value: Any) -> Any:
    """numpy / pandas scalars → Python (dates as dt.date), missing → None."""
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):
        return value.item()
    return value


def records(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> list[dict[str, Any]]:
    keys = list(columns) if columns is not None else list(frame.columns)
    return [
        {key: _plain(value) for key, value in zip(keys, row, strict=True)}
        for row in frame[keys].itertuples(index=False, name=None)
    ]


def with_as_of(url: str, as_of: dt.date, today: dt.date, **params: Any) -> str:
    """A link that keeps the page's as-of date (when it is not today) and filters."""
    query = {k: v for k, v in params.items() if v not in (None, "")}
    if as_of != today:
        query = {"as_of": as_of.isoformat(), **query}
    return f"{url}?{urlencode(query)}" if query else url


def target_display(row: Mapping[str, Any]) -> str:
    """≥90%, ≈10个, 1—3个, 完成: the target as printed."""
    comparator = row.get("comparator")
    unit = row.get("unit") or ""
    if comparator == "done" or _missing(row.get("target_value")):
        return _("完成")
    value = format_number(row["target_value"])
    if comparator == "range" and not _missing(row.get("lower_bound")):
        return f"{format_number(row['lower_bound'])}—{value}{unit}"
    return f"{COMPARATOR_SYMBOLS.get(str(comparator), '')}{value}{unit}"


def _value_display(value: Any, unit: str) -> str:
    return "—" if _missing(value) else f"{format_number(value)}{unit or ''}"


def _year_end(year: int) -> dt.date:
    return dt.date(int(year), 12, 31)


def in_force(document: Mapping[str, Any], as_of: dt.date) -> bool:
    """A plan is in force from its first year to its last."""
    return int(document["period_start"]) <= as_of.year <= int(document["period_end"])


# --- frames ----------------------------------------------------------------------------------

STATUS_COLUMNS = (
    "target_id",
    "indicator_id",
    "document_id",
    "document_slug",
    "province",
    "province_name",
    "area",
    "category",
    "category_name",
    "indicator_code",
    "indicator_name",
    "measure_kind",
    "direction",
    "unit",
    "attribute",
    "target_year",
    "target_value",
    "comparator",
    "lower_bound",
    "printed_baseline",
    "baseline_year",
    "plan_base_year",
    "latest_value",
    "latest_date",
    "baseline_value",
    "baseline_date",
    "baseline_source",
    "goal_value",
    "achieved",
    "completion",
    "completion_display",
    "time_elapsed",
    "pace_ratio",
    "pace_status",
    "outlook",
    "outlook_ratio",
    "projection",
    "method",
    "n_points",
    "score",
    "years_elapsed",
    "years_total",
    "cagr_observed",
    "cagr_required",
    "slope",
    "group",
    "latest_is_demo",
    "latest_source",
)


def status_frame(
    *,
    as_of: dt.date,
    document_ids: Iterable[int] | None = None,
    indicator_ids: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Targets joined with their live progress as of a date: two queries.

    ``printed_baseline`` is the document's baseline; ``baseline_value`` the one the engine used.
    """
    document_ids = None if document_ids is None else list(document_ids)
    targets = selectors.targets_frame(document_ids=document_ids, indicator_ids=indicator_ids)
    reports = selectors.approved_reports_frame(
        document_ids=document_ids, indicator_ids=indicator_ids, as_of=as_of
    )
    if targets.empty:
        return pd.DataFrame(columns=list(STATUS_COLUMNS))
    results = progress.compute_progress(targets, reports, as_of)
    frame = targets.rename(columns={"baseline_value": "printed_baseline"}).merge(
        results.drop(columns=["indicator_id", "target_year", "target_value"]),
        on="target_id",
        how="left",
    )
    frame["group"] = frame["pace_status"].map(GROUP_OF_STATUS).fillna("no_data")
    # Whether the latest value came from 示例数据 (the later-approved report of its day wins,
    # as in the engine), so a table can say where a figure comes from.
    stated = reports.sort_values(["indicator_id", "as_of", "approved_at"]).drop_duplicates(
        ["indicator_id", "as_of"], keep="last"
    )
    demo = {
        (int(i), pd.Timestamp(d).normalize()): bool(flag)
        for i, d, flag in zip(
            stated["indicator_id"], stated["as_of"], stated["is_demo"], strict=True
        )
    }
    frame["latest_is_demo"] = [
        None if pd.isna(d) else demo.get((int(i), pd.Timestamp(d).normalize()))
        for i, d in zip(frame["indicator_id"], frame["latest_date"], strict=True)
    ]
    frame["latest_source"] = frame["latest_is_demo"].map(
        {True: str(_("示例数据")), False: str(_("正式数据"))}
    )
    for column in ("area", "unit", "category_name", "attribute"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), "")
    return frame[list(STATUS_COLUMNS)]


def _documents() -> list[dict[str, Any]]:
    """Every document, one query, in the provinces' order."""
    return list(
        PolicyDocument.objects.order_by("province__sort_order", "period_start", "slug").values(
            "id",
            "slug",
            "title",
            "number",
            "issuer",
            "signed_on",
            "period_start",
            "period_end",
            "base_year",
            "milestone_years",
            "supersedes_id",
            "province_id",
            province_code=F("province__code"),
            province_name=F("province__name"),
        )
    )


def _counts_by_group(frame: pd.DataFrame) -> dict[str, int]:
    counts = frame["group"].value_counts() if not frame.empty else pd.Series(dtype=int)
    out = {group: int(counts.get(group, 0)) for group in STATUS_GROUPS}
    out["total"] = len(frame)
    return out


def _unique_tasks(task_status: pd.DataFrame) -> pd.DataFrame:
    frame = task_status.drop_duplicates("task_id").copy()
    frame["status"] = frame["status"].astype(object).where(frame["status"].notna(), "no_update")
    return frame


def _task_counts(tasks: pd.DataFrame) -> dict[str, int]:
    counts = tasks["status"].value_counts() if not tasks.empty else pd.Series(dtype=int)
    out = {status: int(counts.get(status, 0)) for status in progress.TASK_STATUSES}
    out["total"] = len(tasks)
    out["share_completed"] = (out["completed"] / out["total"]) if out["total"] else None
    return out


def _good_share(frame: pd.DataFrame) -> tuple[int, int, float | None]:
    """(achieved or on track, assessable, share): DESIGN's roll-up share."""
    good = int(frame["pace_status"].isin(progress.GOOD_STATUSES).sum())
    judged = int((~frame["pace_status"].isin(progress.UNASSESSABLE_STATUSES)).sum())
    return good, judged, (good / judged if judged else None)


def _chart(chart_id: str, fig, *, title: str, table: str = "", note: str = "") -> dict[str, Any]:
    return {
        "id": chart_id,
        "data_id": f"{chart_id}-data",
        "title": title,
        "figure": charts.figure_payload(fig),
        "traces": len(fig.data),
        "table": table,
        "note": note,
        "filename": chart_id,
    }


def _target_row(row: Mapping[str, Any], as_of: dt.date, today: dt.date) -> dict[str, Any]:
    unit = row.get("unit") or ""
    out = dict(row)
    out.update(
        {
            "target": target_display(row),
            "baseline": _value_display(row.get("baseline_value"), unit),
            "latest": _value_display(row.get("latest_value"), unit),
            "indicator_url": with_as_of(
                reverse("targets:indicator", args=[row["indicator_id"]]), as_of, today
            ),
            "indicator_name_url": with_as_of(
                reverse("targets:indicator", args=[row["indicator_id"]]), as_of, today
            ),
            "province_name_url": with_as_of(
                reverse("provinces:province", args=[row["province"]]), as_of, today
            ),
            "document_slug_url": with_as_of(
                reverse("provinces:document", args=[row["document_slug"]]), as_of, today
            ),
            "method_label": str(METHOD_LABELS.get(row.get("method"), "")),
            "status_label": str(PACE_LABELS.get(row.get("pace_status"), "")),
            "outlook_label": str(OUTLOOK_LABELS.get(row.get("outlook"), "")),
        }
    )
    return out


def _explain(row: Mapping[str, Any]) -> str:
    """The leader's sentence in the active language (the pure module knows zh and en)."""
    lang = "en" if (get_language() or "").startswith("en") else "zh"
    try:
        return progress.explain(row, lang=lang)
    except (KeyError, TypeError, ValueError):
        return ""


TARGET_TABLE_COLUMNS = [
    ("province_name", gettext_lazy("省份"), "link"),
    ("indicator_name", gettext_lazy("指标"), "link"),
    ("area", gettext_lazy("领域"), "text"),
    ("target_year", gettext_lazy("目标年"), "text"),
    ("target", gettext_lazy("目标值"), "text"),
    ("baseline", gettext_lazy("基期值"), "text"),
    ("latest", gettext_lazy("最新值"), "text"),
    ("latest_date", gettext_lazy("最新值日期"), "date"),
    ("latest_source", gettext_lazy("数据来源"), "text"),
    ("completion", gettext_lazy("完成进度"), "pct"),
    ("time_elapsed", gettext_lazy("时间进度"), "pct"),
    ("pace_status", gettext_lazy("状态"), "status"),
    ("outlook", gettext_lazy("趋势研判"), "outlook"),
]


def _cols(spec: Sequence[tuple[str, Any, str]], skip: Iterable[str] = ()) -> list[Col]:
    skipped = set(skip)
    return [Col(key, str(label), kind) for key, label, kind in spec if key not in skipped]


def targets_table(
    name: str,
    title: str,
    frame: pd.DataFrame,
    *,
    as_of: dt.date,
    today: dt.date,
    skip: Iterable[str] = (),
    empty: str = "",
    explain: bool = False,
) -> Table:
    rows = [_target_row(row, as_of, today) for row in records(frame)]
    if explain:
        for row in rows:
            row["explanation"] = _explain(row)
    return Table(
        name=name,
        title=title,
        columns=_cols(TARGET_TABLE_COLUMNS, skip),
        rows=rows,
        empty=empty or _("没有符合条件的目标。"),
        detail=Col("explanation", _("说明")) if explain else None,
    )


# --- overview --------------------------------------------------------------------------------


def overview_page(*, as_of: dt.date, today: dt.date, year: int | None) -> dict[str, Any]:
    """Leadership view: a card per province, the ranking for a target year, the heat map,
    pace against time, and the targets most at risk. Six queries."""
    provinces = list(Province.objects.values("id", "code", "name", "full_name"))
    documents = _documents()
    current = [d for d in documents if in_force(d, as_of)]
    current_ids = [d["id"] for d in current]
    frame = status_frame(as_of=as_of, document_ids=current_ids)
    task_status = selectors.task_status_frame(document_ids=current_ids, as_of=as_of)
    tasks = _unique_tasks(task_status)

    years = sorted({int(y) for y in frame["target_year"].tolist()})
    if year is not None and year not in years:
        raise BadFilter(
            f"没有{year}年的目标(可选：{'、'.join(map(str, years)) or '无'}) / "
            f"no targets for {year} (choose from {', '.join(map(str, years)) or 'none'})"
        )
    if year is None:
        upcoming = [y for y in years if y >= 2025]
        year = upcoming[0] if upcoming else (years[-1] if years else as_of.year)

    cards = []
    ranking_rows = []
    for province in provinces:
        code = province["code"]
        docs = [d for d in current if d["province_code"] == code]
        mine = frame[frame["province"] == code]
        by_year = [{"year": y, **_counts_by_group(mine[mine["target_year"] == y])} for y in years]
        task_counts = _task_counts(tasks[tasks["province"] == code])
        cards.append(
            {
                "province": province,
                "url": with_as_of(reverse("provinces:province", args=[code]), as_of, today),
                "documents": [
                    {
                        **d,
                        "url": with_as_of(
                            reverse("provinces:document", args=[d["slug"]]), as_of, today
                        ),
                    }
                    for d in docs
                ],
                "years": by_year,
                "tasks": task_counts,
            }
        )
        chosen = mine[mine["target_year"] == year]
        if chosen.empty:
            continue
        good, judged, share = _good_share(chosen)
        counts = _counts_by_group(chosen)
        ranking_rows.append(
            {
                "province_name": province["name"],
                "province_name_url": with_as_of(
                    reverse("provinces:province", args=[code]), as_of, today
                ),
                "share": share,
                "share_pct": None if share is None else round(share * 100),
                "good": good,
                "assessable": judged,
                "good_of": f"{good}/{judged}",
                **counts,
            }
        )
    ranking_rows.sort(
        key=lambda r: (
            r["share"] is None,
            r["share"] if r["share"] is not None else 0,
            -(r["missed"] + r["lagging"]),
        )
    )
    behind = next((r for r in ranking_rows if r["share"] is not None), None)
    ranking = Table(
        name="ranking",
        title=_("%(year)s年目标进度排名(由后到前)") % {"year": year},
        columns=[
            Col("province_name", _("省份"), "link"),
            Col("share", _("达成或正常占比"), "pct"),
            Col("good_of", _("达成或正常/可评估")),
            Col("missed", _("未达成"), "num"),
            Col("lagging", _("滞后"), "num"),
            Col("no_data", _("无数据"), "num"),
            Col("total", _("目标数"), "num"),
        ],
        rows=ranking_rows,
        empty=_("尚无该年份的目标。"),
        highlight=lambda r: behind is not None and r is behind,
    )
    text = chart_text()
    labels = _str_labels(PACE_LABELS)
    chosen = frame[frame["target_year"] == year]
    heat = _heat_rows(chosen)
    heat_table = Table(
        name="heatmap",
        title=_("%(year)s年目标：省份×领域") % {"year": year},
        columns=[
            Col("province", _("省份")),
            Col("area", _("领域")),
            Col("good", _("达成或正常"), "num"),
            Col("assessable", _("可评估"), "num"),
            Col("total", _("目标数"), "num"),
            Col("share", _("达成或正常占比"), "pct"),
        ],
        rows=heat,
    )
    scatter_frame = _pace_points(frame)
    at_risk = _at_risk(frame, as_of=as_of)
    risk_table = targets_table(
        "at_risk",
        _("风险最高的目标"),
        at_risk,
        as_of=as_of,
        today=today,
        skip=("area",),
        explain=True,
        empty=_("目前没有滞后或倒退的目标。"),
    )
    figures = []
    if ranking_rows:
        figures.append(
            _chart(
                "chart-ranking",
                charts.province_ranking(
                    pd.DataFrame(
                        [
                            {
                                "province": r["province_name"],
                                "share": r["share"] if r["share"] is not None else float("nan"),
                                "good": r["good"],
                                "assessable": r["assessable"],
                            }
                            for r in ranking_rows
                        ]
                    ),
                    text=text,
                ),
                title=ranking.title,
                table="ranking",
            )
        )
    if heat:
        figures.append(
            _chart(
                "chart-heatmap",
                charts.status_heatmap(
                    pd.DataFrame(heat), text=text, row_order=[p["name"] for p in provinces]
                ),
                title=_("状态热力图：%(year)s年目标达成或正常占比") % {"year": year},
                table="heatmap",
                note=_("格内为“达成或正常/可评估”；“—/n”表示n个目标尚无可评估的数据。"),
            )
        )
    if not scatter_frame.empty:
        figures.append(
            _chart(
                "chart-pace",
                charts.pace_scatter(
                    scatter_frame.assign(province=scatter_frame["province_name"]),
                    labels=labels,
                    text=text,
                ),
                title=_("完成进度与时间进度(每点一个目标)"),
                table="targets",
                note=_("对角线以下为进度落后于时间；圆点为2025年目标，菱形为2035年目标。"),
            )
        )
    if not at_risk.empty:
        figures.append(
            _chart(
                "chart-risk",
                charts.at_risk_bars(
                    at_risk.assign(
                        label=[
                            f"{p} · {n} · {y}"
                            for p, n, y in zip(
                                at_risk["province_name"],
                                at_risk["indicator_name"],
                                at_risk["target_year"],
                                strict=True,
                            )
                        ]
                    ),
                    text=text,
                ),
                title=_("风险最高的目标"),
                table="at_risk",
            )
        )
    all_targets = targets_table("targets", _("全部现行目标"), frame, as_of=as_of, today=today)
    return {
        "year": year,
        "years": years,
        "cards": cards,
        "behind": behind,
        "tables": [ranking, heat_table, risk_table, all_targets],
        "charts": {c["id"]: c for c in figures},
        "has_targets": not frame.empty,
        # Values a document states for its baseline date are not 填报: anything after them is.
        "has_reports": bool((frame["latest_date"] > frame["baseline_date"]).any())
        if not frame.empty
        else False,
    }


def _pace_points(frame: pd.DataFrame) -> pd.DataFrame:
    """Targets that can be placed on the pace chart: numbers with a completion (no milestones)."""
    return frame[
        frame["completion_display"].notna() & (frame["measure_kind"] != MeasureKind.MILESTONE)
    ]


def _heat_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    if frame.empty:
        return rows
    for (province, area), part in frame.groupby(["province_name", "area"], sort=False):
        good, judged, share = _good_share(part)
        rows.append(
            {
                "province": province,
                "area": area,
                "good": good,
                "assessable": judged,
                "total": len(part),
                "share": share,
            }
        )
    return rows


def _at_risk(frame: pd.DataFrame, *, as_of: dt.date, limit: int = 10) -> pd.DataFrame:
    """Open targets falling behind: regressing first, then the lowest completion for the time."""
    if frame.empty:
        return frame
    open_ = frame["target_year"].map(lambda y: _year_end(y) > as_of)
    risky = frame[open_ & frame["pace_status"].isin(list(RISK_ORDER))].copy()
    risky["_order"] = risky["pace_status"].map(RISK_ORDER)
    risky = risky.sort_values(["_order", "pace_ratio", "score"], na_position="last")
    return risky.drop(columns=["_order"]).head(limit)


# --- comparison ------------------------------------------------------------------------------


def comparison_page(
    *, as_of: dt.date, today: dt.date, category: str | None, scale: str | None
) -> dict[str, Any]:
    """One category across provinces, and what each province set itself. Four queries."""
    categories = list(
        IndicatorCategory.objects.annotate(n=Count("indicators")).values(
            "code", "name", "note", "n"
        )
    )
    documents = _documents()
    current_ids = [d["id"] for d in documents if in_force(d, as_of)]
    frame = status_frame(as_of=as_of, document_ids=current_ids)
    provinces_per_category = (
        frame.groupby("category")["province"].nunique().to_dict() if not frame.empty else {}
    )
    for c in categories:
        c["provinces"] = int(provinces_per_category.get(c["code"], 0))
    codes = {c["code"] for c in categories}
    if category and category not in codes:
        raise BadFilter(f"未知的指标类别：{category} / unknown category: {category}")
    if scale not in (None, "", "raw", "completion"):
        raise BadFilter("scale 只能是 raw 或 completion / scale must be raw or completion")
    if not category and categories:
        # The category most provinces share; 强检覆盖率 first among equals (the example).
        ranked = sorted(
            categories,
            key=lambda c: (
                -c["provinces"],
                c["code"] != "mandatory-verification-coverage",
                c["code"],
            ),
        )
        category = ranked[0]["code"]
    chosen = next((c for c in categories if c["code"] == category), None)
    part = frame[frame["category"] == category] if category else frame.iloc[0:0]
    years = sorted({int(y) for y in part["target_year"].tolist()}) or [2025, 2035]

    rows = []
    for _indicator_id, group in part.groupby("indicator_id", sort=False):
        first = group.iloc[0]
        latest = group.sort_values("target_year").iloc[-1]
        base = next((v for v in group["baseline_value"] if not _missing(v)), None)
        if base is None:
            base = next((v for v in group["printed_baseline"] if not _missing(v)), None)
        row = {
            "indicator_id": int(first["indicator_id"]),
            "province": first["province"],
            "province_name": first["province_name"],
            "document_slug": first["document_slug"],
            "indicator_name": first["indicator_name"],
            "unit": first["unit"],
            "measure_kind": first["measure_kind"],
            "baseline_value": _plain(base),
            "latest_value": _plain(latest["latest_value"]),
            "latest_date": _plain(latest["latest_date"]),
            "label": f"{first['province_name']} · {first['indicator_name']}",
            "indicator_name_url": with_as_of(
                reverse("targets:indicator", args=[int(first["indicator_id"])]), as_of, today
            ),
            "province_name_url": with_as_of(
                reverse("provinces:province", args=[first["province"]]), as_of, today
            ),
        }
        for y in years:
            match = group[group["target_year"] == y]
            if match.empty:
                row.update(
                    {
                        f"target_{y}": None,
                        f"completion_{y}": None,
                        f"status_{y}": None,
                        f"target_{y}_text": "",
                    }
                )
                continue
            t = match.iloc[0]
            row[f"target_{y}"] = _plain(
                t["goal_value"] if not _missing(t["goal_value"]) else t["target_value"]
            )
            row[f"target_{y}_text"] = target_display(t.to_dict())
            row[f"completion_{y}"] = _plain(t["completion"])
            row[f"status_{y}"] = t["pace_status"]
        row["baseline"] = _value_display(row["baseline_value"], row["unit"])
        row["latest"] = _value_display(row["latest_value"], row["unit"])
        rows.append(row)
    units = {r["unit"] for r in rows if r["measure_kind"] != MeasureKind.MILESTONE}
    auto_normalise = len(units) > 1
    normalise = {"raw": False, "completion": True}.get(scale or "", auto_normalise)
    columns = [
        Col("province_name", _("省份"), "link"),
        Col("indicator_name", _("指标(原文表述)"), "link"),
        Col("unit", _("单位")),
        Col("baseline", _("基期值")),
        Col("latest", _("最新值")),
        Col("latest_date", _("最新值日期"), "date"),
    ]
    for y in years:
        columns += [
            Col(f"target_{y}_text", _("%(year)s年目标") % {"year": y}),
            Col(f"completion_{y}", _("%(year)s年完成进度") % {"year": y}, "pct"),
            Col(f"status_{y}", _("%(year)s年状态") % {"year": y}, "status"),
        ]
    table = Table(
        name="comparison",
        title=_("%(name)s：各省对比") % {"name": chosen["name"] if chosen else "—"},
        columns=columns,
        rows=rows,
        empty=_("该类别在现行文件中没有指标。"),
    )
    text = chart_text()
    figures = {}
    if rows:
        fig = charts.comparison_bars(
            pd.DataFrame(rows), years=years, normalise=normalise, text=text
        )
        figures["chart-compare"] = _chart(
            "chart-compare",
            fig,
            title=table.title,
            table="comparison",
            note=(
                _("各省单位不同(%(units)s)，已换算为完成进度：基期为0%%，目标为100%%。")
                % {"units": "、".join(sorted(u or "—" for u in units))}
                if normalise
                else _("柱为基期值与最新值，标记为目标值。")
            ),
        )
    # What each province set itself.
    set_rows = []
    kind_labels = {k: str(v) for k, v in MeasureKind.choices}
    if not frame.empty:
        for (province, area), group in frame.groupby(["province_name", "area"], sort=False):
            set_rows.append({"province": province, "area": area or "—", "count": len(group)})
    kind_rows = []
    if not frame.empty:
        for (province, kind), group in frame.groupby(["province_name", "measure_kind"], sort=False):
            kind_rows.append({"province": province, "measure_kind": kind, "count": len(group)})
    set_table = _set_table(frame)
    if set_rows:
        figures["chart-areas"] = _chart(
            "chart-areas",
            charts.targets_set_bars(pd.DataFrame(set_rows), by="area", text=text),
            title=_("各省自定目标：按领域"),
            table="targets_set",
        )
        figures["chart-kinds"] = _chart(
            "chart-kinds",
            charts.targets_set_bars(
                pd.DataFrame(kind_rows), by="measure_kind", labels=kind_labels, text=text
            ),
            title=_("各省自定目标：按测度类型"),
            table="targets_set",
        )
    return {
        "categories": categories,
        "category": chosen,
        "normalise": normalise,
        "auto_normalise": auto_normalise,
        "scale": scale or "",
        "years": years,
        "tables": [table, set_table],
        "charts": figures,
    }


def _set_table(frame: pd.DataFrame) -> Table:
    """Province × (year, area, measure kind) target counts."""
    rows = []
    if not frame.empty:
        for province, group in frame.groupby("province_name", sort=False):
            row: dict[str, Any] = {"province": province, "total": len(group)}
            for y, n in group["target_year"].value_counts().items():
                row[f"year_{int(y)}"] = int(n)
            for area, n in group["area"].value_counts().items():
                row[f"area_{area or '—'}"] = int(n)
            for kind, n in group["measure_kind"].value_counts().items():
                row[f"kind_{kind}"] = int(n)
            rows.append(row)
    years = sorted({int(y) for y in frame["target_year"].tolist()}) if not frame.empty else []
    areas = sorted({a or "—" for a in frame["area"].tolist()}) if not frame.empty else []
    columns = [Col("province", _("省份")), Col("total", _("目标数"), "num")]
    columns += [Col(f"year_{y}", _("%(year)s年") % {"year": y}, "num") for y in years]
    columns += [Col(f"area_{a}", a, "num") for a in areas]
    columns += [Col(f"kind_{k}", str(label), "num") for k, label in MeasureKind.choices]
    for row in rows:
        for column in columns:
            row.setdefault(column.key, 0)
    return Table(
        name="targets_set",
        title=_("各省自定目标数：按年份、领域、测度类型"),
        columns=columns,
        rows=rows,
        empty=_("尚未载入文件。"),
    )


# --- province --------------------------------------------------------------------------------


def _document_summary(
    document: Mapping[str, Any], frame: pd.DataFrame, tasks: pd.DataFrame, as_of, today
) -> dict[str, Any]:
    mine = frame[frame["document_id"] == document["id"]]
    years = sorted({int(y) for y in mine["target_year"].tolist()})
    return {
        **document,
        "url": with_as_of(reverse("provinces:document", args=[document["slug"]]), as_of, today),
        "period": f"{document['period_start']}—{document['period_end']}",
        "in_force": in_force(document, as_of),
        "ended": as_of.year > int(document["period_end"]),
        "years": [{"year": y, **_counts_by_group(mine[mine["target_year"] == y])} for y in years],
        "tasks": _task_counts(tasks[tasks["document_id"] == document["id"]]),
    }


def plan_outcome(
    document: Mapping[str, Any], frame: pd.DataFrame, *, as_of, today
) -> dict[str, Any]:
    """How a plan ended: its final-year targets judged against the values stated for that year."""
    mine = frame[frame["document_id"] == document["id"]]
    final = mine[mine["target_year"] == mine["target_year"].max()] if not mine.empty else mine
    missed = final[final["pace_status"] == "missed"]
    achieved = final[final["pace_status"] == "achieved"]
    unknown = final[~final["pace_status"].isin(["missed", "achieved"])]
    # Numbers first: a missed figure is what a leader asks about; a milestone nobody reported
    # comes after it.
    missed = missed.assign(_milestone=missed["measure_kind"] == MeasureKind.MILESTONE)
    missed = missed.sort_values(["_milestone", "completion"], na_position="last").drop(
        columns="_milestone"
    )
    title = _("上一规划(%(period)s年)完成情况") % {
        "period": f"{document['period_start']}—{document['period_end']}"
    }
    skip = ("province_name", "time_elapsed", "outlook", "area")
    return {
        "document": document,
        "title": title,
        "url": with_as_of(reverse("provinces:document", args=[document["slug"]]), as_of, today),
        "counts": {
            "missed": len(missed),
            "achieved": len(achieved),
            "unknown": len(unknown),
            "total": len(final),
        },
        "missed": targets_table(
            f"outcome_{document['slug']}_missed",
            _("未达成的目标"),
            missed,
            as_of=as_of,
            today=today,
            skip=skip,
            explain=True,
            empty=_("没有未达成的目标。"),
        ),
        "others": targets_table(
            f"outcome_{document['slug']}_others",
            _("已达成或无法判断的目标"),
            pd.concat([achieved, unknown]),
            as_of=as_of,
            today=today,
            skip=skip,
            empty=_("无。"),
        ),
    }


def department_ranking(
    task_status: pd.DataFrame, *, as_of: dt.date, today: dt.date
) -> tuple[Table, dict[str, Any] | None, pd.DataFrame]:
    """Departments by the troubled tasks they lead (牵头; 山西's unranked 责任单位 count too)."""
    frame = task_status[task_status["department_id"].notna()].copy()
    frame["status"] = frame["status"].astype(object).where(frame["status"].notna(), "no_update")
    rows = []
    for (department_id, name), group in frame.groupby(
        ["department_id", "department_name"], sort=False
    ):
        lead = group[group["role"].isin(LEAD_ROLES)]
        support = group[group["role"] == Role.SUPPORT]
        counts = lead["status"].value_counts()
        row = {
            "department_id": int(department_id),
            "department": name,
            "department_url": with_as_of(
                reverse("provinces:department", args=[int(department_id)]), as_of, today
            ),
            "lead_total": len(lead),
            "support_total": len(support),
            "support_delayed": int(support["status"].isin(["delayed"]).sum()),
        }
        for status in progress.TASK_STATUSES:
            row[status] = int(counts.get(status, 0))
        rows.append(row)
    rows.sort(key=lambda r: (-r["delayed"], -r["suspended"], -r["lead_total"], r["department"]))
    top = rows[0] if rows and rows[0]["delayed"] > 0 else None
    table = Table(
        name="departments",
        title=_("牵头任务滞后排名"),
        columns=[
            Col("department", _("单位"), "link"),
            Col("delayed", _("牵头滞后"), "num"),
            Col("suspended", _("牵头暂停"), "num"),
            Col("not_started", _("牵头未启动"), "num"),
            Col("in_progress", _("牵头推进中"), "num"),
            Col("completed", _("牵头已完成"), "num"),
            Col("no_update", _("牵头未填报"), "num"),
            Col("lead_total", _("牵头任务"), "num"),
            Col("support_total", _("配合任务"), "num"),
            Col("support_delayed", _("配合滞后"), "num"),
        ],
        rows=rows,
        empty=_("原文未列责任单位。"),
        highlight=lambda r: top is not None and r is top,
    )
    chart_frame = pd.DataFrame(
        [
            {"department": r["department"], **{s: r[s] for s in progress.TASK_STATUSES}}
            for r in rows
            if r["lead_total"]
        ]
    )
    return table, top, chart_frame


def province_page(*, code: str, as_of: dt.date, today: dt.date) -> dict[str, Any]:
    """A province: its documents, how the superseded plan ended, the lagging departments. Five
    queries."""
    province = (
        Province.objects.filter(code__iexact=code).values("id", "code", "name", "full_name").first()
    )
    if province is None:
        raise Http404(f"没有这个省份 / no such province: {code}")
    documents = [d for d in _documents() if d["province_id"] == province["id"]]
    ids = [d["id"] for d in documents]
    frame = status_frame(as_of=as_of, document_ids=ids)
    task_status = selectors.task_status_frame(document_ids=ids, as_of=as_of)
    tasks = _unique_tasks(task_status)
    summaries = [_document_summary(d, frame, tasks, as_of, today) for d in documents]
    superseded_ids = {d["supersedes_id"] for d in documents if d["supersedes_id"]}
    outcomes = [
        plan_outcome(d, frame, as_of=as_of, today=today)
        for d in documents
        if d["id"] in superseded_ids or as_of.year > int(d["period_end"])
    ]
    current_ids = [d["id"] for d in documents if in_force(d, as_of)]
    current = frame[frame["document_id"].isin(current_ids)]
    current_tasks = task_status[task_status["document_id"].isin(current_ids)]
    ranking, top, ranking_frame = department_ranking(current_tasks, as_of=as_of, today=today)
    text = chart_text()
    figures = {}
    scatter = _pace_points(current)
    if not scatter.empty:
        figures["chart-pace"] = _chart(
            "chart-pace",
            charts.pace_scatter(
                scatter.assign(province=scatter["province_name"]),
                labels=_str_labels(PACE_LABELS),
                text=text,
            ),
            title=_("完成进度与时间进度(每点一个目标)"),
            table="targets",
        )
    if not ranking_frame.empty:
        figures["chart-departments"] = _chart(
            "chart-departments",
            charts.department_task_bars(
                ranking_frame.head(12), labels=_str_labels(TASK_LABELS), text=text
            ),
            title=_("各单位牵头任务状态"),
            table="departments",
        )
    risk = targets_table(
        "at_risk",
        _("风险最高的目标"),
        _at_risk(current, as_of=as_of),
        as_of=as_of,
        today=today,
        skip=("province_name",),
        explain=True,
        empty=_("目前没有滞后或倒退的目标。"),
    )
    return {
        "province": province,
        "documents": summaries,
        "outcomes": outcomes,
        "top_department": top,
        "unranked_roles": bool((current_tasks["role"] == Role.RESPONSIBLE).any()),
        "departments_url": with_as_of(
            reverse("provinces:departments", args=[province["code"]]), as_of, today
        ),
        "tables": [
            risk,
            ranking,
            targets_table(
                "targets", _("现行目标"), current, as_of=as_of, today=today, skip=("province_name",)
            ),
            *[o["missed"] for o in outcomes],
            *[o["others"] for o in outcomes],
        ],
        "charts": figures,
    }


def departments_page(*, code: str, as_of: dt.date, today: dt.date) -> dict[str, Any]:
    """Every department of a province ranked by the lagging tasks it leads; matrix links.
    Three queries."""
    province = Province.objects.filter(code__iexact=code).values("id", "code", "name").first()
    if province is None:
        raise Http404(f"没有这个省份 / no such province: {code}")
    documents = [d for d in _documents() if d["province_id"] == province["id"]]
    current_ids = [d["id"] for d in documents if in_force(d, as_of)]
    task_status = selectors.task_status_frame(document_ids=current_ids, as_of=as_of)
    ranking, top, ranking_frame = department_ranking(task_status, as_of=as_of, today=today)
    figures = {}
    if not ranking_frame.empty:
        figures["chart-departments"] = _chart(
            "chart-departments",
            charts.department_task_bars(
                ranking_frame, labels=_str_labels(TASK_LABELS), text=chart_text()
            ),
            title=_("各单位牵头任务状态(滞后多者在上)"),
            table="departments",
        )
    return {
        "province": province,
        "top_department": top,
        # 山西 prints 责任单位 without saying who leads: the page says how they are counted.
        "unranked_roles": bool((task_status["role"] == Role.RESPONSIBLE).any()),
        "documents": [
            {
                **d,
                "matrix_url": reverse("provinces:responsibilities", args=[d["slug"]]),
                "url": with_as_of(reverse("provinces:document", args=[d["slug"]]), as_of, today),
            }
            for d in documents
            if d["id"] in current_ids
        ],
        "tables": [ranking],
        "charts": figures,
    }


# --- document --------------------------------------------------------------------------------


def document_page(
    *,
    slug: str,
    as_of: dt.date,
    today: dt.date,
    area: str | None = None,
    status: str | None = None,
    task_status: str | None = None,
) -> dict[str, Any]:
    """The document as published (sections → tasks → 专栏) with a status on every target and
    task, the plan it supersedes and how that ended. Ten queries."""
    documents = _documents()
    document = next((d for d in documents if d["slug"] == slug), None)
    if document is None:
        raise Http404(f"没有这个文件 / no such document: {slug}")
    if status and status not in STATUS_GROUPS:
        raise BadFilter(
            f"未知状态：{status}(可选：{'、'.join(STATUS_GROUPS)}) / unknown status: {status}"
        )
    if task_status and task_status not in progress.TASK_STATUSES:
        raise BadFilter(f"未知任务状态：{task_status} / unknown task status: {task_status}")
    previous = None
    ids = [document["id"]]
    if document["supersedes_id"]:
        previous = next((d for d in documents if d["id"] == document["supersedes_id"]), None)
        if previous:
            ids.append(previous["id"])
    frame = status_frame(as_of=as_of, document_ids=ids)
    own = frame[frame["document_id"] == document["id"]]
    areas = sorted({a for a in own["area"].tolist() if a})
    if area and area not in areas:
        raise BadFilter(
            f"本文件没有“{area}”领域(可选：{'、'.join(areas) or '无'}) / "
            f"no area “{area}” in this document"
        )
    statuses = selectors.task_status_frame(document_ids=[document["id"]], as_of=as_of)
    tasks_all = _unique_tasks(statuses)
    sections = list(
        Section.objects.filter(document_id=document["id"])
        .order_by("sort_order", "id")
        .values("id", "parent_id", "key", "number", "title", "level")
    )
    task_rows = list(
        Task.objects.filter(document_id=document["id"])
        .order_by("sort_order", "id")
        .values("id", "section_id", "number", "title", "text")
    )
    column_rows = list(
        Column.objects.filter(document_id=document["id"])
        .order_by("number")
        .values("id", "task_id", "number", "title")
    )
    item_rows = list(
        ColumnItem.objects.filter(column__document_id=document["id"])
        .order_by("column_id", "sort_order")
        .values("column_id", "number", "title", "text")
    )
    indicator_rows = {
        row["id"]: row
        for row in Indicator.objects.filter(document_id=document["id"]).values(
            "id", "section_id", "task_id", "column_id"
        )
    }
    # Targets grouped per indicator, filtered by area and status.
    shown = own
    if area:
        shown = shown[shown["area"] == area]
    if status:
        shown = shown[shown["group"] == status]
    target_rows = [_target_row(r, as_of, today) for r in records(shown)]
    per_indicator: dict[int, list[dict[str, Any]]] = {}
    for row in target_rows:
        per_indicator.setdefault(int(row["indicator_id"]), []).append(row)
    indicators = []
    for indicator_id, rows in per_indicator.items():
        placed = indicator_rows.get(indicator_id, {})
        indicators.append(
            {
                "id": indicator_id,
                "name": rows[0]["indicator_name"],
                "url": rows[0]["indicator_url"],
                "area": rows[0]["area"],
                "unit": rows[0]["unit"],
                "baseline": rows[0]["baseline"],
                "targets": rows,
                "section_id": placed.get("section_id"),
                "task_id": placed.get("task_id"),
                "column_id": placed.get("column_id"),
            }
        )
    # Tasks with their departments and status.
    departments: dict[int, list[dict[str, Any]]] = {}
    for row in records(statuses):
        if row["department_id"] is None:
            continue
        departments.setdefault(int(row["task_id"]), []).append(
            {
                "name": row["department_name"],
                "role": row["role"],
                "role_label": str(ROLE_LABELS.get(row["role"], "")),
                "url": reverse("provinces:department", args=[int(row["department_id"])]),
            }
        )
    status_of = {
        int(r["task_id"]): r
        for r in records(tasks_all, ["task_id", "status", "percent", "status_as_of"])
    }
    items_of: dict[int, list[dict[str, Any]]] = {}
    for item in item_rows:
        items_of.setdefault(item["column_id"], []).append(item)
    columns_of_task: dict[int | None, list[dict[str, Any]]] = {}
    for column in column_rows:
        column["items"] = items_of.get(column["id"], [])
        column["indicators"] = [i for i in indicators if i["column_id"] == column["id"]]
        columns_of_task.setdefault(column["task_id"], []).append(column)
    tasks_of_section: dict[int, list[dict[str, Any]]] = {}
    for task in task_rows:
        state = status_of.get(task["id"], {})
        task.update(
            {
                "url": with_as_of(reverse("tasks:task", args=[task["id"]]), as_of, today),
                "status": state.get("status") or "no_update",
                "status_label": str(TASK_LABELS.get(state.get("status") or "no_update")),
                "percent": state.get("percent"),
                "status_as_of": state.get("status_as_of"),
                "departments": departments.get(task["id"], []),
                "columns": columns_of_task.get(task["id"], []),
                "indicators": [
                    i for i in indicators if i["task_id"] == task["id"] and not i["column_id"]
                ],
            }
        )
        if task_status and task["status"] != task_status:
            continue
        tasks_of_section.setdefault(task["section_id"], []).append(task)
    # Columns that follow no task sit where their indicators are stated.
    loose_columns = columns_of_task.get(None, [])
    columns_of_section: dict[int | None, list[dict[str, Any]]] = {}
    for column in loose_columns:
        homes = [i["section_id"] for i in column["indicators"] if i["section_id"]]
        home = max(set(homes), key=homes.count) if homes else None
        columns_of_section.setdefault(home, []).append(column)
    children: dict[int | None, list[dict[str, Any]]] = {}
    for section in sections:
        children.setdefault(section["parent_id"], []).append(section)
    outline: list[dict[str, Any]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for section in children.get(parent_id, []):
            outline.append(
                {
                    **section,
                    "depth": depth,
                    "tasks": tasks_of_section.get(section["id"], []),
                    "columns": columns_of_section.get(section["id"], []),
                    "indicators": [
                        i
                        for i in indicators
                        if i["section_id"] == section["id"]
                        and not i["task_id"]
                        and not i["column_id"]
                    ],
                }
            )
            walk(section["id"], depth + 1)

    walk(None, 0)
    orphans = columns_of_section.get(None, [])
    summary = _document_summary(document, frame, tasks_all, as_of, today)
    outcomes = []
    if previous:
        outcomes.append(plan_outcome(previous, frame, as_of=as_of, today=today))
    if as_of.year > int(document["period_end"]):
        own_outcome = plan_outcome(document, frame, as_of=as_of, today=today)
        own_outcome["title"] = _("本规划(%(period)s年)完成情况") % {
            "period": f"{document['period_start']}—{document['period_end']}"
        }
        outcomes.append(own_outcome)
    superseded_by = next((d for d in documents if d["supersedes_id"] == document["id"]), None)
    task_table = Table(
        name="tasks",
        title=_("重点任务"),
        columns=[
            Col("number", _("序号")),
            Col("title", _("任务"), "link"),
            Col("lead", _("牵头/责任单位")),
            Col("support", _("配合单位")),
            Col("status", _("状态"), "task_status"),
            Col("percent", _("完成百分比"), "num"),
        ],
        rows=[
            {
                "number": t["number"],
                "title": t["title"],
                "title_url": t["url"],
                "lead": "、".join(d["name"] for d in t["departments"] if d["role"] in LEAD_ROLES),
                "support": "、".join(
                    d["name"] for d in t["departments"] if d["role"] == Role.SUPPORT
                ),
                "status": t["status"],
                "percent": t["percent"],
            }
            for t in task_rows
            if not task_status or t["status"] == task_status
        ],
    )
    return {
        "document": summary,
        "previous": previous,
        "superseded_by": superseded_by,
        "outline": outline,
        "orphan_columns": orphans,
        "outcomes": outcomes,
        "areas": areas,
        "filters": {"area": area or "", "status": status or "", "task_status": task_status or ""},
        "status_choices": [(k, str(v)) for k, v in GROUP_LABELS.items()],
        "task_status_choices": [(k, str(v)) for k, v in TASK_LABELS.items()],
        "matrix_url": reverse("provinces:responsibilities", args=[document["slug"]]),
        "tables": [
            targets_table(
                "targets", _("目标"), shown, as_of=as_of, today=today, skip=("province_name",)
            ),
            task_table,
            *[o["missed"] for o in outcomes],
            *[o["others"] for o in outcomes],
        ],
        "charts": {},
        "shown_targets": len(shown),
        "total_targets": len(own),
    }


def responsibilities_page(*, slug: str) -> dict[str, Any]:
    """Departments × tasks (牵头 / 配合) for one document. Two queries."""
    document = (
        PolicyDocument.objects.filter(slug=slug)
        .values("id", "slug", "title", "number", "province__name", "province__code")
        .first()
    )
    if document is None:
        raise Http404(f"没有这个文件 / no such document: {slug}")
    assignments = list(
        Assignment.objects.filter(task__document_id=document["id"])
        .order_by("task__sort_order", "task_id", "sort_order")
        .values(
            "task_id",
            "role",
            "department_id",
            task_number=F("task__number"),
            task_title=F("task__title"),
            section_id=F("task__section_id"),
            section_number=F("task__section__number"),
            section_title=F("task__section__title"),
            department_name=F("department__name"),
        )
    )
    tasks: dict[int, dict[str, Any]] = {}
    departments: dict[int, dict[str, Any]] = {}
    for a in assignments:
        tasks.setdefault(
            a["task_id"],
            {
                "id": a["task_id"],
                "number": a["task_number"],
                "title": a["task_title"],
                "section_id": a["section_id"],
                "section": f"{a['section_number']}{a['section_title']}",
                "section_number": a["section_number"],
                "url": reverse("tasks:task", args=[a["task_id"]]),
            },
        )
        entry = departments.setdefault(
            a["department_id"],
            {
                "id": a["department_id"],
                "name": a["department_name"],
                "url": reverse("provinces:department", args=[a["department_id"]]),
                "roles": {},
                "lead": 0,
                "support": 0,
            },
        )
        entry["roles"][a["task_id"]] = a["role"]
        if a["role"] in LEAD_ROLES:
            entry["lead"] += 1
        else:
            entry["support"] += 1
    ordered = sorted(departments.values(), key=lambda d: (-d["lead"], -d["support"], d["name"]))
    task_list = list(tasks.values())
    # Task numbers restart in every part ((一)(二)… in 江苏 and 山东): a header row of sections.
    section_groups: list[dict[str, Any]] = []
    for t in task_list:
        if section_groups and section_groups[-1]["id"] == t["section_id"]:
            section_groups[-1]["span"] += 1
        else:
            section_groups.append(
                {
                    "id": t["section_id"],
                    "number": t["section_number"],
                    "title": t["section"],
                    "span": 1,
                }
            )
    for d in ordered:
        d["cells"] = [
            {
                "role": d["roles"].get(t["id"], ""),
                "mark": str(ROLE_MARKS.get(d["roles"].get(t["id"]), "")),
            }
            for t in task_list
        ]
    columns = [
        Col("department", _("单位")),
        Col("lead", _("牵头"), "num"),
        Col("support", _("配合"), "num"),
    ]
    columns += [Col(f"task_{t['id']}", f"{t['section_number']}{t['number']}") for t in task_list]
    rows = []
    for d in ordered:
        row = {"department": d["name"], "lead": d["lead"], "support": d["support"]}
        for t in task_list:
            row[f"task_{t['id']}"] = str(ROLE_LABELS.get(d["roles"].get(t["id"]), ""))
        rows.append(row)
    table = Table(
        name="matrix",
        title=_("责任矩阵"),
        columns=columns,
        rows=rows,
        empty=_("原文未列责任单位。"),
    )
    return {
        "document": document,
        "tasks": task_list,
        "sections": section_groups,
        "departments": ordered,
        "tables": [table],
    }


# --- department ------------------------------------------------------------------------------


def department_page(*, pk: int, as_of: dt.date, today: dt.date) -> dict[str, Any]:
    """Every task a department leads or supports, with status. Three queries."""
    department = (
        Department.objects.filter(pk=pk)
        .values(
            "id",
            "name",
            "province_id",
            province_code=F("province__code"),
            province_name=F("province__name"),
        )
        .first()
    )
    if department is None:
        raise Http404(f"没有这个单位 / no such department: {pk}")
    document_ids = list(
        Assignment.objects.filter(department_id=pk).values_list("task__document_id", flat=True)
    )
    statuses = selectors.task_status_frame(document_ids=sorted(set(document_ids)), as_of=as_of)
    mine = statuses[statuses["department_id"] == pk].copy()
    mine["status"] = mine["status"].astype(object).where(mine["status"].notna(), "no_update")
    rows = []
    for row in records(mine):
        rows.append(
            {
                **row,
                "task_title_url": with_as_of(
                    reverse("tasks:task", args=[row["task_id"]]), as_of, today
                ),
            }
        )
    columns = [
        Col("task_number", _("序号")),
        Col("task_title", _("任务"), "link"),
        Col("status", _("状态"), "task_status"),
        Col("percent", _("完成百分比"), "num"),
        Col("status_as_of", _("截至"), "date"),
    ]
    lead = Table(
        "lead",
        _("牵头(责任)任务"),
        columns,
        [r for r in rows if r["role"] in LEAD_ROLES],
        empty=_("没有牵头任务。"),
    )
    support = Table(
        "support",
        _("配合任务"),
        columns,
        [r for r in rows if r["role"] == Role.SUPPORT],
        empty=_("没有配合任务。"),
    )
    counts = {
        "lead": _task_counts(pd.DataFrame(lead.rows, columns=["status"])),
        "support": _task_counts(pd.DataFrame(support.rows, columns=["status"])),
    }
    return {
        "department": department,
        "counts": counts,
        "tables": [lead, support],
        "charts": {},
        "province_url": with_as_of(
            reverse("provinces:province", args=[department["province_code"]]), as_of, today
        ),
        "departments_url": with_as_of(
            reverse("provinces:departments", args=[department["province_code"]]), as_of, today
        ),
        "documents": [
            {**d, "matrix_url": reverse("provinces:responsibilities", args=[d["slug"]])}
            for d in PolicyDocument.objects.filter(id__in=sorted(set(document_ids)))
            .order_by("period_start", "slug")
            .values("id", "slug", "title", "period_start", "period_end")
        ],
    }


# --- indicator -------------------------------------------------------------------------------


def highlight(
    text: str, quotes: Sequence[str], *, context: int = 160
) -> list[list[dict[str, Any]]]:
    """Excerpts of ``text`` around the quotes: each a list of parts ``{"text", "mark"}``.

    Quotes that overlap or sit close together share one excerpt (a sentence and the clause
    inside it are marked once, as their union). The template escapes every part and wraps the
    marked ones in <mark>; no HTML is built here.
    """
    spans: list[tuple[int, int]] = []
    for quote in quotes:
        if not quote:
            continue
        start = text.find(quote)
        if start >= 0:
            spans.append((start, start + len(quote)))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    excerpts: list[list[dict[str, Any]]] = []
    window: list[list[int]] = []
    for span in merged:
        if window and span[0] - window[-1][1] <= 2 * context:
            window.append(span)
            continue
        if window:
            excerpts.append(_excerpt(text, window, context))
        window = [span]
    if window:
        excerpts.append(_excerpt(text, window, context))
    return excerpts


def _excerpt(text: str, spans: list[list[int]], context: int) -> list[dict[str, Any]]:
    lo = max(0, spans[0][0] - context)
    hi = min(len(text), spans[-1][1] + context)
    parts = [{"text": "…" if lo > 0 else "", "mark": False}]
    cursor = lo
    for start, end in spans:
        parts.append({"text": text[cursor:start], "mark": False})
        parts.append({"text": text[start:end], "mark": True})
        cursor = end
    parts.append({"text": text[cursor:hi] + ("…" if hi < len(text) else ""), "mark": False})
    return [part for part in parts if part["text"]]


def indicator_page(*, pk: int, as_of: dt.date, today: dt.date) -> dict[str, Any]:
    """An indicator: trend, baseline and target lines, projections, the sentence, the history of
    its status and the source text. Five queries."""
    indicator = (
        Indicator.objects.filter(pk=pk)
        .values(
            "id",
            "name",
            "code",
            "area",
            "unit",
            "attribute",
            "direction",
            "measure_kind",
            "baseline_year",
            "baseline_value",
            "baseline_quote",
            "quote",
            "document_id",
            document_slug=F("document__slug"),
            document_title=F("document__title"),
            document_number=F("document__number"),
            document_text=F("document__source_text"),
            province_code=F("document__province__code"),
            province_name=F("document__province__name"),
            category_code=F("category__code"),
            category_name=F("category__name"),
        )
        .first()
    )
    if indicator is None:
        raise Http404(f"没有这个指标 / no such indicator: {pk}")
    frame = status_frame(as_of=as_of, indicator_ids=[pk])
    reports = selectors.approved_reports_frame(indicator_ids=[pk], as_of=as_of)
    history = selectors.progress_results_frame(indicator_ids=[pk])
    unit = indicator["unit"] or ""
    targets = []
    for row in records(frame):
        row = _target_row(row, as_of, today)
        row["explanation"] = _explain(row)
        row["outlook_label"] = str(OUTLOOK_LABELS.get(row.get("outlook"), ""))
        row["status_label"] = str(PACE_LABELS.get(row.get("pace_status"), ""))
        row["projection_text"] = _value_display(row.get("projection"), unit)
        row["due"] = _year_end(row["target_year"])
        targets.append(row)
    text = chart_text()
    figures = {}
    numeric = indicator["measure_kind"] != MeasureKind.MILESTONE
    values = reports[["as_of", "value", "is_demo"]].dropna(subset=["value"]) if numeric else None
    if numeric:
        base_row = next((t for t in targets if t.get("baseline_value") is not None), None)
        trend_targets = pd.DataFrame(
            [
                {
                    "target_year": t["target_year"],
                    "target_value": t["goal_value"]
                    if t.get("goal_value") is not None
                    else t["target_value"],
                    # A projection says something only while the target year is still ahead.
                    "projection": t["projection"]
                    if t.get("projection") is not None and t["due"] > as_of
                    else float("nan"),
                    "method_label": t["method_label"],
                }
                for t in targets
            ],
            columns=["target_year", "target_value", "projection", "method_label"],
        )
        fig = charts.indicator_trend(
            values,
            trend_targets,
            baseline_value=base_row["baseline_value"] if base_row else None,
            baseline_date=base_row["baseline_date"] if base_row else None,
            unit=unit,
            text=text,
        )
        if fig.data:
            figures["chart-trend"] = _chart(
                "chart-trend",
                fig,
                title=_("趋势：已审核填报值、基期、目标与预测"),
                table="reports",
                note=_("空心点为示例数据；点线为按所列方法外推到目标年的预测。"),
            )
    if not history.empty:
        fig = charts.status_history(history, labels=_str_labels(PACE_LABELS), text=text)
        figures["chart-history"] = _chart(
            "chart-history",
            fig,
            title=_("状态的变化(历次测算结果)"),
            table="history",
        )
    report_rows = [
        {
            "as_of": r["as_of"],
            "value": r["value"],
            "done": (_("是") if r["done"] else _("否")) if r["done"] is not None else "",
            "is_demo": _("示例数据") if r["is_demo"] else _("正式数据"),
        }
        for r in records(reports)
    ]
    report_columns = [Col("as_of", _("截至日期"), "date")]
    if numeric:
        report_columns.append(Col("value", _("数值") + (f"({unit})" if unit else ""), "num"))
    else:
        report_columns.append(Col("done", _("已完成")))
    report_columns.append(Col("is_demo", _("来源")))
    history_rows = []
    for r in records(history):
        history_rows.append(
            {
                "as_of": r["as_of"],
                "target_year": r["target_year"],
                "latest_value": r["latest_value"],
                "completion": r["completion"],
                "time_elapsed": r["time_elapsed"],
                "pace_status": r["pace_status"],
                "outlook": r["outlook"],
            }
        )
    quotes = [
        indicator["quote"],
        indicator["baseline_quote"],
        *Target.objects.filter(indicator_id=pk).order_by("year").values_list("quote", flat=True),
    ]
    return {
        "indicator": indicator,
        "targets": targets,
        "charts": figures,
        "numeric": numeric,
        "excerpts": highlight(indicator["document_text"] or "", quotes),
        "document_url": with_as_of(
            reverse("provinces:document", args=[indicator["document_slug"]]), as_of, today
        ),
        "province_url": with_as_of(
            reverse("provinces:province", args=[indicator["province_code"]]), as_of, today
        ),
        "compare_url": (
            with_as_of(
                reverse("targets:compare"), as_of, today, category=indicator["category_code"]
            )
            if indicator["category_code"]
            else ""
        ),
        "tables": [
            targets_table(
                "targets",
                _("目标与进度"),
                frame,
                as_of=as_of,
                today=today,
                skip=("province_name", "indicator_name", "area"),
                explain=True,
            ),
            Table(
                "reports",
                _("已审核填报值"),
                report_columns,
                report_rows,
                empty=_("尚无已审核的填报数据。"),
            ),
            Table(
                "history",
                _("历次测算结果"),
                [
                    Col("as_of", _("测算基准日"), "date"),
                    Col("target_year", _("目标年")),
                    Col("latest_value", _("最新值"), "num"),
                    Col("completion", _("完成进度"), "pct"),
                    Col("time_elapsed", _("时间进度"), "pct"),
                    Col("pace_status", _("状态"), "status"),
                    Col("outlook", _("趋势研判"), "outlook"),
                ],
                history_rows,
                empty=_("尚无历次测算结果(运行 recompute_progress 后出现)。"),
            ),
        ],
    }


# --- task ------------------------------------------------------------------------------------


def task_page(*, pk: int, as_of: dt.date, today: dt.date) -> dict[str, Any]:
    """A task: its text, departments, 专栏 items and the history of its updates. Five queries."""
    task = (
        Task.objects.filter(pk=pk)
        .values(
            "id",
            "number",
            "title",
            "text",
            "quote",
            "departments_quote",
            "document_id",
            section_number=F("section__number"),
            section_title=F("section__title"),
            document_slug=F("document__slug"),
            document_title=F("document__title"),
            province_code=F("document__province__code"),
            province_name=F("document__province__name"),
        )
        .first()
    )
    if task is None:
        raise Http404(f"没有这个任务 / no such task: {pk}")
    departments = [
        {
            **a,
            "role_label": str(ROLE_LABELS.get(a["role"], "")),
            "url": reverse("provinces:department", args=[a["department_id"]]),
        }
        for a in Assignment.objects.filter(task_id=pk)
        .order_by("sort_order", "id")
        .values("department_id", "role", name=F("department__name"))
    ]
    items = list(
        ColumnItem.objects.filter(column__task_id=pk)
        .order_by("column__number", "sort_order")
        .values(
            "number",
            "title",
            "text",
            "column_id",
            column_number=F("column__number"),
            column_title=F("column__title"),
        )
    )
    columns: dict[int, dict[str, Any]] = {}
    for item in items:
        columns.setdefault(
            item["column_id"],
            {"number": item["column_number"], "title": item["column_title"], "items": []},
        )["items"].append(item)
    updates = list(
        TaskUpdate.objects.filter(task_id=pk, review_status="approved", as_of__lte=as_of)
        .order_by("-as_of", "-reviewed_at", "-id")
        .values(
            "as_of",
            "status",
            "percent",
            "narrative",
            "is_demo",
            reporting=F("reporting_department__name"),
        )
    )
    for update in updates:
        update["is_demo"] = _("示例数据") if update["is_demo"] else ""
    latest = updates[0] if updates else None
    table = Table(
        "updates",
        _("任务进展(已审核)"),
        [
            Col("as_of", _("截至日期"), "date"),
            Col("status", _("状态"), "task_status"),
            Col("percent", _("完成百分比"), "num"),
            Col("narrative", _("进展说明")),
            Col("reporting", _("填报单位")),
            Col("is_demo", _("来源")),
        ],
        updates,
        empty=_("尚无已审核的任务进展。"),
    )
    return {
        "task": task,
        "departments": departments,
        "columns": list(columns.values()),
        "latest": latest,
        "latest_status": (latest or {}).get("status") or "no_update",
        "latest_label": str(TASK_LABELS.get((latest or {}).get("status") or "no_update")),
        "document_url": with_as_of(
            reverse("provinces:document", args=[task["document_slug"]]), as_of, today
        ),
        "tables": [table],
        "charts": {},
    }
