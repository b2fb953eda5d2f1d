"""The words the dashboards print for codes: statuses, outlooks, roles, chart text.

Literal ``gettext_lazy`` calls so ``makemessages`` finds them; resolved in the active language
when a page renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from tasks.models import Role

PACE_LABELS = {
    "achieved": gettext_lazy("已达成"),
    "ahead": gettext_lazy("超前"),
    "on_track": gettext_lazy("正常"),
    "lagging": gettext_lazy("滞后"),
    "seriously_lagging": gettext_lazy("严重滞后"),
    "regressing": gettext_lazy("倒退"),
    "missed": gettext_lazy("未达成"),
    "pending": gettext_lazy("待完成"),
    "no_data": gettext_lazy("无数据"),
    "cannot_assess": gettext_lazy("无法评估"),
}
OUTLOOK_LABELS = {
    "on_track": gettext_lazy("有望达成"),
    "acceleration_needed": gettext_lazy("需加快"),
    "limited_progress": gettext_lazy("进展有限"),
    # 倒退 is "regressing" as a pace status but "deterioration" as an outlook.
    "deterioration": pgettext_lazy("outlook", "倒退"),
    "insufficient_data": gettext_lazy("数据不足"),
    "not_applicable": gettext_lazy("不适用"),
}
TASK_LABELS = {
    "not_started": gettext_lazy("未启动"),
    "in_progress": gettext_lazy("推进中"),
    "completed": gettext_lazy("已完成"),
    # 滞后 is "lagging" as a target's pace but "delayed" as a task's status.
    "delayed": pgettext_lazy("task status", "滞后"),
    "suspended": gettext_lazy("暂停"),
    "no_update": gettext_lazy("未填报"),
}
METHOD_LABELS = {
    "growth_rate": gettext_lazy("增长率比值法"),
    "linear": gettext_lazy("线性趋势外推法"),
}
ROLE_LABELS = {
    Role.LEAD: gettext_lazy("牵头"),
    Role.SUPPORT: gettext_lazy("配合"),
    Role.RESPONSIBLE: gettext_lazy("责任单位"),
}
ROLE_MARKS = {
    Role.LEAD: gettext_lazy("牵"),
    Role.SUPPORT: gettext_lazy("配"),
    Role.RESPONSIBLE: "●",
}
# What a card or filter shows: the pace statuses folded into five groups a leader reads.
STATUS_GROUPS: dict[str, tuple[str, ...]] = {
    "achieved": ("achieved",),
    "on_track": ("ahead", "on_track"),
    "lagging": ("lagging", "seriously_lagging", "regressing"),
    "missed": ("missed",),
    "no_data": ("no_data", "cannot_assess", "pending"),
}
GROUP_LABELS = {
    "achieved": gettext_lazy("已达成"),
    "on_track": gettext_lazy("正常或超前"),
    "lagging": gettext_lazy("滞后"),
    "missed": gettext_lazy("未达成"),
    "no_data": gettext_lazy("无数据或待评估"),
}
GROUP_OF_STATUS = {status: group for group, members in STATUS_GROUPS.items() for status in members}
RISK_ORDER = {"regressing": 0, "seriously_lagging": 1, "lagging": 2}
TASK_TROUBLE = ("delayed", "suspended")
LEAD_ROLES = (Role.LEAD, Role.RESPONSIBLE)


# Why a completion is negative: the latest value moved away from the target, past the baseline.
BASELINE_SIDE = {
    "up": gettext_lazy("低于基期值"),
    "down": gettext_lazy("高于基期值"),
}


def completion_text(value: Any, direction: Any = "up") -> str:
    """The real completion as a leader reads it: "130%", "−41%(低于基期值)", "—"."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    percent = round(float(value) * 100)
    if percent < 0:
        side = BASELINE_SIDE.get(str(direction), BASELINE_SIDE["up"])
        return f"{percent}%({side})"
    return f"{percent}%"


def chart_text() -> dict[str, str]:
    """The chart module's words in the active language."""
    words = {
        "no_data": _("暂无数据"),
        "province": _("省份"),
        "area": _("领域"),
        "share": _("达成或正常占比"),
        "share_axis": _("达成或正常占比(%)"),
        "time_elapsed": _("时间进度(%)"),
        "completion": _("完成进度(%)"),
        "half_time": _("时间过半"),
        "pace_line": _("完成进度=时间进度"),
        "target_year": _("目标年"),
        "baseline": _("基期值"),
        "latest": _("最新值"),
        # Translators: the chart writes a year before it: 2025年目标 → "2025 target".
        "target": _("年目标"),
        "target_marker": _("目标(100%)"),
        # Translators: follows a year, as in 2025年目标完成进度(%).
        "completion_to": _("年目标完成进度(%)"),
        "value": _("数值"),
        "reported": _("已审核填报值"),
        "demo": _("(示例数据)"),
        # Translators: follows a year, as in 2035年预测.
        "projection": _("年预测"),
        "targets_count": _("目标数(个)"),
        "tasks_count": _("任务数(项)"),
        "department": _("牵头单位"),
        "as_of": _("测算基准日"),
        "status": _("状态"),
        "assessable": _("可评估目标"),
        "good": _("达成或正常"),
        # Translators: after a value drawn shorter than it is, as in 180%(图中截断).
        "cut": _("图中截断"),
        "no_assessable": _("尚无可评估的目标"),
    }
    return {key: str(value) for key, value in words.items()}


def str_labels(labels: Mapping[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in labels.items()}
