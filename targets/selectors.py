"""Reads for the progress engine and the dashboards: querysets turned into pandas frames.

Every selector costs a fixed number of queries whatever the data size (one query each, joins
and subqueries done by the database), so a recomputation over every target in every province
costs what one over a single indicator does. The engine's two inputs (targets and approved
reports) are read in bulk by ``targets.bulk_io`` (COPY on PostgreSQL), column by column with no
Python object per value: they are what a national recompute reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils.translation import get_language

from provinces.models import ReviewStatus
from targets.bulk_io import Column, Kind, read_frame
from targets.models import ProgressReport, ProgressResult, ProgressRun, Target
from targets.progress import explain
from tasks.models import Task, TaskUpdate

# The input contract of targets.progress.compute_progress, then columns the pages show.
TARGET_COLUMNS: tuple[str, ...] = (
    "target_id",
    "indicator_id",
    "document_id",
    "province",
    "area",
    "category",
    "measure_kind",
    "direction",
    "unit",
    "plan_base_year",
    "baseline_year",
    "baseline_value",
    "target_year",
    "target_value",
    "comparator",
    "lower_bound",
    "indicator_code",
    "indicator_name",
    "attribute",
    "document_slug",
    "province_name",
    "category_name",
)
REPORT_COLUMNS: tuple[str, ...] = (
    "report_id",
    "indicator_id",
    "as_of",
    "value",
    "done",
    "approved_at",
    "is_demo",
)
TASK_STATUS_COLUMNS: tuple[str, ...] = (
    "task_id",
    "document_id",
    "province",
    "task_number",
    "task_title",
    "department_id",
    "department_name",
    "role",
    "status",
    "percent",
    "status_as_of",
)
RESULT_FIELDS: tuple[str, ...] = (
    "as_of",
    "computed_at",
    "latest_value",
    "latest_date",
    "baseline_value",
    "baseline_date",
    "baseline_source",
    "achieved",
    "completion",
    "completion_display",
    "time_elapsed",
    "pace_status",
    "outlook",
    "outlook_ratio",
    "projection",
    "method",
    "n_points",
    "score",
)

# The stored results joined with their targets: the target's printed baseline is renamed, since
# the result's baseline_value is the one the method used (printed, 0 or the earliest report).
RESULT_FRAME_COLUMNS: tuple[str, ...] = (
    *(
        {"baseline_year": "printed_baseline_year", "baseline_value": "printed_baseline_value"}.get(
            name, name
        )
        for name in TARGET_COLUMNS
    ),
    *RESULT_FIELDS,
    "explanation",
)

# Column → the Target field path it is read from.
_TARGET_PATHS: dict[str, str] = {
    "target_id": "id",
    "indicator_id": "indicator_id",
    "document_id": "indicator__document_id",
    "province": "indicator__document__province__code",
    "area": "indicator__area",
    "category": "indicator__category__code",
    "measure_kind": "indicator__measure_kind",
    "direction": "indicator__direction",
    "unit": "indicator__unit",
    "plan_base_year": "indicator__document__base_year",
    "baseline_year": "indicator__baseline_year",
    "baseline_value": "indicator__baseline_value",
    "target_year": "year",
    "target_value": "value",
    "comparator": "comparator",
    "lower_bound": "lower_bound",
    "indicator_code": "indicator__code",
    "indicator_name": "indicator__name",
    "attribute": "indicator__attribute",
    "document_slug": "indicator__document__slug",
    "province_name": "indicator__document__province__name",
    "category_name": "indicator__category__name",
}
_NUMERIC_TARGET_COLUMNS = ("baseline_value", "target_value", "lower_bound")
_TARGET_ORDER = (
    "indicator__document__province__sort_order",
    "indicator__document__period_start",
    "indicator__document__slug",
    "indicator__sort_order",
    "indicator_id",
    "year",
)


# How each frame column is read (bulk_io.read_frame): field path and kind of value.
_TARGET_KINDS: dict[str, Kind] = {
    "category": "nullable_text",  # an indicator without a category
    "category_name": "nullable_text",
    "target_id": "int",
    "indicator_id": "int",
    "document_id": "int",
    "plan_base_year": "int",
    "baseline_year": "nullable_int",
    "baseline_value": "float",
    "target_year": "int",
    "target_value": "float",
    "lower_bound": "float",
}
_TARGET_READ: dict[str, Column] = {
    name: Column(_TARGET_PATHS[name], _TARGET_KINDS.get(name, "text")) for name in TARGET_COLUMNS
}
_REPORT_READ: dict[str, Column] = {
    "report_id": Column("id", "int"),
    "indicator_id": Column("indicator_id", "int"),
    "as_of": Column("as_of", "date"),
    "value": Column("value", "float"),
    "done": Column("done", "nullable_bool"),
    "approved_at": Column("reviewed_at", "datetime"),
    "is_demo": Column("is_demo", "bool"),
}


def _ids(values: Iterable[int] | None) -> list[int] | None:
    return None if values is None else sorted({int(v) for v in values})


def _frame(rows: list[dict], columns: Iterable[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=list(columns))


def _floats(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.astype(object), errors="coerce").astype("float64")


def _decimals_to_float(frame: pd.DataFrame, columns: Iterable[str]) -> None:
    for column in columns:
        frame[column] = _floats(frame[column])


def targets_queryset(
    *,
    document_ids: Iterable[int] | None = None,
    indicator_ids: Iterable[int] | None = None,
    province_codes: Iterable[str] | None = None,
    target_years: Iterable[int] | None = None,
) -> QuerySet[Target]:
    """The targets in a scope; None means no restriction on that key."""
    queryset = Target.objects.all()
    if document_ids is not None:
        queryset = queryset.filter(indicator__document_id__in=_ids(document_ids))
    if indicator_ids is not None:
        queryset = queryset.filter(indicator_id__in=_ids(indicator_ids))
    if province_codes is not None:
        queryset = queryset.filter(indicator__document__province__code__in=list(province_codes))
    if target_years is not None:
        queryset = queryset.filter(year__in=list(target_years))
    return queryset


def targets_frame(
    *,
    document_ids: Iterable[int] | None = None,
    indicator_ids: Iterable[int] | None = None,
    province_codes: Iterable[str] | None = None,
    target_years: Iterable[int] | None = None,
    columns: Iterable[str] | None = None,
) -> pd.DataFrame:
    """One row per target with what compute_progress needs (TARGET_COLUMNS); one query.

    Decimals become floats; ``category`` and ``category_name`` are None without a category.
    Ordered as the plans print them: province, document, indicator, target year. ``columns``
    (some of TARGET_COLUMNS, e.g. progress.TARGET_INPUT_COLUMNS) reads only those: a national
    recompute does not need the names the pages show.
    """
    names = TARGET_COLUMNS if columns is None else tuple(columns)
    unknown = sorted(set(names) - set(TARGET_COLUMNS))
    if unknown:
        raise ValueError(f"targets_frame: unknown column(s) {unknown}")
    queryset = targets_queryset(
        document_ids=document_ids,
        indicator_ids=indicator_ids,
        province_codes=province_codes,
        target_years=target_years,
    ).order_by(*_TARGET_ORDER)
    frame = read_frame(queryset, {name: _TARGET_READ[name] for name in names})
    for column in {"category", "category_name"} & set(names):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def approved_reports_frame(
    *,
    indicator_ids: Iterable[int] | None = None,
    document_ids: Iterable[int] | None = None,
    as_of: dt.date | None = None,
    columns: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Approved reports (REPORT_COLUMNS), dated on or before ``as_of`` when given; one query.

    ``as_of`` is datetime64 (the report's date), ``value`` float (NaN for milestones), ``done``
    nullable boolean and ``approved_at`` the review time as naive UTC datetime64, which the
    engine uses to let the later-approved of two reports on one date win. Ordered by
    indicator, date, approval time and id. ``columns`` (some of REPORT_COLUMNS, e.g.
    progress.REPORT_INPUT_COLUMNS) reads only those (and what the ordering needs).
    """
    names = REPORT_COLUMNS if columns is None else tuple(columns)
    unknown = sorted(set(names) - set(REPORT_COLUMNS))
    if unknown:
        raise ValueError(f"approved_reports_frame: unknown column(s) {unknown}")
    queryset = ProgressReport.objects.filter(review_status=ReviewStatus.APPROVED)
    if indicator_ids is not None:
        queryset = queryset.filter(indicator_id__in=_ids(indicator_ids))
    if document_ids is not None:
        queryset = queryset.filter(indicator__document_id__in=_ids(document_ids))
    if as_of is not None:
        queryset = queryset.filter(as_of__lte=as_of)
    # The database orders by id only (SQLite reads its table in that order anyway); a stable
    # numpy sort then puts the rows in (indicator, date, approval) order, ties keeping id
    # order: cheaper than a database sort on four keys, and the id need not be read.
    read = [name for name in REPORT_COLUMNS if name in names or name in _REPORT_ORDER]
    frame = read_frame(queryset.order_by("id"), {name: _REPORT_READ[name] for name in read})
    order = np.lexsort(
        tuple(frame[name].to_numpy().view(np.int64) for name in reversed(_REPORT_ORDER))
    )
    return frame.take(order)[list(names)].reset_index(drop=True)


