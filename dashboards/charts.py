"""Plotly figures for the dashboards: frames in, figures out.

Pure (pandas, no Django, no ``plotly.graph_objects``) so every chart can be unit-tested with a
hand-built frame. A figure is a plain dict ``{"data": [trace, …], "layout": {…}}`` in the
shape plotly.js reads: building it through ``graph_objects`` validated every property on every
``update_layout`` and cost more than the page's own arithmetic at national scale.
Labels default to Chinese; the pages pass translated labels (``labels`` / ``text``) so the
English interface gets English charts. Values arrive as fractions (completion 0.85) and are
drawn as percentages. Every function returns a figure even for an empty frame (no traces and a
"no data" note), so a page never fails on an empty catalogue; pages show an empty state instead.

Figures reach the browser as data, through ``json_script`` and
``static/js/charts.js``: no inline script, no CDN.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from targets.progress import PACE_STATUS_LABELS, PACE_STATUSES, TASK_STATUS_LABELS

FONT_FAMILY = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif'

# Greens for good news, amber → red for trouble, greys for "cannot say yet".
STATUS_COLORS: dict[str, str] = {
    "achieved": "#116329",
    "ahead": "#1f883d",
    "on_track": "#4ac26b",
    "lagging": "#d4a72c",
    "seriously_lagging": "#e16f24",
    "regressing": "#cf222e",
    "missed": "#82071e",
    "pending": "#8c959f",
    "no_data": "#d0d7de",
    "cannot_assess": "#afb8c1",
}
TASK_STATUS_COLORS: dict[str, str] = {
    "completed": "#1f883d",
    "in_progress": "#4ac26b",
    "not_started": "#8c959f",
    "delayed": "#cf222e",
    "suspended": "#e16f24",
    "no_update": "#d0d7de",
}
# Order in legends: best first, as the engine lists its statuses.
STATUS_ORDER: tuple[str, ...] = PACE_STATUSES
# Stacked task bars: the statuses that need attention first.
TASK_STATUS_ORDER: tuple[str, ...] = (
    "delayed",
    "suspended",
    "not_started",
    "in_progress",
    "completed",
    "no_update",
)
SERIES_COLORS = ("#0969da", "#8250df", "#bf8700", "#1a7f37", "#cf222e", "#57606a")

# Chinese defaults for every piece of chart text; pages pass a translated copy.
TEXT: dict[str, str] = {
    "no_data": "暂无数据",
    "province": "省份",
    "area": "领域",
    "share": "达成或正常占比",
    "share_axis": "达成或正常占比(%)",
    "time_elapsed": "时间进度(%)",
    "completion": "完成进度(%)",
    "half_time": "时间过半",
    "pace_line": "完成进度=时间进度",
    "target_year": "目标年",
    "baseline": "基期值",
    "latest": "最新值",
    "target": "年目标",
    "target_marker": "目标(100%)",
    "completion_to": "年目标完成进度(%)",
    "value": "数值",
    "reported": "已审核填报值",
    "demo": "(示例数据)",
    "projection": "年预测",
    "targets_count": "目标数(个)",
    "tasks_count": "任务数(项)",
    "department": "牵头单位",
    "as_of": "测算基准日",
    "status": "状态",
    "assessable": "可评估目标",
    "good": "达成或正常",
    "cut": "图中截断",
    "no_assessable": "尚无可评估的目标",
}


def _text(text: Mapping[str, str] | None) -> dict[str, str]:
    return {**TEXT, **(text or {})}


def _labels(labels: Mapping[str, str] | None, defaults: Mapping[str, str]) -> dict[str, str]:
    return {**defaults, **(labels or {})}


Figure = dict[str, Any]


def _figure() -> Figure:
    return {"data": [], "layout": {}}


def _merge(target: dict[str, Any], changes: Mapping[str, Any]) -> None:
    """Nested update, as ``update_layout`` does: dicts merge, other values replace."""
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = dict(value) if isinstance(value, Mapping) else value


def update_layout(fig: Figure, **changes: Any) -> Figure:
    _merge(fig["layout"], changes)
    return fig


def _axes(fig: Figure, axis: str, **changes: Any) -> Figure:
    return update_layout(fig, **{axis: changes})


def _annotate(fig: Figure, **annotation: Any) -> Figure:
    fig["layout"].setdefault("annotations", []).append(annotation)
    return fig


def _layout(
    fig: Figure,
    *,
    title: str = "",
    height: int = 420,
    xaxis_title: str = "",
    yaxis_title: str = "",
    showlegend: bool = True,
) -> Figure:
    """The house style: CJK font fallbacks, light grid, legend under the plot, no template blob."""
    axis = {
        "gridcolor": "#eaeef2",
        "linecolor": "#8c959f",
        "zerolinecolor": "#d0d7de",
        "automargin": True,
    }
    update_layout(
        fig,
        font={"family": FONT_FAMILY, "size": 13, "color": "#1f2328"},
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 15}},
        height=height,
        margin={"l": 60, "r": 20, "t": 80 if title else 40, "b": 50},
        paper_bgcolor="white",
        plot_bgcolor="white",
        showlegend=showlegend,
        # Above the plot: below it the legend collides with the x-axis title on short charts.
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"font": {"family": FONT_FAMILY}},
        xaxis={**axis, "title": {"text": xaxis_title}},
        yaxis={**axis, "title": {"text": yaxis_title}},
        separators=".,",
    )
    return fig


def _empty(fig: Figure, text: Mapping[str, str]) -> Figure:
    _annotate(
        fig,
        text=text["no_data"],
        showarrow=False,
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        font={"size": 16, "color": "#57606a"},
    )
    _axes(fig, "xaxis", visible=False)
    _axes(fig, "yaxis", visible=False)
    return fig


def _pct(values: pd.Series) -> list[float | None]:
    """Fractions → rounded percentages, None (a gap) where unknown."""
    return [
        None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v) * 100, 1)
        for v in pd.to_numeric(values, errors="coerce").astype(float).tolist()
    ]


def _num(values: Sequence[Any] | pd.Series) -> list[float | None]:
    out: list[float | None] = []
    for v in pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").tolist():
        out.append(None if v is None or math.isnan(v) else float(v))
    return out


def _strings(values: pd.Series) -> list[str]:
    return ["" if pd.isna(v) else str(v) for v in values.tolist()]


def _fmt(value: Any) -> str:
    """85 → "85", 85.5 → "85.5"; "—" when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def cut_marks(
    frame: pd.DataFrame, cut_word: str, symbols: Sequence[str] | str = "circle"
) -> tuple[list[str], list[str]]:
    """Where a drawn completion (``completion_display``, clipped) is not the real one
    (``completion``): the real figure as a label ("180%(图中截断)") and a triangle pointing the
    way the bar or dot was cut; elsewhere no label and the given symbol."""
    shown = _pct(frame["completion_display"])
    real = _pct(frame["completion"]) if "completion" in frame else shown
    base = [symbols] * len(shown) if isinstance(symbols, str) else list(symbols)
    labels, marks = [], []
    for drawn, value, symbol in zip(shown, real, base, strict=True):
        if drawn is None or value is None or abs(drawn - value) < 0.5:
            labels.append("")
            marks.append(symbol)
        else:
            labels.append(f"{_fmt(round(value))}%({cut_word})")
            marks.append("triangle-up" if value > drawn else "triangle-down")
    return labels, marks


