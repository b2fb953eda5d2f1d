"""Writes for key tasks: reviewing the progress updates departments report.

Task statuses are read live (``targets.selectors.task_status_frame`` takes each task's latest
approved update), so a review changes the roll-ups at once and needs no recomputation.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext

from provinces import review
from tasks.models import TaskUpdate

REVIEW_PERMISSION = "tasks.change_taskupdate"


def _require_reviewer(reviewer: AbstractBaseUser) -> None:
    if not reviewer.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied(gettext("无权审核任务进展 (not allowed to review task updates)"))


def approve_task_updates(
    *,
    updates: QuerySet[TaskUpdate] | Iterable[TaskUpdate],
    reviewer: AbstractBaseUser,
) -> int:
    """Approve the updates not yet approved; returns how many changed."""
    _require_reviewer(reviewer)
    changed, _ = review.approve(TaskUpdate, updates, reviewer=reviewer)
    return changed


def return_task_updates(
    *,
    updates: QuerySet[TaskUpdate] | Iterable[TaskUpdate],
    reviewer: AbstractBaseUser,
    reason: str = "",
) -> int:
    """Send submitted or approved updates back; the reason (required) is the review comment."""
    _require_reviewer(reviewer)
    changed, _ = review.send_back(TaskUpdate, updates, reviewer=reviewer, reason=reason)
    return changed
