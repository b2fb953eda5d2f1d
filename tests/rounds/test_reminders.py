"""Reminders reach people through a real SMTP server (aiosmtpd, started by the test), once.

Due-soon and overdue mails go to the reporters of each department that still owes items; the
reviewers' digest lists what waits for them; a user who turned reminders off gets none; a
restart (running the same job again) sends nothing twice; a mail server that refused is tried
again on the next run. The last test sends through a real Celery worker via Redis.
"""

import datetime as dt

import pytest
from django.core.management import call_command

from provinces.models import ReviewStatus
from rounds.models import Reminder, ReminderKind, ReminderStatus
from rounds.services import review_digest_send, round_reminders_send
from tests import factories as f
from tests.workers import wait_for

from .conftest import body, subject

AFTER = dt.date(2027, 1, 16)
SOON = dt.date(2027, 1, 13)  # two days before the deadline; the setting says three


@pytest.mark.django_db
def test_overdue_reporters_get_one_mail_each_naming_what_is_missing(plan, q4, smtp_server):
    f.make_report(
        indicator=plan.centers, as_of=dt.date(2026, 12, 31), review_status=ReviewStatus.SUBMITTED
    )
    f.make_task_update(
        task=plan.task, as_of=dt.date(2026, 12, 31), review_status=ReviewStatus.SUBMITTED
    )

    assert round_reminders_send(today=AFTER) == {"sent": 1, "skipped": 0, "failed": 0}

    [mail] = smtp_server.to("market@sx.example.cn")
    assert smtp_server.to("science@sx.example.cn") == []  # 省科技厅 handed everything in
    assert subject(mail).startswith("【计量发展规划实施跟踪】山西2026年第四季度填报已逾期")
    assert "Q4 2026 report overdue since 2027-01-15" in subject(mail)
    text = body(mail)
    assert "社会公用计量标准（未填报）" in text
    assert f"/rounds/{q4.pk}/" in text and "/rounds/reminders/" in text
    assert mail["From"] == "tracker@example.cn"
    reminder = Reminder.objects.get()
    assert (reminder.user, reminder.round, reminder.kind, reminder.status, reminder.items) == (
        plan.users["sx_reporter"],
        q4,
        ReminderKind.OVERDUE,
        ReminderStatus.SENT,
        1,
    )


@pytest.mark.django_db
def test_running_again_after_a_restart_sends_nothing_twice(plan, q4, smtp_server):
    round_reminders_send(today=AFTER)
    first = len(smtp_server.messages)
    assert round_reminders_send(today=AFTER)["sent"] == 0
    assert round_reminders_send(today=AFTER + dt.timedelta(days=1))["sent"] == 0
    call_command("send_reminders", "--today", AFTER.isoformat())
    assert len(smtp_server.messages) == first == 2  # one reporter of each department


@pytest.mark.django_db
def test_a_due_soon_reminder_comes_before_the_deadline_and_the_overdue_one_after(
    plan, q4, smtp_server, settings
):
    settings.ROUND_REMINDER_DAYS_BEFORE = 3
    assert round_reminders_send(today=dt.date(2027, 1, 5))["sent"] == 0  # too early
    assert round_reminders_send(today=SOON)["sent"] == 2
    [soon] = smtp_server.to("science@sx.example.cn")
    assert "还有2天" in body(soon) and "due 2027-01-15" in subject(soon)
    assert round_reminders_send(today=AFTER)["sent"] == 2
    kinds = sorted(Reminder.objects.values_list("kind", flat=True))
    assert kinds == ["due_soon", "due_soon", "overdue", "overdue"]


@pytest.mark.django_db
def test_a_user_who_turned_reminders_off_gets_none(plan, q4, smtp_server):
    profile = plan.users["sx_reporter"].profile
    profile.reminders_enabled = False
    profile.save()
    round_reminders_send(today=AFTER)
    assert smtp_server.to("market@sx.example.cn") == []
    assert len(smtp_server.to("science@sx.example.cn")) == 1


@pytest.mark.django_db
def test_a_closed_or_draft_round_reminds_nobody(plan, q4, smtp_server):
    q4.status = "closed"
    q4.save()
    assert round_reminders_send(today=AFTER)["sent"] == 0
    assert smtp_server.messages == []


@pytest.mark.django_db
def test_a_refused_mail_is_recorded_and_tried_once_more_next_time(plan, q4, smtp_server, settings):
    smtp_server.controller.stop()
    assert round_reminders_send(today=AFTER) == {"sent": 0, "skipped": 0, "failed": 2}
    assert set(Reminder.objects.values_list("status", flat=True)) == {ReminderStatus.FAILED}
    assert Reminder.objects.exclude(error="").count() == 2
    from aiosmtpd.controller import Controller

    smtp_server.controller = Controller(smtp_server, hostname="127.0.0.1", port=smtp_server.port)
    smtp_server.controller.start()
    assert round_reminders_send(today=AFTER)["sent"] == 2
    assert round_reminders_send(today=AFTER)["sent"] == 0
    assert len(smtp_server.messages) == 2


@pytest.mark.django_db
def test_reviewers_get_one_daily_digest_of_what_waits_for_them(plan, q4, smtp_server):
    f.make_report(
        indicator=plan.standards,
        as_of=dt.date(2026, 12, 31),
        review_status=ReviewStatus.SUBMITTED,
        reporting_department=plan.market,
    )
    f.make_report(
        indicator=f.make_indicator(document=plan.js_doc),
        review_status=ReviewStatus.SUBMITTED,
    )
    assert review_digest_send(today=AFTER)["sent"] == 1
    [digest] = smtp_server.to("reviewer@sx.example.cn")
    assert "1项填报待审核" in subject(digest)
    assert "社会公用计量标准，截至2026-12-31，省市场监管局" in body(digest)
    assert review_digest_send(today=AFTER)["sent"] == 0
    assert review_digest_send(today=AFTER + dt.timedelta(days=1))["sent"] == 1
    assert len(smtp_server.to("reviewer@sx.example.cn")) == 2


@pytest.mark.django_db
def test_nothing_waiting_means_no_digest(plan, smtp_server):
    assert review_digest_send(today=AFTER)["sent"] == 0
    assert smtp_server.messages == []


def test_the_beat_schedule_names_the_reminder_jobs():
    from metrology_tracker.celery_app import app

    schedule = app.conf.beat_schedule
    assert schedule["send-round-reminders"]["task"] == "rounds.jobs.send_round_reminders"
    assert schedule["send-review-digest"]["task"] == "rounds.jobs.send_review_digest"
    assert schedule["open-scheduled-rounds"]["task"] == "rounds.jobs.open_scheduled_rounds"


# --- a real worker through Redis ---------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_overdue_reminder_once(plan, q4, smtp_server, real_worker):
    from rounds.jobs import send_round_reminders

    send_round_reminders.delay(AFTER.isoformat())
    send_round_reminders.delay(AFTER.isoformat())  # a second beat tick, a redelivery
    assert wait_for(lambda: Reminder.objects.filter(status=ReminderStatus.SENT).count() == 2)
    assert wait_for(lambda: len(smtp_server.messages) == 2)
    # Both jobs ran (the queue is empty) and the second sent nothing.
    from metrology_tracker.celery_app import app

    with app.connection_for_write() as connection:
        assert wait_for(lambda: connection.default_channel.client.llen("celery") == 0)
    assert len(smtp_server.to("market@sx.example.cn")) == 1
