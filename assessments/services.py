"""Writes for assessments: freeze, re-freeze, rate, conclude, submit, return, publish.

Each checks who may do it (``provinces.access``), refuses anything on a published or
superseded version, validates, then writes inside one transaction. Refusals are
``PermissionDenied`` (wrong person) or ``ValidationError`` with a message in Chinese and English
(wrong state or input), never a database error.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from assessments import rules
from assessments.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    AssessmentTarget,
    AssessmentTask,
    OverallRating,
    TargetRating,
    TaskRating,
    published_refusal,
)
from assessments.selectors import FrozenTask, frozen_results_frame, frozen_tasks, is_evaluator
from dashboards.pages.common import target_display
from provinces import access
from provinces.models import PolicyDocument

# What a reader needs to redo the sum, as targets.services keeps it in ProgressResult.inputs.
RESULT_INPUTS = (
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


# --- checks -----------------------------------------------------------------------------------


def _refuse(message: str) -> None:
    raise ValidationError(message)


def _require_editable(assessment: Assessment) -> None:
    """Only the current draft of a round changes; a published version never does."""
    current = Assessment.objects.filter(pk=assessment.pk).values_list("status", flat=True).get()
    if current == AssessmentStatus.PUBLISHED:
        _refuse(published_refusal())
    if Assessment.objects.filter(supersedes=assessment).exists():
        _refuse(
            gettext(
                "该版本已被新版本替代，请在最新版本上修改 "
                "(this version has been superseded: work on the latest version)"
            )
        )
    if current != AssessmentStatus.DRAFT:
        _refuse(
            gettext(
                "评估正在审议，退回起草后才能修改 "
                "(the assessment is in review: it must be returned to draft before it changes)"
            )
        )


def _require_evaluator(user: AbstractBaseUser, assessment: Assessment) -> None:
    if not is_evaluator(user, assessment):
        raise PermissionDenied(
            gettext("只有本评估的评估员或管理员可以操作 (only its evaluators or admins may)")
        )


def may_create(user: AbstractBaseUser, document: PolicyDocument) -> bool:
    """Evaluators of the document's province (or national ones) and its admins freeze rounds."""
    province_id = document.province_id
    if access.can_manage(user, province_id):
        return True
    return access.can_evaluate(user) and access.can_see_province(user, province_id)


def _check_evaluators(evaluators: Iterable[AbstractBaseUser], document: PolicyDocument) -> list:
    chosen = list(evaluators)
    wrong = [
        u.get_username()
        for u in chosen
        if not (access.can_evaluate(u) and _same_province_or_national(u, document.province_id))
    ]
    if wrong:
        _refuse(
            gettext(
                "{names} 不是本省或国家级的评估员 "
                "({names}: not an evaluator of this province or national)"
            ).format(names="、".join(wrong))
        )
    return chosen


def _same_province_or_national(user: AbstractBaseUser, province_id: int) -> bool:
    ids = access.province_ids(user)
    return ids is None or province_id in ids


# --- freeze -----------------------------------------------------------------------------------


def _float(value: Any) -> float | None:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def _date(value: Any) -> dt.date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return pd.Timestamp(value).date()


def _text(value: Any) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float)) else str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, str):
        return value
    number = _float(value)
    if number is None:
        return None
    return int(number) if float(number).is_integer() and abs(number) < 1e15 else number


