"""recompute_progress: today by default, any past date, every stored date, or via the queue."""

import datetime as dt
import io
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from targets.models import ProgressResult, ProgressRun


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("recompute_progress", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_recomputes_as_of_today_by_default(catalogue):
    output = run()

    assert f"as of {timezone.localdate()}" in output
    assert set(ProgressResult.objects.values_list("as_of", flat=True)) == {timezone.localdate()}
    assert ProgressResult.objects.count() == 6


@pytest.mark.django_db
def test_history_refreshes_every_stored_date_and_today(catalogue, make_report):
    run("--as-of", "2022-12-31")
    run("--as-of", "2023-12-31")
    make_report(catalogue.indicators["coverage"], "2022-06-30", 87)

    output = run("--history")

    assert output.count("recomputed 6 targets") == 3
    assert (
        ProgressResult.objects.get(
            target=catalogue.targets["coverage"], as_of=dt.date(2022, 12, 31)
        ).latest_value
        == 87.0
    )


@pytest.mark.django_db
def test_queue_hands_the_work_to_celery(catalogue):
    with mock.patch("targets.jobs.recompute_all_progress.delay") as delay:
        output = run("--queue", "--as-of", "2023-12-31")

    delay.assert_called_once_with("2023-12-31")
    assert "queued" in output
    assert not ProgressRun.objects.exists()


@pytest.mark.django_db
def test_a_future_date_is_refused(catalogue):
    with pytest.raises(CommandError, match="after today"):
        run("--as-of", (timezone.localdate() + dt.timedelta(days=1)).isoformat())
