"""省份: a province's documents, how the superseded plan ended, its lagging departments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from dashboards import charts
from dashboards.labels import PACE_LABELS, chart_text, str_labels
from dashboards.pages.common import (
    all_documents,
    at_risk_targets,
    chart_block,
    document_summary,
    in_force,
    missed_targets,
    pace_points,
    plan_outcome,
    status_frame,
    targets_table,
    unique_tasks,
    with_as_of,
)
from dashboards.pages.departments import department_chart, department_ranking, responsible_only
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
        figures["chart-departments"] = department_chart(
            ranking_frame.head(12), unranked=responsible_only(current_tasks)
        )
    missed = missed_targets(current, as_of=as_of)
    years = "、".join(str(int(y)) for y in sorted(set(missed["target_year"].tolist())))
    risk = targets_table(
        "at_risk",
        _("风险最高的目标"),
        at_risk_targets(current, as_of=as_of),
        as_of=as_of,
        today=today,
        skip=("province_name",),
        explain=True,
        # "No target behind" must not stand beside targets of a year gone by that were missed.
        empty=(
            _("目标年未到的目标中没有滞后或倒退的；但%(years)s年的目标有 %(n)s 个未达成，见下表。")
            % {"years": years, "n": len(missed)}
            if len(missed)
            else _("目前没有滞后或倒退的目标。")
        ),
    )
    missed_table = targets_table(
        "missed",
        _("目标年已过、未达成的目标(%(years)s年)") % {"years": years}
        if len(missed)
        else _("目标年已过、未达成的目标"),
        missed,
        as_of=as_of,
        today=today,
        skip=("province_name", "time_elapsed", "outlook"),
        explain=True,
        empty=_("没有目标年已过而未达成的现行目标。"),
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
        "missed_count": len(missed),
        "tables": [
            risk,
            missed_table,
            ranking,
            targets_table(
                "targets", _("现行目标"), current, as_of=as_of, today=today, skip=("province_name",)
            ),
            *[o["missed"] for o in outcomes],
            *[o["others"] for o in outcomes],
        ],
        "charts": figures,
    }
