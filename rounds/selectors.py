"""Reads for rounds: what is due, what came in, who is late. A fixed number of queries each,
whatever the number of rounds, items or entries (the rules live in ``rounds.completeness``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from provinces import access
from provinces.models import Department, ReviewStatus, Role
from rounds import completeness
from rounds.completeness import Item, Tally
from rounds.models import ReportingRound, RoundStatus
from targets.models import ProgressReport, ReportSource
from tasks.models import Assignment, TaskUpdate

PROVINCE_FIELD = "document__province"


def rounds_for(user: Any) -> QuerySet[ReportingRound]:
    """The rounds of the user's units (all for national users), newest period first."""
    queryset = ReportingRound.objects.select_related(
        "document__province", "coordinating_department"
    ).order_by("document__province__sort_order", "-as_of", "document__slug")
    return access.scope(queryset, user, PROVINCE_FIELD)


@dataclass
class RoundsCompleteness:
    rounds: list[ReportingRound]
    items: list[Item]
    tallies: dict[tuple[int, int | None], Tally]
    departments: dict[int, str]

    def department_name(self, department_id: int | None) -> str:
        return self.departments.get(department_id, "") if department_id else ""

    def lines(self) -> list[dict[str, Any]]:
        """Table rows in round then department order, missing items named."""
        by_round = {r.pk: r for r in self.rounds}
        out = []
        for (round_id, department_id), line in self.tallies.items():
            out.append(
                {
                    "round": by_round[round_id],
                    "department_id": department_id,
                    "department": self.department_name(department_id),
                    "tally": line,
                }
            )
        order = {r.pk: i for i, r in enumerate(self.rounds)}
        out.sort(key=lambda row: (order[row["round"].pk], row["department"]))
        return out


def round_completeness(rounds: Iterable[ReportingRound], *, today: dt.date) -> RoundsCompleteness:
    """Every item of ``rounds`` with its owner and state, and the round × department tallies.

    Five queries beyond the rounds themselves: the indicators and tasks asked for, the task
    assignments, the reports and the task updates of the periods.
    """
    rounds = list(rounds)
    if not rounds:
        return RoundsCompleteness([], [], {}, {})
    by_id = {r.pk: r for r in rounds}
    periods = {r.pk: (r.period_start, r.as_of) for r in rounds}
    start = min(p[0] for p in periods.values())
    end = max(p[1] for p in periods.values())

    indicator_rows = list(
        ReportingRound.indicators.through.objects.filter(reportinground_id__in=by_id).values(
            "reportinground_id",
            "indicator_id",
            "indicator__code",
            "indicator__name",
            "indicator__task_id",
            "indicator__sort_order",
        )
    )
    task_rows = list(
        ReportingRound.tasks.through.objects.filter(reportinground_id__in=by_id).values(
            "reportinground_id", "task_id", "task__number", "task__title", "task__sort_order"
        )
    )
    task_ids = {row["task_id"] for row in task_rows} | {
        row["indicator__task_id"] for row in indicator_rows if row["indicator__task_id"]
    }
    assignments: dict[int, list[tuple[int, str]]] = defaultdict(list)
    departments = {
        r.coordinating_department_id: r.coordinating_department.name
        for r in rounds
        if r.coordinating_department_id
    }
    for row in (
        Assignment.objects.filter(task_id__in=task_ids)
        .order_by("task_id", "sort_order", "id")
        .values("task_id", "department_id", "role", "department__name")
    ):
        assignments[row["task_id"]].append((row["department_id"], row["role"]))
        departments[row["department_id"]] = row["department__name"]

    asked_indicators: dict[int, list[int]] = defaultdict(list)
    for row in indicator_rows:
        asked_indicators[row["reportinground_id"]].append(row["indicator_id"])
    asked_tasks: dict[int, list[int]] = defaultdict(list)
    for row in task_rows:
        asked_tasks[row["reportinground_id"]].append(row["task_id"])

    report_states = completeness.states_by_key(
        ProgressReport.objects.filter(
            indicator_id__in={row["indicator_id"] for row in indicator_rows},
            as_of__gte=start,
            as_of__lte=end,
        )
        .exclude(source=ReportSource.DOCUMENT)
        .values_list("indicator_id", "as_of", "review_status"),
        periods,
        asked_indicators,
    )
    update_states = completeness.states_by_key(
        TaskUpdate.objects.filter(
            task_id__in={row["task_id"] for row in task_rows}, as_of__gte=start, as_of__lte=end
        ).values_list("task_id", "as_of", "review_status"),
        periods,
        asked_tasks,
    )

    items: list[Item] = []
    for row in sorted(
        indicator_rows, key=lambda r: (r["reportinground_id"], r["indicator__sort_order"])
    ):
        rnd = by_id[row["reportinground_id"]]
        task_id = row["indicator__task_id"]
        items.append(
            Item(
                round_id=rnd.pk,
                kind="indicator",
                object_id=row["indicator_id"],
                code=row["indicator__code"],
                name=row["indicator__name"],
                department_id=completeness.owner(
                    assignments.get(task_id, ()) if task_id else (), rnd.coordinating_department_id
                ),
                state=report_states.get((rnd.pk, row["indicator_id"]), completeness.MISSING),
                deadline=rnd.deadline,
            )
        )
    for row in sorted(task_rows, key=lambda r: (r["reportinground_id"], r["task__sort_order"])):
        rnd = by_id[row["reportinground_id"]]
        items.append(
            Item(
                round_id=rnd.pk,
                kind="task",
                object_id=row["task_id"],
                code=row["task__number"],
                name=row["task__title"],
                department_id=completeness.owner(
                    assignments.get(row["task_id"], ()), rnd.coordinating_department_id
                ),
                state=update_states.get((rnd.pk, row["task_id"]), completeness.MISSING),
                deadline=rnd.deadline,
            )
        )
    return RoundsCompleteness(rounds, items, completeness.tally(items, today), departments)


