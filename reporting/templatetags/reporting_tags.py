import datetime as dt

from django import template

register = template.Library()


@register.filter
def minutes(value: dt.timedelta | None) -> int:
    """A cool-off period in whole minutes (at least one)."""
    return max(1, round(value.total_seconds() / 60)) if value else 0
