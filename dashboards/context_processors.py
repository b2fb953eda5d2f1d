"""What every page's frame needs: the 示例数据 banner, the as-of date, navigation, URL state.

Everything that reads the database is lazy, so a page that does not show it (the login form,
the admin) pays nothing, and a page that does pays one fixed query.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode

# Parameters a download link or the as-of form must not carry over.
TRANSIENT_PARAMS = ("format", "table")


def parse_as_of(value: str | None) -> dt.date | None:
    """``YYYY-MM-DD`` → date; None when absent or not a date (the page itself says why)."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _demo_data_present() -> bool:
    from targets.selectors import demo_data_present

    return demo_data_present()


def _last_complete_run_at() -> dt.datetime | None:
    from targets.selectors import last_complete_run_at

    return last_complete_run_at()


def _provinces() -> list[dict[str, str]]:
    from provinces.models import Province

    return province_links(Province.objects.values("code", "name"))


def province_links(provinces) -> list[dict[str, str]]:
    """The navigation's provinces with their page's path (reversed once, not per link)."""
    return [{**p, "url": reverse("dashboards:province", args=[p["code"]])} for p in provinces]


def _import_url() -> str:
    """Where reports are imported (the admin's import page), or the admin index."""
    for name in ("admin:targets_progressreport_import", "admin:targets_progressreport_changelist"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/admin/"


def dashboard(request: HttpRequest) -> dict[str, object]:
    today = timezone.localdate()
    as_of = parse_as_of(request.GET.get("as_of")) or today
    kept = [
        (key, value)
        for key, values in request.GET.lists()
        for value in values
        if key not in TRANSIENT_PARAMS
    ]
    query = urlencode(kept)
    return {
        "demo_data": SimpleLazyObject(_demo_data_present),
        "nav_provinces": SimpleLazyObject(_provinces),
        "as_of": as_of,
        "as_of_is_today": as_of == today,
        # Appended to a link so it keeps the page's as-of date: "" or "?as_of=YYYY-MM-DD".
        "as_of_query": "" if as_of == today else f"?as_of={as_of.isoformat()}",
        "today": today,
        # Hidden fields for forms that change one parameter and keep the others.
        "kept_params": [(k, v) for k, v in kept if k != "as_of"],
        # "?a=1&" or "?": append "format=csv&table=x" to download what is on screen.
        "download_prefix": f"?{query}&" if query else "?",
        "import_url": SimpleLazyObject(_import_url),
        # When results were last recomputed in full; a template shows it as
        # {{ last_computed_at|date:"Y-m-d H:i" }} (lazy: one query where shown).
        "last_computed_at": SimpleLazyObject(_last_complete_run_at),
    }
