"""Reads of the entry and review workflow: what is due, the workbench, the queue, the history.

``due_items`` is the one place that decides what a reporter owes for a period: the open
reporting rounds (``rounds/``) when the user's units have any, else the calendar quarter.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from provinces import access
from provinces.models import ReviewStatus, Role
from reporting.models import Evidence
from targets.models import Indicator, ProgressReport, Target
from tasks.models import Assignment, Task, TaskUpdate

REPORT_PROVINCE = "indicator__document__province"
UPDATE_PROVINCE = "task__document__province"
TASK_PROVINCE = "document__province"
INDICATOR_PROVINCE = "document__province"


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"


def current_period(as_of: dt.date) -> Period:
    """The calendar quarter holding ``as_of`` (until reporting rounds say otherwise)."""
    first_month = 3 * ((as_of.month - 1) // 3) + 1
    start = dt.date(as_of.year, first_month, 1)
    end_month = first_month + 2
    next_start = dt.date(as_of.year + (end_month == 12), end_month % 12 + 1, 1)
    return Period(start=start, end=next_start - dt.timedelta(days=1))


@dataclass
class DueItems:
    period: Period
    indicators: list[Indicator] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    # From rounds: the deadline, and which of the items are past it.
    deadline: dt.date | None = None
    overdue_ids: frozenset[tuple[str, int]] = frozenset()


def _in_force(queryset: QuerySet, year: int, prefix: str = "") -> QuerySet:
    return queryset.filter(**{f"{prefix}document__period_end__gte": year})


def entry_indicators(user: Any, *, as_of: dt.date | None = None) -> QuerySet[Indicator]:
    """Indicators the user may report on: its units', of the documents still in force."""
    queryset = access.scope(Indicator.objects.all(), user, INDICATOR_PROVINCE)
    if as_of is not None:
        queryset = _in_force(queryset, as_of.year)
    return queryset.select_related("document__province").prefetch_related(
        Prefetch("targets", queryset=Target.objects.order_by("year"))
    )


def entry_tasks(user: Any, *, as_of: dt.date | None = None) -> QuerySet[Task]:
    """Tasks the user updates: its department's (lead, support or responsible), else its
    units' when it has no department."""
    queryset = access.scope(Task.objects.all(), user, TASK_PROVINCE)
    profile = access.profile(user)
    if profile is not None and profile.department_id is not None:
        queryset = queryset.filter(
            Exists(
                Assignment.objects.filter(task=OuterRef("pk"), department_id=profile.department_id)
            )
        )
    if as_of is not None:
        queryset = _in_force(queryset, as_of.year)
    return queryset.select_related("document__province", "section")


def due_items(user: Any, *, as_of: dt.date) -> DueItems:
    """What the user's department owes in the open rounds (missing, draft or returned); with
    no open round, indicators and tasks with no report dated in the current quarter."""
    if not access.has_role(user, *access.ENTRY_ROLES):
        return DueItems(period=current_period(as_of))
    from rounds.selectors import due_from_rounds

    found = due_from_rounds(user, as_of=as_of)
    if found is not None:
        due = DueItems(
            period=Period(start=found.start, end=found.end),
            indicators=list(
                entry_indicators(user)
                .filter(pk__in=found.indicator_ids)
                .order_by("document__province__sort_order", "document", "sort_order")
            ),
            tasks=list(
                access.scope(Task.objects.all(), user, TASK_PROVINCE)
                .filter(pk__in=found.task_ids)
                .select_related("document__province", "section")
                .order_by("document", "sort_order")
            ),
            deadline=found.deadline,
            overdue_ids=found.overdue,
        )
        for kind, items in (("indicator", due.indicators), ("task", due.tasks)):
            for item in items:
                item.overdue = (kind, item.pk) in found.overdue
        return due
    period = current_period(as_of)
    due = DueItems(period=period)
    in_period = Q(as_of__gte=period.start, as_of__lte=period.end)
    reported = ProgressReport.objects.filter(in_period, indicator=OuterRef("pk"))
    updated = TaskUpdate.objects.filter(in_period, task=OuterRef("pk"))
    due.indicators = list(
        entry_indicators(user, as_of=as_of)
        .exclude(Exists(reported))
        .order_by("document__province__sort_order", "document", "sort_order")
    )
    due.tasks = list(
        entry_tasks(user, as_of=as_of).exclude(Exists(updated)).order_by("document", "sort_order")
    )
    return due


