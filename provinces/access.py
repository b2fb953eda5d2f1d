"""Who may see and do what: the one place that decides, used by views, admin, imports and jobs.

A user belongs to one unit (a province or a city) through ``UserProfile``, or to the national
level (no unit), and has one ``Role``. Everybody logged in reads the read-only dashboards:
comparing provinces is their point. Everything else — submissions, drafts, evidence, the
workbench, review, the admin's rows, imports, assessments — is scoped to the user's unit and
the cities under it. Another unit's object is a 404, never a 403 that confirms it exists.

Superusers count as system admins, so an operator's ``createsuperuser`` account works at once.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404

from provinces.models import Province, Role, UserProfile

NATIONAL_ROLES = frozenset({Role.SYSTEM_ADMIN})
ENTRY_ROLES = frozenset({Role.REPORTER, Role.PROVINCE_ADMIN, Role.SYSTEM_ADMIN})
REVIEW_ROLES = frozenset({Role.REVIEWER, Role.PROVINCE_ADMIN, Role.SYSTEM_ADMIN})
MANAGE_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.SYSTEM_ADMIN})
EVALUATE_ROLES = frozenset({Role.EVALUATOR, Role.SYSTEM_ADMIN})
PUBLISH_ROLES = REVIEW_ROLES
SUBMISSION_READER_ROLES = frozenset(
    {
        Role.REPORTER,
        Role.REVIEWER,
        Role.LEADER,
        Role.EVALUATOR,
        Role.PROVINCE_ADMIN,
        Role.SYSTEM_ADMIN,
    }
)

_CACHE_ATTR = "_access_profile"
_UNITS_ATTR = "_access_units"


def profile(user: Any) -> UserProfile | None:
    """The user's profile, read once per user object (a request reuses it)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if hasattr(user, _CACHE_ATTR):
        return getattr(user, _CACHE_ATTR)
    found = (
        UserProfile.objects.select_related("province", "department").filter(user_id=user.pk).first()
    )
    setattr(user, _CACHE_ATTR, found)
    return found


def forget(user: Any) -> None:
    """Drop the cached profile and units (after the profile itself changed)."""
    for attr in (_CACHE_ATTR, _UNITS_ATTR):
        if user is not None and hasattr(user, attr):
            delattr(user, attr)


def role(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return Role.SYSTEM_ADMIN
    found = profile(user)
    return found.role if found else None


def has_role(user: Any, *roles: str) -> bool:
    return role(user) in roles


def is_national(user: Any) -> bool:
    """Sees every unit: a system admin, or a profile with no unit (national leader/evaluator)."""
    current = role(user)
    if current is None:
        return False
    if current in NATIONAL_ROLES:
        return True
    found = profile(user)
    return found is not None and found.province_id is None


def province_ids(user: Any) -> frozenset[int] | None:
    """The units whose objects the user may see: None means all; empty means none."""
    if role(user) is None:
        return frozenset()
    if is_national(user):
        return None
    if hasattr(user, _UNITS_ATTR):  # read once per user object, like the profile
        return getattr(user, _UNITS_ATTR)
    found = profile(user)
    assert found is not None and found.province_id is not None
    cities = Province.objects.filter(parent_id=found.province_id).values_list("id", flat=True)
    units = frozenset({found.province_id, *cities})
    setattr(user, _UNITS_ATTR, units)
    return units


def can_see_province(user: Any, province_id: int | None) -> bool:
    allowed = province_ids(user)
    return allowed is None or (province_id is not None and province_id in allowed)


def scope(queryset: QuerySet, user: Any, province_field: str = "province") -> QuerySet:
    """``queryset`` cut to the user's units, through ``province_field`` (a lookup path such as
    ``indicator__document__province``). Anonymous users and users without a role get none."""
    allowed = province_ids(user)
    if allowed is None:
        return queryset
    if not allowed:
        return queryset.none()
    return queryset.filter(**{f"{province_field}__in": allowed})


def get_scoped_or_404(
    queryset: QuerySet, user: Any, province_field: str = "province", **lookup: Any
) -> Model:
    """One object of the user's units, or 404 whether it is missing or someone else's."""
    found = scope(queryset, user, province_field).filter(**lookup).first()
    if found is None:
        raise Http404
    return found


def _acts_in(user: Any, province_id: int | None, roles: frozenset[str]) -> bool:
    return role(user) in roles and can_see_province(user, province_id)


def can_enter(user: Any, province_id: int | None) -> bool:
    """Enters reports and task updates for that unit."""
    return _acts_in(user, province_id, ENTRY_ROLES)


def can_review(user: Any, province_id: int | None) -> bool:
    """Approves or returns that unit's submissions (never their own: see ``may_approve``)."""
    return _acts_in(user, province_id, REVIEW_ROLES)


def can_manage(user: Any, province_id: int | None) -> bool:
    """Manages that unit's users, departments and rounds."""
    return _acts_in(user, province_id, MANAGE_ROLES)


def can_publish(user: Any, province_id: int | None) -> bool:
    """Publishes that unit's assessments."""
    return _acts_in(user, province_id, PUBLISH_ROLES)


def can_evaluate(user: Any) -> bool:
    """Works on assessments (which ones: the assessment's own evaluators, scoped by unit)."""
    return role(user) in EVALUATE_ROLES


def can_read_submissions(user: Any, province_id: int | None) -> bool:
    """Reads that unit's submissions and evidence, not only the approved figures."""
    return _acts_in(user, province_id, SUBMISSION_READER_ROLES)


def may_approve(user: Any, entry: Any) -> bool:
    """Four eyes: nobody approves what they entered or last changed."""
    user_id = getattr(user, "pk", None)
    return user_id is not None and user_id not in {
        getattr(entry, "reporter_id", None),
        getattr(entry, "last_modified_by_id", None),
    }


def require(allowed: bool) -> None:
    """Refuse as if the object did not exist."""
    if not allowed:
        raise Http404
