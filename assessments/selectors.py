"""Reads for assessments: what a freeze copies, what the pages show, what came in late.

Every function costs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from assessments.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    AssessmentTarget,
    AssessmentTask,
)
from provinces import access
from provinces.models import PolicyDocument, ReviewStatus, Section
from targets.models import ProgressReport
from targets.progress import TARGET_INPUT_COLUMNS, compute_progress
from targets.selectors import approved_reports_frame, targets_frame
from tasks.models import Assignment, Task, TaskUpdate

# --- what a freeze copies ---------------------------------------------------------------------


def frozen_results_frame(*, document: PolicyDocument, as_of: dt.date) -> pd.DataFrame:
    """Every target of the document as the engine judges it on ``as_of``, with the report used.

    Fed as ``targets.services.progress_recompute`` feeds it: the targets frame, the approved
    reports of their indicators dated on or before the date, ``compute_progress``. The report
    used is the one the engine took as the latest value: the last approved on the latest
    value's date, the later approval winning and then the higher id, as the engine orders
    them. Columns: the targets frame's, the result's, ``report_id`` (<NA> when none) and the
    report's evidence. Three queries.
    """
    targets = targets_frame(document_ids=[document.pk])
    reports = approved_reports_frame(
        indicator_ids=targets["indicator_id"].unique().tolist(), as_of=as_of
    )
    results = compute_progress(targets[list(TARGET_INPUT_COLUMNS)], reports, as_of)
    # The result's columns win: its baseline is the one the method used (printed, 0 at the
    # plan's start, or the earliest report), the targets frame's is only the printed one.
    overlap = [c for c in results.columns if c in targets.columns and c != "target_id"]
    frame = targets.drop(columns=overlap).merge(
        results, on="target_id", how="left", validate="one_to_one"
    )
    used = _reports_used(reports)
    frame = frame.merge(
        used,
        left_on=["indicator_id", "latest_date"],
        right_on=["indicator_id", "as_of_used"],
        how="left",
    ).drop(columns=["as_of_used"])
    frame["report_id"] = frame["report_id"].astype("Int64")
    evidence = _report_evidence(frame["report_id"].dropna().astype(int).tolist())
    return frame.merge(evidence, on="report_id", how="left")


def _reports_used(reports: pd.DataFrame) -> pd.DataFrame:
    """(indicator_id, as_of_used, report_id): the winning report of each indicator and date."""
    if reports.empty:
        return pd.DataFrame({"indicator_id": [], "as_of_used": [], "report_id": []}).astype(
            {"indicator_id": "int64", "as_of_used": "datetime64[ns]", "report_id": "Int64"}
        )
    approved_ns = pd.to_datetime(reports["approved_at"], utc=True)
    ordered = reports.assign(
        _approved=approved_ns.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    ).sort_values(["indicator_id", "as_of", "_approved", "report_id"], kind="stable")
    winners = ordered.drop_duplicates(["indicator_id", "as_of"], keep="last")
    return pd.DataFrame(
        {
            "indicator_id": winners["indicator_id"].to_numpy(),
            "as_of_used": pd.to_datetime(winners["as_of"]).astype("datetime64[ns]").to_numpy(),
            "report_id": winners["report_id"].astype("Int64").to_numpy(),
        }
    )


def _report_evidence(report_ids: list[int]) -> pd.DataFrame:
    """report_id → evidence quote (or its stating document), evidence file, approval time."""
    rows = ProgressReport.objects.filter(id__in=report_ids).values(
        "id",
        "evidence_quote",
        "evidence",
        "note",
        "reviewed_at",
        "evidence_document__title",
    )
    records = [
        {
            "report_id": row["id"],
            "report_evidence": _evidence_text(row),
            "report_evidence_file": row["evidence"] or "",
            "report_approved_at": row["reviewed_at"],
        }
        for row in rows
    ]
    frame = pd.DataFrame.from_records(
        records,
        columns=["report_id", "report_evidence", "report_evidence_file", "report_approved_at"],
    )
    frame["report_id"] = frame["report_id"].astype("Int64")
    return frame


def _evidence_text(row: dict[str, Any]) -> str:
    quote = (row["evidence_quote"] or "").strip()
    source = row["evidence_document__title"]
    if quote and source:
        return f"《{source}》：{quote}"
    return quote or (row["note"] or "").strip()


@dataclass(frozen=True)
class FrozenTask:
    task_id: int
    sort_order: int
    part: str
    number: str
    title: str
    departments: list[dict[str, str]]
    update: dict[str, Any] | None


def frozen_tasks(*, document: PolicyDocument, as_of: dt.date) -> list[FrozenTask]:
    """Every task of the document with its latest approved update on or before ``as_of``.

    "Latest" as the dashboards read it: the latest as-of date, then the later review, then the
    higher id. Four queries.
    """
    latest = (
        TaskUpdate.objects.filter(
            task=OuterRef("pk"), review_status=ReviewStatus.APPROVED, as_of__lte=as_of
        )
        .order_by("-as_of", "-reviewed_at", "-id")
        .values("id")[:1]
    )
    tasks = list(
        Task.objects.filter(document=document)
        .annotate(latest_update_id=Subquery(latest))
        .order_by("sort_order", "id")
        .values("id", "number", "title", "section_id", "latest_update_id")
    )
    sections = {
        s["id"]: s
        for s in Section.objects.filter(document=document).values(
            "id", "parent_id", "number", "title"
        )
    }
    departments: dict[int, list[dict[str, str]]] = {}
    for a in (
        Assignment.objects.filter(task__document=document)
        .order_by("task_id", "sort_order", "id")
        .values("task_id", "role", "department__name")
    ):
        departments.setdefault(a["task_id"], []).append(
            {"name": a["department__name"], "role": a["role"]}
        )
    updates = {
        u["id"]: u
        for u in TaskUpdate.objects.filter(
            id__in=[t["latest_update_id"] for t in tasks if t["latest_update_id"]]
        ).values(
            "id",
            "status",
            "percent",
            "as_of",
            "narrative",
            "reviewed_at",
            "reporting_department__name",
        )
    }
    return [
        FrozenTask(
            task_id=t["id"],
            sort_order=index,
            part=_part(sections, t["section_id"]),
            number=t["number"],
            title=t["title"],
            departments=departments.get(t["id"], []),
            update=updates.get(t["latest_update_id"]),
        )
        for index, t in enumerate(tasks, start=1)
    ]


def _part(sections: dict[int, dict[str, Any]], section_id: int | None) -> str:
    """The top heading a task sits under (二、夯实计量基础), as printed."""
    section = sections.get(section_id)
    seen = 0
    while section and section["parent_id"] and seen < 20:
        section = sections.get(section["parent_id"])
        seen += 1
    return f"{section['number']}{section['title']}" if section else ""


# --- who sees what ----------------------------------------------------------------------------


def visible_assessments(user: AbstractBaseUser) -> QuerySet[Assessment]:
    """Published assessments of the user's units for every reader with a role; drafts and
    those in review only to their evaluators and to the reviewers and admins of their unit
    (who review and publish). Another unit's assessment is not there at all."""
    mine = access.scope(Assessment.objects.all(), user, "document__province")
    if access.has_role(user, "system_admin"):
        return mine
    own = Q(status=AssessmentStatus.PUBLISHED) | Q(evaluators=user)
    if access.has_role(user, "province_admin", "reviewer"):
        own = Q()
    return Assessment.objects.filter(id__in=mine.filter(own).values("id"))