def open_rounds_for(user: Any, *, as_of: dt.date) -> list[ReportingRound]:
    return list(rounds_for(user).filter(status=RoundStatus.OPEN, opens_on__lte=as_of))


def due_items(
    user: Any, *, as_of: dt.date, rounds: list[ReportingRound] | None = None
) -> list[Item]:
    """What the user's department still owes in the open rounds (missing, draft, returned),
    overdue first. A reporter without a department sees its whole unit's outstanding items."""
    found = access.profile(user)
    if found is None or not access.has_role(
        user, Role.REPORTER, Role.PROVINCE_ADMIN, Role.SYSTEM_ADMIN
    ):
        return []
    if rounds is None:
        rounds = open_rounds_for(user, as_of=as_of)
    data = round_completeness(rounds, today=as_of)
    department_id = found.department_id
    items = [
        item
        for item in data.items
        if item.outstanding and (department_id is None or item.department_id == department_id)
    ]
    return sorted(items, key=lambda item: (item.deadline, item.kind, item.code))


@dataclass(frozen=True)
class RoundsDue:
    """The workbench's view of the open rounds: the period they report, the nearest deadline,
    what the user's department still owes and which of it is overdue."""

    start: dt.date
    end: dt.date
    deadline: dt.date
    indicator_ids: frozenset[int]
    task_ids: frozenset[int]
    overdue: frozenset[tuple[str, int]]


def due_from_rounds(user: Any, *, as_of: dt.date) -> RoundsDue | None:
    """None when the user's units have no open round (the workbench then falls back)."""
    rounds = open_rounds_for(user, as_of=as_of)
    if not rounds:
        return None
    items = due_items(user, as_of=as_of, rounds=rounds)
    return RoundsDue(
        start=min(r.period_start for r in rounds),
        end=max(r.as_of for r in rounds),
        deadline=min(r.deadline for r in rounds),
        indicator_ids=frozenset(i.object_id for i in items if i.kind == "indicator"),
        task_ids=frozenset(i.object_id for i in items if i.kind == "task"),
        overdue=frozenset((i.kind, i.object_id) for i in items if i.overdue(as_of)),
    )


def awaiting_review_count(user: Any) -> int:
    """Submitted reports and task updates of the user's units that wait for a reviewer."""
    reports = access.scope(
        ProgressReport.objects.filter(review_status=ReviewStatus.SUBMITTED),
        user,
        "indicator__document__province",
    )
    updates = access.scope(
        TaskUpdate.objects.filter(review_status=ReviewStatus.SUBMITTED),
        user,
        "task__document__province",
    )
    return reports.count() + updates.count()


def department_names(ids: Iterable[int]) -> dict[int, str]:
    return dict(Department.objects.filter(pk__in=set(ids)).values_list("pk", "name"))


def reporters_of(province_id: int, department_id: int | None) -> QuerySet:
    """Reporters of a unit's department (of the unit without one, for unowned items) who want
    reminders and have an address."""
    from django.contrib.auth import get_user_model

    condition = (
        Q(profile__department_id=department_id)
        if department_id
        else Q(profile__department__isnull=True)
    )
    return (
        get_user_model()
        .objects.filter(
            condition,
            is_active=True,
            profile__role=Role.REPORTER,
            profile__province_id=province_id,
            profile__reminders_enabled=True,
        )
        .exclude(email="")
    )


def province_rounds(user: Any, *, code: str, today: dt.date, limit: int = 3) -> dict | None:
    """The province page's block: the unit's latest rounds with their totals and who is still
    missing; None for users who do not read that unit's submissions. Seven queries at most."""
    from provinces.models import Province

    if access.role(user) is None:
        return None
    province = Province.objects.filter(code__iexact=code).values("id").first()
    if province is None or not access.can_read_submissions(user, province["id"]):
        return None
    rounds = list(
        rounds_for(user)
        .filter(document__province_id=province["id"])
        .exclude(status=RoundStatus.DRAFT)[:limit]
    )
    data = round_completeness(rounds, today=today)
    out = []
    for rnd in rounds:
        lines = [line for line in data.lines() if line["round"].pk == rnd.pk]
        out.append(
            {
                "round": rnd,
                "due": sum(line["tally"].due for line in lines),
                "handed_in": sum(line["tally"].handed_in for line in lines),
                "missing": [
                    line["department"] or "—" for line in lines if line["tally"].missing_items
                ],
                "overdue": rnd.is_overdue(today) and any(line["tally"].overdue for line in lines),
            }
        )
    return {"rounds": out, "code": code}
