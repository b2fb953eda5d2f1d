"""What every page's frame needs: the 示例数据 banner flag and the as-of date of the URL."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject


def parse_as_of(value: str | None) -> dt.date | None:
    """``YYYY-MM-DD`` → date; None when absent or not a date (the page says so)."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _demo_data_present() -> bool:
    from targets.selectors import demo_data_present

    return demo_data_present()


def dashboard(request: HttpRequest) -> dict[str, object]:
    """``demo_data`` is lazy: the queries run only on pages whose template shows the banner."""
    today = timezone.localdate()
    as_of = parse_as_of(request.GET.get("as_of")) or today
    return {
        "demo_data": SimpleLazyObject(_demo_data_present),
        "as_of": as_of,
        "as_of_is_today": as_of == today,
        "today": today,
    }
