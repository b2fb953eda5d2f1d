"""总览: which province is furthest behind for a target year, then the ranking, the provinces at a
glance, the heat map, pace against time and the targets at risk — readable at 31 provinces.

With many provinces every list shows the first ``top`` rows in the chosen order (the furthest
behind first, by default) with the rest one click away (``top=all``) and in every download; a
province filter narrows the whole page. All of it is in the URL (``year``, ``sort``, ``top``,
``province``, repeatable) and works without JavaScript; only the charts need it. Up to
``CARDS_UP_TO`` provinces on screen get a card each, as the four seed provinces always did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from dashboards import charts
from dashboards.labels import PACE_LABELS, STATUS_GROUPS, chart_text, str_labels
from dashboards.pages.common import (
    BadFilter,
    all_documents,
    at_risk_targets,
    chart_block,
    in_force,
    missed_ended_targets,
    pace_points,
    status_frame,
    targets_table,
    unique_tasks,
    with_as_of,
    year_end,
)
from dashboards.tables import Col, Table
from provinces.models import Province
from targets import progress, selectors

TOP_DEFAULT = 10
CARDS_UP_TO = 6
RISK_SHOWN = 10
ALL_TARGETS_SHOWN = 150
SORTS = ("behind", "ahead", "missed", "name")


def sort_labels() -> dict[str, str]:
    return {
        "behind": _("由后到前(最落后在上)"),
        "ahead": _("由前到后(最领先在上)"),
        "missed": _("未达成与滞后最多在上"),
        "name": _("按省份顺序"),
    }


def parse_top(raw: str | None) -> int | None:
    """``top``: a whole number ≥ 1 or ``all`` (None); absent → the default."""
    if raw is None or raw == "":
        return TOP_DEFAULT
    if raw == "all":
        return None
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise BadFilter(
            f"显示数量 top 应为正整数或 all：“{raw}” / top must be a positive whole number "
            f"or all: “{raw}”"
        )
    return value


def overview_page(
    *,
    as_of: dt.date,
    today: dt.date,
    year: int | None,
    sort: str | None = None,
    top: int | None = TOP_DEFAULT,
    province_codes: Sequence[str] = (),
) -> dict[str, Any]:
    """Leadership view over every province (or the ones filtered); six queries."""
    provinces = list(Province.objects.order_by("sort_order", "code").values("id", "code", "name"))
    sort = sort or "behind"
    if sort not in SORTS:
        raise BadFilter(
            f"排序方式“{sort}”无效(可选：{'、'.join(SORTS)}) / "
            f"unknown sort “{sort}” (choose from {', '.join(SORTS)})"
        )
    known = {p["code"] for p in provinces}
    chosen_codes = list(dict.fromkeys(c.strip().upper() for c in province_codes if c.strip()))
    unknown = [c for c in chosen_codes if c not in known]
    if unknown:
        raise BadFilter(
            f"没有代码为 {'、'.join(unknown)} 的省份 / no province with code {', '.join(unknown)}"
        )
    in_scope = [p for p in provinces if not chosen_codes or p["code"] in chosen_codes]
    scope_codes = [p["code"] for p in in_scope]

    documents = all_documents()
    current = [d for d in documents if in_force(d, as_of) and d["province_code"] in scope_codes]
    current_ids = [d["id"] for d in current]
    frame = status_frame(as_of=as_of, document_ids=current_ids)
    tasks = unique_tasks(selectors.task_status_frame(document_ids=current_ids, as_of=as_of))

    years = sorted({int(y) for y in frame["target_year"].tolist()})
    if year is not None and year not in years:
        raise BadFilter(
            f"没有{year}年的目标(可选：{'、'.join(map(str, years)) or '无'}) / "
            f"no targets for {year} (choose from {', '.join(map(str, years)) or 'none'})"
        )
    if year is None:
        upcoming = [y for y in years if y >= 2025]
        year = upcoming[0] if upcoming else (years[-1] if years else as_of.year)

    def link(key: str, view: str = "dashboards:province") -> str:
        return with_as_of(reverse(view, args=[key]), as_of, today)

    chosen = frame[frame["target_year"] == year]
    summary = _province_summary(in_scope, chosen, frame, tasks, years, current, link)
    ordered = _ordered(summary, sort)
    shown_count = len(ordered) if top is None or len(ordered) <= top + 2 else top
    shown = ordered[:shown_count]
    shown_codes = [r["code"] for r in shown]
    judged = [r for r in summary if r["share"] is not None]
    behind = min(judged, key=_behind_key) if judged else None

    ranking = Table(
        name="ranking",
        title=_("%(year)s年目标进度排名") % {"year": year},
        columns=[
            Col("province_name", _("省份"), "link"),
            Col("share", _("达成或正常占比"), "pct"),
            Col("good_of", _("达成或正常/可评估")),
            Col("missed", _("未达成"), "num"),
            Col("lagging", _("滞后"), "num"),
            Col("no_data", _("无数据"), "num"),
            Col("total", _("目标数"), "num"),
        ],
        rows=[r for r in ordered if r["total"]],
        empty=_("尚无该年份的目标。"),
        highlight=lambda r: behind is not None and r["code"] == behind["code"],
        shown=sum(1 for r in shown if r["total"]),
    )
    overview_table = Table(
        name="provinces",
        title=_("各省概况"),
        columns=[
            Col("province_name", _("省份"), "link"),
            Col("documents_count", _("现行文件"), "num"),
            Col("targets_total", _("现行目标"), "num"),
            Col("year_good_of", _("%(year)s年达成或正常/可评估") % {"year": year}),
            Col("year_missed", _("%(year)s年未达成") % {"year": year}, "num"),
            Col("tasks_total", _("重点任务"), "num"),
            Col("tasks_completed", _("已完成"), "num"),
            Col("tasks_delayed", _("任务滞后"), "num"),
            Col("tasks_no_update", _("未填报"), "num"),
        ],
        rows=ordered,
        shown=shown_count,
    )

    text = chart_text()
    heat = _heat_rows(chosen[chosen["province"].isin(shown_codes)])
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
        rows=_heat_rows(chosen, order=[r["province_name"] for r in ordered]),
    )
    heat_table.shown = len(heat)  # the provinces on screen; the download has them all
    shown_frame = frame[frame["province"].isin(shown_codes)]
    # 时间过半 is a question about targets still open: an ended year's are on the missed list.
    open_years = [y for y in years if year_end(y) > as_of]
    scatter_frame = pace_points(shown_frame[shown_frame["target_year"].isin(open_years)])
    at_risk = at_risk_targets(frame, as_of=as_of, limit=len(frame))
    missed = missed_ended_targets(frame, as_of=as_of)
    risk_table = targets_table(
        "at_risk",
        _("风险最高的目标(未到期)"),
        at_risk,
        as_of=as_of,
        today=today,
        skip=("area",),
        explain=True,
        empty=_("未到期的目标中没有滞后或倒退的。"),
    )
    risk_table.shown = RISK_SHOWN
    missed_years = sorted({int(y) for y in missed["target_year"].tolist()}, reverse=True)
    missed_table = targets_table(
        "missed",
        _("已到期未达成的目标(%(years)s年)") % {"years": "、".join(map(str, missed_years)) or "—"},
        missed,
        as_of=as_of,
        today=today,
        skip=("area", "time_elapsed", "outlook"),
        explain=True,
        empty=_("已到期的目标都已达成或尚无数据。"),
    )
    missed_table.shown = RISK_SHOWN

    figures = []
    ranked = [r for r in shown if r["total"]]
    if ranked:
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
                            for r in ranked
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
                    pd.DataFrame(heat), text=text, row_order=[r["province_name"] for r in shown]
                ),
                title=_("状态热力图：%(year)s年目标达成或正常占比") % {"year": year},
                table="heatmap",
                note=_("格内为“达成或正常/可评估”。"),
            )
        )
    if not scatter_frame.empty:
        figures.append(
            chart_block(
                "chart-pace",
                charts.pace_scatter(
                    scatter_frame.assign(province=scatter_frame["province_name"]),
                    labels=str_labels(PACE_LABELS),
                    text=text,
                ),
                title=_("未到期目标(%(years)s年)：完成进度与时间进度(每点一个目标)")
                % {"years": "、".join(map(str, open_years))},
                table="targets",
                note=_("对角线以下为进度落后于时间；竖线为时间过半。"),
            )
        )
    top_risk = at_risk.head(RISK_SHOWN)
    if not top_risk.empty:
        figures.append(
            chart_block(
                "chart-risk",
                charts.at_risk_bars(
                    top_risk.assign(
                        label=[
                            f"{p} · {n} · {y}"
                            for p, n, y in zip(
                                top_risk["province_name"],
                                top_risk["indicator_name"],
                                top_risk["target_year"],
                                strict=True,
                            )
                        ]
                    ),
                    text=text,
                ),
                title=risk_table.title,
                table="at_risk",
            )
        )
    all_targets = targets_table("targets", _("全部现行目标"), frame, as_of=as_of, today=today)
    # At national scale thousands of rows: the download serves them, the page only says so.
    all_targets.shown = None if len(all_targets.rows) <= ALL_TARGETS_SHOWN else 0
    return {
        "year": year,
        "years": years,
        "cards": shown if len(shown) <= CARDS_UP_TO else [],
        "behind": behind,
        "controls": _controls(
            as_of=as_of,
            today=today,
            year=year,
            sort=sort,
            top=top,
            chosen_codes=chosen_codes,
            provinces=provinces,
            years=years,
            total=len(ordered),
            shown=shown_count,
        ),
        "tables": [ranking, overview_table, heat_table, risk_table, missed_table, all_targets],
        "charts": {c["id"]: c for c in figures},
        "has_targets": not frame.empty,
        # Values a document states for its baseline date are not 填报: anything after them is.
        "has_reports": bool((frame["latest_date"] > frame["baseline_date"]).any())
        if not frame.empty
        else False,
    }


def _behind_key(row: dict[str, Any]) -> tuple:
    return (row["share"], -(row["missed"] + row["lagging"]), row["order"])


def _ordered(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    if sort == "name":
        return sorted(rows, key=lambda r: r["order"])
    if sort == "missed":
        return sorted(rows, key=lambda r: (-(r["missed"] + r["lagging"]), *_nulls_last(r)))
    if sort == "ahead":
        return sorted(
            rows,
            key=lambda r: (r["share"] is None, -(r["share"] or 0), r["missed"], r["order"]),
        )
    return sorted(rows, key=lambda r: _nulls_last(r))


def _nulls_last(row: dict[str, Any]) -> tuple:
    share = row["share"]
    return (share is None, share or 0, -(row["missed"] + row["lagging"]), row["order"])


def _counts(frame: pd.DataFrame, by: str) -> dict[str, dict[str, int]]:
    """Per province: targets in each status group, and the total."""
    if frame.empty:
        return {}
    table = pd.crosstab(frame[by], frame["group"])
    out = {}
    for key, row in table.iterrows():
        counts = {group: int(row.get(group, 0)) for group in STATUS_GROUPS}
        counts["total"] = int(row.sum())
        out[key] = counts
    return out


def _province_summary(
    provinces, chosen, frame, tasks, years, documents, link
) -> list[dict[str, Any]]:
    """One row per province: the chosen year's roll-up, its documents, targets and tasks."""
    year_counts = _counts(chosen, "province")
    by_year = {y: _counts(frame[frame["target_year"] == y], "province") for y in years}
    judged_mask = ~chosen["pace_status"].isin(progress.UNASSESSABLE_STATUSES)
    good_mask = chosen["pace_status"].isin(progress.GOOD_STATUSES)
    good = chosen[good_mask].groupby("province").size().to_dict()
    judged = chosen[judged_mask].groupby("province").size().to_dict()
    targets_total = frame.groupby("province").size().to_dict()
    task_counts = (
        pd.crosstab(tasks["province"], tasks["status"]) if not tasks.empty else pd.DataFrame()
    )
    empty_counts = {group: 0 for group in STATUS_GROUPS} | {"total": 0}
    rows = []
    for order, province in enumerate(provinces):
        code = province["code"]
        counts = year_counts.get(code, empty_counts)
        n_good, n_judged = int(good.get(code, 0)), int(judged.get(code, 0))
        share = n_good / n_judged if n_judged else None
        task_row = task_counts.loc[code] if code in task_counts.index else pd.Series(dtype=int)
        task = {s: int(task_row.get(s, 0)) for s in progress.TASK_STATUSES}
        task["total"] = sum(task.values())
        task["share_completed"] = task["completed"] / task["total"] if task["total"] else None
        docs = [
            {**d, "url": link(d["slug"], "dashboards:document")}
            for d in documents
            if d["province_code"] == code
        ]
        rows.append(
            {
                "order": order,
                "code": code,
                "province": province,
                "province_name": province["name"],
                "province_name_url": link(code),
                "url": link(code),
                "share": share,
                "share_pct": None if share is None else round(share * 100),
                "good": n_good,
                "assessable": n_judged,
                "good_of": f"{n_good}/{n_judged}",
                "year_good_of": f"{n_good}/{n_judged}" if counts["total"] else "—",
                "year_missed": counts["missed"],
                **counts,
                "documents": docs,
                "documents_count": len(docs),
                "targets_total": int(targets_total.get(code, 0)),
                "years": [{"year": y, **by_year[y].get(code, empty_counts)} for y in years],
                "tasks": task,
                "tasks_total": task["total"],
                "tasks_completed": task["completed"],
                "tasks_delayed": task["delayed"],
                "tasks_no_update": task["no_update"],
            }
        )
    return rows