def can_view(user: AbstractBaseUser, assessment: Assessment) -> bool:
    """As :func:`visible_assessments`, for one assessment."""
    province_id = assessment.document.province_id
    if not access.can_see_province(user, province_id) or access.role(user) is None:
        return False
    if assessment.status == AssessmentStatus.PUBLISHED:
        return True
    return access.can_publish(user, province_id) or is_evaluator(user, assessment)


def is_evaluator(user: AbstractBaseUser, assessment: Assessment) -> bool:
    """Its evaluators, and the admins of its unit, freeze, rate and conclude it."""
    province_id = assessment.document.province_id
    if access.can_manage(user, province_id):
        return True
    if not (access.can_evaluate(user) and access.can_see_province(user, province_id)):
        return False
    return any(u.pk == user.pk for u in assessment.evaluators.all())


def list_rows(user: AbstractBaseUser) -> list[Assessment]:
    """The list page's rows, newest round first; two queries."""
    return list(
        visible_assessments(user)
        .select_related("document__province", "published_by", "supersedes")
        .annotate(
            successor_count=Count("superseded_by"),
            targets_count=Count("target_rows", distinct=True),
            tasks_count=Count("task_rows", distinct=True),
        )
        .order_by(
            "document__province__sort_order", "document__period_start", "-as_of", "kind", "-version"
        )
    )