def _target_rows(assessment: Assessment) -> list[AssessmentTarget]:
    frame = frozen_results_frame(document=assessment.document, as_of=assessment.as_of)
    rows = []
    for index, row in enumerate(frame.to_dict("records"), start=1):
        pace = _text(row["pace_status"])
        completion = _float(row["completion"])
        achieved = None if pd.isna(row["achieved"]) else bool(row["achieved"])
        approved_at = row.get("report_approved_at")
        rows.append(
            AssessmentTarget(
                assessment=assessment,
                target_id=int(row["target_id"]),
                indicator_id=int(row["indicator_id"]),
                sort_order=index,
                indicator_name=row["indicator_name"],
                area=_text(row["area"]),
                unit=_text(row["unit"]),
                measure_kind=row["measure_kind"],
                attribute=_text(row["attribute"]),
                target_year=int(row["target_year"]),
                target_value=_float(row["target_value"]),
                target_display=target_display(row),
                comparator=row["comparator"],
                baseline_value=_float(row["baseline_value"]),
                baseline_date=_date(row["baseline_date"]),
                baseline_source=_text(row["baseline_source"]),
                value=_float(row["latest_value"]),
                value_date=_date(row["latest_date"]),
                value_done=(
                    achieved
                    if row["measure_kind"] == "milestone" and _date(row["latest_date"])
                    else None
                ),
                report_id=None if _float(row["report_id"]) is None else int(row["report_id"]),
                report_evidence=_text(row.get("report_evidence")),
                report_evidence_file=_text(row.get("report_evidence_file")),
                report_approved_at=None if pd.isna(approved_at) else approved_at,
                achieved=achieved,
                completion=completion,
                completion_display=_float(row["completion_display"]),
                time_elapsed=_float(row["time_elapsed"]),
                pace_status=pace,
                outlook=_text(row["outlook"]),
                outlook_ratio=_float(row["outlook_ratio"]),
                projection=_float(row["projection"]),
                method=_text(row["method"]),
                n_points=int(row["n_points"]),
                score=_float(row["score"]),
                inputs={name: _json_value(row.get(name)) for name in RESULT_INPUTS},
                proposed_rating=rules.propose_target_rating(pace, completion),
            )
        )
    return rows


def _task_rows(assessment: Assessment, tasks: Sequence[FrozenTask]) -> list[AssessmentTask]:
    rows = []
    for task in tasks:
        update = task.update or {}
        rows.append(
            AssessmentTask(
                assessment=assessment,
                task_id=task.task_id,
                sort_order=task.sort_order,
                part=task.part[:220],
                task_number=task.number,
                task_title=task.title,
                departments=task.departments,
                update_id=update.get("id"),
                update_status=update.get("status") or "",
                update_percent=update.get("percent"),
                update_as_of=update.get("as_of"),
                update_narrative=update.get("narrative") or "",
                update_department=update.get("reporting_department__name") or "",
                update_approved_at=update.get("reviewed_at"),
                proposed_rating=rules.propose_task_rating(
                    update.get("status"), update.get("percent")
                ),
            )
        )
    return rows


def _freeze_into(assessment: Assessment) -> None:
    """Copy the engine's results and the latest task updates into the assessment's rows."""
    AssessmentTarget.objects.bulk_create(_target_rows(assessment), batch_size=200)
    tasks = frozen_tasks(document=assessment.document, as_of=assessment.as_of)
    AssessmentTask.objects.bulk_create(_task_rows(assessment, tasks), batch_size=200)


