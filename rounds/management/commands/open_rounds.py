"""``manage.py open_rounds [--as-of YYYY-MM-DD]``: make the rounds each document's schedule
calls for (the current and the previous period once their opening day has come). Safe to run
again: existing rounds are left as they are."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rounds.services import rounds_open_from_schedules


class Command(BaseCommand):
    help = "按各文件的填报计划开启填报周期 Open the rounds each document's schedule calls for"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--as-of", help="YYYY-MM-DD, default today")

    def handle(self, *args, **options) -> None:
        raw = options.get("as_of")
        try:
            as_of = dt.date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError:
            raise CommandError(
                f"“{raw}”不是日期，应写作2026-12-31 (“{raw}” is not a date like 2026-12-31)"
            ) from None
        results = rounds_open_from_schedules(as_of=as_of)
        for round_, created in results:
            state = "新建 created" if created else "已有 exists"
            self.stdout.write(
                f"{state}: {round_.document.slug} {round_.label} ({round_.label_en}) "
                f"{round_.opens_on}—{round_.deadline}"
            )
        made = sum(created for _, created in results)
        self.stdout.write(f"新建{made}个填报周期 ({made} round(s) created)")
