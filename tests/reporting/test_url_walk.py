"""Every URL pattern of the project, for every persona, answers what that persona may see.

The patterns are enumerated from the resolver: a URL added anywhere without an entry in
``EXPECTED`` fails this test, so whoever adds a page says here who may open it. Another
province's object is a 404 (never a 403 that confirms it exists); anonymous visitors are
sent to the login page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, clear_url_caches, get_resolver, path, reverse

from tests.reporting.conftest import World

PERSONAS = ("anon", "sx_reporter", "sx_reviewer", "js_reporter", "leader", "evaluator")
LOGIN = 302  # anonymous: to the login page


def every(status: int, anon: int = LOGIN) -> dict[str, int]:
    return {"anon": anon, **{p: status for p in PERSONAS[1:]}}


def only(allowed: dict[str, int], otherwise: int = 404) -> dict[str, int]:
    return {"anon": LOGIN, **{p: allowed.get(p, otherwise) for p in PERSONAS[1:]}}


SX_READERS = {"sx_reporter": 200, "sx_reviewer": 200, "leader": 200, "evaluator": 200}


def _once(w: World, name: str, make: Callable[[], Any]) -> Any:
    """One object per walk, made by the first URL that needs it."""
    if not hasattr(w, name):
        setattr(w, name, make())
    return getattr(w, name)


def sx_round(w: World) -> Any:
    """山西's open 2026 Q4 round (its indicator and task are due)."""
    from rounds.services import round_create

    return _once(
        w,
        "_round",
        lambda: round_create(
            document=w.sx_indicator.document, period_kind="quarter", year=2026, number=4
        )[0],
    )


def sx_upload(w: World) -> str:
    """The 山西 reporter's upload into that round: only its uploader sees it."""
    from rounds import imports

    return _once(
        w,
        "_upload",
        lambda: (
            imports.upload_start(
                round=sx_round(w), user=w.users["sx_reporter"], filename="a.csv", data=b"x"
            ).token
        ),
    )


def sx_assessment(w: World) -> Any:
    """山西's mid-term draft, frozen by the (national) evaluator, who is its evaluator."""
    import datetime as dt

    from assessments.services import assessment_create

    return _once(
        w,
        "_assessment",
        lambda: assessment_create(
            document=w.sx_indicator.document,
            kind="mid_term",
            as_of=dt.date(2025, 12, 31),
            created_by=w.users["evaluator"],
        ),
    )


def _assessment_url(name: str, *extra: str) -> Build:
    return lambda w: reverse(f"assessments:{name}", args=[sx_assessment(w).pk, *extra])


# A draft is seen by its evaluators and by the reviewers who publish it (not by reporters or
# leaders until it is published); only its evaluators rate and conclude it.
DRAFT_READERS = {"sx_reviewer": 200, "evaluator": 200}
EVALUATOR = {"evaluator": 200}

