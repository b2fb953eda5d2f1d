"""What several pages share: the live status frame, document lists, counts, target tables.

``status_frame`` joins the targets with their progress computed live by the pure progress
module for the page's as-of date, so any date works and pages and Celery jobs share one
arithmetic. Reads are whole-set ``.values()`` queries (through ``targets.selectors`` where one
exists); no per-row queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from django.db.models import F
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from dashboards import charts
from dashboards.labels import (
    GROUP_OF_STATUS,
    METHOD_LABELS,
    OUTLOOK_LABELS,
    PACE_LABELS,
    RISK_ORDER,
    STATUS_GROUPS,
    completion_text,
)
from dashboards.tables import Col, Table, format_number, missing
from provinces.models import PolicyDocument
from targets import progress, selectors
from targets.models import COMPARATOR_SYMBOLS, MeasureKind


class BadFilter(ValueError):
    """A page parameter that cannot be honoured; the message is bilingual and shown as is."""


def plain(value: Any) -> Any:
    """numpy / pandas scalars → Python (dates as dt.date), missing → None."""
    if missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):
        return value.item()
    return value


def records(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (``plain``), converted a column at a time."""
    keys = list(columns) if columns is not None else list(frame.columns)
    if frame.empty:
        return []
    values = []
    for key in keys:
        column = frame[key]
        if pd.api.types.is_datetime64_any_dtype(column):
            values.append([None if pd.isna(v) else v.date() for v in column])
        elif column.dtype == object:
            values.append([plain(v) for v in column])
        else:  # numbers and booleans: Python objects from numpy in one pass, NaN / NA → None
            values.append(column.astype(object).where(column.notna(), None).tolist())
    return [dict(zip(keys, row, strict=True)) for row in zip(*values, strict=True)]


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
    if comparator == "done" or missing(row.get("target_value")):
        return _("完成")
    value = format_number(row["target_value"])
    if comparator == "range" and not missing(row.get("lower_bound")):
        return f"{format_number(row['lower_bound'])}—{value}{unit}"
    return f"{COMPARATOR_SYMBOLS.get(str(comparator), '')}{value}{unit}"


def value_display(value: Any, unit: str) -> str:
    return "—" if missing(value) else f"{format_number(value)}{unit or ''}"


def year_end(year: int) -> dt.date:
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
    demo = pd.Series(
        stated["is_demo"].astype(bool).to_numpy(),
        index=pd.MultiIndex.from_arrays(
            [
                stated["indicator_id"].astype("int64").to_numpy(),
                pd.to_datetime(stated["as_of"]).dt.normalize().to_numpy(),
            ]
        ),
    )
    demo = demo[~demo.index.duplicated(keep="last")]
    days = pd.to_datetime(frame["latest_date"]).dt.normalize()
    found = demo.reindex(
        pd.MultiIndex.from_arrays([frame["indicator_id"].astype("int64").to_numpy(), days])
    ).to_numpy(dtype=object)
    frame["latest_is_demo"] = [
        None if pd.isna(d) or pd.isna(v) else bool(v) for d, v in zip(days, found, strict=True)
    ]
    frame["latest_source"] = frame["latest_is_demo"].map(
        {True: str(_("示例数据")), False: str(_("正式数据"))}
    )
    for column in ("area", "unit", "category_name", "attribute"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), "")
    return frame[list(STATUS_COLUMNS)]


def all_documents() -> list[dict[str, Any]]:
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
            province_level=F("province__level"),
            province_parent=F("province__parent__code"),
        )
    )


def counts_by_group(frame: pd.DataFrame) -> dict[str, int]:
    counts = frame["group"].value_counts() if not frame.empty else pd.Series(dtype=int)
    out = {group: int(counts.get(group, 0)) for group in STATUS_GROUPS}
    out["total"] = len(frame)
    return out


def unique_tasks(task_status: pd.DataFrame) -> pd.DataFrame:
    frame = task_status.drop_duplicates("task_id").copy()
    frame["status"] = frame["status"].astype(object).where(frame["status"].notna(), "no_update")
    return frame


def count_tasks(tasks: pd.DataFrame) -> dict[str, int]:
    counts = tasks["status"].value_counts() if not tasks.empty else pd.Series(dtype=int)
    out = {status: int(counts.get(status, 0)) for status in progress.TASK_STATUSES}
    out["total"] = len(tasks)
    out["share_completed"] = (out["completed"] / out["total"]) if out["total"] else None
    return out


def good_share(frame: pd.DataFrame) -> tuple[int, int, float | None]:
    """(achieved or on track, assessable, share): DESIGN's roll-up share."""
    good = int(frame["pace_status"].isin(progress.GOOD_STATUSES).sum())
    judged = int((~frame["pace_status"].isin(progress.UNASSESSABLE_STATUSES)).sum())
    return good, judged, (good / judged if judged else None)


def chart_block(
    chart_id: str, fig, *, title: str, table: str = "", note: str = ""
) -> dict[str, Any]:
    return {
        "id": chart_id,
        "data_id": f"{chart_id}-data",
        "title": title,
        "figure": charts.figure_payload(fig),
        "json": mark_safe(charts.figure_json(fig)),
        "traces": len(fig["data"]),
        "table": table,
        "note": note,
        "filename": chart_id,
    }


