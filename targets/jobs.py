"""Celery jobs for progress: thin wrappers that parse their arguments and call the service.

Both are idempotent (they replace the results for a date), so ``acks_late`` is safe: a job
redelivered after a worker died just recomputes the same rows. Database hiccups retry with
exponential back-off.
"""

from __future__ import annotations

from celery import shared_task

from metrology_tracker.job_options import RETRY_OPTIONS, job_date
from targets.services import progress_recompute


@shared_task(**RETRY_OPTIONS)
def recompute_indicator_progress(indicator_id: int, as_of: str | None = None) -> int:
    """Recompute one indicator's targets as of a date (ISO string; default today)."""
    return progress_recompute(as_of=job_date(as_of), indicator_ids=[indicator_id]).pk


@shared_task(**RETRY_OPTIONS)
def recompute_all_progress(as_of: str | None = None) -> int:
    """Recompute every target as of a date (ISO string; default today): nightly and on demand."""
    return progress_recompute(as_of=job_date(as_of)).pk
