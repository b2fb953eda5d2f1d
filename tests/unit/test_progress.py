"""The progress method of DESIGN.md on hand-built frames: no Django, no database.

Every expected number is worked out by hand in the test (dates are year ends, so on the
decimal-year axis five plan years are exactly 5.0).
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from targets.progress import (
    OUTLOOK_LABELS,
    PACE_STATUS_LABELS,
    PACE_STATUSES,
    RESULT_COLUMNS,
    TASK_STATUS_LABELS,
    TASK_STATUSES,
    compute_progress,
    explain,
    rollup,
    task_rollup,
)

MID_TERM = dt.date(2023, 12, 31)  # 3 of the 5 years from 2020-12-31 to 2025-12-31: e = 0.6
AFTER_2025 = dt.date(2026, 6, 30)


def target(target_id: int, **fields: object) -> dict[str, object]:
    """A 2021–2035 山西 target: 计量标准总数 743 (2020) → ≥ 900 (2025) unless told otherwise."""
    row: dict[str, object] = {
        "target_id": target_id,
        "indicator_id": target_id,
        "document_id": 1,
        "province": "SX",
        "area": "科学技术",
        "category": None,
        "measure_kind": "level",
        "direction": "up",
        "unit": "个",
        "plan_base_year": 2020,
        "baseline_year": 2020,
        "baseline_value": 743.0,
        "target_year": 2025,
        "target_value": 900.0,
        "comparator": "gte",
        "lower_bound": np.nan,
    }
    row.update(fields)
    return row


def report(
    indicator_id: int,
    as_of: str,
    value: float = np.nan,
    *,
    done: bool | None = None,
    approved_at: str | None = None,
) -> dict[str, object]:
    day = pd.Timestamp(as_of)
    return {
        "indicator_id": indicator_id,
        "as_of": day,
        "value": value,
        "done": done,
        "approved_at": pd.Timestamp(approved_at) if approved_at else day + pd.Timedelta(days=20),
    }


def targets_frame(targets: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(targets).astype({"baseline_year": "Int64"})


def reports_frame(reports: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(reports, columns=["indicator_id", "as_of", "value", "done", "approved_at"])
    return frame.astype({"done": "boolean", "value": float})


def progress(
    targets: list[dict[str, object]], reports: list[dict[str, object]], as_of: dt.date
) -> pd.DataFrame:
    result = compute_progress(targets_frame(targets), reports_frame(reports), as_of)
    assert list(result.columns) == list(RESULT_COLUMNS)
    assert len(result) == len(targets)
    return result.set_index("target_id")


def growth_ratio(base: float, latest: float, years: float, goal: float, total: float) -> float:
    return ((latest / base) ** (1 / years) - 1) / ((goal / base) ** (1 / total) - 1)


# --- the edge cases DESIGN lists -------------------------------------------------------------


def test_a_baseline_equal_to_its_target_completes_when_held_and_regresses_when_lost() -> None:
    held = target(1, unit="%", baseline_value=100.0, target_value=100.0)
    lost = target(2, unit="%", baseline_value=100.0, target_value=100.0)
    result = progress(
        [held, lost], [report(1, "2023-12-31", 100.0), report(2, "2023-12-31", 98.0)], MID_TERM
    )

    assert result.loc[1, "completion"] == 1.0
    assert result.loc[1, "pace_status"] == "achieved"
    assert result.loc[1, "score"] == 5.0
    # No distance to cover: completion 0, not a division by zero.
    assert result.loc[2, "completion"] == 0.0
    assert result.loc[2, "pace_status"] == "regressing"
    # Line through (2021, 100) and (2024, 98) reaches 100 - 2/3 * 5 by the end of 2025.
    assert result.loc[2, "projection"] == pytest.approx(100 - 10 / 3)
    assert result.loc[2, "outlook"] == "deterioration"
    assert np.isnan(result.loc[2, "outlook_ratio"])
    assert result.loc[2, "score"] == -5.0


def test_a_falling_indicator_completes_as_it_drops() -> None:
    falling = target(
        1, direction="down", comparator="lte", unit="%", baseline_value=10.0, target_value=5.0
    )
    result = compute_progress(
        targets_frame([falling]), reports_frame([report(1, "2023-12-31", 7.0)]), MID_TERM
    )

    expected = pd.DataFrame(
        {
            "target_id": [1],
            "achieved": pd.array([False], dtype="boolean"),
            "completion": [0.6],  # (7 - 10) / (5 - 10)
            "time_elapsed": [0.6],
            "pace_status": pd.Series(["on_track"], dtype=object),
            "method": pd.Series(["linear"], dtype=object),
            "slope": [-1.0],  # (2021, 10) → (2024, 7)
            "projection": [5.0],  # 7 - 1 * 2 years
            "outlook_ratio": [1.0],  # (5 - 10) / (5 - 10)
            "outlook": pd.Series(["on_track"], dtype=object),
            "score": [0.4 / 0.7 * 5],  # R = 1.0 on the 0.6 → 0, 1.3 → 5 segment
        }
    )
    pdt.assert_frame_equal(result[list(expected.columns)], expected)


def test_a_falling_indicator_below_its_ceiling_is_achieved() -> None:
    result = progress(
        [target(1, direction="down", comparator="lte", baseline_value=10.0, target_value=5.0)],
        [report(1, "2022-12-31", 4.5)],
        MID_TERM,
    )
    assert result.loc[1, "pace_status"] == "achieved"
    assert result.loc[1, "completion"] == pytest.approx(1.1)  # (4.5 - 10) / (5 - 10)


def test_a_percentage_near_100_is_projected_linearly_and_capped_at_100() -> None:
    coverage = target(1, unit="%", baseline_value=98.0, target_value=100.0)
    result = progress(
        [coverage],
        [report(1, "2021-12-31", 99.0), report(1, "2022-12-31", 99.9)],
        dt.date(2022, 12, 31),
    ).loc[1]

    assert result["method"] == "linear"
    assert result["n_points"] == 3
    # Points (21, 98), (22, 99), (23, 99.9): slope = 1.9 / 2 = 0.95 a year.
    assert result["slope"] == pytest.approx(0.95)
    # 98.9667 + 0.95 * 4 = 102.77 is past 100 %, so the projection stops at 100.
    assert result["projection"] == 100.0
    assert result["outlook_ratio"] == pytest.approx(1.0)
    assert result["completion"] == pytest.approx(0.95)  # (99.9 - 98) / 2
    assert result["time_elapsed"] == pytest.approx(0.4)
    assert result["pace_status"] == "ahead"  # 0.95 / 0.4
    assert not result["achieved"]


def test_a_range_target_is_achieved_at_its_lower_bound() -> None:
    # 新建1—3个: a cumulative count, 0 at the plan's start.
    rising = {"measure_kind": "cumulative", "comparator": "range", "lower_bound": 1.0}
    rising |= {"target_value": 3.0, "baseline_value": np.nan, "baseline_year": None}
    falling = target(3, direction="down", comparator="range", lower_bound=1.0, target_value=3.0)
    falling |= {"baseline_value": 5.0}
    result = progress(
        [target(1, **rising), target(2, **rising), falling],
        [report(1, "2023-12-31", 1.0), report(2, "2023-12-31", 0.0), report(3, "2023-12-31", 3.0)],
        MID_TERM,
    )

    assert result.loc[1, "pace_status"] == "achieved"
    assert result.loc[1, "goal_value"] == 1.0
    assert result.loc[1, "completion"] == 1.0  # (1 - 0) / (1 - 0)
    assert result.loc[2, "pace_status"] == "seriously_lagging"
    assert result.loc[2, "completion"] == 0.0
    # A falling indicator meets a range at its upper bound.
    assert result.loc[3, "pace_status"] == "achieved"
    assert result.loc[3, "goal_value"] == 3.0


def test_an_approximate_target_is_met_within_five_percent_or_beyond_it() -> None:
    about = {"comparator": "approx"}  # 900个左右: within 45 of 900
    down = {
        "comparator": "approx",
        "direction": "down",
        "baseline_value": 20.0,
        "target_value": 10.0,
    }
    result = progress(
        [
            target(1, **about),
            target(2, **about),
            target(3, **about),
            target(4, **down),
            target(5, **down),
            target(6, **down),
        ],
        [
            report(1, "2023-12-31", 856.0),
            report(2, "2023-12-31", 854.0),
            report(3, "2023-12-31", 1000.0),
            report(4, "2023-12-31", 10.4),
            report(5, "2023-12-31", 10.6),
            report(6, "2023-12-31", 8.0),
        ],
        MID_TERM,
    )
    assert result["achieved"].tolist() == [True, False, True, True, False, True]
    assert result.loc[2, "completion"] == pytest.approx(111 / 157)


def test_an_eq_target_of_a_bare_count_is_met_when_reached_or_exceeded() -> None:
    bare = {"comparator": "eq", "measure_kind": "cumulative", "target_value": 5000.0}
    result = progress(
        [target(1, **bare), target(2, **bare), target(3, **bare)],
        [
            report(1, "2023-12-31", 5000.0),
            report(2, "2023-12-31", 6000.0),
            report(3, "2023-12-31", 4999.0),
        ],
        MID_TERM,
    )
    assert result["achieved"].tolist() == [True, True, False]


def test_a_target_whose_year_has_passed_is_achieved_or_missed() -> None:
    percent = {"unit": "%", "baseline_value": 85.0, "target_value": 90.0}
    result = progress(
        [target(1, **percent), target(2, **percent)],
        [
            report(1, "2025-12-31", 95.0),
            report(2, "2024-12-31", 87.0),
            report(2, "2025-12-31", 88.0),
            report(2, "2026-03-31", 91.0),  # after the target year: too late to count
        ],
        AFTER_2025,
    )

    assert result.loc[1, "pace_status"] == "achieved"
    assert result.loc[1, "time_elapsed"] == 1.0
    assert result.loc[1, "outlook"] == "not_applicable"
    assert result.loc[2, "pace_status"] == "missed"
    assert result.loc[2, "latest_value"] == 88.0
    assert result.loc[2, "latest_date"] == pd.Timestamp("2025-12-31")
    assert result.loc[2, "completion"] == pytest.approx(0.6)  # (88 - 85) / (90 - 85)
    assert result.loc[2, "outlook"] == "not_applicable"
    # Fit through (21, 85), (25, 87), (26, 88): mean t 24, mean y 86.667, slope 8 / 14.
    slope = 8 / 14
    projection = 260 / 3 + slope * 2
    assert result.loc[2, "slope"] == pytest.approx(slope)
    assert result.loc[2, "projection"] == pytest.approx(projection)
    ratio = (projection - 85) / 5  # 0.562: below 0.6, on the −0.6 → −5, 0.6 → 0 segment
    assert result.loc[2, "outlook_ratio"] == pytest.approx(ratio)
    assert result.loc[2, "score"] == pytest.approx((ratio - 0.6) / 1.2 * 5)


def test_only_a_baseline_gives_no_data() -> None:
    result = progress(
        [target(1), target(2), target(3, target_year=2022)],
        [report(2, "2020-12-31", 743.0)],  # the plan's own 2020 column, on the baseline date
        MID_TERM,
    )

    assert result["pace_status"].tolist() == ["no_data", "no_data", "no_data"]
    # Target 3 was due in 2022: its outcome is settled (unknown), not awaiting a trend.
    assert result["outlook"].tolist() == [
        "insufficient_data",
        "insufficient_data",
        "not_applicable",
    ]
    assert result["n_points"].tolist() == [1, 1, 1]
    assert result["score"].isna().all()
    # The 2020 report on the baseline date is a value (743: no progress yet), not a trend.
    assert result.loc[2, "latest_value"] == 743.0
    assert result.loc[2, "completion"] == 0.0
    assert np.isnan(result.loc[1, "completion"])
    assert pd.isna(result.loc[1, "achieved"])
    assert np.isnan(result.loc[1, "latest_value"])
    assert result.loc[1, "time_elapsed"] == pytest.approx(0.6)


def test_a_report_dated_before_the_baseline_is_ignored() -> None:
    result = progress(
        [target(1)],
        [report(1, "2019-12-31", 950.0), report(1, "2022-12-31", 800.0)],
        MID_TERM,
    ).loc[1]

    assert result["latest_value"] == 800.0
    assert result["n_points"] == 2
    assert not result["achieved"]
    assert result["completion"] == pytest.approx(57 / 157)


def test_a_report_dated_after_the_as_of_date_is_not_seen() -> None:
    result = progress(
        [target(1)],
        [report(1, "2022-12-31", 800.0), report(1, "2023-03-31", 950.0)],
        dt.date(2023, 1, 31),
    ).loc[1]
    assert result["latest_value"] == 800.0
    assert result["pace_status"] != "achieved"


def test_of_two_reports_on_one_date_the_later_approved_wins() -> None:
    result = progress(
        [target(1), target(2)],
        [
            report(1, "2022-12-31", 820.0, approved_at="2023-02-01"),
            report(1, "2022-12-31", 800.0, approved_at="2023-01-10"),
            report(2, "2022-12-31", 800.0, approved_at="2023-02-01"),
            report(2, "2022-12-31", 820.0, approved_at="2023-01-10"),
        ],
        MID_TERM,
    )
    assert result.loc[1, "latest_value"] == 820.0
    assert result.loc[2, "latest_value"] == 800.0
    assert result.loc[1, "n_points"] == 2


def test_a_superseded_plans_2020_target_is_judged_by_the_2020_report() -> None:
    # 山西 2013–2020: 培育5000家诚信计量示范单位, no baseline printed; the 2021–2035 plan
    # states 3千家 for 2020 (entered as 3000家); a later report must not rescue the old target.
    old = target(
        1,
        plan_base_year=2012,
        measure_kind="cumulative",
        unit="家",
        baseline_year=None,
        baseline_value=np.nan,
        target_year=2020,
        target_value=5000.0,
        comparator="eq",
    )
    new = target(2, indicator_id=1, unit="家", baseline_value=3000.0, target_value=20000.0)
    result = progress(
        [old, new],
        [report(1, "2020-12-31", 3000.0), report(1, "2023-12-31", 6000.0)],
        AFTER_2025,
    )

    old_result = result.loc[1]
    assert old_result["pace_status"] == "missed"
    assert old_result["latest_value"] == 3000.0
    assert old_result["latest_date"] == pd.Timestamp("2020-12-31")
    assert old_result["baseline_source"] == "plan_start_zero"
    assert old_result["baseline_date"] == pd.Timestamp("2012-12-31")
    assert old_result["completion"] == pytest.approx(0.6)
    # Line from (2013, 0) to (2021, 3000) reaches 3000 at the end of 2020: r = 0.6, score 0.
    assert old_result["outlook_ratio"] == pytest.approx(0.6)
    assert old_result["score"] == pytest.approx(0.0)
    # The same reports serve the next plan's target.
    assert result.loc[2, "latest_value"] == 6000.0


def test_a_cumulative_target_without_baseline_starts_from_zero_at_the_plan_start() -> None:
    committees = target(
        1,
        measure_kind="cumulative",
        baseline_year=None,
        baseline_value=np.nan,
        target_value=15.0,
    )
    result = progress([committees], [report(1, "2023-12-31", 6.0)], MID_TERM).loc[1]

    assert result["baseline_source"] == "plan_start_zero"
    assert result["baseline_value"] == 0.0
    assert result["completion"] == pytest.approx(0.4)
    assert result["pace_ratio"] == pytest.approx(0.4 / 0.6)
    assert result["pace_status"] == "lagging"
    assert result["method"] == "linear"
    assert result["projection"] == pytest.approx(10.0)  # 2 a year for 5 years
    assert result["outlook"] == "acceleration_needed"
    assert result["score"] == pytest.approx((10 / 15 - 0.6) / 0.7 * 5)


def test_a_level_without_baseline_starts_from_its_earliest_report_since_the_plan_began() -> None:
    no_baseline = {"baseline_year": None, "baseline_value": np.nan}
    result = progress(
        [target(1, **no_baseline), target(2, **no_baseline)],
        [
            report(1, "2019-12-31", 600.0),  # before the plan: an earlier plan's history
            report(1, "2021-12-31", 800.0),
            report(1, "2023-12-31", 850.0),
            report(2, "2019-12-31", 600.0),
        ],
        MID_TERM,
    )

    first = result.loc[1]
    assert first["baseline_source"] == "earliest_report"
    assert first["baseline_value"] == 800.0
    assert first["baseline_date"] == pd.Timestamp("2021-12-31")
    assert first["completion"] == pytest.approx(0.5)
    assert first["time_elapsed"] == pytest.approx(0.5)  # 2 of the 4 years from 2021 to 2025
    assert first["pace_status"] == "on_track"
    assert first["method"] == "growth_rate"
    assert first["outlook_ratio"] == pytest.approx(growth_ratio(800, 850, 2, 900, 4))
    assert first["outlook"] == "on_track"

    assert result.loc[2, "pace_status"] == "cannot_assess"
    assert result.loc[2, "outlook"] == "insufficient_data"
    assert pd.isna(result.loc[2, "baseline_source"])


# --- pace bands and methods ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latest", "status"),
    [
        (76.0, "ahead"),  # c = 0.66, c / e = 1.1
        (75.9, "on_track"),
        (64.0, "on_track"),  # c / e = 0.9
        (63.9, "lagging"),
        (46.0, "lagging"),  # c / e = 0.6
        (45.9, "seriously_lagging"),
        (10.0, "seriously_lagging"),  # c = 0
        (9.9, "regressing"),  # c < 0
    ],
)
def test_each_pace_band_starts_at_its_lower_bound(latest: float, status: str) -> None:
    share = target(1, unit="%", baseline_value=10.0, target_value=110.0)
    result = progress([share], [report(1, "2023-12-31", latest)], MID_TERM).loc[1]
    assert result["completion"] == pytest.approx((latest - 10) / 100)
    assert result["pace_status"] == status


def test_a_large_stock_level_uses_the_growth_rate_ratio() -> None:
    standards_2025 = target(1)
    standards_2035 = target(2, indicator_id=1, target_year=2035, target_value=1200.0)
    result = progress(
        [standards_2025, standards_2035], [report(1, "2022-12-31", 800.0)], dt.date(2022, 12, 31)
    )

    first = result.loc[1]
    cagr_observed = (800 / 743) ** (1 / 2) - 1
    cagr_required = (900 / 743) ** (1 / 5) - 1
    assert first["method"] == "growth_rate"
    assert first["years_observed"] == pytest.approx(2.0)
    assert first["years_total"] == pytest.approx(5.0)
    assert first["cagr_observed"] == pytest.approx(cagr_observed)
    assert first["cagr_required"] == pytest.approx(cagr_required)
    assert first["outlook_ratio"] == pytest.approx(cagr_observed / cagr_required)
    assert first["outlook_ratio"] == pytest.approx(0.963286, rel=1e-5)
    assert first["projection"] == pytest.approx(743 * (1 + cagr_observed) ** 5)
    assert first["outlook"] == "on_track"
    assert first["score"] == pytest.approx((cagr_observed / cagr_required - 0.6) / 0.7 * 5)
    assert np.isnan(first["slope"])
    # The 2035 target reads the same report over fifteen years.
    assert result.loc[2, "outlook_ratio"] == pytest.approx(growth_ratio(743, 800, 2, 1200, 15))
    assert result.loc[2, "time_elapsed"] == pytest.approx(2 / 15)


def test_small_counts_and_non_positive_values_use_a_linear_fit() -> None:
    centres = target(1, baseline_value=3.0, target_value=5.0)  # 国家计量测试中心 3 → 5个
    from_zero = target(2, baseline_value=0.0, target_value=100.0, unit="项")
    result = progress(
        [centres, from_zero],
        [
            report(1, "2021-12-31", 3.0),
            report(1, "2022-12-31", 4.0),
            report(1, "2023-12-31", 4.0),
            report(2, "2023-12-31", 60.0),
        ],
        MID_TERM,
    )

    small = result.loc[1]
    # Points t = 21..24, y = 3, 3, 4, 4: slope = 2 / 5, projection 3.5 + 0.4 * 3.5 = 4.9.
    assert small["method"] == "linear"
    assert small["n_points"] == 4
    assert small["slope"] == pytest.approx(0.4)
    assert small["projection"] == pytest.approx(4.9)
    assert small["outlook_ratio"] == pytest.approx(0.95)
    assert small["outlook"] == "on_track"  # 0.95 is the lower bound of on track
    assert small["score"] == pytest.approx(2.5)
    assert np.isnan(small["cagr_observed"])
    assert result.loc[2, "method"] == "linear"  # no growth rate from a zero baseline
    assert result.loc[2, "projection"] == pytest.approx(100.0)  # 20 a year for 5 years


# --- milestones ------------------------------------------------------------------------------


def test_milestones_are_achieved_when_done_pending_before_their_year_and_missed_after() -> None:
    revision = {
        "measure_kind": "milestone",
        "comparator": "done",
        "target_value": np.nan,
        "baseline_value": np.nan,
        "baseline_year": None,
    }
    milestones = [target(i, **revision) for i in range(1, 6)]
    reports = [
        report(1, "2023-06-30", done=True),
        report(2, "2023-06-30", done=False),
        report(3, "2023-06-30", done=False),
        report(5, "2026-03-31", done=True),  # done, but after its year
    ]
    before = progress(milestones[:2], reports, MID_TERM)
    after = progress(milestones[2:], reports, AFTER_2025)

    assert before.loc[1, "pace_status"] == "achieved"
    assert before.loc[1, "completion"] == 1.0
    assert before.loc[1, "score"] == 5.0
    assert before.loc[2, "pace_status"] == "pending"
    assert not before.loc[2, "achieved"]
    assert np.isnan(before.loc[2, "score"])
    assert before.loc[2, "time_elapsed"] == pytest.approx(0.6)
    assert after["pace_status"].tolist() == ["missed", "missed", "missed"]
    assert after.loc[3, "score"] == -5.0
    assert set(before["outlook"]) | set(after["outlook"]) == {"not_applicable"}


# --- roll-ups --------------------------------------------------------------------------------


def _results(statuses: dict[int, tuple[str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "target_id": list(statuses),
            "pace_status": [status for status, _ in statuses.values()],
            "score": [score for _, score in statuses.values()],
        }
    )


def _expected_rollup(keys: dict[str, list[object]], rows: list[dict[str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(keys)
    for code in PACE_STATUSES:
        frame[code] = np.array([row.get(code, 0) for row in rows], dtype=np.int64)
    frame["total"] = frame[list(PACE_STATUSES)].sum(axis=1)
    for name in ("assessable", "share_achieved_or_on_track", "mean_score", "scored"):
        frame[name] = [row[name] for row in rows]
    return frame.astype({"assessable": np.int64, "scored": np.int64})


def test_rollup_counts_statuses_and_shares_achieved_or_on_track_over_assessable_targets() -> None:
    targets = pd.DataFrame(
        {
            "target_id": [1, 2, 3, 4, 5, 6],
            "province": ["SX", "SX", "SX", "SX", "JS", "JS"],
        }
    )
    results = _results(
        {
            1: ("achieved", 5.0),
            2: ("on_track", 3.0),
            3: ("lagging", -1.0),
            4: ("no_data", np.nan),
            5: ("pending", np.nan),
            6: ("missed", -4.0),
        }
    )

    expected = _expected_rollup(
        {"province": ["JS", "SX"]},
        [
            {"pending": 1, "missed": 1, "assessable": 1, "share_achieved_or_on_track": 0.0}
            | {"mean_score": -4.0, "scored": 1},
            {"achieved": 1, "on_track": 1, "lagging": 1, "no_data": 1, "assessable": 3}
            | {"share_achieved_or_on_track": 2 / 3, "mean_score": 7 / 3, "scored": 3},
        ],
    )
    pdt.assert_frame_equal(rollup(results, targets, ["province"]), expected, check_dtype=False)


def test_rollup_by_department_counts_a_shared_target_for_each_department() -> None:
    # Target 1 is led by department 10 and supported by 20: it counts once for each.
    assignments = pd.DataFrame({"target_id": [1, 1, 2, 3], "department_id": [10, 20, 20, 20]})
    results = _results({1: ("ahead", 4.0), 2: ("regressing", -5.0), 3: ("cannot_assess", np.nan)})

    expected = _expected_rollup(
        {"department_id": [10, 20]},
        [
            {"ahead": 1, "assessable": 1, "share_achieved_or_on_track": 1.0}
            | {"mean_score": 4.0, "scored": 1},
            {"ahead": 1, "regressing": 1, "cannot_assess": 1, "assessable": 2}
            | {"share_achieved_or_on_track": 0.5, "mean_score": -0.5, "scored": 2},
        ],
    )
    got = rollup(results, assignments, ["department_id"])
    pdt.assert_frame_equal(got, expected, check_dtype=False)


def test_rollup_keeps_targets_without_a_category_as_their_own_group() -> None:
    targets = pd.DataFrame({"target_id": [1, 2], "category": ["reference-materials", None]})
    results = _results({1: ("achieved", 5.0), 2: ("no_data", np.nan)})
    got = rollup(results, targets, ["category"])
    assert got["total"].tolist() == [1, 1]
    assert np.isnan(got.loc[got["category"].isna(), "share_achieved_or_on_track"]).all()


def test_rollup_refuses_a_grouping_column_the_targets_do_not_have() -> None:
    with pytest.raises(ValueError, match="department_id"):
        rollup(
            _results({1: ("achieved", 5.0)}), pd.DataFrame({"target_id": [1]}), ["department_id"]
        )


def test_task_rollup_counts_lead_tasks_apart_from_support() -> None:
    task_status = pd.DataFrame(
        {
            "task_id": [1, 2, 3, 1, 4],
            "department_id": [10, 10, 10, 10, 10],
            "role": ["lead", "lead", "lead", "support", "support"],
            "status": ["completed", "delayed", None, "completed", "in_progress"],
        }
    )
    got = task_rollup(task_status, ["department_id", "role"])

    expected = pd.DataFrame({"department_id": [10, 10], "role": ["lead", "support"]})
    counts = {
        "not_started": [0, 0],
        "in_progress": [0, 1],
        "completed": [1, 1],
        "delayed": [1, 0],
        "suspended": [0, 0],
        "no_update": [1, 0],
    }
    for code in TASK_STATUSES:
        expected[code] = np.array(counts[code], dtype=np.int64)
    expected["total"] = np.array([3, 2], dtype=np.int64)
    for code in TASK_STATUSES:
        expected[f"share_{code}"] = expected[code] / expected["total"]
    pdt.assert_frame_equal(got, expected, check_dtype=False)
    assert got.loc[0, "share_no_update"] == pytest.approx(1 / 3)


def test_task_rollup_refuses_an_unknown_status() -> None:
    frame = pd.DataFrame({"task_id": [1], "department_id": [1], "role": ["lead"], "status": ["x"]})
    with pytest.raises(ValueError, match="x"):
        task_rollup(frame, ["role"])


# --- labels and the sentence -----------------------------------------------------------------


def test_every_code_has_a_chinese_label() -> None:
    assert set(PACE_STATUS_LABELS) == set(PACE_STATUSES)
    assert set(TASK_STATUS_LABELS) == set(TASK_STATUSES)
    assert PACE_STATUS_LABELS["seriously_lagging"] == "严重滞后"
    assert OUTLOOK_LABELS["acceleration_needed"] == "需加快"
    assert TASK_STATUS_LABELS["in_progress"] == "推进中"


def test_explain_reads_one_result_as_a_sentence_for_a_leader() -> None:
    coverage = target(1, unit="%", baseline_value=85.0, target_value=90.0)
    result = compute_progress(
        targets_frame([coverage]), reports_frame([report(1, "2025-12-31", 88.0)]), AFTER_2025
    )
    row = result.iloc[0].to_dict() | {
        "indicator_name": "强制检定项目覆盖率",
        "unit": "%",
        "comparator": "gte",
        "lower_bound": np.nan,
        "measure_kind": "level",
    }
    assert explain(row) == (
        "强制检定项目覆盖率：2025年目标90%（不低于），基期2020年85%，截至2025年底为88%，"
        "完成进度60%，时间进度100%，未达成。"
    )


def test_explain_adds_the_outlook_before_the_target_year() -> None:
    result = compute_progress(
        targets_frame([target(1, comparator="approx")]),
        reports_frame([report(1, "2023-06-30", 800.0)]),
        dt.date(2023, 6, 30),
    )
    row = result.iloc[0].to_dict() | {"unit": "个", "comparator": "approx", "lower_bound": np.nan}
    sentence = explain(row)
    assert sentence.startswith("2025年目标900个左右，基期2020年743个，截至2023-06-30为800个，")
    assert sentence.endswith(f"，{PACE_STATUS_LABELS[row['pace_status']]}，趋势研判需加快。")


def test_the_progress_module_imports_no_django() -> None:
    source = Path(__file__).parents[2] / "targets" / "progress.py"
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert "pandas" in imported
    assert "django" not in imported
