"""Opening rounds (by hand or from a document's schedule) and sending their reminders.

Reminders follow healthchecks' habit for idempotent background work: a ``Reminder`` row is
claimed (inserted, guarded by unique constraints) before the mail goes out, so a beat that
restarts or a job delivered twice finds the row taken and sends nothing. A mail server that
refuses leaves the row ``failed``; the next run claims it back by a conditional update and
tries once more.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from provinces.models import Department, PolicyDocument, ReviewStatus, Role
from rounds import periods
from rounds.models import (
    DEADLINE_BEFORE_OPENING,
    Reminder,
    ReminderKind,
    ReminderStatus,
    ReportingRound,
    RoundSchedule,
    RoundStatus,
)
from rounds.selectors import round_completeness
from targets.models import Indicator, ProgressReport
from tasks.models import TaskStatus, TaskUpdate

log = logging.getLogger(__name__)
COORDINATOR_NAME = "省市场监管局"
DEFAULT_OPENS_DAYS_BEFORE_END = 15
DEFAULT_DEADLINE_DAYS_AFTER_END = 15


# --- rounds -----------------------------------------------------------------------------------


def _coordinator(document: PolicyDocument) -> Department | None:
    """The bureau that runs the plan (省市场监管局) reports what no task assigns to a unit."""
    departments = Department.objects.filter(province_id=document.province_id)
    return (
        departments.filter(name=COORDINATOR_NAME).first()
        or departments.filter(name__endswith="市场监管局").first()
    )


def _open_items(document: PolicyDocument, period: periods.Period) -> tuple[list[int], list[int]]:
    """What a round asks for by default: every indicator and task of the document that is
    still open when the period begins: milestones not yet approved as done, tasks not yet
    approved as completed. Levels and counts stay open for the whole plan."""
    done = ProgressReport.objects.filter(
        indicator__document=document,
        done=True,
        review_status=ReviewStatus.APPROVED,
        as_of__lt=period.start,
    ).values("indicator_id")
    indicators = list(
        Indicator.objects.filter(document=document)
        .exclude(pk__in=done)
        .values_list("pk", flat=True)
    )
    finished = TaskUpdate.objects.filter(
        task__document=document,
        status=TaskStatus.COMPLETED,
        review_status=ReviewStatus.APPROVED,
        as_of__lt=period.start,
    ).values("task_id")
    tasks = list(document.tasks.exclude(pk__in=finished).values_list("pk", flat=True))
    return indicators, tasks


def round_create(
    *,
    document: PolicyDocument,
    period_kind: str,
    year: int,
    number: int,
    opens_on: dt.date | None = None,
    deadline: dt.date | None = None,
    status: str = RoundStatus.OPEN,
    user: Any = None,
) -> tuple[ReportingRound, bool]:
    """The round of ``document`` for that period, created with the document's open indicators
    and tasks if it does not exist yet (then ``True``); an existing draft is opened."""
    try:
        period = periods.Period(period_kind, int(year), int(number))
    except ValueError as exc:
        raise ValidationError(
            {"number": f"没有这个周期 No such period: {period_kind} {year} {number}"}
        ) from exc
    if not document.period_start <= period.year <= document.period_end:
        raise ValidationError(
            {
                "year": f"{period.year}年不在规划期{document.period_label}内 "
                f"({period.year} lies outside the plan period {document.period_label})"
            }
        )
    existing = ReportingRound.objects.filter(
        document=document, period_kind=period_kind, year=period.year, number=period.number
    ).first()
    if existing is not None:
        if existing.status == RoundStatus.DRAFT and status == RoundStatus.OPEN:
            existing.status = RoundStatus.OPEN
            existing.opened_by = existing.opened_by or user
            existing.save(update_fields=["status", "opened_by"])
        return existing, False
    opens_on = opens_on or period.end - dt.timedelta(days=DEFAULT_OPENS_DAYS_BEFORE_END)
    deadline = deadline or period.end + dt.timedelta(days=DEFAULT_DEADLINE_DAYS_AFTER_END)
    if deadline < opens_on:
        raise ValidationError({"deadline": DEADLINE_BEFORE_OPENING})
    indicators, tasks = _open_items(document, period)
    with transaction.atomic():
        created = ReportingRound(
            document=document,
            period_kind=period_kind,
            year=period.year,
            number=period.number,
            opens_on=opens_on,
            deadline=deadline,
            status=status,
            coordinating_department=_coordinator(document),
            opened_by=user if getattr(user, "is_authenticated", False) else None,
        )
        created.full_clean(exclude=["period_start", "as_of"], validate_unique=False)
        created.save()
        created.indicators.set(indicators)
        created.tasks.set(tasks)
    return created, True


def round_set_status(*, round: ReportingRound, status: str, user: Any = None) -> ReportingRound:
    if status not in RoundStatus.values:
        raise ValidationError({"status": f"未知状态 unknown status: {status}"})
    round.status = status
    fields = ["status"]
    if status == RoundStatus.OPEN and round.opened_by_id is None and user is not None:
        round.opened_by = user
        fields.append("opened_by")
    round.save(update_fields=fields)
    return round


def rounds_open_from_schedules(*, as_of: dt.date) -> list[tuple[ReportingRound, bool]]:
    """For each active schedule, the rounds of the current and the previous period whose
    opening day has come (idempotent: existing rounds are returned untouched)."""
    out = []
    for schedule in RoundSchedule.objects.filter(active=True).select_related("document"):
        current = periods.period_containing(schedule.period_kind, as_of)
        for period in (current.previous(), current):
            opens_on = period.end - dt.timedelta(days=schedule.opens_days_before_end)
            deadline = period.end + dt.timedelta(days=schedule.deadline_days_after_end)
            document = schedule.document
            if opens_on > as_of or not document.period_start <= period.year <= document.period_end:
                continue
            out.append(
                round_create(
                    document=document,
                    period_kind=period.kind,
                    year=period.year,
                    number=period.number,
                    opens_on=opens_on,
                    deadline=deadline,
                )
            )
    return out


# --- reminders --------------------------------------------------------------------------------


def _claim(
    *, user: Any, round: ReportingRound | None, kind: str, today: dt.date, items: int
) -> Reminder | None:
    """The reminder row, newly ours; None when it was already sent or is being sent."""
    try:
        with transaction.atomic():
            return Reminder.objects.create(
                user=user, round=round, kind=kind, sent_on=today, email=user.email, items=items
            )
    except IntegrityError:
        pass
    lookup = Q(user=user, kind=kind) & (
        Q(round=round) if round else Q(round__isnull=True, sent_on=today)
    )
    failed = Reminder.objects.filter(lookup, status=ReminderStatus.FAILED).first()
    if failed is None:
        return None
    claimed = Reminder.objects.filter(pk=failed.pk, status=ReminderStatus.FAILED).update(
        status=ReminderStatus.PENDING, error="", items=items, email=user.email
    )
    return Reminder.objects.get(pk=failed.pk) if claimed else None


def _deliver(reminder: Reminder, *, subject: str, body: str) -> bool:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [reminder.email], fail_silently=False)
    except Exception as exc:  # any transport error: recorded, tried again on the next run
        log.warning("reminder %s to %s failed: %s", reminder.pk, reminder.email, exc)
        Reminder.objects.filter(pk=reminder.pk).update(
            status=ReminderStatus.FAILED, error=str(exc)[:2000]
        )
        return False
    Reminder.objects.filter(pk=reminder.pk).update(
        status=ReminderStatus.SENT, sent_at=timezone.now()
    )
    return True


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) in Chinese with the English beneath: a mail has no language switch."""
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(template, context).strip()
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip() + "\n"


