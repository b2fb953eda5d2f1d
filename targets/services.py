"""Writes for progress: stored results, report review, report entry.

Results are replaced per (target, as-of date) inside one transaction, so a re-run gives the same
rows and a crash half-way leaves the previous complete set readable. Reviews and edits that
change what counts enqueue a per-indicator recomputation once their transaction commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from celery import current_app
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from provinces import review
from provinces.models import Department, ReviewStatus
from targets.bulk_io import upsert_frame
from targets.models import (
    Indicator,
    MeasureKind,
    ProgressReport,
    ProgressResult,
    ProgressRun,
    ReportSource,
)
from targets.progress import REPORT_INPUT_COLUMNS, TARGET_INPUT_COLUMNS, compute_progress
from targets.selectors import approved_reports_frame, stored_results_dates, targets_frame

REVIEW_PERMISSION = "targets.change_progressreport"
# The job that recomputes one indicator, by its registered name: services never import jobs
# (jobs import services), so the dependency runs one way.
RECOMPUTE_INDICATOR_JOB = "targets.jobs.recompute_indicator_progress"

# ProgressResult fields written from compute_progress's columns of the same name.
_RESULT_FLOATS = (
    "latest_value",
    "baseline_value",
    "completion",
    "completion_display",
    "time_elapsed",
    "outlook_ratio",
    "projection",
    "score",
)
_RESULT_DATES = ("latest_date", "baseline_date")
_RESULT_TEXTS = ("baseline_source", "outlook", "method")  # blank rather than NULL
# What a reader needs to redo the sum, kept in ProgressResult.inputs.
_INPUT_COLUMNS = (
    "target_year",
    "target_value",
    "comparator",
    "lower_bound",
    "goal_value",
    "measure_kind",
    "direction",
    "unit",
    "pace_ratio",
    "years_elapsed",
    "years_total",
    "years_observed",
    "cagr_observed",
    "cagr_required",
    "slope",
)
# Target columns the inputs record besides the result's own.
_TARGET_INPUTS = ("target_id", "comparator", "lower_bound", "measure_kind", "direction", "unit")
_SCOPE_MAX = 60


# --- small conversions ------------------------------------------------------------------------


def _ids(values: Iterable[int] | None) -> list[int] | None:
    return None if values is None else sorted({int(v) for v in values})


def _scope_label(indicator_ids: list[int] | None) -> str:
    if indicator_ids is None:
        return "all"
    label = "indicators:" + ",".join(str(i) for i in indicator_ids)
    if len(label) <= _SCOPE_MAX:
        return label
    return f"indicators:{len(indicator_ids)}"


# --- results ----------------------------------------------------------------------------------


def _result_frame(
    results: pd.DataFrame, targets: pd.DataFrame, *, as_of: dt.date, computed_at: dt.datetime
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ProgressResult columns of every target, and its ``inputs``, column by column.

    ``inputs`` keeps what a reader needs to redo the sum (bulk_io writes ±∞ and NaN as null).
    The leader's sentence is not stored: explain() writes it from the row where it is shown,
    in the reader's language.
    """
    target_ids = targets["target_id"].to_numpy()
    if len(results) == len(targets) and (results["target_id"].to_numpy() == target_ids).all():
        # compute_progress keeps the targets' order: their columns line up as they are.
        merged = pd.concat(
            [
                results.reset_index(drop=True),
                targets[list(_TARGET_INPUTS[1:])].reset_index(drop=True),
            ],
            axis=1,
        )
    else:
        merged = results.merge(
            targets[list(_TARGET_INPUTS)], on="target_id", how="left", validate="one_to_one"
        )
    n = len(merged)
    fields = pd.DataFrame(
        {
            "target_id": merged["target_id"].to_numpy(dtype=np.int64),
            "as_of": np.full(n, np.datetime64(as_of, "D")).astype("datetime64[ns]"),
            "computed_at": np.full(n, np.datetime64(_utc_naive(computed_at), "us")),
            **{name: merged[name].to_numpy(dtype=float) for name in _RESULT_FLOATS},
            **{name: merged[name] for name in _RESULT_DATES},
            **{name: merged[name].fillna("").astype(object) for name in _RESULT_TEXTS},
            "achieved": merged["achieved"].astype("boolean"),
            "pace_status": merged["pace_status"].astype(object),
            "n_points": merged["n_points"].to_numpy(dtype=np.int64),
        }
    )
    return fields, merged[list(_INPUT_COLUMNS)]


