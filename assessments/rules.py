"""Pure rules of an assessment: the rating proposed from the engine, and the counts by rating.

No Django: the freeze calls these for every row, tests call them with plain values.

A target's proposal follows its pace status (targets/progress.py). Once the target year has
passed the engine says achieved or missed; a missed target that covered at least
``BASICALLY_ACHIEVED_SHARE`` of the distance from its baseline is 基本达成. Before the target
year (a 2035 target in a 2025 mid-term) the rating judges the stage, 时间过半、任务过半: ahead or
on track is 基本达成, lagging, seriously lagging or regressing is 未达成. No data, pending and
cannot assess are 无法评估.

A task's proposal follows its latest approved update: 已完成 → 完成; 推进中 at
``BASICALLY_COMPLETED_PERCENT`` % or more → 基本完成, else 推进中; 滞后 or 暂停 → 滞后; 未启动 or no
approved update → 未启动.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

BASICALLY_ACHIEVED_SHARE = 0.9
BASICALLY_COMPLETED_PERCENT = 90

TARGET_RATINGS: tuple[str, ...] = ("achieved", "basically_achieved", "missed", "cannot_assess")
TASK_RATINGS: tuple[str, ...] = (
    "completed",
    "basically_completed",
    "in_progress",
    "delayed",
    "not_started",
)

_PACE_TO_RATING: dict[str, str] = {
    "achieved": "achieved",
    "ahead": "basically_achieved",
    "on_track": "basically_achieved",
    "lagging": "missed",
    "seriously_lagging": "missed",
    "regressing": "missed",
    "missed": "missed",
    "pending": "cannot_assess",
    "no_data": "cannot_assess",
    "cannot_assess": "cannot_assess",
}


def _number(value: float | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def propose_target_rating(pace_status: str, completion: float | None) -> str:
    """The rating the engine's result suggests (see the module's docstring)."""
    rating = _PACE_TO_RATING.get(pace_status, "cannot_assess")
    share = _number(completion)
    if pace_status == "missed" and share is not None and share >= BASICALLY_ACHIEVED_SHARE:
        return "basically_achieved"
    return rating


def propose_task_rating(status: str | None, percent: int | None) -> str:
    """The rating a task's latest approved update suggests (see the module's docstring)."""
    if status == "completed":
        return "completed"
    if status == "in_progress":
        if percent is not None and percent >= BASICALLY_COMPLETED_PERCENT:
            return "basically_completed"
        return "in_progress"
    if status in ("delayed", "suspended"):
        return "delayed"
    return "not_started"


def counts(ratings: Iterable[str], choices: tuple[str, ...]) -> dict[str, int]:
    """How many rows carry each rating (unrated rows under "")."""
    out = dict.fromkeys((*choices, ""), 0)
    for rating in ratings:
        out[rating if rating in out else ""] += 1
    return out