def assessment_create(
    *,
    document: PolicyDocument,
    kind: str,
    as_of: dt.date,
    created_by: AbstractBaseUser,
    evaluators: Iterable[AbstractBaseUser] = (),
    title: str = "",
    today: dt.date | None = None,
    is_demo: bool = False,
) -> Assessment:
    """Open a round and freeze it: version 1, every target and task copied as of ``as_of``.

    The creator is one of its evaluators when they are an evaluator.
    """
    if not may_create(created_by, document):
        raise PermissionDenied(
            gettext("只有本省的评估员或管理员可以创建评估 (only evaluators or admins may)")
        )
    today = today or timezone.localdate()
    if kind not in AssessmentKind.values:
        _refuse(gettext("评估类型无效 (unknown kind of assessment): {kind}").format(kind=kind))
    if as_of > today:
        _refuse(
            gettext(
                "评估基准日{date}晚于今天，无法冻结未来的数据 "
                "(the as-of date {date} is in the future: nothing to freeze yet)"
            ).format(date=as_of.isoformat())
        )
    if as_of.year < document.base_year:
        _refuse(
            gettext(
                "评估基准日早于规划基期{year}年 "
                "(the as-of date precedes the plan's base year {year})"
            ).format(year=document.base_year)
        )
    chosen = _check_evaluators(evaluators, document)
    if access.can_evaluate(created_by) and created_by not in chosen:
        chosen.append(created_by)
    with transaction.atomic():
        if Assessment.objects.filter(document=document, kind=kind, as_of=as_of).exists():
            _refuse(
                gettext(
                    "该文件同一基准日的同类评估已存在，请在原评估上重新冻结 "
                    "(this round exists already: re-freeze it to make a new version)"
                )
            )
        assessment = Assessment(
            document=document,
            kind=kind,
            as_of=as_of,
            version=1,
            title=title.strip(),
            frozen_at=timezone.now(),
            created_by=created_by,
            is_demo=is_demo,
        )
        assessment.full_clean()
        assessment.save()
        assessment.evaluators.set(chosen)
        _freeze_into(assessment)
    return assessment


def assessment_refreeze(*, assessment: Assessment, by: AbstractBaseUser, reason: str) -> Assessment:
    """A new version frozen now, superseding this one, which is kept unchanged.

    From a draft it takes in the late reports; from a published version it is the correction.
    The evaluators, the conclusion and every rating, reason, comment and carry-over whose row
    still exists are carried into the new version; a carried rating that now differs from the
    new proposal keeps its reason, or falls back to unrated when it had none.
    """
    _require_evaluator(by, assessment)
    if not reason.strip():
        _refuse(gettext("请说明重新冻结的原因 (say why it is re-frozen)"))
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if Assessment.objects.filter(supersedes=locked).exists():
            _refuse(
                gettext(
                    "该版本已被新版本替代，请在最新版本上操作 "
                    "(this version has been superseded: work on the latest version)"
                )
            )
        if locked.status == AssessmentStatus.IN_REVIEW:
            _refuse(
                gettext(
                    "评估正在审议，退回起草后才能重新冻结 "
                    "(the assessment is in review: return it to draft before re-freezing)"
                )
            )
        new = Assessment(
            document_id=locked.document_id,
            kind=locked.kind,
            as_of=locked.as_of,
            version=locked.version + 1,
            supersedes=locked,
            version_reason=reason.strip(),
            title=locked.title,
            frozen_at=timezone.now(),
            created_by=by,
            overall_rating=locked.overall_rating,
            achievements=locked.achievements,
            problems=locked.problems,
            recommendations=locked.recommendations,
            is_demo=locked.is_demo,
        )
        new.full_clean()
        new.save()
        new.evaluators.set(locked.evaluators.all())
        _freeze_into(new)
        _carry_ratings(locked, new)
    return new


def _carry_ratings(old: Assessment, new: Assessment) -> None:
    for model, key in ((AssessmentTarget, "target_id"), (AssessmentTask, "task_id")):
        before = {getattr(r, key): r for r in model.objects.filter(assessment=old)}
        changed = []
        for row in model.objects.filter(assessment=new):
            prior = before.get(getattr(row, key))
            if prior is None:
                continue
            row.comment, row.carry_over = prior.comment, prior.carry_over
            if prior.rating and (prior.rating == row.proposed_rating or prior.rating_reason):
                row.rating, row.rating_reason = prior.rating, prior.rating_reason
                row.rated_by_id, row.rated_at = prior.rated_by_id, prior.rated_at
            changed.append(row)
        fields = ["comment", "carry_over", "rating", "rating_reason", "rated_by", "rated_at"]
        model.objects.bulk_update(changed, fields, batch_size=200)


# --- rate -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingInput:
    """One row's judgement from the rating form: blank ``rating`` leaves it unrated."""

    row_id: int
    rating: str
    reason: str = ""
    comment: str = ""
    carry_over: bool = False