def reports_of(user: Any) -> QuerySet[ProgressReport]:
    """Reports the user may read (its units', for roles that read submissions)."""
    if not access.has_role(user, *access.SUBMISSION_READER_ROLES):
        return ProgressReport.objects.none()
    return access.scope(ProgressReport.objects.all(), user, REPORT_PROVINCE).select_related(
        "indicator__document__province", "reporter", "reviewed_by", "last_modified_by"
    )


def updates_of(user: Any) -> QuerySet[TaskUpdate]:
    if not access.has_role(user, *access.SUBMISSION_READER_ROLES):
        return TaskUpdate.objects.none()
    return access.scope(TaskUpdate.objects.all(), user, UPDATE_PROVINCE).select_related(
        "task__document__province", "reporter", "reviewed_by", "last_modified_by"
    )


@dataclass
class Workbench:
    due: DueItems
    drafts: list[Any]
    returned: list[Any]
    waiting: list[Any]
    queue_reports: list[ProgressReport]
    queue_updates: list[TaskUpdate]


def _mine(queryset: QuerySet, user: Any, status: str) -> list[Any]:
    return list(
        queryset.filter(Q(reporter=user) | Q(last_modified_by=user), review_status=status).order_by(
            "-updated_at"
        )[:200]
    )


def workbench(user: Any, *, as_of: dt.date) -> Workbench:
    """A reporter's due items, drafts, returned and waiting entries; a reviewer's queue."""
    reports, updates = reports_of(user), updates_of(user)
    queue_reports: list[ProgressReport] = []
    queue_updates: list[TaskUpdate] = []
    if access.has_role(user, *access.REVIEW_ROLES):
        queue_reports, queue_updates = review_queue(user)
    entering = access.has_role(user, *access.ENTRY_ROLES)
    return Workbench(
        due=due_items(user, as_of=as_of),
        drafts=[
            *_mine(reports, user, ReviewStatus.DRAFT),
            *_mine(updates, user, ReviewStatus.DRAFT),
        ]
        if entering
        else [],
        returned=[
            *_mine(reports, user, ReviewStatus.RETURNED),
            *_mine(updates, user, ReviewStatus.RETURNED),
        ]
        if entering
        else [],
        waiting=[
            *_mine(reports, user, ReviewStatus.SUBMITTED),
            *_mine(updates, user, ReviewStatus.SUBMITTED),
        ]
        if entering
        else [],
        queue_reports=queue_reports,
        queue_updates=queue_updates,
    )


def todo_count(user: Any, *, today: dt.date) -> int:
    """The header's to-do figure, what the workbench asks of the user: a reviewer's queue; a
    reporter's due items and returned entries, each indicator or task once."""
    from rounds.selectors import awaiting_review_count

    current = access.role(user)
    if current in access.REVIEW_ROLES and current != Role.SYSTEM_ADMIN:
        return awaiting_review_count(user)
    if current != Role.REPORTER:
        return 0
    due = due_items(user, as_of=today)
    items = {("indicator", i.pk) for i in due.indicators} | {("task", t.pk) for t in due.tasks}
    mine = Q(reporter=user) | Q(last_modified_by=user)
    returned = ReviewStatus.RETURNED
    items |= {
        ("indicator", pk)
        for pk in reports_of(user)
        .filter(mine, review_status=returned)
        .values_list("indicator_id", flat=True)
    }
    items |= {
        ("task", pk)
        for pk in updates_of(user)
        .filter(mine, review_status=returned)
        .values_list("task_id", flat=True)
    }
    return len(items)


