"""The review that progress reports and task updates share: approve, or return with a reason.

Both models carry ``review_status``, ``reviewed_at``, ``reviewed_by``, ``review_comment``,
``reporter`` and ``last_modified_by``. Each app keeps what follows a review (an approved report
recomputes its indicator); the scope check, the four-eyes rule, the row locks and the saves
live here, so the two workflows cannot drift apart. Rows are saved one by one (not with one
UPDATE) so that every approval and return lands in the audit trail with who and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from provinces import access
from provinces.models import ReviewStatus

# Where each reviewable model finds its unit, for ``provinces.access``.
PROVINCE_FIELDS = {
    "progressreport": "indicator__document__province",
    "taskupdate": "task__document__province",
}


def province_field(model: type[models.Model]) -> str:
    return PROVINCE_FIELDS[model._meta.model_name]


def _ids(items: QuerySet | Iterable[models.Model]) -> list[int]:
    if isinstance(items, QuerySet):
        return list(items.values_list("id", flat=True))
    return [item.pk for item in items]


def _locked(model: type[models.Model], items, reviewer: Any, statuses) -> list[models.Model]:
    """The items in ``statuses``, locked, once the reviewer's right to review each is checked."""
    field = province_field(model)
    rows = list(
        model.objects.select_for_update()
        .filter(id__in=_ids(items), review_status__in=statuses)
        .annotate(unit_id=models.F(field))
        .order_by("id")
    )
    refused = [row for row in rows if not access.can_review(reviewer, row.unit_id)]
    if refused:
        raise PermissionDenied(
            gettext(
                "无权审核所选的{count}条记录 (not allowed to review {count} of the selected)"
            ).format(count=len(refused))
        )
    return rows


def _record(row: models.Model, reviewer: Any, reason: str) -> None:
    row._history_user = reviewer
    row._change_reason = reason
    row.save()


def approve(
    model: type[models.Model],
    items: QuerySet | Iterable[models.Model],
    *,
    reviewer: Any,
    fields: Iterable[str] = (),
) -> tuple[int, list[tuple[Any, ...]]]:
    """Approve the submitted items: (how many changed, their (id, *fields) rows as before).

    Four eyes: if the reviewer entered or last changed any of them, nothing is approved. The
    rows are locked before they are read, so two reviewers approving at once count each once.
    """
    now = timezone.now()
    fields = tuple(fields)
    with transaction.atomic():
        rows = _locked(model, items, reviewer, [ReviewStatus.SUBMITTED])
        own = [row for row in rows if not access.may_approve(reviewer, row)]
        if own:
            raise ValidationError(
                gettext(
                    "不能审核自己填报或最后修改的记录(四眼原则)：{items} "
                    "(four eyes: you cannot approve what you entered or last changed: {items})"
                ).format(items="；".join(str(row) for row in own))
            )
        before = [(row.pk, *(getattr(row, name) for name in fields)) for row in rows]
        for row in rows:
            row.review_status = ReviewStatus.APPROVED
            row.reviewed_at = now
            row.reviewed_by = reviewer
            row.review_comment = ""
            _record(row, reviewer, "审核通过 / approved")
    return len(rows), before


def send_back(
    model: type[models.Model],
    items: QuerySet | Iterable[models.Model],
    *,
    reviewer: Any,
    reason: str,
    fields: Iterable[str] = (),
) -> tuple[int, list[tuple[Any, ...]]]:
    """Return submitted or approved items to the reporter with the reviewer's reason (required):
    (how many changed, their (id, *fields) rows as they were before)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": gettext("退回须填写原因 (a reason is required to return an entry)")}
        )
    now = timezone.now()
    fields = tuple(fields)
    with transaction.atomic():
        rows = _locked(model, items, reviewer, [ReviewStatus.SUBMITTED, ReviewStatus.APPROVED])
        before = [(row.pk, *(getattr(row, name) for name in fields)) for row in rows]
        for row in rows:
            row.review_status = ReviewStatus.RETURNED
            row.reviewed_at = now
            row.reviewed_by = reviewer
            row.review_comment = reason
            _record(row, reviewer, f"退回 / returned: {reason}")
    return len(rows), before
