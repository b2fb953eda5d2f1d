"""Writes of the entry and review workflow: drafts, submissions, corrections, evidence, review.

Every write checks ``provinces.access`` first (another unit's row is a 404, as on the pages),
validates with the same rules as the command-line import (``targets.services.
report_value_problems``), saves through the model so that the audit trail records who and why
(``_history_user`` / ``_change_reason``), and never edits an approved entry: a correction is
a new entry that ``supersedes`` it, with a reason. Approval goes through the apps' own review
services, which enqueue the indicator's recompute after the commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from provinces import access
from provinces.models import ReviewStatus
from reporting import evidence as evidence_rules
from reporting.models import Evidence
from targets.models import Indicator, ProgressReport, ReportSource
from targets.services import approve_reports, report_value_problems, return_reports
from tasks.models import Task, TaskStatus, TaskUpdate
from tasks.services import approve_task_updates, return_task_updates

EDITABLE = (ReviewStatus.DRAFT, ReviewStatus.RETURNED)


@dataclass(frozen=True)
class EvidenceInput:
    """What a form hands over: uploaded files and links (one URL each)."""

    files: Sequence[UploadedFile] = ()
    links: Sequence[str] = ()


def _record(row: Model, user: Any, reason: str) -> None:
    row._history_user = user
    row._change_reason = reason
    row.full_clean()
    row.save()


def _reason(submit: bool, correction: bool) -> str:
    if correction:
        return "更正 / correction" + (" · 提交审核 / submitted" if submit else "")
    return "提交审核 / submitted" if submit else "保存草稿 / draft saved"


def _status(row: Any, submit: bool) -> None:
    if submit:
        row.review_status = ReviewStatus.SUBMITTED
        row.submitted_at = timezone.now()
    else:
        row.review_status = ReviewStatus.DRAFT


def _require_editable(row: Any) -> None:
    if row.review_status not in EDITABLE:
        raise ValidationError(
            gettext(
                "只能修改草稿或已退回的记录；已审核的请提交更正 "
                "(only drafts and returned entries can be changed; correct an approved one)"
            )
        )


# --- evidence ---------------------------------------------------------------------------------


def evidence_problems(evidence: EvidenceInput) -> list[str]:
    """Every refused file or link, as bilingual sentences (nothing is stored when any)."""
    problems = []
    for upload in evidence.files:
        found = evidence_rules.file_problem(upload, upload.name, upload.size)
        if found:
            problems.append(found)
    for link in evidence.links:
        if not link.lower().startswith(("http://", "https://")):
            problems.append(
                gettext(
                    "链接“{link}”应以 http:// 或 https:// 开头 (“{link}” is not a web link)"
                ).format(link=link)
            )
    return problems


def _attach(entry: Any, user: Any, evidence: EvidenceInput) -> list[Evidence]:
    problems = evidence_problems(evidence)
    if problems:
        raise ValidationError({"files": problems})
    parent = {"report": entry} if isinstance(entry, ProgressReport) else {"task_update": entry}
    items = []
    for upload in evidence.files:
        item = Evidence(**parent, name=upload.name[:200], size=upload.size, uploaded_by=user)
        item.file.save(upload.name, upload, save=False)
        items.append(item)
    for link in evidence.links:
        items.append(Evidence(**parent, link=link, name=link[:200], uploaded_by=user))
    for item in items:
        _record(item, user, "附佐证材料 / evidence attached")
    return items


# --- progress reports -------------------------------------------------------------------------


def _check_report_values(
    indicator: Indicator, as_of: dt.date | None, value: Decimal | None, done: bool | None
) -> None:
    problems = report_value_problems(indicator=indicator, as_of=as_of, value=value, done=done)
    if problems:
        raise ValidationError(problems)


def report_save(
    *,
    user: Any,
    indicator: Indicator,
    as_of: dt.date,
    value: Decimal | None,
    done: bool | None = None,
    note: str = "",
    report: ProgressReport | None = None,
    submit: bool = False,
    evidence: EvidenceInput = EvidenceInput(),
) -> ProgressReport:
    """Create a report, or change a draft or returned one; save as draft or submit."""
    access.require(access.can_enter(user, indicator.document.province_id))
    if report is not None:
        _require_editable(report)
        access.require(report.indicator.document.province_id == indicator.document.province_id)
    _check_report_values(indicator, as_of, value, done)
    profile = access.profile(user)
    with transaction.atomic():
        if report is None:
            report = ProgressReport(
                reporter=user,
                source=ReportSource.MANUAL,
                reporting_department=profile.department if profile else None,
            )
        report.indicator = indicator
        report.as_of = as_of
        report.value = None if indicator.is_milestone else value
        report.done = done if indicator.is_milestone else None
        report.note = note
        report.last_modified_by = user
        report.is_percentage = indicator.is_percentage
        report.is_milestone = indicator.is_milestone
        _status(report, submit)
        _record(report, user, _reason(submit, report.supersedes_id is not None))
        _attach(report, user, evidence)
    return report


def report_correct(
    *,
    user: Any,
    original: ProgressReport,
    as_of: dt.date,
    value: Decimal | None,
    done: bool | None = None,
    note: str = "",
    correction_reason: str,
    submit: bool = False,
    evidence: EvidenceInput = EvidenceInput(),
) -> ProgressReport:
    """A new report that supersedes an approved one; both stay on record."""
    access.require(access.can_enter(user, original.indicator.document.province_id))
    if original.review_status != ReviewStatus.APPROVED:
        raise ValidationError(
            gettext("只有已审核的填报需要更正 (only an approved report is corrected)")
        )
    if not correction_reason.strip():
        raise ValidationError(
            {
                "correction_reason": gettext(
                    "请填写更正原因 (a reason for the correction is required)"
                )
            }
        )
    indicator = original.indicator
    _check_report_values(indicator, as_of, value, done)
    profile = access.profile(user)
    with transaction.atomic():
        report = ProgressReport(
            indicator=indicator,
            reporter=user,
            source=ReportSource.MANUAL,
            reporting_department=profile.department if profile else None,
            supersedes=original,
            correction_reason=correction_reason.strip(),
        )
        report.as_of = as_of
        report.value = None if indicator.is_milestone else value
        report.done = done if indicator.is_milestone else None
        report.note = note
        report.last_modified_by = user
        _status(report, submit)
        _record(report, user, f"更正 / correction: {correction_reason.strip()}")
        _attach(report, user, evidence)
    return report


def report_submit(*, user: Any, report: ProgressReport) -> ProgressReport:
    """Submit a draft or returned report as it stands."""
    access.require(access.can_enter(user, report.indicator.document.province_id))
    _require_editable(report)
    with transaction.atomic():
        report.last_modified_by = user
        _status(report, True)
        _record(report, user, "提交审核 / submitted")
    return report


# --- task updates -----------------------------------------------------------------------------


def may_update_task(user: Any, task: Task) -> bool:
    """A reporter updates the tasks its department leads, supports or is responsible for; a
    user with no department (a province admin) any task of its units."""
    if not access.can_enter(user, task.document.province_id):
        return False
    profile = access.profile(user)
    if profile is None or profile.department_id is None:
        return True
    return task.assignments.filter(department_id=profile.department_id).exists()


def task_values_problems(
    status: str, percent: int | None, as_of: dt.date | None
) -> dict[str, list[str]]:
    """The rules a task update meets, as bilingual messages keyed by field."""
    problems: dict[str, list[str]] = {}
    today = timezone.localdate()
    if as_of is None:
        problems["as_of"] = [gettext("请填写截至日期 (the as-of date is required)")]
    elif as_of > today:
        problems["as_of"] = [
            gettext(
                "截至日期{date}晚于今天{today}，不能填报未来的数值 "
                "(the as-of date {date} is in the future; today is {today})"
            ).format(date=as_of.isoformat(), today=today.isoformat())
        ]
    if status not in TaskStatus.values:
        problems["status"] = [gettext("请选择任务状态 (choose the task's status)")]
    if percent is not None and not 0 <= percent <= 100:
        problems["percent"] = [
            gettext("完成百分比{value}不在0–100之间 (percent {value} is not within 0–100)").format(
                value=percent
            )
        ]
    elif status == TaskStatus.COMPLETED and percent not in (None, 100):
        problems["percent"] = [
            gettext("已完成的任务百分比应为100 (a completed task is 100 percent done)")
        ]
    return problems


def _check_task_values(status: str, percent: int | None, as_of: dt.date | None) -> None:
    problems = task_values_problems(status, percent, as_of)
    if problems:
        raise ValidationError(problems)


def task_update_save(
    *,
    user: Any,
    task: Task,
    as_of: dt.date,
    status: str,
    percent: int | None,
    narrative: str = "",
    update: TaskUpdate | None = None,
    submit: bool = False,
    evidence: EvidenceInput = EvidenceInput(),
) -> TaskUpdate:
    """Create a task update, or change a draft or returned one; save as draft or submit."""
    access.require(may_update_task(user, task))
    if update is not None:
        _require_editable(update)
        access.require(update.task_id == task.pk)
    _check_task_values(status, percent, as_of)
    profile = access.profile(user)
    with transaction.atomic():
        if update is None:
            update = TaskUpdate(
                task=task,
                reporter=user,
                reporting_department=profile.department if profile else None,
            )
        update.as_of = as_of
        update.status = status
        update.percent = percent
        update.narrative = narrative
        update.last_modified_by = user
        _status(update, submit)
        _record(update, user, _reason(submit, update.supersedes_id is not None))
        _attach(update, user, evidence)
    return update


def task_update_correct(
    *,
    user: Any,
    original: TaskUpdate,
    as_of: dt.date,
    status: str,
    percent: int | None,
    narrative: str = "",
    correction_reason: str,
    submit: bool = False,
    evidence: EvidenceInput = EvidenceInput(),
) -> TaskUpdate:
    """A new task update that supersedes an approved one; both stay on record."""
    access.require(may_update_task(user, original.task))
    if original.review_status != ReviewStatus.APPROVED:
        raise ValidationError(
            gettext("只有已审核的任务进展需要更正 (only an approved update is corrected)")
        )
    if not correction_reason.strip():
        raise ValidationError(
            {
                "correction_reason": gettext(
                    "请填写更正原因 (a reason for the correction is required)"
                )
            }
        )
    _check_task_values(status, percent, as_of)
    profile = access.profile(user)
    with transaction.atomic():
        update = TaskUpdate(
            task=original.task,
            reporter=user,
            reporting_department=profile.department if profile else original.reporting_department,
            supersedes=original,
            correction_reason=correction_reason.strip(),
            as_of=as_of,
            status=status,
            percent=percent,
            narrative=narrative,
            last_modified_by=user,
        )
        _status(update, submit)
        _record(update, user, f"更正 / correction: {correction_reason.strip()}")
        _attach(update, user, evidence)
    return update


def task_update_submit(*, user: Any, update: TaskUpdate) -> TaskUpdate:
    access.require(may_update_task(user, update.task))
    _require_editable(update)
    with transaction.atomic():
        update.last_modified_by = user
        _status(update, True)
        _record(update, user, "提交审核 / submitted")
    return update


# --- review -----------------------------------------------------------------------------------


def entries_review(
    *,
    reviewer: Any,
    reports: Iterable[ProgressReport] = (),
    updates: Iterable[TaskUpdate] = (),
    approve: bool,
    reason: str = "",
) -> int:
    """Approve or return reports and task updates at once; all or nothing.

    The apps' services check the permission, the scope and four eyes, record each change and
    enqueue the recompute of every approved report's indicator after the commit.
    """
    reports, updates = list(reports), list(updates)
    if not reports and not updates:
        raise ValidationError(gettext("请先选择要审核的记录 (select the entries to review first)"))
    for entry in (*reports, *updates):
        # Another unit's entry is missing, not forbidden.
        unit = (
            entry.indicator.document.province_id
            if isinstance(entry, ProgressReport)
            else entry.task.document.province_id
        )
        if not access.can_see_province(reviewer, unit):
            raise Http404
    with transaction.atomic():
        if approve:
            count = approve_reports(reports=reports, reviewer=reviewer) if reports else 0
            count += approve_task_updates(updates=updates, reviewer=reviewer) if updates else 0
        else:
            count = (
                return_reports(reports=reports, reviewer=reviewer, reason=reason) if reports else 0
            )
            count += (
                return_task_updates(updates=updates, reviewer=reviewer, reason=reason)
                if updates
                else 0
            )
    return count