def review_queue(user: Any) -> tuple[list[ProgressReport], list[TaskUpdate]]:
    """Submitted entries of the reviewer's units, oldest first."""
    if not access.has_role(user, *access.REVIEW_ROLES):
        return [], []
    reports = reports_of(user).filter(review_status=ReviewStatus.SUBMITTED)
    updates = updates_of(user).filter(review_status=ReviewStatus.SUBMITTED)
    return (
        list(reports.order_by("submitted_at", "id")[:500]),
        list(updates.order_by("submitted_at", "id")[:500]),
    )


def last_approved_value(indicator: Indicator) -> ProgressReport | None:
    return (
        ProgressReport.objects.filter(indicator=indicator, review_status=ReviewStatus.APPROVED)
        .order_by("-as_of", "-reviewed_at")
        .first()
    )


def evidence_of(entry: Any) -> list[Evidence]:
    return list(entry.evidence_items.select_related("uploaded_by"))


def evidence_file(user: Any, pk: int) -> Evidence:
    """An evidence file the user may read, or 404 (another unit's, a link, or missing)."""
    item = (
        Evidence.objects.select_related(
            "report__indicator__document", "task_update__task__document"
        )
        .filter(pk=pk)
        .exclude(file="")
        .first()
    )
    if item is None:
        raise_404()
    unit = (
        item.report.indicator.document.province_id
        if item.report_id
        else item.task_update.task.document.province_id
    )
    access.require(access.can_read_submissions(user, unit))
    return item


def raise_404() -> None:
    access.require(False)


# --- history ----------------------------------------------------------------------------------

HISTORY_TYPES = {
    "+": pgettext_lazy("history", "创建"),
    "~": pgettext_lazy("history", "修改"),
    "-": pgettext_lazy("history", "删除"),
}
# Fields not worth showing as changes (bookkeeping the database fills in).
QUIET_FIELDS = {"updated_at", "created_at", "is_percentage", "is_milestone"}


@dataclass
class HistoryRow:
    when: dt.datetime
    who: str
    kind: str
    object_label: str
    reason: str
    changes: list[tuple[str, str, str]]


def history_rows(records: list[Any]) -> list[HistoryRow]:
    """Each history record with who, when, what changed (before → after) and why.

    ``records`` are historical rows of one or more objects; the row before each one (of the
    same object) is found among them, so pass an object's whole history. Values read as a
    person reads them: choices by their label, times in local time, people by username (one
    query for all of them).
    """
    by_object: dict[tuple[str, int], list[Any]] = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        by_object.setdefault((record._meta.label, record.id), []).append(record)
    raw: list[tuple[Any, tuple[str, int], list[tuple[Any, Any, Any]]]] = []
    user_ids: set[int] = set()
    for key, chain in by_object.items():
        previous = None
        for record in chain:
            changes = []
            if previous is not None:
                for change in record.diff_against(previous).changes:
                    if change.field in QUIET_FIELDS:
                        continue
                    field = record.instance_type._meta.get_field(change.field)
                    if field.is_relation and field.related_model is get_user_model():
                        user_ids.update(v for v in (change.old, change.new) if v)
                    changes.append((field, change.old, change.new))
            raw.append((record, key, changes))
            previous = record
    names = dict(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "username"))
    rows = []
    for record, key, changes in raw:
        user = record.history_user
        rows.append(
            HistoryRow(
                when=record.history_date,
                who=user.get_username() if user else "—",
                kind=str(HISTORY_TYPES.get(record.history_type, record.history_type)),
                object_label=f"{record.instance_type._meta.verbose_name} #{key[1]}",
                reason=record.history_change_reason or "",
                changes=[
                    (str(field.verbose_name), _text(field, old, names), _text(field, new, names))
                    for field, old, new in changes
                ],
            )
        )
    rows.sort(key=lambda row: row.when, reverse=True)
    return rows


def _text(field: Any, value: Any, names: dict[int, str]) -> str:
    if value is None or value == "":
        return "—"
    if field.is_relation and field.related_model is get_user_model():
        return names.get(value, str(value))
    if getattr(field, "choices", None):
        return str(dict(field.choices).get(value, value))
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if hasattr(value, "normalize"):
        return format(value.normalize(), "f")
    return str(value)


