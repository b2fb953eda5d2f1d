"""Writes for key tasks: reviewing the progress updates departments report.

Task statuses are read live (``targets.selectors.task_status_frame`` takes each task's latest
approved update), so a review changes the roll-ups at once and needs no recomputation.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, F, QuerySet, TextField, Value, When
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext

from provinces.models import ReviewStatus
from tasks.models import TaskUpdate

REVIEW_PERMISSION = "tasks.change_taskupdate"


def _require_reviewer(reviewer: AbstractBaseUser) -> None:
    if not reviewer.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied(gettext("无权审核任务进展 (not allowed to review task updates)"))


def _update_ids(updates: QuerySet[TaskUpdate] | Iterable[TaskUpdate]) -> list[int]:
    if isinstance(updates, QuerySet):
        return list(updates.values_list("id", flat=True))
    return [update.pk for update in updates]


def approve_task_updates(
    *,
    updates: QuerySet[TaskUpdate] | Iterable[TaskUpdate],
    reviewer: AbstractBaseUser,
) -> int:
    """Approve the updates not yet approved; returns how many changed."""
    _require_reviewer(reviewer)
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            TaskUpdate.objects.select_for_update()
            .filter(id__in=_update_ids(updates))
            .exclude(review_status=ReviewStatus.APPROVED)
            .values_list("id", flat=True)
        )
        return TaskUpdate.objects.filter(id__in=ids).update(
            review_status=ReviewStatus.APPROVED, reviewed_at=now, updated_at=now
        )


def return_task_updates(
    *,
    updates: QuerySet[TaskUpdate] | Iterable[TaskUpdate],
    reviewer: AbstractBaseUser,
    reason: str = "",
) -> int:
    """Send submitted or approved updates back; the reason is appended to the update's note."""
    _require_reviewer(reviewer)
    now = timezone.now()
    remark = f"[退回 Returned {timezone.localdate(now).isoformat()}] {reason.strip()}".strip()
    with transaction.atomic():
        ids = list(
            TaskUpdate.objects.select_for_update()
            .filter(
                id__in=_update_ids(updates),
                review_status__in=[ReviewStatus.SUBMITTED, ReviewStatus.APPROVED],
            )
            .values_list("id", flat=True)
        )
        return TaskUpdate.objects.filter(id__in=ids).update(
            review_status=ReviewStatus.RETURNED,
            reviewed_at=now,
            updated_at=now,
            note=Case(
                When(note="", then=Value(remark)),
                default=Concat(F("note"), Value("\n" + remark), output_field=TextField()),
                output_field=TextField(),
            ),
        )
