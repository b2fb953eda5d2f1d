"""Demo data (示例数据): seeded, deterministic reports and task updates for the loaded catalogue.

So that a new user sees live charts that say something true about the data in them: every
province has indicators ahead of pace, on track, lagging, regressing and without data; 青海 is
clearly furthest behind on its 2025 targets; some 山东 departments lead the delayed tasks; every
task status occurs. Everything is approved at fixed times, flagged ``is_demo`` (reports also
``source=demo``), never loaded when ``settings.DEMO_DATA_ALLOWED`` is off, and removed exactly by
:func:`demo_data_clear`.

A scenario is a pace: the value moves from the baseline towards the first target at k times the
time elapsed (k = 1.3 ahead, 1.0 on track, 0.75 lagging, 0.35 seriously lagging, −0.4 regressing),
with a little seeded noise, so a result's c / e lands in the band the scenario names. Values are
reported quarterly (some indicators half-yearly) from the plan's start to the last quarter end
before today, rounded as the unit suggests.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from simple_history.utils import bulk_create_with_history

from provinces.models import PolicyDocument, ReviewStatus
from targets.models import Indicator, MeasureKind, ProgressReport, ProgressRun, ReportSource
from targets.services import progress_recompute_history
from tasks.models import Role, Task, TaskStatus, TaskUpdate

DEMO_SEED = 2035
REVIEW_TZ = ZoneInfo("Asia/Shanghai")
REVIEW_DELAY = dt.timedelta(days=15)  # a report is approved two weeks after its date
BEHIND_PROVINCE = "QH"  # furthest behind on its 2025 targets
LAGGING_LEADS_PROVINCE = "SD"  # co-lead departments there lead the delayed tasks

PACE: dict[str, float] = {
    "ahead": 1.3,
    "on_track": 1.0,
    "lagging": 0.75,
    "seriously_lagging": 0.35,
    "regressing": -0.4,
}
# Every numeric plan gets one of each first, then draws from its province's weights.
MUST_HAVE = ("regressing", "ahead", "on_track", "lagging", "no_data")
WEIGHTS: dict[str, dict[str, float]] = {
    "default": {
        "ahead": 2.5,
        "on_track": 4.0,
        "lagging": 1.5,
        "seriously_lagging": 0.7,
        "regressing": 0.3,
        "no_data": 0.5,
    },
    "behind": {
        "ahead": 0.2,
        "on_track": 0.5,
        "lagging": 2.0,
        "seriously_lagging": 3.0,
        "regressing": 1.5,
        "no_data": 1.0,
    },
}
MILESTONE_SCENARIOS = ("done", "not_done", "no_report")
TASK_WEIGHTS: dict[str, dict[str, float]] = {
    "default": {
        "completed": 2.0,
        "in_progress": 5.0,
        "delayed": 1.2,
        "not_started": 0.8,
        "suspended": 0.4,
        "no_update": 0.3,
    },
    "behind": {
        "completed": 0.8,
        "in_progress": 3.0,
        "delayed": 3.0,
        "not_started": 1.5,
        "suspended": 0.8,
        "no_update": 0.5,
    },
}
TASK_MUST_HAVE = (
    TaskStatus.COMPLETED,
    TaskStatus.IN_PROGRESS,
    TaskStatus.DELAYED,
    TaskStatus.NOT_STARTED,
    TaskStatus.SUSPENDED,
)
NARRATIVES: dict[str, str] = {
    TaskStatus.NOT_STARTED: "尚未启动，正在研究制定工作方案。(示例数据)",
    TaskStatus.IN_PROGRESS: "按计划推进，已完成约{percent}%。(示例数据)",
    TaskStatus.COMPLETED: "任务已完成，正在总结经验做法。(示例数据)",
    TaskStatus.DELAYED: "进度滞后，已完成约{percent}%，正在协调解决。(示例数据)",
    TaskStatus.SUSPENDED: "因条件变化暂停实施，待重新研究。(示例数据)",
}
COUNT_UNITS = {"项", "个", "家", "名", "种", "所", "座", "人", "次"}


class DemoDataRefused(Exception):
    """Demo data is switched off here (production)."""


@dataclass
class DemoSummary:
    reports: int = 0
    task_updates: int = 0
    runs: list[ProgressRun] = field(default_factory=list)
    scenarios: dict[int, str] = field(default_factory=dict)  # indicator id → scenario


# --- dates ------------------------------------------------------------------------------------


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def quarter_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """Quarter-end dates d with first < d ≤ last."""
    out = []
    for year in range(first.year, last.year + 1):
        for month, day in ((3, 31), (6, 30), (9, 30), (12, 31)):
            date = dt.date(year, month, day)
            if first < date <= last:
                out.append(date)
    return out


def reviewed_at(as_of: dt.date) -> dt.datetime:
    """A fixed approval moment: 10:00 Beijing time two weeks after the report's date."""
    return dt.datetime.combine(as_of + REVIEW_DELAY, dt.time(10), tzinfo=REVIEW_TZ)


