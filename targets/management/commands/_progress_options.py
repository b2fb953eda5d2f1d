"""Options shared by the progress commands: ``--as-of`` and ``--province``."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from provinces.models import Province


def as_of_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"“{text}”不是日期，应写作 2025-12-31 / “{text}” is not a date like 2025-12-31"
        ) from None


def add_as_of_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--as-of",
        dest="as_of",
        metavar="DATE",
        help="测算基准日，默认今天，如 2025-12-31 / as-of date, default today (YYYY-MM-DD)",
    )


def resolve_as_of(text: str | None) -> dt.date:
    """The as-of date (default today); a future date is refused: no data can be dated there."""
    today = timezone.localdate()
    if not text:
        return today
    day = as_of_date(text)
    if day > today:
        raise CommandError(
            f"测算基准日 {day} 晚于今天 {today} / the as-of date {day} is after today {today}"
        )
    return day


def resolve_province(text: str | None) -> Province | None:
    if not text:
        return None
    province = (
        Province.objects.filter(code__iexact=text.strip()).first()
        or Province.objects.filter(name=text.strip()).first()
    )
    if province is None:
        codes = ", ".join(Province.objects.values_list("code", flat=True))
        raise CommandError(f"未知省份 “{text}”，可用：{codes} / unknown province “{text}”")
    return province
