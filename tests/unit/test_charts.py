"""The chart builders: hand-built frames in, figure dicts for plotly.js out, no database."""

import ast
import json
from pathlib import Path

import pandas as pd
import pytest

from dashboards import charts as chart_module


class _Read(dict):
    """A figure dict read with attributes (fig.layout.xaxis.title.text), as plotly.js reads
    the same keys; a key the figure lacks is an AttributeError."""

    def __getattr__(self, name):
        try:
            return _read(self[name])
        except KeyError:
            raise AttributeError(name) from None


def _read(value):
    if isinstance(value, dict):
        return _Read(value)
    if isinstance(value, list):
        return [_read(v) for v in value]
    return value


class _Charts:
    """``dashboards.charts`` with each figure it returns readable as ``_Read``."""

    def __getattr__(self, name):
        value = getattr(chart_module, name)
        if not callable(value) or isinstance(value, type):
            return value

        def call(*args, **kwargs):
            result = value(*args, **kwargs)
            return _read(result) if isinstance(result, dict) else result

        return call


charts = _Charts()


def test_charts_build_plain_dicts_without_plotly():
    tree = ast.parse(Path(chart_module.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {name for name in imported if name and name.startswith("plotly")}
    fig = chart_module.pace_scatter(_results())
    assert type(fig) is dict and set(fig) == {"data", "layout"}
    assert all(type(trace) is dict for trace in fig["data"])
    json.dumps(fig)  # nothing numpy left: the page's json_script reads it as is


def _results(**columns):
    base = {
        "province": ["山西", "山西", "江苏", "山东"],
        "indicator_name": ["强检项目覆盖率", "计量标准", "示范单位", "技术规范"],
        "target_year": [2025, 2035, 2035, 2035],
        "time_elapsed": [1.0, 0.39, 0.39, 0.39],
        "completion_display": [0.6, 0.5, 0.1, None],
        "pace_status": ["missed", "ahead", "seriously_lagging", "no_data"],
    }
    base.update(columns)
    return pd.DataFrame(base)


def test_every_figure_uses_the_chinese_font_fallbacks():
    fig = charts.pace_scatter(_results())
    family = fig.layout.font.family
    assert family.startswith('"Noto Sans CJK SC"')
    for font in ("Microsoft YaHei", "PingFang SC", "sans-serif"):
        assert font in family


def test_the_pace_scatter_draws_one_trace_per_status_present_plus_the_pace_line():
    fig = charts.pace_scatter(_results())
    names = [trace.name for trace in fig.data]
    # no_data has no completion: it cannot be placed and is left out.
    assert names == ["完成进度=时间进度", "超前", "严重滞后", "未达成"]


def test_the_pace_scatter_plots_percentages_and_marks_half_time():
    fig = charts.pace_scatter(_results())
    missed = next(t for t in fig.data if t.name == "未达成")
    assert list(missed.x) == [100.0]
    assert list(missed.y) == [60.0]
    assert missed.marker.color == charts.STATUS_COLORS["missed"]
    assert any(shape.x0 == 50 and shape.x1 == 50 for shape in fig.layout.shapes)
    assert any(a.text == "时间过半" for a in fig.layout.annotations)


def test_the_pace_scatter_marks_2035_targets_with_another_symbol():
    fig = charts.pace_scatter(_results())
    ahead = next(t for t in fig.data if t.name == "超前")
    missed = next(t for t in fig.data if t.name == "未达成")
    assert list(ahead.marker.symbol) == ["diamond"]
    assert list(missed.marker.symbol) == ["circle"]


def test_chart_labels_can_be_translated():
    fig = charts.pace_scatter(
        _results(),
        labels={"missed": "Missed", "ahead": "Ahead", "seriously_lagging": "Far behind"},
        text={"pace_line": "Completion = time", "time_elapsed": "Time elapsed (%)"},
    )
    assert [t.name for t in fig.data] == ["Completion = time", "Ahead", "Far behind", "Missed"]
    assert fig.layout.xaxis.title.text == "Time elapsed (%)"


def test_an_empty_frame_gives_a_figure_without_traces_that_says_so():
    empty = _results().iloc[0:0]
    for fig in (
        charts.pace_scatter(empty),
        charts.status_heatmap(pd.DataFrame(columns=["province", "area", "good", "assessable"])),
        charts.at_risk_bars(pd.DataFrame(columns=["label", "completion_display"])),
        charts.department_task_bars(pd.DataFrame(columns=["department", "delayed"])),
    ):
        assert len(fig.data) == 0
        assert fig.layout.annotations[0].text == "暂无数据"


def test_the_heat_map_shows_the_share_achieved_or_on_track_per_province_and_area():
    shares = pd.DataFrame(
        {
            "province": ["山西", "山西", "江苏"],
            "area": ["法制监督", "科学技术", "科学技术"],
            "good": [1, 0, 2],
            "assessable": [2, 0, 2],
            "total": [2, 3, 2],
        }
    )
    fig = charts.status_heatmap(shares, row_order=["山西", "江苏"])
    assert len(fig.data) == 2
    heat, grey = fig.data
    assert list(heat.y) == ["山西", "江苏"]
    assert list(heat.x) == ["法制监督", "科学技术"]
    # 山西 法制监督 1 of 2; 山西 科学技术 nothing assessable (grey, says 3 targets); 江苏 has none
    # in 法制监督 (blank).
    assert [list(row) for row in heat.z] == [[50.0, None], [None, 100.0]]
    assert [list(row) for row in heat.text] == [["1/2", ""], ["", "2/2"]]
    assert (heat.zmin, heat.zmax) == (0, 100)
    # The cell with targets but nothing assessable has its own grey trace and legend entry.
    assert grey.name == "尚无可评估的目标" and grey.showlegend is True
    assert [list(row) for row in grey.z] == [[None, 1], [None, None]]
    assert [list(row) for row in grey.text] == [["", "—/3"], ["", ""]]
    assert set(grey.colorscale[0][1:]) == {charts.STATUS_COLORS["no_data"]}
    assert "尚无可评估的目标" in grey.customdata[0][1]
    # Tall enough for 31 rows: the height grows with the provinces shown.
    many = charts.status_heatmap(
        pd.DataFrame(
            {
                "province": [f"省{i}" for i in range(31)],
                "area": ["科学技术"] * 31,
                "good": [1] * 31,
                "assessable": [2] * 31,
                "total": [2] * 31,
            }
        )
    )
    assert many.layout.height >= 31 * 25
    assert len(many.data) == 1  # every cell assessable: no grey trace


def test_a_heat_map_of_assessable_cells_only_has_no_grey_legend():
    shares = pd.DataFrame(
        {"province": ["山西"], "area": ["科学技术"], "good": [1], "assessable": [1], "total": [1]}
    )
    fig = charts.status_heatmap(shares)
    assert [t.type for t in fig.data] == ["heatmap"]


def test_the_ranking_keeps_the_callers_order_and_prints_counts():
    ranking = pd.DataFrame(
        {
            "province": ["青海", "山西"],
            "share": [0.25, float("nan")],
            "good": [1, 0],
            "assessable": [4, 0],
        }
    )
    fig = charts.province_ranking(ranking)
    bar = fig.data[0]
    assert list(bar.y) == ["青海", "山西"]
    assert list(bar.x) == [25.0, None]
    assert list(bar.text) == ["1/4", "—"]


def test_at_risk_bars_pair_completion_with_time_elapsed():
    frame = pd.DataFrame(
        {
            "label": ["青海 · 计量标准 · 2035", "山东 · 技术规范 · 2035"],
            "completion_display": [0.0, 0.12],
            "time_elapsed": [0.39, 0.39],
            "pace_status": ["regressing", "seriously_lagging"],
        }
    )
    fig = charts.at_risk_bars(frame)
    assert [t.type for t in fig.data] == ["bar", "scatter"]
    assert list(fig.data[0].x) == [0.0, 12.0]
    assert list(fig.data[0].marker.color) == [
        charts.STATUS_COLORS["regressing"],
        charts.STATUS_COLORS["seriously_lagging"],
    ]
    assert list(fig.data[1].x) == [39.0, 39.0]


def _comparison():
    return pd.DataFrame(
        {
            "label": ["山西 · 示范单位", "江苏 · 示范单位"],
            "unit": ["千家", "家"],
            "baseline_value": [3.0, None],
            "latest_value": [4.0, 800.0],
            "target_2025": [6.0, 1000.0],
            "target_2035": [None, 3000.0],
            "completion_2025": [1 / 3, 0.8],
            "completion_2035": [None, 0.2667],
        }
    )


def test_comparison_in_raw_units_draws_baseline_and_latest_bars_with_target_markers():
    frame = _comparison().assign(unit="家")
    fig = charts.comparison_bars(frame, normalise=False)
    assert [(t.type, t.name) for t in fig.data] == [
        ("bar", "基期值"),
        ("bar", "最新值"),
        ("scatter", "2025年目标"),
        ("scatter", "2035年目标"),
    ]
    assert list(fig.data[1].y) == [4.0, 800.0]
    assert list(fig.data[3].y) == [None, 3000.0]
    assert fig.layout.barmode == "group"
    assert fig.layout.yaxis.title.text == "数值(家)"


def test_comparison_across_units_is_normalised_to_completion():
    fig = charts.comparison_bars(_comparison(), normalise=True)
    assert [t.name for t in fig.data] == [
        "2025年目标完成进度(%)",
        "2035年目标完成进度(%)",
        "目标(100%)",
    ]
    assert list(fig.data[0].y) == [33.3, 80.0]
    assert list(fig.data[1].y) == [None, 26.7]
    assert list(fig.data[2].y) == [100.0, 100.0]


def test_targets_set_bars_stack_one_trace_per_area():
    counts = pd.DataFrame(
        {
            "province": ["山西", "山西", "江苏"],
            "measure_kind": ["level", "cumulative", "cumulative"],
            "count": [4, 2, 7],
        }
    )
    fig = charts.targets_set_bars(
        counts, by="measure_kind", labels={"level": "存量/比率", "cumulative": "累计新增"}
    )
    assert fig.layout.barmode == "stack"
    by_name = {t.name: list(t.y) for t in fig.data}
    assert by_name == {"累计新增": [2, 7], "存量/比率": [4, 0]}
    assert list(fig.data[0].x) == ["山西", "江苏"]


def test_the_indicator_trend_has_values_baseline_target_lines_and_projections():
    values = pd.DataFrame(
        {
            "as_of": pd.to_datetime(["2020-12-31", "2023-12-31", "2025-12-31"]),
            "value": [85.0, 87.0, 88.0],
            "is_demo": [False, True, True],
        }
    )
    targets = pd.DataFrame(
        {
            "target_year": [2025, 2035],
            "target_value": [90.0, 95.0],
            "projection": [float("nan"), 93.2],
            "method_label": ["", "线性趋势外推法"],
        }
    )
    fig = charts.indicator_trend(
        values, targets, baseline_value=85.0, baseline_date="2020-12-31", unit="%"
    )
    names = [t.name for t in fig.data]
    assert names == [
        "已审核填报值",
        "基期值 85%",
        "2025年目标 90%",
        "2035年目标 95%",
        "2035年预测 93.2%(线性趋势外推法)",
    ]
    reported = fig.data[0]
    assert list(reported.y) == [85.0, 87.0, 88.0]
    assert list(reported.marker.color) == ["#0969da", "white", "white"]  # demo points hollow
    projection = fig.data[4]
    assert list(projection.x) == ["2025-12-31", "2035-12-31"]
    assert list(projection.y) == [88.0, 93.2]
    assert list(fig.data[2].x) == ["2020-12-31", "2035-12-31"]  # lines span the whole period


def test_no_projection_is_drawn_back_in_time_for_a_target_year_already_behind_the_data():
    values = pd.DataFrame(
        {"as_of": pd.to_datetime(["2020-12-31", "2026-06-30"]), "value": [85.0, 92.0]}
    )
    targets = pd.DataFrame(
        {"target_year": [2025], "target_value": [90.0], "projection": [91.5], "method_label": [""]}
    )
    fig = charts.indicator_trend(values, targets, baseline_value=85.0, baseline_date="2020-12-31")
    assert [t.name for t in fig.data] == ["已审核填报值", "基期值 85", "2025年目标 90"]


def test_a_milestone_indicator_without_values_gets_an_empty_trend():
    targets = pd.DataFrame({"target_year": [2020], "target_value": [None]})
    fig = charts.indicator_trend(
        pd.DataFrame(columns=["as_of", "value"]), targets, baseline_value=None
    )
    assert len(fig.data) == 0


def test_status_history_draws_completion_and_time_per_target_year():
    history = pd.DataFrame(
        {
            "as_of": pd.to_datetime(["2024-12-31", "2025-12-31", "2024-12-31"]),
            "target_year": [2025, 2025, 2035],
            "completion_display": [0.5, 0.7, 0.2],
            "time_elapsed": [0.8, 1.0, 0.27],
            "pace_status": ["lagging", "missed", "lagging"],
        }
    )
    fig = charts.status_history(history)
    assert len(fig.data) == 4
    completion_2025 = fig.data[0]
    assert list(completion_2025.x) == ["2024-12-31", "2025-12-31"]
    assert list(completion_2025.y) == [50.0, 70.0]
    assert list(completion_2025.customdata) == ["滞后", "未达成"]
    assert fig.data[1].line.dash == "dash"


def test_department_bars_stack_lead_tasks_by_status_and_skip_empty_statuses():
    counts = pd.DataFrame(
        {
            "department": ["省市场监管局", "省工业和信息化厅"],
            "delayed": [3, 1],
            "in_progress": [5, 2],
            "completed": [0, 0],
        }
    )
    fig = charts.department_task_bars(counts)
    assert [t.name for t in fig.data] == ["滞后", "推进中"]
    assert list(fig.data[0].x) == [3, 1]
    assert list(fig.data[0].y) == ["省市场监管局", "省工业和信息化厅"]


def test_figure_payload_is_plain_json_without_a_template_blob():
    fig = charts.pace_scatter(_results())
    payload = charts.figure_payload(fig)
    text = json.dumps(payload, ensure_ascii=False)
    assert "bdata" not in text  # plain lists, readable and diffable
    assert "未达成" in text
    assert len(payload["data"]) == len(fig.data)
    assert len(text) < 10_000


@pytest.mark.parametrize(
    "value,expected", [(85, "85"), (85.5, "85.5"), (None, "—"), (0.126, "0.13")]
)
def test_numbers_print_plainly(value, expected):
    assert charts._fmt(value) == expected


def test_figure_json_is_compact_utf8_and_cannot_close_its_script_element():
    fig = {"data": [{"type": "bar", "name": "</script><b>&", "y": [1.0, float("nan")]}]}
    text = chart_module.figure_json({**fig, "layout": {"title": {"text": "完成进度"}}})
    assert "</script>" not in text and "<" not in text and "&" not in text
    assert "完成进度" in text  # UTF-8, not \\u5b8c…
    assert ", " not in text and ": " not in text
    decoded = json.loads(text)
    assert decoded["data"][0]["name"] == "</script><b>&"
    assert decoded["data"][0]["y"] == [1.0, None]  # NaN is not JSON: a gap
