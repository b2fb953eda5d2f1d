"""Celery jobs for rounds: thin wrappers around the services, safe to run twice.

Opening rounds is idempotent (get or create per period); reminders claim a row before sending,
so ``acks_late`` redelivery after a crashed worker sends nothing twice.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from rounds import services

RETRY_OPTIONS = {
    "acks_late": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


def _day(value: str | None) -> dt.date:
    return dt.date.fromisoformat(value) if value else timezone.localdate()


@shared_task(**RETRY_OPTIONS)
def open_scheduled_rounds(as_of: str | None = None) -> int:
    """Rounds due by each document's schedule (daily); returns how many were created."""
    return sum(created for _, created in services.rounds_open_from_schedules(as_of=_day(as_of)))


@shared_task(**RETRY_OPTIONS)
def send_round_reminders(today: str | None = None) -> dict[str, int]:
    """Due-soon and overdue reminders to reporters (daily)."""
    return services.round_reminders_send(today=_day(today))


@shared_task(**RETRY_OPTIONS)
def send_review_digest(today: str | None = None) -> dict[str, int]:
    """The reviewers' daily list of submissions waiting for them."""
    return services.review_digest_send(today=_day(today))


@shared_task(acks_late=True)
def check_upload(token: str) -> str:
    """Check an uploaded sheet for its preview (rows checked so far go to the cache)."""
    from rounds.imports import upload_check

    upload = upload_check(token=token)
    return upload.state if upload else "gone"
