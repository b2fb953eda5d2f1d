"""单位: departments ranked by the lagging tasks they lead, one department's tasks, and a
document's department × task responsibility matrix."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from dashboards import charts
from dashboards.labels import (
    LEAD_ROLES,
    ROLE_LABELS,
    ROLE_MARKS,
    TASK_LABELS,
    chart_text,
    str_labels,
)
from dashboards.pages.common import (
    all_documents,
    chart_block,
    count_tasks,
    in_force,
    records,
    with_as_of,
)
from dashboards.tables import Col, Table
from provinces.models import Department, PolicyDocument, Province
from targets import progress, selectors
from tasks.models import Assignment, Role


def department_ranking(
    task_status: pd.DataFrame, *, as_of: dt.date, today: dt.date
) -> tuple[Table, dict[str, Any] | None, pd.DataFrame]:
    """Departments by the troubled tasks they lead (牵头; 山西's unranked 责任单位 count too)."""
    frame = task_status[task_status["department_id"].notna()].copy()
    frame["status"] = frame["status"].astype(object).where(frame["status"].notna(), "no_update")
    rows = []
    for (department_id, name), group in frame.groupby(
        ["department_id", "department_name"], sort=False
    ):
        lead = group[group["role"].isin(LEAD_ROLES)]
        support = group[group["role"] == Role.SUPPORT]
        counts = lead["status"].value_counts()
        row = {
            "department_id": int(department_id),
            "department": name,
            "department_url": with_as_of(
                reverse("dashboards:department", args=[int(department_id)]), as_of, today
            ),
            "lead_total": len(lead),
            "support_total": len(support),
            "support_delayed": int(support["status"].isin(["delayed"]).sum()),
        }
        for status in progress.TASK_STATUSES:
            row[status] = int(counts.get(status, 0))
        rows.append(row)
    rows.sort(key=lambda r: (-r["delayed"], -r["suspended"], -r["lead_total"], r["department"]))
    top = rows[0] if rows and rows[0]["delayed"] > 0 else None
    table = Table(
        name="departments",
        title=_("牵头任务滞后排名"),
        columns=[
            Col("department", _("单位"), "link"),
            Col("delayed", _("牵头滞后"), "num"),
            Col("suspended", _("牵头暂停"), "num"),
            Col("not_started", _("牵头未启动"), "num"),
            Col("in_progress", _("牵头推进中"), "num"),
            Col("completed", _("牵头已完成"), "num"),
            Col("no_update", _("牵头未填报"), "num"),
            Col("lead_total", _("牵头任务"), "num"),
            Col("support_total", _("配合任务"), "num"),
            Col("support_delayed", _("配合滞后"), "num"),
        ],
        rows=rows,
        empty=_("原文未列责任单位。"),
        highlight=lambda r: top is not None and r is top,
    )
    chart_frame = pd.DataFrame(
        [
            {"department": r["department"], **{s: r[s] for s in progress.TASK_STATUSES}}
            for r in rows
            if r["lead_total"]
        ]
    )
    return table, top, chart_frame


def departments_page(*, code: str, as_of: dt.date, today: dt.date) -> dict[str, Any]:
    """Every department of a province ranked by the lagging tasks it leads; matrix links.
    Three queries."""
    province = Province.objects.filter(code__iexact=code).values("id", "code", "name").first()
    if province is None:
        raise Http404(f"没有这个省份 / no such province: {code}")
    documents = [d for d in all_documents() if d["province_id"] == province["id"]]
    current_ids = [d["id"] for d in documents if in_force(d, as_of)]
    task_status = selectors.task_status_frame(document_ids=current_ids, as_of=as_of)
    ranking, top, ranking_frame = department_ranking(task_status, as_of=as_of, today=today)
    figures = {}
    if not ranking_frame.empty:
        figures["chart-departments"] = chart_block(
            "chart-departments",
            charts.department_task_bars(
                ranking_frame, labels=str_labels(TASK_LABELS), text=chart_text()
            ),
            title=_("各单位牵头任务状态(滞后多者在上)"),
            table="departments",
        )
    return {
        "province": province,
        "top_department": top,
        # 山西 prints 责任单位 without saying who leads: the page says how they are counted.
        "unranked_roles": bool((task_status["role"] == Role.RESPONSIBLE).any()),
        "documents": [
            {
                **d,
                "matrix_url": reverse("dashboards:responsibilities", args=[d["slug"]]),
                "url": with_as_of(reverse("dashboards:document", args=[d["slug"]]), as_of, today),
            }
            for d in documents
            if d["id"] in current_ids
        ],
        "tables": [ranking],
        "charts": figures,
    }


def department_page(*, pk: int, as_of: dt.date, today: dt.date) -> dict[str, Any]:
    """Every task a department leads or supports, with status. Three queries."""
    department = (
        Department.objects.filter(pk=pk)
        .values(
            "id",
            "name",
            "province_id",
            province_code=F("province__code"),
            province_name=F("province__name"),
        )
        .first()
    )
    if department is None:
        raise Http404(f"没有这个单位 / no such department: {pk}")
    document_ids = list(
        Assignment.objects.filter(department_id=pk).values_list("task__document_id", flat=True)
    )
    statuses = selectors.task_status_frame(document_ids=sorted(set(document_ids)), as_of=as_of)
    mine = statuses[statuses["department_id"] == pk].copy()
    mine["status"] = mine["status"].astype(object).where(mine["status"].notna(), "no_update")
    rows = []
    for row in records(mine):
        rows.append(
            {
                **row,
                "task_title_url": with_as_of(
                    reverse("dashboards:task", args=[row["task_id"]]), as_of, today
                ),
            }
        )
    columns = [
        Col("task_number", _("序号")),
        Col("task_title", _("任务"), "link"),
        Col("status", _("状态"), "task_status"),
        Col("percent", _("完成百分比"), "num"),
        Col("status_as_of", _("截至"), "date"),
    ]
    lead = Table(
        "lead",
        _("牵头(责任)任务"),
        columns,
        [r for r in rows if r["role"] in LEAD_ROLES],
        empty=_("没有牵头任务。"),
    )
    support = Table(
        "support",
        _("配合任务"),
        columns,
        [r for r in rows if r["role"] == Role.SUPPORT],
        empty=_("没有配合任务。"),
    )
    counts = {
        "lead": count_tasks(pd.DataFrame(lead.rows, columns=["status"])),
        "support": count_tasks(pd.DataFrame(support.rows, columns=["status"])),
    }
    return {
        "department": department,
        "counts": counts,
        "tables": [lead, support],
        "charts": {},
        "province_url": with_as_of(
            reverse("dashboards:province", args=[department["province_code"]]), as_of, today
        ),
        "departments_url": with_as_of(
            reverse("dashboards:departments", args=[department["province_code"]]), as_of, today
        ),
        "documents": [
            {**d, "matrix_url": reverse("dashboards:responsibilities", args=[d["slug"]])}
            for d in PolicyDocument.objects.filter(id__in=sorted(set(document_ids)))
            .order_by("period_start", "slug")
            .values("id", "slug", "title", "period_start", "period_end")
        ],
    }


def responsibilities_page(*, slug: str) -> dict[str, Any]:
    """Departments × tasks (牵头 / 配合) for one document. Two queries."""
    document = (
        PolicyDocument.objects.filter(slug=slug)
        .values("id", "slug", "title", "number", "province__name", "province__code")
        .first()
    )
    if document is None:
        raise Http404(f"没有这个文件 / no such document: {slug}")
    assignments = list(
        Assignment.objects.filter(task__document_id=document["id"])
        .order_by("task__sort_order", "task_id", "sort_order")
        .values(
            "task_id",
            "role",
            "department_id",
            task_number=F("task__number"),
            task_title=F("task__title"),
            section_id=F("task__section_id"),
            section_number=F("task__section__number"),
            section_title=F("task__section__title"),
            department_name=F("department__name"),
        )
    )
    tasks: dict[int, dict[str, Any]] = {}
    departments: dict[int, dict[str, Any]] = {}
    for a in assignments:
        tasks.setdefault(
            a["task_id"],
            {
                "id": a["task_id"],
                "number": a["task_number"],
                "title": a["task_title"],
                "section_id": a["section_id"],
                "section": f"{a['section_number']}{a['section_title']}",
                "section_number": a["section_number"],
                "url": reverse("dashboards:task", args=[a["task_id"]]),
            },
        )
        entry = departments.setdefault(
            a["department_id"],
            {
                "id": a["department_id"],
                "name": a["department_name"],
                "url": reverse("dashboards:department", args=[a["department_id"]]),
                "roles": {},
                "lead": 0,
                "support": 0,
            },
        )
        entry["roles"][a["task_id"]] = a["role"]
        if a["role"] in LEAD_ROLES:
            entry["lead"] += 1
        else:
            entry["support"] += 1
    ordered = sorted(departments.values(), key=lambda d: (-d["lead"], -d["support"], d["name"]))
    task_list = list(tasks.values())
    # Task numbers restart in every part ((一)(二)… in 江苏 and 山东): a header row of sections.
    section_groups: list[dict[str, Any]] = []
    for t in task_list:
        if section_groups and section_groups[-1]["id"] == t["section_id"]:
            section_groups[-1]["span"] += 1
        else:
            section_groups.append(
                {
                    "id": t["section_id"],
                    "number": t["section_number"],
                    "title": t["section"],
                    "span": 1,
                }
            )
    for d in ordered:
        d["cells"] = [
            {
                "role": d["roles"].get(t["id"], ""),
                "mark": str(ROLE_MARKS.get(d["roles"].get(t["id"]), "")),
            }
            for t in task_list
        ]
    columns = [
        Col("department", _("单位")),
        Col("lead", _("牵头"), "num"),
        Col("support", _("配合"), "num"),
    ]
    columns += [Col(f"task_{t['id']}", f"{t['section_number']}{t['number']}") for t in task_list]
    rows = []
    for d in ordered:
        row = {"department": d["name"], "lead": d["lead"], "support": d["support"]}
        for t in task_list:
            row[f"task_{t['id']}"] = str(ROLE_LABELS.get(d["roles"].get(t["id"]), ""))
        rows.append(row)
    table = Table(
        name="matrix",
        title=_("责任矩阵"),
        columns=columns,
        rows=rows,
        empty=_("原文未列责任单位。"),
    )
    return {
        "document": document,
        "tasks": task_list,
        "sections": section_groups,
        "departments": ordered,
        "tables": [table],
    }
