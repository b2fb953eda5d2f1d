"""总览: a card per province, the ranking for a target year, the heat map, pace against time,
and the targets most at risk."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from django.urls import reverse
from django.utils.translation import gettext as _

from dashboards import charts
from dashboards.labels import PACE_LABELS, chart_text, str_labels
from dashboards.pages.common import (
    BadFilter,
    all_documents,
    at_risk_targets,
    chart_block,
    count_tasks,
    counts_by_group,
    good_share,
    in_force,
    pace_points,
    status_frame,
    targets_table,
    unique_tasks,
    with_as_of,
)
from dashboards.tables import Col, Table
from provinces.models import Province
from targets import selectors


def overview_page(*, as_of: dt.date, today: dt.date, year: int | None) -> dict[str, Any]:
    """Leadership view: a card per province, the ranking for a target year, the heat map,
    pace against time, and the targets most at risk. Six queries."""
    provinces = list(Province.objects.values("id", "code", "name", "full_name"))
    documents = all_documents()
    current = [d for d in documents if in_force(d, as_of)]
    current_ids = [d["id"] for d in current]
    frame = status_frame(as_of=as_of, document_ids=current_ids)
    task_status = selectors.task_status_frame(document_ids=current_ids, as_of=as_of)
    tasks = unique_tasks(task_status)

    years = sorted({int(y) for y in frame["target_year"].tolist()})
    if year is not None and year not in years:
        raise BadFilter(
            f"没有{year}年的目标(可选：{'、'.join(map(str, years)) or '无'}) / "
            f"no targets for {year} (choose from {', '.join(map(str, years)) or 'none'})"
        )
    if year is None:
        upcoming = [y for y in years if y >= 2025]
        year = upcoming[0] if upcoming else (years[-1] if years else as_of.year)

    cards = []
    ranking_rows = []
    for province in provinces:
        code = province["code"]
        docs = [d for d in current if d["province_code"] == code]
        mine = frame[frame["province"] == code]
        by_year = [{"year": y, **counts_by_group(mine[mine["target_year"] == y])} for y in years]
        task_counts = count_tasks(tasks[tasks["province"] == code])
        cards.append(
            {
                "province": province,
                "url": with_as_of(reverse("dashboards:province", args=[code]), as_of, today),
                "documents": [
                    {
                        **d,
                        "url": with_as_of(
                            reverse("dashboards:document", args=[d["slug"]]), as_of, today
                        ),
                    }
                    for d in docs
                ],
                "years": by_year,
                "tasks": task_counts,
            }
        )
        chosen = mine[mine["target_year"] == year]
        if chosen.empty:
            continue
        good, judged, share = good_share(chosen)
        counts = counts_by_group(chosen)
        ranking_rows.append(
            {
                "province_name": province["name"],
                "province_name_url": with_as_of(
                    reverse("dashboards:province", args=[code]), as_of, today
                ),
                "share": share,
                "share_pct": None if share is None else round(share * 100),
                "good": good,
                "assessable": judged,
                "good_of": f"{good}/{judged}",
                **counts,
            }
        )
    ranking_rows.sort(
        key=lambda r: (
            r["share"] is None,
            r["share"] if r["share"] is not None else 0,
            -(r["missed"] + r["lagging"]),
        )
    )
    behind = next((r for r in ranking_rows if r["share"] is not None), None)
    ranking = Table(
        name="ranking",
        title=_("%(year)s年目标进度排名(由后到前)") % {"year": year},
        columns=[
            Col("province_name", _("省份"), "link"),
            Col("share", _("达成或正常占比"), "pct"),
            Col("good_of", _("达成或正常/可评估")),
            Col("missed", _("未达成"), "num"),
            Col("lagging", _("滞后"), "num"),
            Col("no_data", _("无数据"), "num"),
            Col("total", _("目标数"), "num"),
        ],
        rows=ranking_rows,
        empty=_("尚无该年份的目标。"),
        highlight=lambda r: behind is not None and r is behind,
    )
    text = chart_text()
    labels = str_labels(PACE_LABELS)
    chosen = frame[frame["target_year"] == year]
    heat = _heat_rows(chosen)
    heat_table = Table(
        name="heatmap",
        title=_("%(year)s年目标：省份×领域") % {"year": year},
        columns=[
            Col("province", _("省份")),
            Col("area", _("领域")),
            Col("good", _("达成或正常"), "num"),
            Col("assessable", _("可评估"), "num"),
            Col("total", _("目标数"), "num"),
            Col("share", _("达成或正常占比"), "pct"),
        ],
        rows=heat,
    )
    scatter_frame = pace_points(frame)
    at_risk = at_risk_targets(frame, as_of=as_of)
    risk_table = targets_table(
        "at_risk",
        _("风险最高的目标"),
        at_risk,
        as_of=as_of,
        today=today,
        skip=("area",),
        explain=True,
        empty=_("目前没有滞后或倒退的目标。"),
    )
    figures = []
    if ranking_rows:
        figures.append(
            chart_block(
                "chart-ranking",
                charts.province_ranking(
                    pd.DataFrame(
                        [
                            {
                                "province": r["province_name"],
                                "share": r["share"] if r["share"] is not None else float("nan"),
                                "good": r["good"],
                                "assessable": r["assessable"],
                            }
                            for r in ranking_rows
                        ]
                    ),
                    text=text,
                ),
                title=ranking.title,
                table="ranking",
            )
        )
    if heat:
        figures.append(
            chart_block(
                "chart-heatmap",
                charts.status_heatmap(
                    pd.DataFrame(heat), text=text, row_order=[p["name"] for p in provinces]
                ),
                title=_("状态热力图：%(year)s年目标达成或正常占比") % {"year": year},
                table="heatmap",
                note=_("格内为“达成或正常/可评估”；“—/n”表示n个目标尚无可评估的数据。"),
            )
        )
    if not scatter_frame.empty:
        figures.append(
            chart_block(
                "chart-pace",
                charts.pace_scatter(
                    scatter_frame.assign(province=scatter_frame["province_name"]),
                    labels=labels,
                    text=text,
                ),
                title=_("完成进度与时间进度(每点一个目标)"),
                table="targets",
                note=_("对角线以下为进度落后于时间；圆点为2025年目标，菱形为2035年目标。"),
            )
        )
    if not at_risk.empty:
        figures.append(
            chart_block(
                "chart-risk",
                charts.at_risk_bars(
                    at_risk.assign(
                        label=[
                            f"{p} · {n} · {y}"
                            for p, n, y in zip(
                                at_risk["province_name"],
                                at_risk["indicator_name"],
                                at_risk["target_year"],
                                strict=True,
                            )
                        ]
                    ),
                    text=text,
                ),
                title=_("风险最高的目标"),
                table="at_risk",
            )
        )
    all_targets = targets_table("targets", _("全部现行目标"), frame, as_of=as_of, today=today)
    return {
        "year": year,
        "years": years,
        "cards": cards,
        "behind": behind,
        "tables": [ranking, heat_table, risk_table, all_targets],
        "charts": {c["id"]: c for c in figures},
        "has_targets": not frame.empty,
        # Values a document states for its baseline date are not 填报: anything after them is.
        "has_reports": bool((frame["latest_date"] > frame["baseline_date"]).any())
        if not frame.empty
        else False,
    }


def _heat_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    if frame.empty:
        return rows
    for (province, area), part in frame.groupby(["province_name", "area"], sort=False):
        good, judged, share = good_share(part)
        rows.append(
            {
                "province": province,
                "area": area,
                "good": good,
                "assessable": judged,
                "total": len(part),
                "share": share,
            }
        )
    return rows