class Links:
    """Page paths for many rows at once: each view reversed once, the as-of query built once
    (``reverse`` and ``urlencode`` per row were most of a 3,000-row table's time)."""

    def __init__(self, as_of: dt.date, today: dt.date) -> None:
        self.query = "" if as_of == today else "?" + urlencode({"as_of": as_of.isoformat()})
        self._patterns: dict[str, tuple[str, str]] = {}
        # The words for codes, in the active language, looked up once rather than per row.
        self.method = {k: str(v) for k, v in METHOD_LABELS.items()}
        self.pace = {k: str(v) for k, v in PACE_LABELS.items()}
        self.outlook = {k: str(v) for k, v in OUTLOOK_LABELS.items()}

    def __call__(self, view: str, key: Any) -> str:
        if view not in self._patterns:
            marker = "0000000000"
            path = reverse(view, args=[marker])
            head, _sep, tail = path.partition(marker)
            self._patterns[view] = (head, tail)
        head, tail = self._patterns[view]
        return f"{head}{key}{tail}{self.query}"


def target_row(
    row: Mapping[str, Any], as_of: dt.date, today: dt.date, links: Links | None = None
) -> dict[str, Any]:
    links = links or Links(as_of, today)
    unit = row.get("unit") or ""
    indicator_url = links("dashboards:indicator", row["indicator_id"])
    out = dict(row)
    out.update(
        {
            "target": target_display(row),
            "baseline": value_display(row.get("baseline_value"), unit),
            "latest": value_display(row.get("latest_value"), unit),
            "indicator_url": indicator_url,
            "indicator_name_url": indicator_url,
            "province_name_url": links("dashboards:province", row["province"]),
            "document_slug_url": links("dashboards:document", row["document_slug"]),
            "completion_text": completion_text(row.get("completion"), row.get("direction")),
            "method_label": links.method.get(row.get("method"), ""),
            "status_label": links.pace.get(row.get("pace_status"), ""),
            "outlook_label": links.outlook.get(row.get("outlook"), ""),
        }
    )
    return out


def explain_row(row: Mapping[str, Any]) -> str:
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
    ("completion", gettext_lazy("完成进度"), "completion"),
    ("time_elapsed", gettext_lazy("时间进度"), "pct"),
    ("pace_status", gettext_lazy("状态"), "status"),
    ("outlook", gettext_lazy("趋势研判"), "outlook"),
]


def cols(spec: Sequence[tuple[str, Any, str]], skip: Iterable[str] = ()) -> list[Col]:
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
    links = Links(as_of, today)
    rows = [target_row(row, as_of, today, links) for row in records(frame)]
    if explain:
        for row in rows:
            row["explanation"] = explain_row(row)
    return Table(
        name=name,
        title=title,
        columns=cols(TARGET_TABLE_COLUMNS, skip),
        rows=rows,
        empty=empty or _("没有符合条件的目标。"),
        detail=Col("explanation", _("说明")) if explain else None,
    )


def pace_points(frame: pd.DataFrame) -> pd.DataFrame:
    """Targets that can be placed on the pace chart: numbers with a completion (no milestones)."""
    return frame[
        frame["completion_display"].notna() & (frame["measure_kind"] != MeasureKind.MILESTONE)
    ]


def at_risk_targets(frame: pd.DataFrame, *, as_of: dt.date, limit: int = 10) -> pd.DataFrame:
    """Open targets falling behind: regressing first, then the lowest completion for the time."""
    if frame.empty:
        return frame
    open_ = frame["target_year"].map(lambda y: year_end(y) > as_of)
    risky = frame[open_ & frame["pace_status"].isin(list(RISK_ORDER))].copy()
    risky["_order"] = risky["pace_status"].map(RISK_ORDER)
    risky = risky.sort_values(["_order", "pace_ratio", "score"], na_position="last")
    return risky.drop(columns=["_order"]).head(limit)


def missed_ended_targets(frame: pd.DataFrame, *, as_of: dt.date) -> pd.DataFrame:
    """Targets of a year that has ended and was missed, the lowest completion first."""
    if frame.empty:
        return frame
    ended = frame["target_year"].map(lambda y: year_end(y) <= as_of)
    missed = frame[ended & (frame["pace_status"] == "missed")].copy()
    missed["_milestone"] = missed["measure_kind"] == MeasureKind.MILESTONE
    missed = missed.sort_values(
        ["target_year", "_milestone", "completion"],
        ascending=[False, True, True],
        na_position="last",
    )
    return missed.drop(columns=["_milestone"])


def document_summary(
    document: Mapping[str, Any], frame: pd.DataFrame, tasks: pd.DataFrame, as_of, today
) -> dict[str, Any]:
    mine = frame[frame["document_id"] == document["id"]]
    years = sorted({int(y) for y in mine["target_year"].tolist()})
    return {
        **document,
        "url": with_as_of(reverse("dashboards:document", args=[document["slug"]]), as_of, today),
        "period": f"{document['period_start']}—{document['period_end']}",
        "in_force": in_force(document, as_of),
        "ended": as_of.year > int(document["period_end"]),
        "years": [{"year": y, **counts_by_group(mine[mine["target_year"] == y])} for y in years],
        "tasks": count_tasks(tasks[tasks["document_id"] == document["id"]]),
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
        "url": with_as_of(reverse("dashboards:document", args=[document["slug"]]), as_of, today),
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


def missed_targets(frame: pd.DataFrame, *, as_of: dt.date) -> pd.DataFrame:
    """Targets whose year has ended unmet: not a risk any more but a fact a leader must see
    beside the risks (山西's three 2025 targets missed, read in 2026). Numbers first, the
    furthest short first; then milestones not done."""
    if frame.empty:
        return frame
    ended = frame["target_year"].map(lambda y: year_end(y) <= as_of)
    missed = frame[ended & (frame["pace_status"] == "missed")]
    missed = missed.assign(_milestone=missed["measure_kind"] == MeasureKind.MILESTONE)
    return missed.sort_values(["target_year", "_milestone", "completion"], na_position="last").drop(
        columns="_milestone"
    )
