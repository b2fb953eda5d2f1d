"""文件: a document as published (sections → tasks → 专栏) with a status on every target and
task, the plan it supersedes and how that ended."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from dashboards.labels import GROUP_LABELS, LEAD_ROLES, ROLE_LABELS, STATUS_GROUPS, TASK_LABELS
from dashboards.pages.common import (
    BadFilter,
    all_documents,
    document_summary,
    plan_outcome,
    records,
    status_frame,
    target_row,
    targets_table,
    unique_tasks,
    with_as_of,
)
from dashboards.tables import Col, Table
from provinces.models import Section
from targets import progress, selectors
from targets.models import Indicator
from tasks.models import Column, ColumnItem, Role, Task


def document_page(
    *,
    slug: str,
    as_of: dt.date,
    today: dt.date,
    area: str | None = None,
    status: str | None = None,
    task_status: str | None = None,
) -> dict[str, Any]:
    """The document as published (sections → tasks → 专栏) with a status on every target and
    task, the plan it supersedes and how that ended. Ten queries."""
    documents = all_documents()
    document = next((d for d in documents if d["slug"] == slug), None)
    if document is None:
        raise Http404(f"没有这个文件 / no such document: {slug}")
    if status and status not in STATUS_GROUPS:
        raise BadFilter(
            f"未知状态：{status}(可选：{'、'.join(STATUS_GROUPS)}) / unknown status: {status}"
        )
    if task_status and task_status not in progress.TASK_STATUSES:
        raise BadFilter(f"未知任务状态：{task_status} / unknown task status: {task_status}")
    previous = None
    ids = [document["id"]]
    if document["supersedes_id"]:
        previous = next((d for d in documents if d["id"] == document["supersedes_id"]), None)
        if previous:
            ids.append(previous["id"])
    frame = status_frame(as_of=as_of, document_ids=ids)
    own = frame[frame["document_id"] == document["id"]]
    areas = sorted({a for a in own["area"].tolist() if a})
    if area and area not in areas:
        raise BadFilter(
            f"本文件没有“{area}”领域(可选：{'、'.join(areas) or '无'}) / "
            f"no area “{area}” in this document"
        )
    statuses = selectors.task_status_frame(document_ids=[document["id"]], as_of=as_of)
    tasks_all = unique_tasks(statuses)
    sections = list(
        Section.objects.filter(document_id=document["id"])
        .order_by("sort_order", "id")
        .values("id", "parent_id", "key", "number", "title", "level")
    )
    task_rows = list(
        Task.objects.filter(document_id=document["id"])
        .order_by("sort_order", "id")
        .values("id", "section_id", "number", "title", "text")
    )
    column_rows = list(
        Column.objects.filter(document_id=document["id"])
        .order_by("number")
        .values("id", "task_id", "number", "title")
    )
    item_rows = list(
        ColumnItem.objects.filter(column__document_id=document["id"])
        .order_by("column_id", "sort_order")
        .values("column_id", "number", "title", "text")
    )
    indicator_rows = {
        row["id"]: row
        for row in Indicator.objects.filter(document_id=document["id"]).values(
            "id", "section_id", "task_id", "column_id"
        )
    }
    # Targets grouped per indicator, filtered by area and status.
    shown = own
    if area:
        shown = shown[shown["area"] == area]
    if status:
        shown = shown[shown["group"] == status]
    target_rows = [target_row(r, as_of, today) for r in records(shown)]
    per_indicator: dict[int, list[dict[str, Any]]] = {}
    for row in target_rows:
        per_indicator.setdefault(int(row["indicator_id"]), []).append(row)
    indicators = []
    for indicator_id, rows in per_indicator.items():
        placed = indicator_rows.get(indicator_id, {})
        indicators.append(
            {
                "id": indicator_id,
                "name": rows[0]["indicator_name"],
                "url": rows[0]["indicator_url"],
                "area": rows[0]["area"],
                "unit": rows[0]["unit"],
                "baseline": rows[0]["baseline"],
                "targets": rows,
                "section_id": placed.get("section_id"),
                "task_id": placed.get("task_id"),
                "column_id": placed.get("column_id"),
            }
        )
    # Tasks with their departments and status.
    departments: dict[int, list[dict[str, Any]]] = {}
    for row in records(statuses):
        if row["department_id"] is None:
            continue
        departments.setdefault(int(row["task_id"]), []).append(
            {
                "name": row["department_name"],
                "role": row["role"],
                "role_label": str(ROLE_LABELS.get(row["role"], "")),
                "url": reverse("dashboards:department", args=[int(row["department_id"])]),
            }
        )
    status_of = {
        int(r["task_id"]): r
        for r in records(tasks_all, ["task_id", "status", "percent", "status_as_of"])
    }
    items_of: dict[int, list[dict[str, Any]]] = {}
    for item in item_rows:
        items_of.setdefault(item["column_id"], []).append(item)
    columns_of_task: dict[int | None, list[dict[str, Any]]] = {}
    for column in column_rows:
        column["items"] = items_of.get(column["id"], [])
        column["indicators"] = [i for i in indicators if i["column_id"] == column["id"]]
        columns_of_task.setdefault(column["task_id"], []).append(column)
    tasks_of_section: dict[int, list[dict[str, Any]]] = {}
    for task in task_rows:
        state = status_of.get(task["id"], {})
        task.update(
            {
                "url": with_as_of(reverse("dashboards:task", args=[task["id"]]), as_of, today),
                "status": state.get("status") or "no_update",
                "status_label": str(TASK_LABELS.get(state.get("status") or "no_update")),
                "percent": state.get("percent"),
                "status_as_of": state.get("status_as_of"),
                "departments": departments.get(task["id"], []),
                "columns": columns_of_task.get(task["id"], []),
                "indicators": [
                    i for i in indicators if i["task_id"] == task["id"] and not i["column_id"]
                ],
            }
        )
        if task_status and task["status"] != task_status:
            continue
        tasks_of_section.setdefault(task["section_id"], []).append(task)
    # Columns that follow no task sit where their indicators are stated.
    loose_columns = columns_of_task.get(None, [])
    columns_of_section: dict[int | None, list[dict[str, Any]]] = {}
    for column in loose_columns:
        homes = [i["section_id"] for i in column["indicators"] if i["section_id"]]
        home = max(set(homes), key=homes.count) if homes else None
        columns_of_section.setdefault(home, []).append(column)
    children: dict[int | None, list[dict[str, Any]]] = {}
    for section in sections:
        children.setdefault(section["parent_id"], []).append(section)
    outline: list[dict[str, Any]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for section in children.get(parent_id, []):
            outline.append(
                {
                    **section,
                    "depth": depth,
                    "tasks": tasks_of_section.get(section["id"], []),
                    "columns": columns_of_section.get(section["id"], []),
                    "indicators": [
                        i
                        for i in indicators
                        if i["section_id"] == section["id"]
                        and not i["task_id"]
                        and not i["column_id"]
                    ],
                }
            )
            walk(section["id"], depth + 1)

    walk(None, 0)
    orphans = columns_of_section.get(None, [])
    summary = document_summary(document, frame, tasks_all, as_of, today)
    outcomes = []
    if previous:
        outcomes.append(plan_outcome(previous, frame, as_of=as_of, today=today))
    if as_of.year > int(document["period_end"]):
        own_outcome = plan_outcome(document, frame, as_of=as_of, today=today)
        own_outcome["title"] = _("本规划(%(period)s年)完成情况") % {
            "period": f"{document['period_start']}—{document['period_end']}"
        }
        outcomes.append(own_outcome)
    superseded_by = next((d for d in documents if d["supersedes_id"] == document["id"]), None)
    task_table = Table(
        name="tasks",
        title=_("重点任务"),
        columns=[
            Col("number", _("序号")),
            Col("title", _("任务"), "link"),
            Col("lead", _("牵头/责任单位")),
            Col("support", _("配合单位")),
            Col("status", _("状态"), "task_status"),
            Col("percent", _("完成百分比"), "num"),
        ],
        rows=[
            {
                "number": t["number"],
                "title": t["title"],
                "title_url": t["url"],
                "lead": "、".join(d["name"] for d in t["departments"] if d["role"] in LEAD_ROLES),
                "support": "、".join(
                    d["name"] for d in t["departments"] if d["role"] == Role.SUPPORT
                ),
                "status": t["status"],
                "percent": t["percent"],
            }
            for t in task_rows
            if not task_status or t["status"] == task_status
        ],
    )
    return {
        "document": summary,
        "previous": previous,
        "superseded_by": superseded_by,
        "outline": outline,
        "orphan_columns": orphans,
        "outcomes": outcomes,
        "areas": areas,
        "filters": {"area": area or "", "status": status or "", "task_status": task_status or ""},
        "status_choices": [(k, str(v)) for k, v in GROUP_LABELS.items()],
        "task_status_choices": [(k, str(v)) for k, v in TASK_LABELS.items()],
        "matrix_url": reverse("dashboards:responsibilities", args=[document["slug"]]),
        "tables": [
            targets_table(
                "targets", _("目标"), shown, as_of=as_of, today=today, skip=("province_name",)
            ),
            task_table,
            *[o["missed"] for o in outcomes],
            *[o["others"] for o in outcomes],
        ],
        "charts": {},
        "shown_targets": len(shown),
        "total_targets": len(own),
    }