def _utc_naive(moment: dt.datetime) -> dt.datetime:
    """An aware datetime as naive UTC (how bulk_io reads a naive datetime column)."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _upsert_results(fields: pd.DataFrame, inputs: pd.DataFrame) -> int:
    """Insert or replace the results of (target, as_of): a constant number of statements.

    Django's ``bulk_create(update_conflicts=True)`` would split the rows into batches of 49 on
    SQLite (its 999-parameter cap), so the number of queries would grow with the targets, and
    it prepares every value through its field one at a time; bulk_io sends whole columns.
    """
    return upsert_frame(
        ProgressResult, fields, unique=("target", "as_of"), json_fields={"inputs": inputs}
    )


def _lock_scope(indicator_ids: list[int] | None) -> list[int]:
    """Serialise recomputations that overlap: lock the scope's indicators in id order.

    Two runs over the same indicators then queue instead of interleaving (and the fixed order
    means they cannot deadlock); the later one computes from what the earlier committed. On
    SQLite, which has no row locks, the database-wide write lock does the same.
    """
    queryset = Indicator.objects.select_for_update().order_by("id")
    if indicator_ids is not None:
        queryset = queryset.filter(id__in=indicator_ids)
    return list(queryset.values_list("id", flat=True))


def progress_recompute(
    *, as_of: dt.date, indicator_ids: Iterable[int] | None = None
) -> ProgressRun:
    """Compute and store the results of every target in scope as of a date.

    ``indicator_ids`` None means every indicator. The run row is committed as STARTED first, so
    a crash leaves a visible trace (FAILED with the error, or STARTED if the process died); the
    results and the DONE mark are written in one transaction as an upsert on the unique (target,
    as_of) key, so readers see either the previous complete set or the new one, never a mix, and
    two runs at once neither duplicate rows nor deadlock.
    """
    ids = _ids(indicator_ids)
    progress_runs_fail_stale()
    run = ProgressRun.objects.create(as_of=as_of, scope=_scope_label(ids))
    try:
        with transaction.atomic():
            _lock_scope(ids)
            targets = targets_frame(indicator_ids=ids, columns=TARGET_INPUT_COLUMNS)
            reports = approved_reports_frame(
                indicator_ids=ids, as_of=as_of, columns=REPORT_INPUT_COLUMNS
            )
            results = compute_progress(targets, reports, as_of)
            fields, inputs = _result_frame(
                results, targets, as_of=as_of, computed_at=timezone.now()
            )
            written = _upsert_results(fields, inputs)
            run.status = ProgressRun.Status.DONE
            run.targets_count = written
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "targets_count", "finished_at"])
    except Exception as exc:
        ProgressRun.objects.filter(pk=run.pk).update(
            status=ProgressRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    return run


def progress_runs_fail_stale(*, older_than: dt.timedelta | None = None) -> int:
    """Mark failed the runs STARTED longer ago than the timeout: their process died midway.

    A killed process cannot say so itself, so each new run (and the nightly one) sweeps them;
    their results were never committed, the previous complete set is what pages read.
    """
    if older_than is None:
        older_than = dt.timedelta(seconds=settings.PROGRESS_RUN_STALE_AFTER_SECONDS)
    now = timezone.now()
    return ProgressRun.objects.filter(
        status=ProgressRun.Status.STARTED, started_at__lt=now - older_than
    ).update(
        status=ProgressRun.Status.FAILED,
        finished_at=now,
        error=f"stale: still started after {int(older_than.total_seconds())} s "
        "(the process died midway)",
    )


def progress_recompute_history(
    *, indicator_ids: Iterable[int] | None = None, also: Iterable[dt.date] = ()
) -> list[ProgressRun]:
    """Recompute every as-of date that has stored results, plus ``also``, oldest first.

    Used when data dated in the past changed wholesale (demo data loaded or cleared), so that
    the charted history follows.
    """
    ids = _ids(indicator_ids)
    dates = sorted({*stored_results_dates(indicator_ids=ids), *also})
    return [progress_recompute(as_of=day, indicator_ids=ids) for day in dates]


def enqueue_indicator_recompute(indicator_ids: Iterable[int]) -> None:
    """After the current transaction commits, queue one recomputation per indicator."""
    ids = sorted(set(indicator_ids))
    if not ids:
        return
    job = current_app.tasks[RECOMPUTE_INDICATOR_JOB]
    for indicator_id in ids:
        transaction.on_commit(partial(job.delay, indicator_id))


# --- review ----------------------------------------------------------------------------------


def _require_reviewer(reviewer: AbstractBaseUser) -> None:
    if not reviewer.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied(gettext("无权审核进展填报 (not allowed to review progress reports)"))


def approve_reports(
    *,
    reports: QuerySet[ProgressReport] | Iterable[ProgressReport],
    reviewer: AbstractBaseUser,
) -> int:
    """Approve the reports not yet approved; returns how many changed.

    Their indicators are recomputed once the approval commits, since only approved reports
    count.
    """
    _require_reviewer(reviewer)
    with transaction.atomic():
        changed, rows = review.approve(
            ProgressReport, reports, reviewer=reviewer, fields=("indicator_id",)
        )
        enqueue_indicator_recompute(indicator_id for _, indicator_id in rows)
    return changed


def return_reports(
    *,
    reports: QuerySet[ProgressReport] | Iterable[ProgressReport],
    reviewer: AbstractBaseUser,
    reason: str = "",
) -> int:
    """Send submitted or approved reports back to the reporter; returns how many changed.

    The reason (required) becomes the report's review comment. Returning an approved report
    withdraws it from the results, so its indicator is recomputed.
    """
    _require_reviewer(reviewer)
    with transaction.atomic():
        changed, rows = review.send_back(
            ProgressReport,
            reports,
            reviewer=reviewer,
            reason=reason,
            fields=("indicator_id", "review_status"),
        )
        enqueue_indicator_recompute(
            indicator_id for _, indicator_id, status in rows if status == ReviewStatus.APPROVED
        )
    return changed


# --- report entry -----------------------------------------------------------------------------


def report_value_problems(
    *,
    indicator: Indicator,
    as_of: dt.date | None,
    value: Decimal | None,
    done: bool | None,
    today: dt.date | None = None,
) -> dict[str, list[str]]:
    """The domain rules a report must meet, as bilingual messages keyed by field.

    Shared by the entry service and the spreadsheet import so a value refused in one is refused
    in the other: no date in the future, a number for measured indicators (between 0 and 100
    for percentages), done/not done for milestones.
    """
    today = today or timezone.localdate()
    problems: dict[str, list[str]] = {}
    if as_of is None:
        problems["as_of"] = [gettext("请填写截至日期 (the as-of date is required)")]
    elif as_of > today:
        problems["as_of"] = [
            gettext(
                "截至日期{date}晚于今天{today}，不能填报未来的数值 "
                "(the as-of date {date} is in the future; today is {today})"
            ).format(date=as_of.isoformat(), today=today.isoformat())
        ]
    if indicator.measure_kind == MeasureKind.MILESTONE:
        if done is None:
            problems["done"] = [
                gettext(
                    "“{name}”是里程碑指标，请填写是否完成(是/否) "
                    "(“{name}” is a milestone: say whether it is done, yes or no)"
                ).format(name=indicator.name)
            ]
    elif value is None:
        problems["value"] = [
            gettext("请填写“{name}”的数值 (a value for “{name}” is required)").format(
                name=indicator.name
            )
        ]
    elif indicator.is_percentage and not (Decimal(0) <= value <= Decimal(100)):
        problems["value"] = [
            gettext(
                "“{name}”以百分比计，{value}不在0–100之间 "
                "(“{name}” is a percentage: {value} is not within 0–100)"
            ).format(name=indicator.name, value=format(value.normalize(), "f"))
        ]
    return problems


def _not_a_number(value: object) -> str:
    return gettext("“{value}”不是数字 (“{value}” is not a number)").format(value=value)


def _decimal(value: Decimal | float | int | str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationError({"value": _not_a_number(value)}) from exc
    if not number.is_finite():
        raise ValidationError({"value": _not_a_number(value)})
    return number


def progress_report_create(
    *,
    indicator: Indicator,
    as_of: dt.date,
    value: Decimal | float | int | str | None = None,
    done: bool | None = None,
    note: str = "",
    evidence_quote: str = "",
    reporter: AbstractBaseUser | None = None,
    reporting_department: Department | None = None,
    source: str = ReportSource.MANUAL,
    submit: bool = False,
) -> ProgressReport:
    """Enter a report as a draft (or submitted for review); it counts once approved."""
    number = _decimal(value)
    problems = report_value_problems(indicator=indicator, as_of=as_of, value=number, done=done)
    if problems:
        raise ValidationError(problems)
    report = ProgressReport(
        indicator=indicator,
        as_of=as_of,
        value=None if indicator.is_milestone else number,
        done=done,
        note=note,
        evidence_quote=evidence_quote,
        reporter=reporter,
        reporting_department=reporting_department,
        source=source,
        review_status=ReviewStatus.SUBMITTED if submit else ReviewStatus.DRAFT,
        is_percentage=indicator.is_percentage,
        is_milestone=indicator.is_milestone,
    )
    report.full_clean()
    report.save()
    return report


_EDITABLE_REPORT_FIELDS = ("as_of", "value", "done", "note", "evidence_quote")


def progress_report_update(*, report: ProgressReport, **changes: Any) -> ProgressReport:
    """Change a report's date, value, done flag, note or evidence quote.

    When the report is approved and a counted field (date, value, done) changes, its indicator
    is recomputed after the change commits: the stored results must follow the data.
    """
    unknown = set(changes) - set(_EDITABLE_REPORT_FIELDS)
    if unknown:
        raise ValueError(f"progress_report_update: cannot change {sorted(unknown)}")
    if "value" in changes:
        changes["value"] = _decimal(changes["value"])
    counted_before = (report.as_of, report.value, report.done)
    for name, new in changes.items():
        setattr(report, name, new)
    indicator = report.indicator
    if indicator.is_milestone:
        report.value = None
    problems = report_value_problems(
        indicator=indicator, as_of=report.as_of, value=report.value, done=report.done
    )
    if problems:
        raise ValidationError(problems)
    report.is_percentage = indicator.is_percentage
    report.is_milestone = indicator.is_milestone
    report.full_clean()
    with transaction.atomic():
        report.save()
        counted_after = (report.as_of, report.value, report.done)
        if report.review_status == ReviewStatus.APPROVED and counted_after != counted_before:
            enqueue_indicator_recompute([report.indicator_id])
    return report
