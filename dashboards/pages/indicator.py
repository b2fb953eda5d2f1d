"""指标: an indicator's trend, baseline and target lines, projections, the one-sentence status,
the history of its status and the source sentence highlighted in the document."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from dashboards import charts
from dashboards.labels import OUTLOOK_LABELS, PACE_LABELS, chart_text, str_labels
from dashboards.pages.common import (
    chart_block,
    explain_row,
    records,
    status_frame,
    target_row,
    targets_table,
    value_display,
    with_as_of,
    year_end,
)
from dashboards.tables import Col, Table
from dashboards.text import excerpt_bounds, join_page_breaks
from targets import selectors
from targets.models import Indicator, MeasureKind, Target


def highlight(
    text: str, quotes: Sequence[str], *, context: int = 160
) -> list[list[dict[str, Any]]]:
    """Excerpts of ``text`` around the quotes: each a list of parts ``{"text", "mark"}``.

    Quotes that overlap or sit close together share one excerpt (a sentence and the clause
    inside it are marked once, as their union). The template escapes every part and wraps the
    marked ones in <mark>; no HTML is built here.
    """
    spans: list[tuple[int, int]] = []
    for quote in quotes:
        if not quote:
            continue
        start = text.find(quote)
        if start >= 0:
            spans.append((start, start + len(quote)))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    excerpts: list[list[dict[str, Any]]] = []
    window: list[list[int]] = []
    for span in merged:
        if window and span[0] - window[-1][1] <= 2 * context:
            window.append(span)
            continue
        if window:
            excerpts.append(_excerpt(text, window, context))
        window = [span]
    if window:
        excerpts.append(_excerpt(text, window, context))
    return excerpts


def _excerpt(text: str, spans: list[list[int]], context: int) -> list[dict[str, Any]]:
    lo, hi = excerpt_bounds(
        text,
        max(0, spans[0][0] - context),
        spans[0][0],
        spans[-1][1],
        min(len(text), spans[-1][1] + context),
    )
    parts = [{"text": "…" if lo > 0 else "", "mark": False}]
    cursor = lo
    for start, end in spans:
        parts.append({"text": text[cursor:start], "mark": False})
        parts.append({"text": text[start:end], "mark": True})
        cursor = end
    parts.append({"text": text[cursor:hi] + ("…" if hi < len(text) else ""), "mark": False})
    return [part for part in parts if part["text"]]


def indicator_page(*, pk: int, as_of: dt.date, today: dt.date) -> dict[str, Any]:
    """An indicator: trend, baseline and target lines, projections, the sentence, the history of
    its status and the source text. Five queries."""
    indicator = (
        Indicator.objects.filter(pk=pk)
        .values(
            "id",
            "name",
            "code",
            "area",
            "unit",
            "attribute",
            "direction",
            "measure_kind",
            "baseline_year",
            "baseline_value",
            "baseline_quote",
            "quote",
            "document_id",
            document_slug=F("document__slug"),
            document_title=F("document__title"),
            document_number=F("document__number"),
            document_text=F("document__source_text"),
            province_code=F("document__province__code"),
            province_name=F("document__province__name"),
            category_code=F("category__code"),
            category_name=F("category__name"),
        )
        .first()
    )
    if indicator is None:
        raise Http404(f"没有这个指标 / no such indicator: {pk}")
    frame = status_frame(as_of=as_of, indicator_ids=[pk])
    reports = selectors.approved_reports_frame(indicator_ids=[pk], as_of=as_of)
    history = selectors.progress_results_frame(indicator_ids=[pk])
    unit = indicator["unit"] or ""
    targets = []
    for row in records(frame):
        row = target_row(row, as_of, today)
        row["explanation"] = explain_row(row)
        row["outlook_label"] = str(OUTLOOK_LABELS.get(row.get("outlook"), ""))
        row["status_label"] = str(PACE_LABELS.get(row.get("pace_status"), ""))
        row["projection_text"] = value_display(row.get("projection"), unit)
        row["due"] = year_end(row["target_year"])
        targets.append(row)
    text = chart_text()
    figures = {}
    numeric = indicator["measure_kind"] != MeasureKind.MILESTONE
    values = reports[["as_of", "value", "is_demo"]].dropna(subset=["value"]) if numeric else None
    if numeric:
        base_row = next((t for t in targets if t.get("baseline_value") is not None), None)
        trend_targets = pd.DataFrame(
            [
                {
                    "target_year": t["target_year"],
                    "target_value": t["goal_value"]
                    if t.get("goal_value") is not None
                    else t["target_value"],
                    # A projection says something only while the target year is still ahead.
                    "projection": t["projection"]
                    if t.get("projection") is not None and t["due"] > as_of
                    else float("nan"),
                    "method_label": t["method_label"],
                }
                for t in targets
            ],
            columns=["target_year", "target_value", "projection", "method_label"],
        )
        fig = charts.indicator_trend(
            values,
            trend_targets,
            baseline_value=base_row["baseline_value"] if base_row else None,
            baseline_date=base_row["baseline_date"] if base_row else None,
            unit=unit,
            text=text,
        )
        if fig["data"]:
            figures["chart-trend"] = chart_block(
                "chart-trend",
                fig,
                title=_("趋势：已审核填报值、基期、目标与预测"),
                table="reports",
                note=_("空心点为示例数据；点线为按所列方法外推到目标年的预测。"),
            )
    if not history.empty:
        fig = charts.status_history(history, labels=str_labels(PACE_LABELS), text=text)
        figures["chart-history"] = chart_block(
            "chart-history",
            fig,
            title=_("状态的变化(历次测算结果)"),
            table="history",
        )
    report_rows = [
        {
            "as_of": r["as_of"],
            "value": r["value"],
            "done": (_("是") if r["done"] else _("否")) if r["done"] is not None else "",
            "is_demo": _("示例数据") if r["is_demo"] else _("正式数据"),
        }
        for r in records(reports)
    ]
    report_columns = [Col("as_of", _("截至日期"), "date")]
    if numeric:
        report_columns.append(Col("value", _("数值") + (f"({unit})" if unit else ""), "num"))
    else:
        report_columns.append(Col("done", _("已完成")))
    report_columns.append(Col("is_demo", _("来源")))
    history_rows = []
    for r in records(history):
        history_rows.append(
            {
                "as_of": r["as_of"],
                "target_year": r["target_year"],
                "latest_value": r["latest_value"],
                "completion": r["completion"],
                "direction": indicator["direction"],
                "time_elapsed": r["time_elapsed"],
                "pace_status": r["pace_status"],
                "outlook": r["outlook"],
            }
        )
    quotes = [
        indicator["quote"],
        indicator["baseline_quote"],
        *Target.objects.filter(indicator_id=pk).order_by("year").values_list("quote", flat=True),
    ]
    return {
        "indicator": indicator,
        "targets": targets,
        "charts": figures,
        "numeric": numeric,
        # Page-break splits joined in the text and the quotes alike (a quote stays a substring).
        "excerpts": highlight(
            join_page_breaks(indicator["document_text"] or ""),
            [join_page_breaks(q or "").strip() for q in quotes],
        ),
        "document_url": with_as_of(
            reverse("dashboards:document", args=[indicator["document_slug"]]), as_of, today
        ),
        "province_url": with_as_of(
            reverse("dashboards:province", args=[indicator["province_code"]]), as_of, today
        ),
        "compare_url": (
            with_as_of(
                reverse("dashboards:compare"), as_of, today, category=indicator["category_code"]
            )
            if indicator["category_code"]
            else ""
        ),
        "tables": [
            targets_table(
                "targets",
                _("目标与进度"),
                frame,
                as_of=as_of,
                today=today,
                skip=("province_name", "indicator_name", "area"),
                explain=True,
            ),
            Table(
                "reports",
                _("已审核填报值"),
                report_columns,
                report_rows,
                empty=_("尚无已审核的填报数据。"),
            ),
            Table(
                "history",
                _("历次测算结果"),
                [
                    Col("as_of", _("测算基准日"), "date"),
                    Col("target_year", _("目标年")),
                    Col("latest_value", _("最新值"), "num"),
                    Col("completion", _("完成进度"), "completion"),
                    Col("time_elapsed", _("时间进度"), "pct"),
                    Col("pace_status", _("状态"), "status"),
                    Col("outlook", _("趋势研判"), "outlook"),
                ],
                history_rows,
                empty=_("尚无历次测算结果(运行 recompute_progress 后出现)。"),
            ),
        ],
    }
