"""The header's to-do count: read only when a page shows it (lazy), a fixed few queries."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject


def todo(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        from reporting.selectors import todo_count

        return todo_count(user, today=timezone.localdate())

    return {"todo_count": SimpleLazyObject(count)}
