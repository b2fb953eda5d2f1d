"""省份: a province's documents, how the superseded plan ended, its lagging departments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from dashboards import charts
from dashboards.labels import PACE_LABELS, TASK_LABELS, chart_text, str_labels
from dashboards.pages.common import (
    all_documents,
    at_risk_targets,
    chart_block,
    document_summary,
    in_force,
    pace_points,
    plan_outcome,
    status_frame,
    targets_table,
    unique_tasks,
    with_as_of,
)
from dashboards.pages.departments import department_ranking
from provinces.models import Province
from targets import selectors
from tasks.models import Role


def province_page(*, code: str, as_of: dt.date, today: dt.date) -> dict[str, Any]:
    """A province: its documents, how the superseded plan ended, the lagging departments. Five
    queries."""
    province = (
        Province.objects.filter(code__iexact=code).values("id", "code", "name", "full_name").first()
    )
    if province is None:
        raise Http404(f"没有这个省份 / no such province: {code}")
    documents = [d for d in all_documents() if d["province_id"] == province["id"]]
    ids = [d["id"] for d in documents]
    frame = status_frame(as_of=as_of, document_ids=ids)
    task_status = selectors.task_status_frame(document_ids=ids, as_of=as_of)
    tasks = unique_tasks(task_status)
    summaries = [document_summary(d, frame, tasks, as_of, today) for d in documents]
    superseded_ids = {d["supersedes_id"] for d in documents if d["supersedes_id"]}
    outcomes = [
        plan_outcome(d, frame, as_of=as_of, today=today)
        for d in documents
        if d["id"] in superseded_ids or as_of.year > int(d["period_end"])
    ]
    current_ids = [d["id"] for d in documents if in_force(d, as_of)]
    current = frame[frame["document_id"].isin(current_ids)]
    current_tasks = task_status[task_status["document_id"].isin(current_ids)]
    ranking, top, ranking_frame = department_ranking(current_tasks, as_of=as_of, today=today)
    text = chart_text()
    figures = {}
    scatter = pace_points(current)
    if not scatter.empty:
        figures["chart-pace"] = chart_block(
            "chart-pace",
            charts.pace_scatter(
                scatter.assign(province=scatter["province_name"]),
                labels=str_labels(PACE_LABELS),
                text=text,
            ),
            title=_("完成进度与时间进度(每点一个目标)"),
            table="targets",
        )
    if not ranking_frame.empty:
        figures["chart-departments"] = chart_block(
            "chart-departments",
            charts.department_task_bars(
                ranking_frame.head(12), labels=str_labels(TASK_LABELS), text=text
            ),
            title=_("各单位牵头任务状态"),
            table="departments",
        )
    risk = targets_table(
        "at_risk",
        _("风险最高的目标"),
        at_risk_targets(current, as_of=as_of),
        as_of=as_of,
        today=today,
        skip=("province_name",),
        explain=True,
        empty=_("目前没有滞后或倒退的目标。"),
    )
    return {
        "province": province,
        "documents": summaries,
        "outcomes": outcomes,
        "top_department": top,
        "unranked_roles": bool((current_tasks["role"] == Role.RESPONSIBLE).any()),
        "departments_url": with_as_of(
            reverse("dashboards:departments", args=[province["code"]]), as_of, today
        ),
        "tables": [
            risk,
            ranking,
            targets_table(
                "targets", _("现行目标"), current, as_of=as_of, today=today, skip=("province_name",)
            ),
            *[o["missed"] for o in outcomes],
            *[o["others"] for o in outcomes],
        ],
        "charts": figures,
    }