def assessment_for_page(pk: int) -> Assessment:
    """One assessment with everything its page shows: four queries however many rows."""
    return (
        Assessment.objects.select_related(
            "document__province", "published_by", "created_by", "supersedes"
        )
        .prefetch_related(
            "evaluators",
            Prefetch("target_rows", queryset=AssessmentTarget.objects.order_by("sort_order")),
            Prefetch("task_rows", queryset=AssessmentTask.objects.order_by("sort_order")),
        )
        .get(pk=pk)
    )


def successor(assessment: Assessment) -> Assessment | None:
    return Assessment.objects.filter(supersedes=assessment).only("id", "version").first()


def versions(assessment: Assessment) -> list[Assessment]:
    """Every version of the assessment's round, oldest first; one query."""
    return list(
        Assessment.objects.filter(
            document_id=assessment.document_id, kind=assessment.kind, as_of=assessment.as_of
        )
        .only("id", "version", "status", "frozen_at", "version_reason", "published_at")
        .order_by("version")
    )


# --- late reports -----------------------------------------------------------------------------


def late_reports(assessment: Assessment) -> list[dict[str, Any]]:
    """Approved since the freeze but dated on or before its date: what a re-freeze would take in.

    One query for reports, one for task updates; each row says whether it is dated on or after
    the value the assessment used (and so would change the figure) or before it.
    """
    frozen = {row.indicator_id: row for row in assessment.target_rows.all() if row.indicator_id}
    reports = (
        ProgressReport.objects.filter(
            indicator_id__in=list(frozen),
            review_status=ReviewStatus.APPROVED,
            as_of__lte=assessment.as_of,
            reviewed_at__gt=assessment.frozen_at,
        )
        .order_by("indicator__sort_order", "as_of", "reviewed_at")
        .values("id", "indicator_id", "indicator__name", "as_of", "value", "done", "reviewed_at")
    )
    out: list[dict[str, Any]] = []
    for report in reports:
        row = frozen[report["indicator_id"]]
        out.append(
            {
                "kind": "report",
                "name": report["indicator__name"],
                "as_of": report["as_of"],
                "value": report["value"],
                "done": report["done"],
                "reviewed_at": report["reviewed_at"],
                "frozen_value": row.value,
                "frozen_date": row.value_date,
                "changes_figure": row.value_date is None or report["as_of"] >= row.value_date,
            }
        )
    task_ids = [row.task_id for row in assessment.task_rows.all() if row.task_id]
    updates = (
        TaskUpdate.objects.filter(
            task_id__in=task_ids,
            review_status=ReviewStatus.APPROVED,
            as_of__lte=assessment.as_of,
            reviewed_at__gt=assessment.frozen_at,
        )
        .order_by("task__sort_order", "as_of", "reviewed_at")
        .values(
            "id",
            "task_id",
            "task__number",
            "task__title",
            "as_of",
            "status",
            "percent",
            "reviewed_at",
        )
    )
    task_rows = {row.task_id: row for row in assessment.task_rows.all()}
    for update in updates:
        row = task_rows[update["task_id"]]
        out.append(
            {
                "kind": "task_update",
                "name": f"{update['task__number']} {update['task__title']}",
                "as_of": update["as_of"],
                "status": update["status"],
                "percent": update["percent"],
                "reviewed_at": update["reviewed_at"],
                "frozen_date": row.update_as_of,
                "changes_figure": row.update_as_of is None or update["as_of"] >= row.update_as_of,
            }
        )
    return out


# --- comparison -------------------------------------------------------------------------------


def latest_published(kind: str) -> list[Assessment]:
    """Every province's latest published assessment of a kind, with counts by rating.

    "Latest" is the latest as-of date, then the highest version. One query.
    """
    if kind not in AssessmentKind.values:
        raise ValueError(kind)
    newer = Assessment.objects.filter(
        status=AssessmentStatus.PUBLISHED,
        kind=kind,
        document__province_id=OuterRef("document__province_id"),
    ).order_by("-as_of", "-version", "-id")
    target_count = {
        f"t_{rating}": Count("target_rows", filter=Q(target_rows__rating=rating), distinct=True)
        for rating in ("achieved", "basically_achieved", "missed", "cannot_assess")
    }
    task_count = {
        f"k_{rating}": Count("task_rows", filter=Q(task_rows__rating=rating), distinct=True)
        for rating in ("completed", "basically_completed", "in_progress", "delayed", "not_started")
    }
    return list(
        Assessment.objects.filter(id=Subquery(newer.values("id")[:1]))
        .select_related("document__province", "published_by")
        .annotate(
            **target_count,
            **task_count,
            t_total=Count("target_rows", distinct=True),
            k_total=Count("task_rows", distinct=True),
        )
        .order_by("document__province__sort_order", "document__province__code")
    )