_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def figure_json(fig: Figure) -> str:
    """The figure as the text of a ``<script type="application/json">``: compact, UTF-8 (not
    ``\\uXXXX`` per Chinese character, a third of the bytes), and ``<``, ``>``, ``&`` escaped
    as Django's ``json_script`` does so no text can close the script element."""
    text = json.dumps(_finite(fig), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_SCRIPT_ESCAPES)


def _finite(value: Any) -> Any:
    """NaN and infinities → None (JSON has no NaN; plotly.js draws a gap for null)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def figure_payload(fig: Figure) -> Figure:
    """The figure as ``json_script`` reads it: already plain lists, strings and numbers."""
    return fig


# --- overview --------------------------------------------------------------------------------


def status_heatmap(
    shares: pd.DataFrame,
    *,
    title: str = "",
    text: Mapping[str, str] | None = None,
    row_order: Sequence[str] | None = None,
) -> Figure:
    """Province × area heat map of the share of targets achieved or on track.

    ``shares``: one row per (province, area) with ``province``, ``area``, ``good`` (achieved +
    ahead + on track), ``assessable`` and ``total`` targets. A cell with nothing assessable is
    left blank but still says how many targets it holds.
    """
    t = _text(text)
    fig = _layout(_figure(), title=title, height=360, showlegend=False)
    if shares.empty:
        return _empty(fig, t)
    rows = list(row_order) if row_order else list(dict.fromkeys(shares["province"].tolist()))
    rows = [r for r in rows if r in set(shares["province"])]
    cols = sorted(set(shares["area"].tolist()), key=lambda a: (a == "", a))
    cells = {
        (p, a): (int(g), int(j), int(n))
        for p, a, g, j, n in zip(
            shares["province"],
            shares["area"],
            shares["good"],
            shares["assessable"],
            shares["total"],
            strict=True,
        )
    }
    z: list[list[float | None]] = []
    blank: list[list[int | None]] = []
    cell_text: list[list[str]] = []
    hover: list[list[str]] = []
    for row in rows:
        z_row, blank_row, text_row, hover_row = [], [], [], []
        for col in cols:
            if (row, col) not in cells:
                z_row.append(None)
                blank_row.append(None)
                text_row.append("")
                hover_row.append("")
                continue
            good, judged, total = cells[(row, col)]
            z_row.append(round(good / judged * 100, 1) if judged else None)
            blank_row.append(None if judged else 1)
            text_row.append(f"{good}/{judged}" if judged else f"—/{total}")
            # the share trace prints only assessable cells; the grey trace prints the rest
            hover_row.append(
                f"{row} · {col or '—'}<br>{t['good']} {good} / {t['assessable']} {judged} / {total}"
                + ("" if judged else f"<br>{t['no_assessable']}")
            )
        z.append(z_row)
        blank.append(blank_row)
        cell_text.append(text_row)
        hover.append(hover_row)
    x = [c or "—" for c in cols]
    common = {
        "x": x,
        "y": rows,
        "xgap": 2,
        "ygap": 2,
        "hovertemplate": "%{customdata}<extra></extra>",
    }
    fig["data"].append(
        {
            "type": "heatmap",
            "z": z,
            "text": [
                [s if b is None else "" for s, b in zip(tr, br, strict=True)]
                for tr, br in zip(cell_text, blank, strict=True)
            ],
            "texttemplate": "%{text}",
            "customdata": hover,
            "zmin": 0,
            "zmax": 100,
            "colorscale": [[0.0, "#cf222e"], [0.5, "#d4a72c"], [1.0, "#1f883d"]],
            "colorbar": {"title": {"text": t["share_axis"]}, "ticksuffix": "%"},
            **common,
        }
    )
    if any(v is not None for r in blank for v in r):
        # Cells with targets but nothing assessable yet: grey, their own trace so the legend
        # and the hover can say so (a blank cell would read as "no targets").
        fig["data"].append(
            {
                "type": "heatmap",
                "name": t["no_assessable"],
                "z": blank,
                "text": [
                    [s if b else "" for s, b in zip(tr, br, strict=True)]
                    for tr, br in zip(cell_text, blank, strict=True)
                ],
                "texttemplate": "%{text}",
                "customdata": hover,
                "zmin": 0,
                "zmax": 1,
                "colorscale": [[0.0, STATUS_COLORS["no_data"]], [1.0, STATUS_COLORS["no_data"]]],
                "showscale": False,
                "showlegend": True,
                **common,
            }
        )
        update_layout(fig, showlegend=True)
    _axes(fig, "yaxis", autorange="reversed", gridcolor="white")
    _axes(fig, "xaxis", side="top", gridcolor="white")
    update_layout(fig, height=140 + 30 * len(rows), margin={"t": 110 if title else 80})
    return fig


def province_ranking(
    ranking: pd.DataFrame, *, title: str = "", text: Mapping[str, str] | None = None
) -> Figure:
    """Horizontal bars of the share achieved or on track per province, the furthest behind on top.

    ``ranking``: ``province``, ``share`` (fraction, NaN when nothing is assessable), ``good``,
    ``assessable``; drawn in the order given (the caller sorts).
    """
    t = _text(text)
    fig = _layout(
        _figure(),
        title=title,
        height=120 + 40 * max(len(ranking), 1),
        xaxis_title=t["share_axis"],
        showlegend=False,
    )
    if ranking.empty:
        return _empty(fig, t)
    labels = [
        f"{int(g)}/{int(a)}" if a else "—"
        for g, a in zip(ranking["good"], ranking["assessable"], strict=True)
    ]
    fig["data"].append(
        dict(
            type="bar",
            x=_pct(ranking["share"]),
            y=_strings(ranking["province"]),
            orientation="h",
            text=labels,
            textposition="auto",
            marker={"color": "#0969da"},
            hovertemplate="%{y}: %{x}% (%{text})<extra></extra>",
            name=t["share"],
        )
    )
    _axes(fig, "xaxis", range=[0, 100], ticksuffix="%")
    _axes(fig, "yaxis", autorange="reversed")
    return fig


def pace_scatter(
    results: pd.DataFrame,
    *,
    title: str = "",
    labels: Mapping[str, str] | None = None,
    text: Mapping[str, str] | None = None,
) -> Figure:
    """Completion against time elapsed, one dot per target coloured by pace status.

    ``results``: ``time_elapsed``, ``completion_display`` (fractions), ``pace_status``,
    ``indicator_name``, ``province``, ``target_year``. Targets without a completion (no data,
    milestones) are left out. The diagonal is "completion keeps pace with time"; the vertical
    line is 时间过半 (half the time gone). One trace per status present, plus the diagonal.
    """
    t = _text(text)
    names = _labels(labels, PACE_STATUS_LABELS)
    fig = _layout(
        _figure(),
        title=title,
        height=460,
        xaxis_title=t["time_elapsed"],
        yaxis_title=t["completion"],
    )
    frame = results.dropna(subset=["completion_display", "time_elapsed"])
    if frame.empty:
        return _empty(fig, t)
    fig["data"].append(
        dict(
            type="scatter",
            x=[0, 100],
            y=[0, 100],
            mode="lines",
            line={"color": "#57606a", "dash": "dash", "width": 1},
            name=t["pace_line"],
            hoverinfo="skip",
        )
    )
    for status in STATUS_ORDER:
        part = frame[frame["pace_status"] == status]
        if part.empty:
            continue
        hover = [
            f"{p} · {n}<br>{int(y)}{t['target']}"
            for p, n, y in zip(
                part["province"], part["indicator_name"], part["target_year"], strict=True
            )
        ]
        cut, symbols = cut_marks(
            part,
            t["cut"],
            ["circle" if int(y) <= 2025 else "diamond" for y in part["target_year"]],
        )
        fig["data"].append(
            dict(
                type="scatter",
                x=_pct(part["time_elapsed"]),
                y=_pct(part["completion_display"]),
                mode="markers+text",
                text=cut,
                # Left of a dot near the right edge, so the label stays inside the plot.
                textposition=[
                    "middle left" if (x or 0) > 60 else "middle right"
                    for x in _pct(part["time_elapsed"])
                ],
                name=names.get(status, status),
                marker={
                    "color": STATUS_COLORS.get(status, "#57606a"),
                    "size": 11,
                    "line": {"color": "white", "width": 1},
                    "symbol": symbols,
                },
                customdata=[f"{h}<br>{c}" if c else h for h, c in zip(hover, cut, strict=True)],
                hovertemplate=(
                    "%{customdata}<br>"
                    + t["time_elapsed"]
                    + " %{x}%<br>"
                    + t["completion"]
                    + " %{y}%<extra></extra>"
                ),
            )
        )
    fig["layout"]["shapes"] = [
        {
            "type": "line",
            "x0": 50,
            "x1": 50,
            "xref": "x",
            "y0": 0,
            "y1": 1,
            "yref": "y domain",
            "line": {"color": "#bf8700", "dash": "dot", "width": 1.5},
        }
    ]
    _annotate(
        fig,
        x=50,
        y=1.02,
        yref="paper",
        text=t["half_time"],
        showarrow=False,
        font={"color": "#9a6700"},
    )
    _axes(fig, "xaxis", range=[-2, 105], ticksuffix="%")
    _axes(fig, "yaxis", range=[-5, 155], ticksuffix="%")
    return fig


def at_risk_bars(
    frame: pd.DataFrame, *, title: str = "", text: Mapping[str, str] | None = None
) -> Figure:
    """The targets most at risk: completion bars with the time elapsed as a marker.

    ``frame``: ``label`` (province · indicator · year), ``completion_display``, ``time_elapsed``,
    ``pace_status``; drawn in the order given, the most at risk on top. Two traces.
    """
    t = _text(text)
    fig = _layout(
        _figure(),
        title=title,
        height=140 + 34 * max(len(frame), 1),
        xaxis_title=t["completion"],
    )
    if frame.empty:
        return _empty(fig, t)
    labels = _strings(frame["label"])
    cut, _symbols = cut_marks(frame, t["cut"])
    fig["data"].append(
        dict(
            type="bar",
            x=_pct(frame["completion_display"]),
            y=labels,
            orientation="h",
            text=cut,
            textposition="outside",
            name=t["completion"],
            marker={"color": [STATUS_COLORS.get(s, "#57606a") for s in frame["pace_status"]]},
            hovertemplate="%{y}<br>" + t["completion"] + " %{x}%<extra></extra>",
        )
    )
    fig["data"].append(
        dict(
            type="scatter",
            x=_pct(frame["time_elapsed"]),
            y=labels,
            mode="markers",
            name=t["time_elapsed"],
            marker={"symbol": "line-ns-open", "size": 22, "color": "#1f2328", "line": {"width": 3}},
            hovertemplate="%{y}<br>" + t["time_elapsed"] + " %{x}%<extra></extra>",
        )
    )
    _axes(fig, "yaxis", autorange="reversed")
    _axes(fig, "xaxis", ticksuffix="%", rangemode="tozero")
    return fig


# --- comparison ------------------------------------------------------------------------------


def comparison_bars(
    frame: pd.DataFrame,
    *,
    years: Sequence[int] = (2025, 2035),
    normalise: bool = False,
    title: str = "",
    text: Mapping[str, str] | None = None,
) -> Figure:
    """Each province's baseline, latest value and targets side by side.

    ``frame``: one row per indicator with ``label`` (province · indicator), ``unit``,
    ``baseline_value``, ``latest_value``, ``target_<year>`` and ``completion_<year>`` (fraction)
    for each of ``years``.

    Raw (same unit everywhere): grouped bars for baseline and latest value, a marker per target
    year. Normalised (units differ): one bar per target year showing completion, and a marker at
    100 % (the target itself), so 3 千家 and 4000 家 can sit on one axis.
    """
    t = _text(text)
    fig = _layout(_figure(), title=title, height=460)
    if frame.empty:
        return _empty(fig, t)
    x = _strings(frame["label"])
    markers = ("diamond", "star", "triangle-up", "square")
    if normalise:
        for i, year in enumerate(years):
            fig["data"].append(
                dict(
                    type="bar",
                    x=x,
                    y=_pct(frame.get(f"completion_{year}", pd.Series([None] * len(frame)))),
                    name=f"{year}{t['completion_to']}",
                    marker={"color": SERIES_COLORS[i % len(SERIES_COLORS)]},
                    hovertemplate="%{x}<br>%{y}%<extra>" + str(year) + "</extra>",
                )
            )
        fig["data"].append(
            dict(
                type="scatter",
                x=x,
                y=[100.0] * len(x),
                mode="markers",
                name=t["target_marker"],
                marker={
                    "symbol": "line-ew-open",
                    "size": 30,
                    "color": "#1f2328",
                    "line": {"width": 3},
                },
                hoverinfo="skip",
            )
        )
        _axes(fig, "yaxis", title={"text": t["completion"]}, ticksuffix="%", rangemode="tozero")
    else:
        unit = next((u for u in frame["unit"].tolist() if isinstance(u, str) and u), "")
        hover_unit = unit.replace("%", "%%") if unit else ""
        fig["data"].append(
            dict(
                type="bar",
                x=x,
                y=_num(frame["baseline_value"]),
                name=t["baseline"],
                marker={"color": "#afb8c1"},
                hovertemplate="%{x}<br>%{y}" + hover_unit + "<extra>" + t["baseline"] + "</extra>",
            )
        )
        fig["data"].append(
            dict(
                type="bar",
                x=x,
                y=_num(frame["latest_value"]),
                name=t["latest"],
                marker={"color": "#0969da"},
                hovertemplate="%{x}<br>%{y}" + hover_unit + "<extra>" + t["latest"] + "</extra>",
            )
        )
        for i, year in enumerate(years):
            column = f"target_{year}"
            if column not in frame:
                continue
            fig["data"].append(
                dict(
                    type="scatter",
                    x=x,
                    y=_num(frame[column]),
                    mode="markers",
                    name=f"{year}{t['target']}",
                    marker={
                        "symbol": markers[i % len(markers)],
                        "size": 14,
                        "color": ["#cf222e", "#8250df", "#bf8700", "#1a7f37"][i % 4],
                        "line": {"color": "white", "width": 1},
                    },
                    hovertemplate="%{x}<br>%{y}" + hover_unit + f"<extra>{year}</extra>",
                )
            )
        _axes(
            fig,
            "yaxis",
            title={"text": f"{t['value']}({unit})" if unit else t["value"]},
            rangemode="tozero",
        )
    update_layout(fig, barmode="group", bargap=0.25)
    return fig


def targets_set_bars(
    counts: pd.DataFrame,
    *,
    by: str,
    labels: Mapping[str, str] | None = None,
    title: str = "",
    text: Mapping[str, str] | None = None,
) -> Figure:
    """What each province set itself: stacked bars of target counts per province and ``by``.

    ``counts``: ``province``, the ``by`` column (area or measure kind), ``count``. One trace per
    value of ``by``; ``labels`` renames them (measure kinds → 存量/比率 …).
    """
    t = _text(text)
    names = dict(labels or {})
    fig = _layout(_figure(), title=title, height=400, yaxis_title=t["targets_count"])
    if counts.empty:
        return _empty(fig, t)
    provinces = list(dict.fromkeys(counts["province"].tolist()))
    wide = counts.pivot_table(
        index="province", columns=by, values="count", aggfunc="sum", fill_value=0
    ).reindex(provinces, fill_value=0)
    for i, key in enumerate(wide.columns.tolist()):
        fig["data"].append(
            dict(
                type="bar",
                x=provinces,
                y=[int(v) for v in wide[key].tolist()],
                name=names.get(key, key or "—"),
                marker={"color": SERIES_COLORS[i % len(SERIES_COLORS)]},
                hovertemplate="%{x} · " + (names.get(key, key) or "—") + ": %{y}<extra></extra>",
            )
        )
    update_layout(fig, barmode="stack")
    return fig


# --- indicator -------------------------------------------------------------------------------


def indicator_trend(
    values: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    baseline_value: float | None,
    baseline_date: Any = None,
    unit: str = "",
    title: str = "",
    text: Mapping[str, str] | None = None,
) -> Figure:
    """Approved values over time with the baseline, target lines and projections.

    ``values``: ``as_of``, ``value``, optional ``is_demo`` (demo points get a hollow marker).
    ``targets``: one row per target year with ``target_year``, ``target_value``, and when the
    engine has one ``projection`` and ``method_label``; the projection is drawn from the latest
    value (or the baseline) to 31 December of the target year.
    Traces: values (when any), baseline (when known), one line per target, one per projection.
    """
    t = _text(text)
    fig = _layout(
        _figure(),
        title=title,
        height=440,
        yaxis_title=f"{t['value']}({unit})" if unit else t["value"],
    )
    numeric_targets = targets.dropna(subset=["target_value"]) if not targets.empty else targets
    if values.empty and baseline_value is None and numeric_targets.empty:
        return _empty(fig, t)
    suffix = unit.replace("%", "%%")
    dates = pd.to_datetime(values["as_of"]) if not values.empty else pd.Series([], dtype=object)
    start = pd.Timestamp(baseline_date) if baseline_date is not None else None
    if start is None and not values.empty:
        start = dates.min()
    ends = [pd.Timestamp(year=int(y), month=12, day=31) for y in numeric_targets["target_year"]]
    if start is None:
        start = min(ends) - pd.DateOffset(years=5) if ends else pd.Timestamp.today()
    end = max([*ends, *(dates.tolist() if not values.empty else [])], default=start)
    x_range = [start.date().isoformat(), end.date().isoformat()]

    if not values.empty:
        demo = (
            values["is_demo"].fillna(False).astype(bool).tolist()
            if "is_demo" in values
            else [False] * len(values)
        )
        fig["data"].append(
            dict(
                type="scatter",
                x=[d.date().isoformat() for d in dates],
                y=_num(values["value"]),
                mode="lines+markers",
                name=t["reported"],
                line={"color": "#0969da", "width": 2.5},
                marker={
                    "size": 9,
                    "color": ["white" if d else "#0969da" for d in demo],
                    "line": {"color": "#0969da", "width": 2},
                },
                customdata=[t["demo"] if d else "" for d in demo],
                hovertemplate="%{x}: %{y}" + suffix + "%{customdata}<extra></extra>",
            )
        )
    if baseline_value is not None:
        fig["data"].append(
            dict(
                type="scatter",
                x=x_range,
                y=[float(baseline_value)] * 2,
                mode="lines",
                name=f"{t['baseline']} {_fmt(baseline_value)}{unit}",
                line={"color": "#57606a", "dash": "dot", "width": 1.5},
                hovertemplate=t["baseline"] + " %{y}" + suffix + "<extra></extra>",
            )
        )
    colors = ["#cf222e", "#8250df", "#bf8700", "#1a7f37"]
    for i, row in enumerate(numeric_targets.itertuples(index=False)):
        year = int(row.target_year)
        color = colors[i % len(colors)]
        fig["data"].append(
            dict(
                type="scatter",
                x=x_range,
                y=[float(row.target_value)] * 2,
                mode="lines",
                name=f"{year}{t['target']} {_fmt(row.target_value)}{unit}",
                line={"color": color, "dash": "dash", "width": 1.5},
                hovertemplate=f"{year}{t['target']} " + "%{y}" + suffix + "<extra></extra>",
            )
        )
    for i, row in enumerate(numeric_targets.itertuples(index=False)):
        projection = getattr(row, "projection", None)
        if projection is None or (isinstance(projection, float) and math.isnan(projection)):
            continue
        year = int(row.target_year)
        if not values.empty:
            origin_x, origin_y = dates.max().date().isoformat(), _num(values["value"])[-1]
        elif baseline_value is not None and baseline_date is not None:
            origin_x, origin_y = pd.Timestamp(baseline_date).date().isoformat(), baseline_value
        else:
            continue
        if origin_x >= f"{year}-12-31":
            continue  # the target year is behind the latest value: nothing left to project
        method = getattr(row, "method_label", "") or ""
        fig["data"].append(
            dict(
                type="scatter",
                x=[origin_x, f"{year}-12-31"],
                y=[float(origin_y), float(projection)],
                mode="lines+markers",
                name=f"{year}{t['projection']} {_fmt(projection)}{unit}"
                + (f"({method})" if method else ""),
                line={"color": colors[i % len(colors)], "dash": "dot", "width": 2},
                marker={"symbol": ["circle-open", "x"], "size": 9},
                hovertemplate="%{x}: %{y:.2f}" + suffix + "<extra></extra>",
            )
        )
    _axes(fig, "xaxis", type="date")
    return fig


def status_history(
    history: pd.DataFrame,
    *,
    title: str = "",
    labels: Mapping[str, str] | None = None,
    text: Mapping[str, str] | None = None,
) -> Figure:
    """How a target's status moved: completion and time elapsed at each stored computation.

    ``history``: ``as_of``, ``target_year``, ``completion_display``, ``time_elapsed``,
    ``pace_status``. Two traces per target year: completion (markers coloured by status) and
    time elapsed (dashed).
    """
    t = _text(text)
    names = _labels(labels, PACE_STATUS_LABELS)
    fig = _layout(_figure(), title=title, height=380, yaxis_title=t["completion"])
    if history.empty:
        return _empty(fig, t)
    frame = history.sort_values(["target_year", "as_of"])
    for i, (year, part) in enumerate(frame.groupby("target_year", sort=True)):
        color = SERIES_COLORS[i % len(SERIES_COLORS)]
        x = [pd.Timestamp(d).date().isoformat() for d in part["as_of"]]
        status_names = [names.get(s, s) for s in part["pace_status"]]
        cut, symbols = cut_marks(part, t["cut"])
        fig["data"].append(
            dict(
                type="scatter",
                x=x,
                y=_pct(part["completion_display"]),
                mode="lines+markers+text",
                text=cut,
                textposition="top center",
                name=f"{int(year)}{t['target']} · {t['completion']}",
                line={"color": color, "width": 2},
                marker={
                    "size": 10,
                    "color": [STATUS_COLORS.get(s, "#57606a") for s in part["pace_status"]],
                    "line": {"color": color, "width": 1.5},
                    "symbol": symbols,
                },
                customdata=[f"{n} {c}" if c else n for n, c in zip(status_names, cut, strict=True)],
                hovertemplate="%{x}: %{y}% · %{customdata}<extra></extra>",
            )
        )
        fig["data"].append(
            dict(
                type="scatter",
                x=x,
                y=_pct(part["time_elapsed"]),
                mode="lines",
                name=f"{int(year)}{t['target']} · {t['time_elapsed']}",
                line={"color": color, "dash": "dash", "width": 1},
                hovertemplate="%{x}: %{y}%<extra></extra>",
            )
        )
    _axes(fig, "yaxis", ticksuffix="%", rangemode="tozero")
    _axes(fig, "xaxis", type="date")
    return fig


# --- departments -----------------------------------------------------------------------------


def department_task_bars(
    counts: pd.DataFrame,
    *,
    title: str = "",
    labels: Mapping[str, str] | None = None,
    text: Mapping[str, str] | None = None,
) -> Figure:
    """Tasks each department leads, stacked by status, in the order given (most delayed first).

    ``counts``: ``department`` and one column per task status (counts). One trace per status
    with at least one task.
    """
    t = _text(text)
    names = _labels(labels, TASK_STATUS_LABELS)
    fig = _layout(
        _figure(),
        title=title,
        height=160 + 30 * max(len(counts), 1),
        xaxis_title=t["tasks_count"],
    )
    if counts.empty:
        return _empty(fig, t)
    y = _strings(counts["department"])
    for status in TASK_STATUS_ORDER:
        if status not in counts or int(counts[status].sum()) == 0:
            continue
        fig["data"].append(
            dict(
                type="bar",
                x=[int(v) for v in counts[status].tolist()],
                y=y,
                orientation="h",
                name=names.get(status, status),
                marker={"color": TASK_STATUS_COLORS.get(status, "#57606a")},
                hovertemplate="%{y}: %{x}<extra>" + names.get(status, status) + "</extra>",
            )
        )
    update_layout(fig, barmode="stack")
    _axes(fig, "yaxis", autorange="reversed")
    statuses = [s for s in TASK_STATUS_ORDER if s in counts]
    if int(counts[statuses].sum(axis=1).max()) <= 10:
        _axes(fig, "xaxis", dtick=1)  # whole tasks, not 0.5 of one
    return fig