def latest_reportable(today: dt.date) -> dt.date:
    """Nothing is dated so late that its (fixed) approval would lie in the future."""
    return today - REVIEW_DELAY


def history_dates(today: dt.date) -> list[dt.date]:
    """As-of dates charted from the demo: every quarter end since 2021 and today."""
    return [*quarter_ends(dt.date(2020, 12, 31), today), today]


# --- scenarios --------------------------------------------------------------------------------


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    names = sorted(weights)
    return rng.choices(names, weights=[weights[name] for name in names], k=1)[0]


def _goal(indicator: Indicator) -> tuple[int, float] | None:
    """(year, value) of the first numeric target the scenario aims at."""
    for target in sorted(indicator.targets.all(), key=lambda t: t.year):
        if target.value is None:
            continue
        value = target.lower_bound if target.comparator == "range" else target.value
        if indicator.direction == "down" and target.comparator == "range":
            value = target.value
        return target.year, float(value)
    return None


def _span(indicator: Indicator, goal: float) -> float:
    """The distance to cover (a level printed without a baseline is guessed at a third)."""
    if indicator.baseline_value is not None:
        return abs(goal - float(indicator.baseline_value))
    if indicator.measure_kind == MeasureKind.CUMULATIVE:
        return abs(goal)
    return abs(goal) / 3


def assign_scenarios(document: PolicyDocument, indicators: list[Indicator]) -> dict[int, str]:
    """Scenario per numeric indicator of a document: the must-haves, then weighted draws.

    Regression goes to a level measure (a count of things added cannot fall); the must-haves go
    to the indicators with the widest distance to cover, where integer rounding cannot blur the
    pace.
    """
    rng = random.Random(f"{DEMO_SEED}:scenarios:{document.slug}")
    weights = WEIGHTS["behind" if document.province.code == BEHIND_PROVINCE else "default"]
    numeric = [i for i in indicators if i.measure_kind != MeasureKind.MILESTONE and _goal(i)]
    order = sorted(numeric, key=lambda i: (-_span(i, _goal(i)[1]), i.sort_order, i.pk))
    scenarios: dict[int, str] = {}
    levels = [i for i in order if i.measure_kind == MeasureKind.LEVEL]
    for name in MUST_HAVE:
        pool = levels if name == "regressing" else order
        free = [i for i in pool if i.pk not in scenarios]
        if free:
            scenarios[free[0].pk] = name
    for indicator in order:
        if indicator.pk not in scenarios:
            name = _weighted(rng, weights)
            if name == "regressing" and indicator.measure_kind != MeasureKind.LEVEL:
                name = "seriously_lagging"
            scenarios[indicator.pk] = name
    return scenarios


# --- values -----------------------------------------------------------------------------------


def _rounder(indicator: Indicator, base: float, goal: float, *, up: bool):
    """Round as the unit is reported; counts behind pace round down, so 0.75 of a centre
    is not reported as the one centre that meets the target."""
    if indicator.unit in ("%", "％"):
        return lambda v: round(min(max(v, 0.0), 100.0), 1)
    whole = float(base).is_integer() and float(goal).is_integer()
    if indicator.unit in COUNT_UNITS and whole:
        return lambda v: float(max(round(v) if up else math.floor(v), 0))
    return lambda v: round(max(v, 0.0), 2)


