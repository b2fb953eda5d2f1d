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
from django.utils.translation import pgettext

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
    unique_tasks,
    with_as_of,
)
from dashboards.tables import Col, Table
from provinces.models import Department, PolicyDocument, Province
from targets import progress, selectors
from tasks.models import Assignment, Role
from tasks.numbering import part_of, task_label


def responsible_only(task_status: pd.DataFrame) -> bool:
    """True when every listed unit is a 责任单位 without lead/support (山西 prints them so)."""
    roles = set(task_status["role"].dropna().tolist())
    return bool(roles) and roles <= {Role.RESPONSIBLE}


def department_ranking(
    task_status: pd.DataFrame, *, as_of: dt.date, today: dt.date
) -> tuple[Table, dict[str, Any] | None, pd.DataFrame]:
    """Departments by the troubled tasks they lead (牵头; 山西's unranked 责任单位 count too).

    Where the plan lists only 责任单位, the table says 责任 and has no 配合 columns: calling
    them 牵头 would claim what the text does not say."""
    frame = task_status[task_status["department_id"].notna()].copy()
    frame["status"] = frame["status"].astype(object).where(frame["status"].notna(), "no_update")
    unranked = responsible_only(frame)
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
    if unranked:
        title = _("责任单位任务滞后排名")
        columns = [
            Col("department", _("责任单位"), "link"),
            Col("delayed", pgettext("task status", "滞后"), "num"),
            Col("suspended", _("暂停"), "num"),
            Col("not_started", _("未启动"), "num"),
            Col("in_progress", _("推进中"), "num"),
            Col("completed", _("已完成"), "num"),
            Col("no_update", _("未填报"), "num"),
            Col("lead_total", _("负责任务"), "num"),
        ]
    else:
        title = _("牵头任务滞后排名")
        columns = [
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
        ]
    table = Table(
        name="departments",
        title=title,
        columns=columns,
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


def department_chart(frame: pd.DataFrame, *, unranked: bool) -> dict[str, Any]:
    """The stacked status bars per unit, titled 责任单位 where the plan names no leads."""
    text = chart_text()
    if unranked:
        text["department"] = _("责任单位")
    return chart_block(
        "chart-departments",
        charts.department_task_bars(frame, labels=str_labels(TASK_LABELS), text=text),
        title=(
            _("各责任单位任务状态(滞后多者在上)")
            if unranked
            else _("各单位牵头任务状态(滞后多者在上)")
        ),
        table="departments",
    )


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
        figures["chart-departments"] = department_chart(
            ranking_frame, unranked=responsible_only(task_status)
        )
    return {
        "province": province,
        "top_department": top,
        # 山西 prints 责任单位 without saying who leads: the page says how they are counted.
        "unranked_roles": bool((task_status["role"] == Role.RESPONSIBLE).any()),
        "responsible_only": responsible_only(task_status),
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
        Col("task_label", _("序号")),
        Col("task_title", _("任务"), "link"),
        Col("status", _("状态"), "task_status"),
        Col("percent", _("完成百分比"), "num"),
        Col("status_as_of", _("截至"), "date"),
    ]
    unranked = responsible_only(mine)
    lead = Table(
        "lead",
        _("负责的任务(原文只列责任单位)") if unranked else _("牵头(责任)任务"),
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
        "responsible_only": unranked,
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


def responsibilities_page(*, slug: str, as_of: dt.date, today: dt.date) -> dict[str, Any]:
    """Tasks × departments for one document: each row a task with its number (with its part),
    title and status, so a reader needs no second page to know what a row is. Four queries."""
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
            parent_number=F("task__section__parent__number"),
            department_name=F("department__name"),
        )
    )
    statuses = {
        int(r["task_id"]): r
        for r in records(
            unique_tasks(selectors.task_status_frame(document_ids=[document["id"]], as_of=as_of)),
            ["task_id", "status", "percent", "status_as_of"],
        )
    }
    tasks: dict[int, dict[str, Any]] = {}
    departments: dict[int, dict[str, Any]] = {}
    for a in assignments:
        state = statuses.get(a["task_id"], {})
        status = state.get("status") or "no_update"
        tasks.setdefault(
            a["task_id"],
            {
                "id": a["task_id"],
                "number": a["task_number"],
                "label": task_label(
                    a["task_number"], part_of(a["section_number"], a["parent_number"])
                ),
                "title": a["task_title"],
                "section_id": a["section_id"],
                "section": f"{a['section_number']}{a['section_title']}",
                "section_number": a["section_number"],
                "url": with_as_of(reverse("dashboards:task", args=[a["task_id"]]), as_of, today),
                "status": status,
                "status_label": str(TASK_LABELS.get(status, status)),
                "percent": state.get("percent"),
                "roles": {},
            },
        )["roles"][a["department_id"]] = a["role"]
        entry = departments.setdefault(
            a["department_id"],
            {
                "id": a["department_id"],
                "name": a["department_name"],
                "url": with_as_of(
                    reverse("dashboards:department", args=[a["department_id"]]), as_of, today
                ),
                "lead": 0,
                "support": 0,
            },
        )
        if a["role"] in LEAD_ROLES:
            entry["lead"] += 1
        else:
            entry["support"] += 1
    ordered = sorted(departments.values(), key=lambda d: (-d["lead"], -d["support"], d["name"]))
    task_list = list(tasks.values())
    for t in task_list:
        t["cells"] = [
            {
                "role": t["roles"].get(d["id"], ""),
                "mark": str(ROLE_MARKS.get(t["roles"].get(d["id"]), "")),
                "title": f"{d['name']} · {ROLE_LABELS.get(t['roles'].get(d['id']), '')}"
                if t["roles"].get(d["id"])
                else "",
            }
            for d in ordered
        ]
    # Rows grouped by section: a heading row before each section's first task.
    sections: list[dict[str, Any]] = []
    for t in task_list:
        if not sections or sections[-1]["id"] != t["section_id"]:
            sections.append({"id": t["section_id"], "title": t["section"], "tasks": []})
        sections[-1]["tasks"].append(t)
    unranked = bool(assignments) and all(a["role"] == Role.RESPONSIBLE for a in assignments)
    columns = [
        Col("label", _("序号")),
        Col("title", _("任务"), "link"),
        Col("status", _("状态"), "task_status"),
        Col("percent", _("完成百分比"), "num"),
    ]
    columns += [Col(f"department_{d['id']}", d["name"]) for d in ordered]
    rows = []
    for t in task_list:
        row = {
            "label": t["label"],
            "title": t["title"],
            "title_url": t["url"],
            "status": t["status"],
            "percent": t["percent"],
        }
        for d in ordered:
            row[f"department_{d['id']}"] = str(ROLE_LABELS.get(t["roles"].get(d["id"]), ""))
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
        "responsible_only": unranked,
        "tasks": task_list,
        "sections": sections,
        "departments": ordered,
        "tables": [table],
        "charts": {},
    }