def _rate(
    model: type[AssessmentTarget] | type[AssessmentTask],
    choices: type[TargetRating] | type[TaskRating],
    *,
    assessment: Assessment,
    by: AbstractBaseUser,
    ratings: Sequence[RatingInput],
) -> int:
    _require_evaluator(by, assessment)
    _require_editable(assessment)
    rows = {r.pk: r for r in model.objects.filter(assessment=assessment)}
    problems: dict[str, list[str]] = {}
    for item in ratings:
        row = rows.get(item.row_id)
        key = str(item.row_id)
        if row is None:
            problems[key] = [gettext("该行不属于本评估 (this row is not in the assessment)")]
        elif item.rating and item.rating not in choices.values:  # noqa: PD011
            problems[key] = [gettext("评价无效 (not a rating): {value}").format(value=item.rating)]
        elif item.rating and item.rating != row.proposed_rating and not item.reason.strip():
            problems[key] = [
                gettext(
                    "评价与建议评价“{proposed}”不同，请填写调整理由 "
                    "(the rating differs from the proposed “{proposed}”: give a reason)"
                ).format(proposed=row.get_proposed_rating_display())
            ]
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    changed = []
    for item in ratings:
        row = rows[item.row_id]
        new = (item.rating, item.reason.strip(), item.comment.strip(), bool(item.carry_over))
        if new == (row.rating, row.rating_reason, row.comment, row.carry_over):
            continue
        row.rating, row.rating_reason, row.comment, row.carry_over = new
        row.rated_by_id = by.pk if item.rating else None
        row.rated_at = now if item.rating else None
        changed.append(row)
    with transaction.atomic():
        _require_editable(Assessment.objects.select_for_update().get(pk=assessment.pk))
        model.objects.bulk_update(
            changed,
            ["rating", "rating_reason", "comment", "carry_over", "rated_by", "rated_at"],
            batch_size=200,
        )
        Assessment.objects.filter(pk=assessment.pk).update(updated_at=now)
    return len(changed)


def assessment_rate_targets(
    *, assessment: Assessment, by: AbstractBaseUser, ratings: Sequence[RatingInput]
) -> int:
    """Confirm or change the targets' ratings; a change from the proposal needs a reason.

    All or nothing: one row without a reason refuses the lot. Returns how many rows changed.
    """
    return _rate(AssessmentTarget, TargetRating, assessment=assessment, by=by, ratings=ratings)


def assessment_rate_tasks(
    *, assessment: Assessment, by: AbstractBaseUser, ratings: Sequence[RatingInput]
) -> int:
    """As :func:`assessment_rate_targets`, for the tasks."""
    return _rate(AssessmentTask, TaskRating, assessment=assessment, by=by, ratings=ratings)


def assessment_accept_proposals(*, assessment: Assessment, by: AbstractBaseUser) -> int:
    """Rate every unrated row as proposed (an evaluator's "confirm the rest")."""
    _require_evaluator(by, assessment)
    now = timezone.now()
    with transaction.atomic():
        _require_editable(Assessment.objects.select_for_update().get(pk=assessment.pk))
        changed = 0
        for model in (AssessmentTarget, AssessmentTask):
            rows = list(model.objects.filter(assessment=assessment, rating=""))
            for row in rows:
                row.rating, row.rated_by_id, row.rated_at = row.proposed_rating, by.pk, now
            model.objects.bulk_update(rows, ["rating", "rated_by", "rated_at"], batch_size=200)
            changed += len(rows)
    return changed


# --- conclude, submit, return, publish --------------------------------------------------------


def assessment_conclude(
    *,
    assessment: Assessment,
    by: AbstractBaseUser,
    overall_rating: str,
    achievements: str,
    problems: str,
    recommendations: str,
) -> Assessment:
    """Write the conclusion: overall rating, 主要成效, 存在问题, 下一步建议."""
    _require_evaluator(by, assessment)
    if overall_rating and overall_rating not in OverallRating.values:
        _refuse(gettext("总体评价无效 (not an overall rating): {v}").format(v=overall_rating))
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        _require_editable(locked)
        locked.overall_rating = overall_rating
        locked.achievements = achievements.strip()
        locked.problems = problems.strip()
        locked.recommendations = recommendations.strip()
        locked.full_clean()
        locked.save()
    return locked


