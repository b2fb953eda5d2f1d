"""The review that progress reports and task updates share: approve, or return with a reason.

Both models carry ``review_status``, ``reviewed_at``, ``updated_at`` and ``note``. Each app keeps
its own permission and what follows a review (an approved report recomputes its indicator);
the row locks and the single UPDATE live here, so the two workflows cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.db.models import Case, F, QuerySet, TextField, Value, When
from django.db.models.functions import Concat
from django.utils import timezone

from provinces.models import ReviewStatus


def _ids(items: QuerySet | Iterable[models.Model]) -> list[int]:
    if isinstance(items, QuerySet):
        return list(items.values_list("id", flat=True))
    return [item.pk for item in items]


def approve(
    model: type[models.Model],
    items: QuerySet | Iterable[models.Model],
    *,
    fields: Iterable[str] = (),
) -> tuple[int, list[tuple[Any, ...]]]:
    """Approve the items not yet approved: (how many changed, their (id, *fields) rows).

    The rows are locked before they are read, so two reviewers approving at once count each
    item once; ``fields`` are read as they were before the approval.
    """
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            model.objects.select_for_update()
            .filter(id__in=_ids(items))
            .exclude(review_status=ReviewStatus.APPROVED)
            .values_list("id", *fields)
        )
        changed = model.objects.filter(id__in=[row[0] for row in rows]).update(
            review_status=ReviewStatus.APPROVED, reviewed_at=now, updated_at=now
        )
    return changed, rows


def send_back(
    model: type[models.Model],
    items: QuerySet | Iterable[models.Model],
    *,
    reason: str = "",
    fields: Iterable[str] = (),
) -> tuple[int, list[tuple[Any, ...]]]:
    """Return submitted or approved items to the reporter, the reason appended to their note
    (the models keep no separate review comment): (how many changed, their (id, *fields) rows
    as they were before)."""
    now = timezone.now()
    remark = f"[退回 Returned {timezone.localdate(now).isoformat()}] {reason.strip()}".strip()
    with transaction.atomic():
        rows = list(
            model.objects.select_for_update()
            .filter(
                id__in=_ids(items),
                review_status__in=[ReviewStatus.SUBMITTED, ReviewStatus.APPROVED],
            )
            .values_list("id", *fields)
        )
        changed = model.objects.filter(id__in=[row[0] for row in rows]).update(
            review_status=ReviewStatus.RETURNED,
            reviewed_at=now,
            updated_at=now,
            note=Case(
                When(note="", then=Value(remark)),
                default=Concat(F("note"), Value("\n" + remark), output_field=TextField()),
                output_field=TextField(),
            ),
        )
    return changed, rows