def round_reminders_send(*, today: dt.date) -> dict[str, int]:
    """Reminders to the reporters of each department that still owes items in an open round:
    ``due_soon`` within ``ROUND_REMINDER_DAYS_BEFORE`` days of the deadline, ``overdue`` after it.
    Each user gets each kind once per round."""
    days_before = settings.ROUND_REMINDER_DAYS_BEFORE
    rounds = list(
        ReportingRound.objects.filter(status=RoundStatus.OPEN, opens_on__lte=today).select_related(
            "document__province", "coordinating_department"
        )
    )
    rounds = [r for r in rounds if today > r.deadline or (r.deadline - today).days <= days_before]
    sent = {"sent": 0, "skipped": 0, "failed": 0}
    if not rounds:
        return sent
    data = round_completeness(rounds, today=today)
    recipients: dict[tuple[int, int | None], list[Any]] = defaultdict(list)
    for user in (
        get_user_model()
        .objects.filter(
            is_active=True,
            profile__role=Role.REPORTER,
            profile__province_id__in={r.document.province_id for r in rounds},
            profile__reminders_enabled=True,
        )
        .exclude(email="")
        .select_related("profile")
    ):
        recipients[(user.profile.province_id, user.profile.department_id)].append(user)
    by_id = {r.pk: r for r in rounds}
    for (round_id, department_id), line in data.tallies.items():
        if not line.missing_items:
            continue
        rnd = by_id[round_id]
        kind = ReminderKind.OVERDUE if today > rnd.deadline else ReminderKind.DUE_SOON
        subject, body = _render(
            f"rounds/email/{kind}.txt",
            {
                "round": rnd,
                "department": data.department_name(department_id),
                "items": line.missing_items,
                "days_left": (rnd.deadline - today).days,
                "url": _link(reverse("rounds:round", args=[rnd.pk])),
                "settings_url": _link(reverse("rounds:reminder_settings")),
            },
        )
        for user in recipients.get((rnd.document.province_id, department_id), []):
            reminder = _claim(
                user=user, round=rnd, kind=kind, today=today, items=len(line.missing_items)
            )
            if reminder is None:
                sent["skipped"] += 1
                continue
            sent["sent" if _deliver(reminder, subject=subject, body=body) else "failed"] += 1
    return sent


