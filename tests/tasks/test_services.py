"""Reviewing task updates: approval makes the status count, a return withdraws it."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from provinces.accounts import assign_role
from provinces.models import ReviewStatus, Role
from targets.selectors import task_status_frame
from tasks.models import TaskStatus, TaskUpdate
from tasks.services import approve_task_updates, return_task_updates
from tests import factories as f


@pytest.fixture
def reviewer(django_user_model):
    user = django_user_model.objects.create_user(username="task-reviewer", password="x")
    user.user_permissions.add(Permission.objects.get(codename="change_taskupdate"))
    # Reviews are scoped by unit: a national system admin reviews every province.
    assign_role(user=user, role=Role.SYSTEM_ADMIN)
    return django_user_model.objects.get(pk=user.pk)


@pytest.fixture
def task():
    task = f.make_task()
    f.make_assignment(task=task)
    return task


def current_status(task):
    frame = task_status_frame()
    return frame.loc[frame["task_id"] == task.pk, "status"].iloc[0]


@pytest.mark.django_db
def test_approving_an_update_makes_it_the_tasks_status(task, reviewer):
    f.make_task_update(
        task=task,
        as_of=dt.date(2024, 12, 31),
        status=TaskStatus.IN_PROGRESS,
        review_status=ReviewStatus.APPROVED,
    )
    delayed = f.make_task_update(
        task=task,
        as_of=dt.date(2025, 12, 31),
        status=TaskStatus.DELAYED,
        percent=30,
        review_status=ReviewStatus.SUBMITTED,
    )
    assert current_status(task) == TaskStatus.IN_PROGRESS  # submitted does not count

    assert approve_task_updates(updates=[delayed], reviewer=reviewer) == 1

    delayed.refresh_from_db()
    assert delayed.review_status == ReviewStatus.APPROVED
    assert delayed.reviewed_at is not None
    assert current_status(task) == TaskStatus.DELAYED


@pytest.mark.django_db
def test_approving_twice_changes_nothing_the_second_time(task, reviewer):
    update = f.make_task_update(task=task, review_status=ReviewStatus.SUBMITTED)
    assert approve_task_updates(updates=TaskUpdate.objects.all(), reviewer=reviewer) == 1
    first = TaskUpdate.objects.get(pk=update.pk).reviewed_at

    assert approve_task_updates(updates=TaskUpdate.objects.all(), reviewer=reviewer) == 0
    assert TaskUpdate.objects.get(pk=update.pk).reviewed_at == first


@pytest.mark.django_db
def test_returning_an_approved_update_withdraws_it_and_keeps_the_reason(task, reviewer):
    update = f.make_task_update(
        task=task,
        status=TaskStatus.COMPLETED,
        percent=100,
        note="自评",
        review_status=ReviewStatus.APPROVED,
    )
    draft = f.make_task_update(task=task, review_status=ReviewStatus.DRAFT)

    changed = return_task_updates(updates=[update, draft], reviewer=reviewer, reason="佐证材料不足")

    assert changed == 1  # a draft was never submitted: nothing to return
    update.refresh_from_db()
    assert update.review_status == ReviewStatus.RETURNED
    assert update.note == "自评"  # the reporter's note stays as written
    assert update.review_comment == "佐证材料不足"
    assert current_status(task) is None  # no approved update left: 未填报


@pytest.mark.django_db
def test_a_user_without_the_permission_cannot_review(task, viewer):
    update = f.make_task_update(task=task, review_status=ReviewStatus.SUBMITTED)

    with pytest.raises(PermissionDenied):
        approve_task_updates(updates=[update], reviewer=viewer)
    with pytest.raises(PermissionDenied):
        return_task_updates(updates=[update], reviewer=viewer, reason="不对")

    update.refresh_from_db()
    assert update.review_status == ReviewStatus.SUBMITTED