# name (namespace:name, or the route of an unnamed pattern) → (how to build it, statuses)
Build = Callable[[World], str]
EXPECTED: dict[str, tuple[Build, dict[str, int]]] = {
    "healthz": (lambda w: reverse("healthz"), every(200, anon=200)),
    "admin:login": (lambda w: reverse("admin:login"), every(200, anon=200)),
    "favicon.ico": (lambda w: "/favicon.ico", every(204, anon=204)),
    "login": (lambda w: reverse("login"), every(200, anon=200)),
    "logout": (lambda w: reverse("logout"), every(405, anon=405)),  # POST only
    "password_change": (lambda w: reverse("password_change"), every(200)),
    "password_change_done": (lambda w: reverse("password_change_done"), every(200)),
    "password_reset": (lambda w: reverse("password_reset"), every(200, anon=200)),
    "password_reset_done": (lambda w: reverse("password_reset_done"), every(200, anon=200)),
    "password_reset_confirm": (
        lambda w: reverse("password_reset_confirm", args=["MQ", "set-password"]),
        every(200, anon=200),
    ),
    "password_reset_complete": (
        lambda w: reverse("password_reset_complete"),
        every(200, anon=200),
    ),
    "set_language": (lambda w: reverse("set_language"), every(302, anon=302)),
    # Read-only dashboards: every logged-in user (leaders compare provinces).
    "dashboards:overview": (lambda w: reverse("dashboards:overview"), every(200)),
    "dashboards:compare": (lambda w: reverse("dashboards:compare"), every(200)),
    "dashboards:province": (lambda w: reverse("dashboards:province", args=["SX"]), every(200)),
    "dashboards:departments": (
        lambda w: reverse("dashboards:departments", args=["SX"]),
        every(200),
    ),
    "dashboards:document": (
        lambda w: reverse("dashboards:document", args=[w.sx_indicator.document.slug]),
        every(200),
    ),
    "dashboards:responsibilities": (
        lambda w: reverse("dashboards:responsibilities", args=[w.sx_indicator.document.slug]),
        every(200),
    ),
    "dashboards:department": (
        lambda w: reverse(
            "dashboards:department", args=[w.users["sx_reporter"].profile.department_id]
        ),
        every(200),
    ),
    "dashboards:indicator": (
        lambda w: reverse("dashboards:indicator", args=[w.sx_indicator.pk]),
        every(200),
    ),
    "dashboards:task": (lambda w: reverse("dashboards:task", args=[w.sx_task.pk]), every(200)),
    "dashboards:catalogue_targets": (lambda w: reverse("dashboards:catalogue_targets"), every(200)),
    "dashboards:catalogue_tasks": (lambda w: reverse("dashboards:catalogue_tasks"), every(200)),
    # Entry and review: scoped by unit and role.
    "reporting:workbench": (lambda w: reverse("reporting:workbench"), every(200)),
    "reporting:report_new": (
        lambda w: reverse("reporting:report_new"),
        only({"sx_reporter": 200, "js_reporter": 200}),
    ),
    "reporting:report": (
        lambda w: reverse("reporting:report", args=[w.sx_submitted.pk]),
        only(SX_READERS),
    ),
    "reporting:report_edit": (
        lambda w: reverse("reporting:report_edit", args=[w.sx_draft.pk]),
        only({"sx_reporter": 200}),
    ),
    "reporting:report_submit": (
        lambda w: reverse("reporting:report_submit", args=[w.sx_draft.pk]),
        every(405, anon=405),  # POST only
    ),
    "reporting:report_correct": (
        lambda w: reverse("reporting:report_correct", args=[w.sx_approved.pk]),
        only({"sx_reporter": 200}),
    ),
    "reporting:task_update_new": (
        lambda w: reverse("reporting:task_update_new") + f"?task={w.sx_task.pk}",
        only({"sx_reporter": 200}),
    ),
    "reporting:task_update": (
        lambda w: reverse("reporting:task_update", args=[w.sx_update_submitted.pk]),
        only(SX_READERS),
    ),
    "reporting:task_update_edit": (
        lambda w: reverse("reporting:task_update_edit", args=[w.sx_update_draft.pk]),
        only({"sx_reporter": 200}),
    ),
    "reporting:task_update_submit": (
        lambda w: reverse("reporting:task_update_submit", args=[w.sx_update_draft.pk]),
        every(405, anon=405),
    ),
    "reporting:task_update_correct": (
        lambda w: reverse("reporting:task_update_correct", args=[w.sx_update_approved.pk]),
        only({"sx_reporter": 200}),
    ),
    "reporting:review": (lambda w: reverse("reporting:review"), only({"sx_reviewer": 200})),
    "reporting:evidence": (
        lambda w: reverse("reporting:evidence", args=[w.sx_evidence.pk]),
        only(SX_READERS),
    ),
    # Onboarding a new unit's opinion: province and system admins only.
    "onboarding:start": (lambda w: reverse("onboarding:start"), only({})),
    "onboarding:review": (lambda w: reverse("onboarding:review"), only({})),
    "reporting:audit_csv": (lambda w: reverse("reporting:audit_csv", args=["reports"]), every(200)),
    # Reporting rounds: the list and the completeness pages are every role's (scoped inside);
    # a round is its unit's readers'; the template and upload are for those who enter; an
    # upload's preview is its uploader's alone.
    "rounds:index": (lambda w: reverse("rounds:index"), every(200)),
    "rounds:open": (lambda w: reverse("rounds:open"), every(405, anon=405)),  # POST only
    "rounds:completeness": (lambda w: reverse("rounds:completeness"), every(200)),
    "rounds:reminder_settings": (lambda w: reverse("rounds:reminder_settings"), every(200)),
    "rounds:round": (lambda w: reverse("rounds:round", args=[sx_round(w).pk]), only(SX_READERS)),
    "rounds:status": (
        lambda w: reverse("rounds:status", args=[sx_round(w).pk]),
        every(405, anon=405),
    ),
    "rounds:template": (
        lambda w: reverse("rounds:template", args=[sx_round(w).pk]),
        only({"sx_reporter": 200}),
    ),
    "rounds:upload": (
        lambda w: reverse("rounds:upload", args=[sx_round(w).pk]),
        only({"sx_reporter": 200}),
    ),
    "rounds:preview": (
        lambda w: reverse("rounds:preview", args=[sx_upload(w)]),
        only({"sx_reporter": 200}),
    ),
    "rounds:upload_status": (
        lambda w: reverse("rounds:upload_status", args=[sx_upload(w)]),
        only({"sx_reporter": 200}),
    ),
    "rounds:confirm": (
        lambda w: reverse("rounds:confirm", args=[sx_upload(w)]),
        every(405, anon=405),
    ),
    # Assessments: the list and the comparison of published ones are everyone's; evaluators
    # (and admins) freeze new ones; the actions are POST only.
    "assessments:list": (lambda w: reverse("assessments:list"), every(200)),
    "assessments:new": (lambda w: reverse("assessments:new"), only(EVALUATOR)),
    "assessments:compare": (lambda w: reverse("assessments:compare"), every(200)),
    "assessments:detail": (_assessment_url("detail"), only(DRAFT_READERS)),
    "assessments:rate_targets": (_assessment_url("rate_targets"), only(EVALUATOR)),
    "assessments:rate_tasks": (_assessment_url("rate_tasks"), only(EVALUATOR)),
    "assessments:conclusion": (_assessment_url("conclusion"), only(EVALUATOR)),
    **{
        f"assessments:{name}": (_assessment_url(name), every(405, anon=405))
        for name in ("accept", "submit", "return", "publish", "refreeze")
    },
    "assessments:export": (_assessment_url("export", "xlsx"), only(DRAFT_READERS)),
}
# The admin's patterns are made per registered model: none of these personas is staff, so
# every one of them is sent to the admin's login (the admin's scoping is tested apart).
NAMESPACE_RULES: dict[str, dict[str, int]] = {"admin": every(302)}
SAMPLES = {"int": "1", "path": "1", "str": "x", "slug": "x", "uuid": "0" * 32}