def submission_problems(assessment: Assessment) -> list[str]:
    """What stops a draft going to review: unrated rows, an unwritten conclusion."""
    problems = []
    unrated_targets = assessment.target_rows.filter(rating="").count()
    unrated_tasks = assessment.task_rows.filter(rating="").count()
    if unrated_targets or unrated_tasks:
        problems.append(
            gettext(
                "还有{targets}个目标、{tasks}项任务未评价 "
                "({targets} targets and {tasks} tasks are not rated yet)"
            ).format(targets=unrated_targets, tasks=unrated_tasks)
        )
    if not (
        assessment.overall_rating
        and assessment.achievements
        and assessment.problems
        and assessment.recommendations
    ):
        problems.append(
            gettext(
                "请填写评估结论：总体评价、主要成效、存在问题、下一步建议 "
                "(write the conclusion: overall rating, achievements, problems, recommendations)"
            )
        )
    return problems


def assessment_submit(*, assessment: Assessment, by: AbstractBaseUser) -> Assessment:
    """起草 → 审议, once every row is rated and the conclusion written."""
    _require_evaluator(by, assessment)
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        _require_editable(locked)
        problems = submission_problems(locked)
        if problems:
            raise ValidationError(problems)
        locked.status = AssessmentStatus.IN_REVIEW
        locked.submitted_at = timezone.now()
        locked.save()
    return locked


def _require_publisher(by: AbstractBaseUser, assessment: Assessment) -> None:
    if not access.can_publish(by, assessment.document.province_id):
        raise PermissionDenied(
            gettext("只有审核员或管理员可以审议和发布评估 (only reviewers or admins may)")
        )


def _locked_in_review(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status == AssessmentStatus.PUBLISHED:
        _refuse(published_refusal())
    if locked.status != AssessmentStatus.IN_REVIEW:
        _refuse(gettext("评估尚未提交审议 (the assessment has not been submitted for review)"))
    if Assessment.objects.filter(supersedes=locked).exists():
        _refuse(gettext("该版本已被新版本替代 (this version has been superseded)"))
    return locked


def assessment_return(*, assessment: Assessment, by: AbstractBaseUser, reason: str) -> Assessment:
    """审议 → 起草, with the reviewer's reason kept in the version note."""
    _require_publisher(by, assessment)
    if not reason.strip():
        _refuse(gettext("请填写退回理由 (give the reason for returning it)"))
    with transaction.atomic():
        locked = _locked_in_review(assessment)
        stamp = timezone.localdate().isoformat()
        note = f"[退回 Returned {stamp} {by.get_username()}] {reason.strip()}"
        locked.version_reason = f"{locked.version_reason}\n{note}".strip()
        locked.status = AssessmentStatus.DRAFT
        locked.submitted_at = None
        locked.save()
    return locked


def assessment_publish(*, assessment: Assessment, by: AbstractBaseUser) -> Assessment:
    """审议 → 发布: who and when go on it; from then on nothing in it changes."""
    _require_publisher(by, assessment)
    with transaction.atomic():
        locked = _locked_in_review(assessment)
        problems = submission_problems(locked)
        if problems:
            raise ValidationError(problems)
        locked.status = AssessmentStatus.PUBLISHED
        locked.published_by = by
        locked.published_at = timezone.now()
        locked.full_clean()
        locked.save()
    return locked


def assessment_delete_draft(*, assessment: Assessment, by: AbstractBaseUser) -> None:
    """Discard a draft that nothing supersedes; published versions are kept for ever."""
    _require_evaluator(by, assessment)
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        _require_editable(locked)
        locked.delete()
