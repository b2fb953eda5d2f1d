"""各省对比: one indicator category across provinces, and what each province set itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from dashboards import charts
from dashboards.labels import chart_text
from dashboards.pages.common import (
    BadFilter,
    all_documents,
    chart_block,
    in_force,
    plain,
    status_frame,
    target_display,
    value_display,
    with_as_of,
)
from dashboards.tables import Col, Table, missing
from provinces.models import UnitLevel
from targets.models import IndicatorCategory, MeasureKind


def comparison_page(
    *,
    as_of: dt.date,
    today: dt.date,
    category: str | None,
    scale: str | None,
    level: str | None = None,
    parent: str | None = None,
) -> dict[str, Any]:
    """One category across provinces, and what each province set itself. Four queries.

    ``level`` (province / city) and ``parent`` (a province's code) narrow the units compared:
    ``?level=city&parent=SX`` lines up the cities of 山西.
    """
    if level not in (None, "", *UnitLevel.values):
        raise BadFilter("level 只能是 province 或 city / level must be province or city")
    categories = list(
        IndicatorCategory.objects.annotate(n=Count("indicators")).values(
            "code", "name", "note", "n"
        )
    )
    documents = [
        d
        for d in all_documents()
        if (not level or d["province_level"] == level)
        and (not parent or d["province_parent"] == parent.upper())
    ]
    current_ids = [d["id"] for d in documents if in_force(d, as_of)]
    frame = status_frame(as_of=as_of, document_ids=current_ids)
    provinces_per_category = (
        frame.groupby("category")["province"].nunique().to_dict() if not frame.empty else {}
    )
    for c in categories:
        c["provinces"] = int(provinces_per_category.get(c["code"], 0))
    codes = {c["code"] for c in categories}
    if category and category not in codes:
        raise BadFilter(f"未知的指标类别：{category} / unknown category: {category}")
    if scale not in (None, "", "raw", "completion"):
        raise BadFilter("scale 只能是 raw 或 completion / scale must be raw or completion")
    if not category and categories:
        # The category most provinces share; 强检覆盖率 first among equals (the example).
        ranked = sorted(
            categories,
            key=lambda c: (
                -c["provinces"],
                c["code"] != "mandatory-verification-coverage",
                c["code"],
            ),
        )
        category = ranked[0]["code"]
    chosen = next((c for c in categories if c["code"] == category), None)
    part = frame[frame["category"] == category] if category else frame.iloc[0:0]
    years = sorted({int(y) for y in part["target_year"].tolist()}) or [2025, 2035]

    rows = []
    for _indicator_id, group in part.groupby("indicator_id", sort=False):
        first = group.iloc[0]
        latest = group.sort_values("target_year").iloc[-1]
        base = next((v for v in group["baseline_value"] if not missing(v)), None)
        if base is None:
            base = next((v for v in group["printed_baseline"] if not missing(v)), None)
        row = {
            "indicator_id": int(first["indicator_id"]),
            "province": first["province"],
            "province_name": first["province_name"],
            "document_slug": first["document_slug"],
            "indicator_name": first["indicator_name"],
            "unit": first["unit"],
            "measure_kind": first["measure_kind"],
            "baseline_value": plain(base),
            "latest_value": plain(latest["latest_value"]),
            "latest_date": plain(latest["latest_date"]),
            "label": f"{first['province_name']} · {first['indicator_name']}",
            "indicator_name_url": with_as_of(
                reverse("dashboards:indicator", args=[int(first["indicator_id"])]), as_of, today
            ),
            "province_name_url": with_as_of(
                reverse("dashboards:province", args=[first["province"]]), as_of, today
            ),
        }
        for y in years:
            match = group[group["target_year"] == y]
            if match.empty:
                row.update(
                    {
                        f"target_{y}": None,
                        f"completion_{y}": None,
                        f"status_{y}": None,
                        f"target_{y}_text": "",
                    }
                )
                continue
            t = match.iloc[0]
            row[f"target_{y}"] = plain(
                t["goal_value"] if not missing(t["goal_value"]) else t["target_value"]
            )
            row[f"target_{y}_text"] = target_display(t.to_dict())
            row[f"completion_{y}"] = plain(t["completion"])
            row[f"status_{y}"] = t["pace_status"]
        row["baseline"] = value_display(row["baseline_value"], row["unit"])
        row["latest"] = value_display(row["latest_value"], row["unit"])
        rows.append(row)
    units = {r["unit"] for r in rows if r["measure_kind"] != MeasureKind.MILESTONE}
    auto_normalise = len(units) > 1
    normalise = {"raw": False, "completion": True}.get(scale or "", auto_normalise)
    columns = [
        Col("province_name", _("省份"), "link"),
        Col("indicator_name", _("指标(原文表述)"), "link"),
        Col("unit", _("单位")),
        Col("baseline", _("基期值")),
        Col("latest", _("最新值")),
        Col("latest_date", _("最新值日期"), "date"),
    ]
    for y in years:
        columns += [
            Col(f"target_{y}_text", _("%(year)s年目标") % {"year": y}),
            Col(f"completion_{y}", _("%(year)s年完成进度") % {"year": y}, "pct"),
            Col(f"status_{y}", _("%(year)s年状态") % {"year": y}, "status"),
        ]
    table = Table(
        name="comparison",
        title=_("%(name)s：各省对比") % {"name": chosen["name"] if chosen else "—"},
        columns=columns,
        rows=rows,
        empty=_("该类别在现行文件中没有指标。"),
    )
    text = chart_text()
    figures = {}
    if rows:
        fig = charts.comparison_bars(
            pd.DataFrame(rows), years=years, normalise=normalise, text=text
        )
        figures["chart-compare"] = chart_block(
            "chart-compare",
            fig,
            title=table.title,
            table="comparison",
            note=(
                _("各省单位不同(%(units)s)，已换算为完成进度：基期为0%%，目标为100%%。")
                % {"units": "、".join(sorted(u or "—" for u in units))}
                if normalise
                else _("柱为基期值与最新值，标记为目标值。")
            ),
        )
    # What each province set itself.
    set_rows = []
    kind_labels = {k: str(v) for k, v in MeasureKind.choices}
    if not frame.empty:
        for (province, area), group in frame.groupby(["province_name", "area"], sort=False):
            set_rows.append({"province": province, "area": area or "—", "count": len(group)})
    kind_rows = []
    if not frame.empty:
        for (province, kind), group in frame.groupby(["province_name", "measure_kind"], sort=False):
            kind_rows.append({"province": province, "measure_kind": kind, "count": len(group)})
    set_table = _set_table(frame)
    if set_rows:
        figures["chart-areas"] = chart_block(
            "chart-areas",
            charts.targets_set_bars(pd.DataFrame(set_rows), by="area", text=text),
            title=_("各省自定目标：按领域"),
            table="targets_set",
        )
        figures["chart-kinds"] = chart_block(
            "chart-kinds",
            charts.targets_set_bars(
                pd.DataFrame(kind_rows), by="measure_kind", labels=kind_labels, text=text
            ),
            title=_("各省自定目标：按测度类型"),
            table="targets_set",
        )
    return {
        "categories": categories,
        "category": chosen,
        "normalise": normalise,
        "auto_normalise": auto_normalise,
        "scale": scale or "",
        "unit_level": level or "",
        "unit_parent": (parent or "").upper(),
        "years": years,
        "tables": [table, set_table],
        "charts": figures,
    }


def _set_table(frame: pd.DataFrame) -> Table:
    """Province × (year, area, measure kind) target counts."""
    rows = []
    if not frame.empty:
        for province, group in frame.groupby("province_name", sort=False):
            row: dict[str, Any] = {"province": province, "total": len(group)}
            for y, n in group["target_year"].value_counts().items():
                row[f"year_{int(y)}"] = int(n)
            for area, n in group["area"].value_counts().items():
                row[f"area_{area or '—'}"] = int(n)
            for kind, n in group["measure_kind"].value_counts().items():
                row[f"kind_{kind}"] = int(n)
            rows.append(row)
    years = sorted({int(y) for y in frame["target_year"].tolist()}) if not frame.empty else []
    areas = sorted({a or "—" for a in frame["area"].tolist()}) if not frame.empty else []
    columns = [Col("province", _("省份")), Col("total", _("目标数"), "num")]
    columns += [Col(f"year_{y}", _("%(year)s年") % {"year": y}, "num") for y in years]
    columns += [Col(f"area_{a}", a, "num") for a in areas]
    columns += [Col(f"kind_{k}", str(label), "num") for k, label in MeasureKind.choices]
    for row in rows:
        for column in columns:
            row.setdefault(column.key, 0)
    return Table(
        name="targets_set",
        title=_("各省自定目标数：按年份、领域、测度类型"),
        columns=columns,
        rows=rows,
        empty=_("尚未载入文件。"),
    )
