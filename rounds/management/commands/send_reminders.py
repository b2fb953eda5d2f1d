"""``manage.py send_reminders [--today YYYY-MM-DD]``: what beat sends each morning, on demand.
Reminders already sent are not sent again."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rounds.services import review_digest_send, round_reminders_send


class Command(BaseCommand):
    help = "发送填报提醒和待审核汇总 Send round reminders and the reviewers' digest"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", help="YYYY-MM-DD, default today")

    def handle(self, *args, **options) -> None:
        raw = options.get("today")
        try:
            today = dt.date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError:
            raise CommandError(f"“{raw}”不是日期 (“{raw}” is not a date)") from None
        rounds = round_reminders_send(today=today)
        digest = review_digest_send(today=today)
        self.stdout.write(
            f"提醒 reminders: {rounds['sent']} sent, {rounds['skipped']} already sent, "
            f"{rounds['failed']} failed; 汇总 digests: {digest['sent']} sent, "
            f"{digest['skipped']} already sent, {digest['failed']} failed"
        )