def report_history(report: ProgressReport) -> list[HistoryRow]:
    records = list(report.history.select_related("history_user"))
    records += list(Evidence.history.filter(report_id=report.pk).select_related("history_user"))
    return history_rows(records)


def update_history(update: TaskUpdate) -> list[HistoryRow]:
    records = list(update.history.select_related("history_user"))
    records += list(
        Evidence.history.filter(task_update_id=update.pk).select_related("history_user")
    )
    return history_rows(records)


@dataclass
class Record:
    """What the indicator and task pages add for one reader: the submissions and evidence it
    may read, and the history of the object (its own changes; its entries' when readable)."""

    readable: bool
    entries: list[Any]
    history: list[HistoryRow]
    kind: str


def _entries(queryset: QuerySet) -> list[Any]:
    return list(
        queryset.exclude(review_status=ReviewStatus.DRAFT)
        .select_related("reporter", "reviewed_by")
        .prefetch_related("evidence_items")
        .order_by("-as_of", "-id")
    )


def indicator_record(user: Any, indicator_id: int) -> Record:
    """A fixed number of queries, whatever the number of reports and changes."""
    unit = (
        Indicator.objects.filter(pk=indicator_id)
        .values_list("document__province_id", flat=True)
        .first()
    )
    readable = unit is not None and access.can_read_submissions(user, unit)
    records = list(Indicator.history.filter(id=indicator_id).select_related("history_user"))
    records += list(Target.history.filter(indicator_id=indicator_id).select_related("history_user"))
    entries: list[Any] = []
    if readable:
        records += list(
            ProgressReport.history.filter(indicator_id=indicator_id).select_related("history_user")
        )
        entries = _entries(ProgressReport.objects.filter(indicator_id=indicator_id))
    return Record(readable=readable, entries=entries, history=history_rows(records), kind="report")


def task_record(user: Any, task_id: int) -> Record:
    unit = Task.objects.filter(pk=task_id).values_list("document__province_id", flat=True).first()
    readable = unit is not None and access.can_read_submissions(user, unit)
    records = list(Assignment.history.filter(task_id=task_id).select_related("history_user"))
    entries: list[Any] = []
    if readable:
        records += list(TaskUpdate.history.filter(task_id=task_id).select_related("history_user"))
        entries = _entries(TaskUpdate.objects.filter(task_id=task_id))
    return Record(readable=readable, entries=entries, history=history_rows(records), kind="task")


AUDIT_MODELS = {
    "reports": (ProgressReport, "indicator__document__province_id"),
    "task_updates": (TaskUpdate, "task__document__province_id"),
    "targets": (Target, "indicator__document__province_id"),
    "indicators": (Indicator, "document__province_id"),
    "assignments": (Assignment, "task__document__province_id"),
}
AUDIT_HEADER = ["model", "id", "when", "who", "action", "reason", "field", "before", "after"]


def _scoped_history(user: Any, model: type, path: str) -> QuerySet:
    """History rows of objects in the user's units (objects since deleted drop out)."""
    live = access.scope(model.objects.all(), user, path.removesuffix("_id"))
    return model.history.filter(id__in=live.values("pk")).select_related("history_user")


def audit_csv(user: Any, kind: str) -> str:
    """The audit trail of one kind of record, one line per changed field, for an auditor."""
    model, path = AUDIT_MODELS[kind]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(AUDIT_HEADER)
    for row in history_rows(list(_scoped_history(user, model, path))):
        base = [
            kind,
            row.object_label.rpartition("#")[2],
            row.when.isoformat(),
            row.who,
            row.kind,
            row.reason,
        ]
        if not row.changes:
            writer.writerow([_cell(v) for v in (*base, "", "", "")])
        for name, before, after in row.changes:
            writer.writerow([_cell(v) for v in (*base, name, before, after)])
    return out.getvalue()


def _cell(value: str) -> str:
    """Formula escaping, so a spreadsheet never runs a value someone typed."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") and value != "-" else value
