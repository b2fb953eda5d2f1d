"""Tables as the pages show them and as the CSV / Excel downloads serve them.

``Table`` holds rows of plain values and says how each column reads (``Col.kind``); the
template and the downloads share that one rendering, so a download is what is on screen.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dashboards.labels import (
    GROUP_LABELS,
    OUTLOOK_LABELS,
    PACE_LABELS,
    ROLE_LABELS,
    TASK_LABELS,
    completion_text,
)
from targets.catalogue import rows_to_csv


@dataclass(frozen=True)
class Col:
    """A table column. ``kind``: text, link (href in ``<key>_url``), status (pace status code),
    task_status, group, outlook, pct (fraction), completion (a fraction, negative ones say why:
    the row's ``direction``), num, date, role."""

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
    # Rows shown on the page (None: all); a download always serves every row.
    shown: int | None = None

    def cell_text(self, column: Col, row: Mapping[str, Any]) -> str:
        value = row.get(column.key)
        if missing(value):
            return "—" if column.kind in ("pct", "completion", "num", "date") else ""
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
        if column.kind == "completion":
            return completion_text(value, row.get("direction") or "up")
        if column.kind == "num":
            return format_number(value)
        if column.kind == "date":
            return value.isoformat() if hasattr(value, "isoformat") else str(value)
        return str(value)

    @property
    def body(self) -> list[dict[str, Any]]:
        """Rows as display cells for the template: text, link, badge class, numeric flag."""
        out = []
        for row in self.rows if self.shown is None else self.rows[: self.shown]:
            cells = []
            for column in self.columns:
                value = row.get(column.key)
                badge = ""
                if column.kind in ("status", "task_status", "group") and not missing(value):
                    badge = f"badge badge-{value}"
                cells.append(
                    {
                        "text": self.cell_text(column, row),
                        "href": row.get(f"{column.key}_url") or "",
                        "badge": badge,
                        "numeric": column.kind in ("pct", "completion", "num"),
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
    def hidden_count(self) -> int:
        """Rows left off the page (in the download only)."""
        return 0 if self.shown is None else max(len(self.rows) - self.shown, 0)

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
        if missing(value):
            return None
        if column.kind in ("pct", "completion"):
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


def missing(value: Any) -> bool:
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
    if missing(value):
        return "—"
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