_REPORT_ORDER = ("indicator_id", "as_of", "approved_at")


def task_status_frame(
    *,
    document_ids: Iterable[int] | None = None,
    province_codes: Iterable[str] | None = None,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Each task's latest approved status (on or before ``as_of``) per responsible department.

    One row per (task, department) with TASK_STATUS_COLUMNS; a task without departments gets one
    row with department_id None, a task without an approved update has status None (the
    roll-up's 未填报). "Latest" is the latest as-of date, then the later review. One query: the
    latest update is a correlated subquery.
    """
    updates = TaskUpdate.objects.filter(task=OuterRef("pk"), review_status=ReviewStatus.APPROVED)
    if as_of is not None:
        updates = updates.filter(as_of__lte=as_of)
    latest = updates.order_by("-as_of", "-reviewed_at", "-id")
    queryset = Task.objects.all()
    if document_ids is not None:
        queryset = queryset.filter(document_id__in=_ids(document_ids))
    if province_codes is not None:
        queryset = queryset.filter(document__province__code__in=list(province_codes))
    rows = (
        queryset.annotate(
            latest_status=Subquery(latest.values("status")[:1]),
            latest_percent=Subquery(latest.values("percent")[:1]),
            latest_as_of=Subquery(latest.values("as_of")[:1]),
        )
        .order_by("document_id", "sort_order", "id", "assignments__sort_order")
        .values(
            "document_id",
            task_id=F("id"),
            province=F("document__province__code"),
            task_number=F("number"),
            task_title=F("title"),
            department_id=F("assignments__department_id"),
            department_name=F("assignments__department__name"),
            role=F("assignments__role"),
            status=F("latest_status"),
            percent=F("latest_percent"),
            status_as_of=F("latest_as_of"),
        )
    )
    frame = _frame(list(rows), TASK_STATUS_COLUMNS)
    frame["department_id"] = pd.to_numeric(frame["department_id"], errors="coerce").astype("Int64")
    frame["percent"] = pd.to_numeric(frame["percent"], errors="coerce").astype("Int64")
    frame["status_as_of"] = pd.to_datetime(frame["status_as_of"]).astype("datetime64[ns]")
    return frame


def latest_results_as_of(*, on_or_before: dt.date | None = None) -> dt.date | None:
    """The most recent date with stored results (on or before a date), or None."""
    queryset = ProgressResult.objects.all()
    if on_or_before is not None:
        queryset = queryset.filter(as_of__lte=on_or_before)
    return queryset.order_by("-as_of").values_list("as_of", flat=True).first()


def last_complete_run_at() -> dt.datetime | None:
    """When the latest recomputation finished (DONE), for pages to say how fresh they are.

    A run that died midway stays STARTED or is marked FAILED; it never counts here.
    """
    return (
        ProgressRun.objects.filter(status=ProgressRun.Status.DONE)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )


def stored_results_dates(*, indicator_ids: Iterable[int] | None = None) -> list[dt.date]:
    """Every as-of date with stored results (for these indicators), oldest first."""
    queryset = ProgressResult.objects.all()
    if indicator_ids is not None:
        queryset = queryset.filter(target__indicator_id__in=_ids(indicator_ids))
    return sorted(set(queryset.values_list("as_of", flat=True).distinct()))


def progress_results_frame(
    *,
    as_of: dt.date | None = None,
    document_ids: Iterable[int] | None = None,
    indicator_ids: Iterable[int] | None = None,
    province_codes: Iterable[str] | None = None,
    target_ids: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Stored results joined with their targets, for the pages and the CSV export; one query.

    With ``as_of`` only that date's results; without it every date (the status history, ordered
    by target then date). Columns: TARGET_COLUMNS, RESULT_FIELDS and ``explanation`` (the
    leader's sentence, written from the row in the active language: it is not stored, since
    it says nothing the row does not); the target's printed baseline is ``printed_baseline_*``.
    Targets without a stored result are left out.
    """
    queryset = ProgressResult.objects.all()
    if as_of is not None:
        queryset = queryset.filter(as_of=as_of)
    if document_ids is not None:
        queryset = queryset.filter(target__indicator__document_id__in=_ids(document_ids))
    if indicator_ids is not None:
        queryset = queryset.filter(target__indicator_id__in=_ids(indicator_ids))
    if province_codes is not None:
        queryset = queryset.filter(
            target__indicator__document__province__code__in=list(province_codes)
        )
    if target_ids is not None:
        queryset = queryset.filter(target_id__in=_ids(target_ids))
    target_values = {f"t_{name}": F(f"target__{path}") for name, path in _TARGET_PATHS.items()}
    rows = queryset.order_by(
        "target__indicator__document__province__sort_order",
        "target__indicator__document__period_start",
        "target__indicator__document__slug",
        "target__indicator__sort_order",
        "target__indicator_id",
        "target__year",
        "as_of",
    ).values(*RESULT_FIELDS, **target_values)
    lang = "en" if (get_language() or "").startswith("en") else "zh"
    records = []
    for row in rows:
        record = {name: row.pop(f"t_{name}") for name in _TARGET_PATHS}
        record["printed_baseline_year"] = record.pop("baseline_year")
        record["printed_baseline_value"] = record.pop("baseline_value")
        record.update(row)
        record["explanation"] = _explanation(record, lang)
        records.append(record)
    frame = _frame(records, RESULT_FRAME_COLUMNS)
    _decimals_to_float(frame, ["printed_baseline_value", "target_value", "lower_bound"])
    frame["printed_baseline_year"] = pd.to_numeric(
        frame["printed_baseline_year"], errors="coerce"
    ).astype("Int64")
    for column in ("as_of", "latest_date", "baseline_date"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    frame["achieved"] = frame["achieved"].astype("boolean")
    return frame


def _explanation(record: dict, lang: str) -> str:
    try:
        return explain(record, lang=lang)
    except (KeyError, TypeError, ValueError):  # a row the sentence cannot describe
        return ""


def demo_data_present() -> bool:
    """Whether any 示例数据 is loaded (reports or task updates): pages show a banner while so."""
    return (
        ProgressReport.objects.filter(is_demo=True).exists()
        or TaskUpdate.objects.filter(is_demo=True).exists()
    )