def _heat_rows(frame: pd.DataFrame, order: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """One row per (province, area): achieved or on track, assessable, targets, share."""
    if frame.empty:
        return []
    flags = frame.assign(
        _good=frame["pace_status"].isin(progress.GOOD_STATUSES),
        _judged=~frame["pace_status"].isin(progress.UNASSESSABLE_STATUSES),
    )
    sums = flags.groupby(["province_name", "area"], sort=False).agg(
        good=("_good", "sum"), assessable=("_judged", "sum"), total=("_good", "size")
    )
    rows = [
        {
            "province": province,
            "area": area,
            "good": int(good),
            "assessable": int(judged),
            "total": int(total),
            "share": good / judged if judged else None,
        }
        for (province, area), good, judged, total in zip(
            sums.index, sums["good"], sums["assessable"], sums["total"], strict=True
        )
    ]
    if order is not None:
        rank = {name: i for i, name in enumerate(order)}
        rows.sort(key=lambda r: rank.get(r["province"], len(rank)))
    return rows


def overview_url(
    *, as_of: dt.date, today: dt.date, year: int, sort: str, top: int | None, codes: Sequence[str]
) -> str:
    """The overview with these choices; defaults left out so the URL stays short."""
    query: list[tuple[str, Any]] = []
    if as_of != today:
        query.append(("as_of", as_of.isoformat()))
    query.append(("year", year))
    if sort != "behind":
        query.append(("sort", sort))
    if top != TOP_DEFAULT:
        query.append(("top", "all" if top is None else top))
    query.extend(("province", code) for code in codes)
    return reverse("dashboards:overview") + "?" + urlencode(query)


def _controls(
    *, as_of, today, year, sort, top, chosen_codes, provinces, years, total, shown
) -> dict[str, Any]:
    """What the sort / show / province form and its links need."""

    def url(**changes: Any) -> str:
        choice = {"year": year, "sort": sort, "top": top, "codes": chosen_codes, **changes}
        return overview_url(as_of=as_of, today=today, **choice)

    return {
        "sort": sort,
        "sorts": list(sort_labels().items()),
        "top": "all" if top is None else str(top),
        "top_default": TOP_DEFAULT,
        "many": len(provinces) > TOP_DEFAULT + 2,
        "total": total,
        "shown": shown,
        "hidden": total - shown,
        "show_all_url": url(top=None),
        "show_top_url": url(top=TOP_DEFAULT),
        "provinces": [{**p, "checked": p["code"] in chosen_codes} for p in provinces],
        "chosen": chosen_codes,
        "clear_url": url(codes=[]),
        "year_urls": [{"year": y, "url": url(year=y)} for y in years],
    }