def _synthetic_baseline(indicator: Indicator, goal: float, rng: random.Random) -> float:
    """A starting value for a level printed without one (reported at the plan's start)."""
    if indicator.unit in ("%", "％"):
        return round(max(goal - rng.uniform(6, 14), 0.0), 1)
    return round(goal * rng.uniform(0.55, 0.75))


def indicator_series(
    indicator: Indicator, scenario: str, *, today: dt.date
) -> list[tuple[dt.date, float]]:
    """The demo values of one numeric indicator, oldest first."""
    goal_info = _goal(indicator)
    if scenario == "no_data" or goal_info is None:
        return []
    rng = random.Random(f"{DEMO_SEED}:values:{indicator.document.slug}:{indicator.code}")
    target_year, goal = goal_info
    document = indicator.document
    start = year_end(document.base_year)
    due = year_end(target_year)
    last = min(latest_reportable(today), year_end(max(document.period_end, target_year)))
    series: list[tuple[dt.date, float]] = []
    if indicator.baseline_value is not None:
        base = float(indicator.baseline_value)
    elif indicator.measure_kind == MeasureKind.CUMULATIVE:
        base = 0.0
    else:
        base = _synthetic_baseline(indicator, goal, rng)
        series.append((start, base))
    dates = quarter_ends(start, last)
    if rng.random() < 0.3:  # some report half-yearly
        dates = [d for d in dates if d.month in (6, 12)]
    if dates and dates[-1] > due and rng.random() < 0.3:
        dates = dates[:-1]  # some are a quarter behind with their latest report
    k = PACE[scenario]
    rounder = _rounder(indicator, base, goal, up=k >= 1.0)
    distance = goal - base
    total_days = (due - start).days
    previous = base
    for date in dates:
        elapsed = (date - start).days / total_days
        noise = rng.gauss(0.0, 0.01) * abs(distance)
        if scenario == "regressing":
            value = base - 0.4 * elapsed * abs(distance) * (1 if distance >= 0 else -1) + noise
        else:
            value = base + k * elapsed * distance + noise
            if k >= 1.0 and elapsed >= 1.0:
                # Meant to make it: at the target date it has.
                value = max(value, goal) if distance >= 0 else min(value, goal)
        value = rounder(value)
        if indicator.measure_kind == MeasureKind.CUMULATIVE and scenario != "regressing":
            value = max(value, previous)  # things added are not taken away
        previous = value
        series.append((date, value))
    return series


def milestone_series(
    indicator: Indicator, scenario: str, *, today: dt.date
) -> list[tuple[dt.date, bool]]:
    if scenario == "no_report":
        return []
    rng = random.Random(f"{DEMO_SEED}:milestone:{indicator.document.slug}:{indicator.code}")
    start = year_end(indicator.document.base_year)
    last_target = max(t.year for t in indicator.targets.all())
    dates = [
        d
        for d in quarter_ends(start, min(latest_reportable(today), year_end(last_target)))
        if d.month == 12
    ]
    if not dates:
        return []
    if scenario == "not_done":
        return [(d, False) for d in dates]
    finished = dates[min(len(dates) - 1, rng.randrange(1, max(len(dates), 2)))]
    return [(d, d >= finished) for d in dates if d <= finished]


def assign_milestones(document: PolicyDocument, indicators: list[Indicator]) -> dict[int, str]:
    milestones = [i for i in indicators if i.measure_kind == MeasureKind.MILESTONE]
    rng = random.Random(f"{DEMO_SEED}:milestones:{document.slug}")
    offset = rng.randrange(len(MILESTONE_SCENARIOS))
    return {
        indicator.pk: MILESTONE_SCENARIOS[(n + offset) % len(MILESTONE_SCENARIOS)]
        for n, indicator in enumerate(sorted(milestones, key=lambda i: (i.sort_order, i.pk)))
    }


# --- tasks ------------------------------------------------------------------------------------


def _task_dates(document: PolicyDocument, today: dt.date) -> list[dt.date]:
    start = year_end(document.base_year)
    last = min(latest_reportable(today), year_end(document.period_end))
    return [d for d in quarter_ends(start, last) if d.month in (6, 12) and d.year > start.year]


