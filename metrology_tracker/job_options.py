"""What every app's Celery jobs share: retry on a lost database connection, acknowledge after
the work (a crashed worker's job is redelivered, so jobs are safe to run twice), and the date a
job was given as text (JSON carries no dates), today when none."""

from __future__ import annotations

import datetime as dt

from django.db import InterfaceError, OperationalError
from django.utils import timezone

RETRY_OPTIONS = {
    "acks_late": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


def job_date(value: str | None) -> dt.date:
    return dt.date.fromisoformat(value) if value else timezone.localdate()
