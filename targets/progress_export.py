"""Stored progress results as a CSV a reader can check by hand against DESIGN.md.

One row per target: where it comes from, the target, the baseline and latest value the method
used, then completion c, time elapsed e, the pace status (from c / e), the outlook and the
projection with its method. Ratios are fractions (0.6 = 60 %), numbers keep four decimals at
most, status columns carry the code and the Chinese label.
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any

import pandas as pd

from provinces.resources import escape_formula
from targets.progress import OUTLOOK_LABELS, PACE_STATUS_LABELS

EXPORT_COLUMNS: tuple[str, ...] = (
    "province",
    "document",
    "indicator",
    "indicator_name",
    "unit",
    "target_year",
    "target",
    "comparator",
    "baseline",
    "baseline_date",
    "latest_value",
    "latest_date",
    "achieved",
    "completion",
    "time_elapsed",
    "pace_status",
    "pace_status_label",
    "outlook",
    "outlook_label",
    "projection",
    "method",
    "as_of",
)


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def number(value: Any) -> str:
    """0.6 → "0.6", 90.0 → "90", 1/3 → "0.3333"; blank when unknown."""
    if _missing(value):
        return ""
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def day(value: Any) -> str:
    return "" if _missing(value) else pd.Timestamp(value).date().isoformat()


def target_text(row: dict[str, Any]) -> str:
    if row["comparator"] == "done":
        return "完成"
    if row["comparator"] == "range":
        return f"{number(row['lower_bound'])}—{number(row['target_value'])}"
    return number(row["target_value"])


def export_rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    """progress_results_frame rows → text cells of EXPORT_COLUMNS."""
    rows = []
    for row in frame.to_dict("records"):
        achieved = row["achieved"]
        rows.append(
            {
                "province": row["province"],
                "document": row["document_slug"],
                "indicator": row["indicator_code"],
                "indicator_name": row["indicator_name"],
                "unit": row["unit"],
                "target_year": str(row["target_year"]),
                "target": target_text(row),
                "comparator": row["comparator"],
                "baseline": number(row["baseline_value"]),
                "baseline_date": day(row["baseline_date"]),
                "latest_value": number(row["latest_value"]),
                "latest_date": day(row["latest_date"]),
                "achieved": "" if _missing(achieved) else str(bool(achieved)).lower(),
                "completion": number(row["completion"]),
                "time_elapsed": number(row["time_elapsed"]),
                "pace_status": row["pace_status"],
                "pace_status_label": PACE_STATUS_LABELS.get(row["pace_status"], ""),
                "outlook": row["outlook"] or "",
                "outlook_label": OUTLOOK_LABELS.get(row["outlook"] or "", ""),
                "projection": number(row["projection"]),
                "method": row["method"] or "",
                "as_of": day(row["as_of"]),
            }
        )
    return rows


def progress_csv(frame: pd.DataFrame) -> str:
    """CSV text (CRLF rows, header first); text that Excel would run as a formula is escaped."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(EXPORT_COLUMNS))
    writer.writeheader()
    for row in export_rows(frame):
        writer.writerow({key: escape_formula(value) for key, value in row.items()})
    return buffer.getvalue()