def assign_task_statuses(document: PolicyDocument, tasks: list[Task]) -> dict[int, str]:
    """Final status per task: each status once, 山东's co-led tasks delayed, then weighted."""
    rng = random.Random(f"{DEMO_SEED}:tasks:{document.slug}")
    weights = TASK_WEIGHTS["behind" if document.province.code == BEHIND_PROVINCE else "default"]
    plan: dict[int, str] = {}
    if document.province.code == LAGGING_LEADS_PROVINCE:
        lead_counts: dict[int, int] = defaultdict(int)
        for task in tasks:
            for assignment in task.assignments.all():
                if assignment.role == Role.LEAD:
                    lead_counts[assignment.department_id] += 1
        main = max(lead_counts, key=lambda d: (lead_counts[d], -d), default=None)
        for task in tasks:
            leads = {a.department_id for a in task.assignments.all() if a.role == Role.LEAD}
            if leads - {main}:
                plan[task.pk] = TaskStatus.DELAYED
    shuffled = [t for t in tasks if t.pk not in plan]
    rng.shuffle(shuffled)
    for status, task in zip(TASK_MUST_HAVE, shuffled, strict=False):
        plan[task.pk] = status
    for task in tasks:
        if task.pk not in plan:
            plan[task.pk] = _weighted(rng, weights)
    return plan


