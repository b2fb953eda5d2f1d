"""Celery jobs for rounds: thin wrappers around the services, safe to run twice.

Opening rounds is idempotent (get or create per period); reminders claim a row before sending,
so ``acks_late`` redelivery after a crashed worker sends nothing twice.
"""

from __future__ import annotations

from celery import shared_task

from metrology_tracker.job_options import RETRY_OPTIONS, job_date
from rounds import services


@shared_task(**RETRY_OPTIONS)
def open_scheduled_rounds(as_of: str | None = None) -> int:
    """Rounds due by each document's schedule (daily); returns how many were created."""
    return sum(created for _, created in services.rounds_open_from_schedules(as_of=job_date(as_of)))


@shared_task(**RETRY_OPTIONS)
def send_round_reminders(today: str | None = None) -> dict[str, int]:
    """Due-soon and overdue reminders to reporters (daily)."""
    return services.round_reminders_send(today=job_date(today))


@shared_task(**RETRY_OPTIONS)
def send_review_digest(today: str | None = None) -> dict[str, int]:
    """The reviewers' daily list of submissions waiting for them."""
    return services.review_digest_send(today=job_date(today))


@shared_task(acks_late=True)
def check_upload(token: str) -> str:
    """Check an uploaded sheet for its preview (rows checked so far go to the cache)."""
    from rounds.imports import upload_check

    upload = upload_check(token=token)
    return upload.state if upload else "gone"