def patterns(
    resolvers: list[Any] | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, str]]:
    """(key, route, top namespace) of every URL pattern, however deeply included."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else (entry.namespace or namespace)
            )
            yield from patterns(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name or route, route, namespace.partition(":")[0]


def sample_url(route: str) -> str:
    """A concrete path for an admin route: converters filled, regex anchors dropped."""
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "x"), route)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "targets", path)
    return "/" + path.replace("^", "").replace("$", "")


def unexpected() -> list[str]:
    return [
        key
        for key, _, namespace in patterns()
        if key not in EXPECTED and namespace not in NAMESPACE_RULES
    ]


def test_every_url_pattern_has_an_expectation():
    assert unexpected() == [], f"URL patterns without an entry in EXPECTED: {unexpected()}"


urlpatterns = [
    *get_resolver("metrology_tracker.urls").url_patterns,
    path("new-page/", lambda request: None, name="new_page"),
]


def test_a_url_added_without_an_expectation_fails_the_walk(settings):
    settings.ROOT_URLCONF = __name__.replace("/", ".")
    clear_url_caches()
    try:
        assert unexpected() == ["new_page"]
    finally:
        clear_url_caches()


def test_every_url_answers_each_persona_as_allowed(world: World, client, settings):
    # The password-reset pages exist only once mail is configured (without it they are a 404:
    # tests/security/test_headers_and_mail.py); the walk is of a deployment that sends mail.
    settings.EMAIL_CONFIGURED = True
    got: dict[tuple[str, str], int] = {}
    wanted: dict[tuple[str, str], int] = {}
    urls = []
    for key, route, namespace in patterns():
        if key in EXPECTED:
            build, statuses = EXPECTED[key]
            urls.append((key, build(world), statuses))
        else:
            urls.append((key, sample_url(route), NAMESPACE_RULES[namespace]))
    for persona in PERSONAS:
        client.logout()
        if persona != "anon":
            client.force_login(world.users[persona])
        for key, url, statuses in urls:
            wanted[(key, persona)] = statuses[persona]
            got[(key, persona)] = client.get(url).status_code
    wrong = {k: (got[k], wanted[k]) for k in wanted if got[k] != wanted[k]}
    assert wrong == {}, f"(url, persona): (got, wanted) — {wrong}"


def test_anonymous_is_sent_to_the_login_page_not_shown_anything(world, client):
    response = client.get(reverse("reporting:report", args=[world.sx_submitted.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