def task_steps(final: str, count: int, rng: random.Random) -> list[tuple[str, int]]:
    """(status, percent) for ``count`` half-yearly updates ending in ``final``.

    Not started throughout; or started in the first year, percent rising, then completed (and
    no further updates), still in progress, or frozen for the last updates as delayed or
    suspended.
    """
    if final == TaskStatus.NOT_STARTED or count == 0:
        return [(TaskStatus.NOT_STARTED, 0)] * count
    start = rng.randrange(0, 2) if count > 2 else 0
    waiting = [(TaskStatus.NOT_STARTED, 0)] * start
    if final == TaskStatus.COMPLETED:
        end = max(count - 1 - rng.randrange(0, max(count // 3, 1)), start)
        rising = end - start
        climb = [(TaskStatus.IN_PROGRESS, 90 * (i + 1) // (rising + 1)) for i in range(rising)]
        return [*waiting, *climb, (TaskStatus.COMPLETED, 100)]
    frozen = {TaskStatus.DELAYED: 2, TaskStatus.SUSPENDED: 1 + rng.randrange(2)}.get(final, 0)
    frozen = min(frozen, count - start)
    rising = count - start - frozen
    goal = rng.randint(55, 90) if final == TaskStatus.IN_PROGRESS else rng.randint(20, 50)
    climb = [(TaskStatus.IN_PROGRESS, max(5, goal * (i + 1) // rising)) for i in range(rising)]
    held = climb[-1][1] if climb else 0
    return [*waiting, *climb, *[(final, held)] * frozen]


def task_updates(task: Task, final: str, *, today: dt.date) -> list[TaskUpdate]:
    """Unsaved half-yearly updates of one task, reported by its lead department."""
    if final == "no_update":
        return []
    rng = random.Random(f"{DEMO_SEED}:task:{task.document.slug}:{task.sort_order}:{task.number}")
    dates = _task_dates(task.document, today)
    assignments = list(task.assignments.all())
    department = next(
        (a.department for a in assignments if a.role == Role.LEAD),
        assignments[0].department if assignments else None,
    )
    return [
        TaskUpdate(
            task=task,
            as_of=date,
            status=status,
            percent=percent,
            narrative=NARRATIVES[status].format(percent=percent),
            reporting_department=department,
            review_status=ReviewStatus.APPROVED,
            reviewed_at=reviewed_at(date),
            is_demo=True,
        )
        for date, (status, percent) in zip(dates, task_steps(final, len(dates), rng), strict=False)
    ]


# --- load and clear ---------------------------------------------------------------------------


def build_demo_reports(*, today: dt.date) -> tuple[list[ProgressReport], dict[int, str]]:
    """Unsaved demo reports for every document, with the scenario each indicator follows."""
    taken = set(
        ProgressReport.objects.filter(is_demo=False, review_status=ReviewStatus.APPROVED)
        .values_list("indicator_id", "as_of")
        .distinct()
    )
    reports: list[ProgressReport] = []
    scenarios: dict[int, str] = {}
    documents = PolicyDocument.objects.select_related("province").order_by("slug")
    indicators_by_document: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in Indicator.objects.select_related("document__province").prefetch_related(
        "targets"
    ):
        indicators_by_document[indicator.document_id].append(indicator)
    for document in documents:
        indicators = [i for i in indicators_by_document[document.pk] if i.targets.all()]
        numeric = assign_scenarios(document, indicators)
        milestones = assign_milestones(document, indicators)
        scenarios.update(numeric)
        scenarios.update(milestones)
        for indicator in indicators:
            if indicator.pk in numeric:
                points = [
                    (date, Decimal(str(value)), None)
                    for date, value in indicator_series(
                        indicator, numeric[indicator.pk], today=today
                    )
                ]
            elif indicator.pk in milestones:
                points = [
                    (date, None, done)
                    for date, done in milestone_series(
                        indicator, milestones[indicator.pk], today=today
                    )
                ]
            else:
                points = []
            for date, value, done in points:
                if (indicator.pk, date) in taken:
                    continue
                reports.append(
                    ProgressReport(
                        indicator=indicator,
                        as_of=date,
                        value=value,
                        done=done,
                        note=gettext("示例数据 (demo data)"),
                        review_status=ReviewStatus.APPROVED,
                        reviewed_at=reviewed_at(date),
                        source=ReportSource.DEMO,
                        is_demo=True,
                        is_percentage=indicator.is_percentage,
                        is_milestone=indicator.is_milestone,
                    )
                )
    return reports, scenarios


def build_demo_task_updates(*, today: dt.date) -> list[TaskUpdate]:
    updates: list[TaskUpdate] = []
    tasks_by_document: dict[int, list[Task]] = defaultdict(list)
    for task in (
        Task.objects.select_related("document__province")
        .prefetch_related("assignments__department")
        .order_by("document_id", "sort_order", "id")
    ):
        tasks_by_document[task.document_id].append(task)
    for document in PolicyDocument.objects.select_related("province").order_by("slug"):
        tasks = tasks_by_document[document.pk]
        plan = assign_task_statuses(document, tasks)
        for task in tasks:
            updates.extend(task_updates(task, plan[task.pk], today=today))
    return updates


def _check_allowed() -> None:
    if not settings.DEMO_DATA_ALLOWED:
        raise DemoDataRefused(
            gettext(
                "此环境禁止载入示例数据(DEMO_DATA_ALLOWED 为关) "
                "(demo data is not allowed here: DEMO_DATA_ALLOWED is off)"
            )
        )


def demo_data_load(*, today: dt.date | None = None, history: bool = True) -> DemoSummary:
    """Replace the demo rows with a fresh, identical set and recompute the charted dates.

    ``history`` recomputes every quarter end since 2021 and today (the status-history charts);
    without it only today.
    """
    _check_allowed()
    today = today or timezone.localdate()
    with transaction.atomic():
        ProgressReport.objects.filter(is_demo=True).delete()
        TaskUpdate.objects.filter(is_demo=True).delete()
        reports, scenarios = build_demo_reports(today=today)
        updates = build_demo_task_updates(today=today)
        # With their history rows, so the audit trail shows where demo values came from.
        bulk_create_with_history(
            reports, ProgressReport, batch_size=500, default_change_reason="示例数据 / demo"
        )
        bulk_create_with_history(
            updates, TaskUpdate, batch_size=500, default_change_reason="示例数据 / demo"
        )
    runs = progress_recompute_history(also=history_dates(today) if history else [today])
    return DemoSummary(
        reports=len(reports), task_updates=len(updates), runs=runs, scenarios=scenarios
    )


def demo_data_clear(*, today: dt.date | None = None) -> DemoSummary:
    """Delete exactly the demo rows, then recompute the stored results they fed."""
    today = today or timezone.localdate()
    with transaction.atomic():
        indicator_ids = set(
            ProgressReport.objects.filter(is_demo=True).values_list("indicator_id", flat=True)
        )
        reports, _ = ProgressReport.objects.filter(is_demo=True).delete()
        updates, _ = TaskUpdate.objects.filter(is_demo=True).delete()
    runs = progress_recompute_history(indicator_ids=indicator_ids) if indicator_ids else []
    return DemoSummary(reports=reports, task_updates=updates, runs=runs)
