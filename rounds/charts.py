"""The departments × rounds chart as a figure dict: plain lists in, JSON-ready dict out, built
without ``plotly.graph_objects`` (which validates every property on every request).

No Django; drawn in the page by static/js/charts.js from ``json_script`` data (no inline script).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

FONT_FAMILY = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif'


def completeness_heatmap(
    *,
    departments: Sequence[str],
    rounds: Sequence[str],
    shares: Sequence[Sequence[float | None]],
    labels: Sequence[Sequence[str]],
    title: str = "",
    hover: str = "%{y} · %{x}: %{text}<extra></extra>",
) -> dict[str, Any]:
    """Share handed in (submitted or approved) per department (rows) and round (columns);
    ``labels`` is the text in each cell (e.g. "3/5"); None where the department owed nothing."""
    heatmap = {
        "type": "heatmap",
        "z": [[None if v is None else round(v * 100) for v in row] for row in shares],
        "x": list(rounds),
        "y": list(departments),
        "text": [list(row) for row in labels],
        "texttemplate": "%{text}",
        "hovertemplate": hover,
        "zmin": 0,
        "zmax": 100,
        "colorscale": [[0, "#cf222e"], [0.5, "#d4a72c"], [1, "#1a7f37"]],
        "colorbar": {"title": {"text": "%"}, "thickness": 12},
        "xgap": 2,
        "ygap": 2,
    }
    layout = {
        "title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 15}},
        "font": {"family": FONT_FAMILY, "size": 13, "color": "#1f2328"},
        "height": max(260, 40 * len(departments) + 140),
        "margin": {"l": 10, "r": 10, "t": 50, "b": 40},
        "yaxis": {"autorange": "reversed", "automargin": True, "type": "category"},
        "xaxis": {"type": "category", "side": "top"},
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
    }
    return {"data": [heatmap], "layout": layout}
