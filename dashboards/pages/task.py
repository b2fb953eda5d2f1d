"""任务: a task's text, departments, 专栏 items and the history of its updates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from dashboards.labels import ROLE_LABELS, TASK_LABELS
from dashboards.pages.common import with_as_of
from dashboards.tables import Col, Table
from tasks.models import Assignment, ColumnItem, Task, TaskUpdate


def task_page(*, pk: int, as_of: dt.date, today: dt.date) -> dict[str, Any]:
    """A task: its text, departments, 专栏 items and the history of its updates. Five queries."""
    task = (
        Task.objects.filter(pk=pk)
        .values(
            "id",
            "number",
            "title",
            "text",
            "quote",
            "departments_quote",
            "document_id",
            section_number=F("section__number"),
            section_title=F("section__title"),
            document_slug=F("document__slug"),
            document_title=F("document__title"),
            province_code=F("document__province__code"),
            province_name=F("document__province__name"),
        )
        .first()
    )
    if task is None:
        raise Http404(f"没有这个任务 / no such task: {pk}")
    departments = [
        {
            **a,
            "role_label": str(ROLE_LABELS.get(a["role"], "")),
            "url": reverse("dashboards:department", args=[a["department_id"]]),
        }
        for a in Assignment.objects.filter(task_id=pk)
        .order_by("sort_order", "id")
        .values("department_id", "role", name=F("department__name"))
    ]
    items = list(
        ColumnItem.objects.filter(column__task_id=pk)
        .order_by("column__number", "sort_order")
        .values(
            "number",
            "title",
            "text",
            "column_id",
            column_number=F("column__number"),
            column_title=F("column__title"),
        )
    )
    columns: dict[int, dict[str, Any]] = {}
    for item in items:
        columns.setdefault(
            item["column_id"],
            {"number": item["column_number"], "title": item["column_title"], "items": []},
        )["items"].append(item)
    updates = list(
        TaskUpdate.objects.filter(task_id=pk, review_status="approved", as_of__lte=as_of)
        .order_by("-as_of", "-reviewed_at", "-id")
        .values(
            "as_of",
            "status",
            "percent",
            "narrative",
            "is_demo",
            reporting=F("reporting_department__name"),
        )
    )
    for update in updates:
        update["is_demo"] = _("示例数据") if update["is_demo"] else ""
    latest = updates[0] if updates else None
    table = Table(
        "updates",
        _("任务进展(已审核)"),
        [
            Col("as_of", _("截至日期"), "date"),
            Col("status", _("状态"), "task_status"),
            Col("percent", _("完成百分比"), "num"),
            Col("narrative", _("进展说明")),
            Col("reporting", _("填报单位")),
            Col("is_demo", _("来源")),
        ],
        updates,
        empty=_("尚无已审核的任务进展。"),
    )
    return {
        "task": task,
        "departments": departments,
        "columns": list(columns.values()),
        "latest": latest,
        "latest_status": (latest or {}).get("status") or "no_update",
        "latest_label": str(TASK_LABELS.get((latest or {}).get("status") or "no_update")),
        "document_url": with_as_of(
            reverse("dashboards:document", args=[task["document_slug"]]), as_of, today
        ),
        "tables": [table],
        "charts": {},
    }