def review_digest_send(*, today: dt.date) -> dict[str, int]:
    """Each reviewer (and province admin) who wants reminders gets, once a day, the list of
    its unit's submissions that wait for review; nothing waiting, no mail."""
    from provinces import access

    sent = {"sent": 0, "skipped": 0, "failed": 0}
    reviewers = (
        get_user_model()
        .objects.filter(
            is_active=True,
            profile__role__in=[Role.REVIEWER, Role.PROVINCE_ADMIN],
            profile__province__isnull=False,
            profile__reminders_enabled=True,
        )
        .exclude(email="")
    )
    for user in reviewers:
        reports = list(
            access.scope(
                ProgressReport.objects.filter(review_status=ReviewStatus.SUBMITTED),
                user,
                "indicator__document__province",
            ).select_related("indicator", "reporting_department")[:50]
        )
        updates = list(
            access.scope(
                TaskUpdate.objects.filter(review_status=ReviewStatus.SUBMITTED),
                user,
                "task__document__province",
            ).select_related("task", "reporting_department")[:50]
        )
        if not reports and not updates:
            continue
        reminder = _claim(
            user=user,
            round=None,
            kind=ReminderKind.DIGEST,
            today=today,
            items=len(reports) + len(updates),
        )
        if reminder is None:
            sent["skipped"] += 1
            continue
        subject, body = _render(
            "rounds/email/digest.txt",
            {
                "reports": reports,
                "updates": updates,
                "count": len(reports) + len(updates),
                "today": today,
                "url": _link(reverse("rounds:index")),
                "settings_url": _link(reverse("rounds:reminder_settings")),
            },
        )
        sent["sent" if _deliver(reminder, subject=subject, body=body) else "failed"] += 1
    return sent


def reminders_toggle(*, user: Any, enabled: bool) -> None:
    from provinces import access
    from provinces.models import UserProfile

    UserProfile.objects.filter(user_id=user.pk).update(reminders_enabled=enabled)
    access.forget(user)
