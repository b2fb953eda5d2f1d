"""The progress method (DESIGN.md, "The progress method"): frames in, frames out.

Pure pandas and numpy, no Django, no I/O, so the arithmetic can be tested with hand-built frames
and rerun over every target at once. Selectors build the input frames with ``.values()``; a
service stores what :func:`compute_progress` returns.

Everything is vectorised over all targets: approved reports are sorted once by (indicator,
date) and each target's window is found with ``searchsorted``; per-indicator running sums give
the least-squares sums of any window. 200k targets over 6M reports take a few seconds (less when
the reports arrive ordered by indicator, date and approval time, as the selector delivers them).

Time runs on a decimal-year axis (``year + day_of_year / days_in_year``) so that the year ends
DESIGN speaks of are whole numbers: 2020-12-31 is 2021.0 and 2025-12-31 is 2026.0, and five plan
years are exactly 5.0 years.

Rules chosen where DESIGN is silent (keep README in step):

- **Window.** A target is judged on approved reports dated from its baseline date up to
  ``min(as_of, 31 Dec of the target year)``: a report after the target year never rescues (or
  sinks) a target that was due earlier, and a 2020 target is judged by the 2020 value even when
  the indicator has later reports for the next plan's targets.
- **Baseline.** A printed ``baseline_value`` wins (``baseline_year`` missing → the plan's base
  year). Otherwise a cumulative measure starts at 0 on 31 Dec of ``plan_base_year``; a level
  takes the earliest approved report dated on or after that day (reports from before the plan
  are an earlier plan's history); with none the target cannot be assessed. Milestones have no
  baseline value; their clock starts at the plan's start.
- **Achievement.** The comparator decides, the direction only says which way is progress:
  ``gte`` v ≥ target, ``lte`` v ≤ target, whatever the direction. ``eq`` and ``approx`` (≈,
  within 5 %) also count a value beyond the target in the direction of progress as achieved
  (超额完成: 6000 家 meets a bare "培育5000家"). A ``range`` is met at its lower bound for a rising
  indicator and at its upper bound (``target_value``) for a falling one; that bound is the
  ``goal_value`` completion and outlook aim at.
- **Baseline already meets the target** (including baseline = target): there is no distance to
  cover, so completion is 1 if achieved else 0 (no division by zero); losing the target is
  ``regressing``; the outlook is ``on_track`` if the projection still meets the target, else
  ``deterioration``; the score is +5 or −5 accordingly (Open SDG's R is ±∞ there).
- **Pace status**, first match wins: ``cannot_assess`` (no baseline, or no numeric goal);
  ``no_data`` (no report in the window); ``achieved``; ``missed`` once the target year has ended
  (``as_of`` ≥ 31 Dec of T); ``no_data`` (no report *after* the baseline date: a plan's own 2020
  column is a value that can meet or miss a target, not progress); ``regressing`` (the baseline
  met the target and the latest value does not, or c < 0); then the bands on c / e, whose lower
  bounds are inclusive (c / e = 1.1 is ahead, 0.9 on track, 0.6 lagging, 0 seriously lagging).
  Milestones: the latest done/not-done report since the plan began decides: done →
  ``achieved``, else ``pending`` before the end of T and ``missed`` after (no report counts as
  not done).
- **Outlook.** Milestones and targets whose year has ended: ``not_applicable`` (the outcome is
  known; ratio and projection are still recorded and scored). Achieved before T: ``on_track``
  (Open SDG: an achieved target scores +5 whatever the trend). Fewer than two values counting
  the baseline: ``insufficient_data``. Otherwise bands on R or r.
- **Method.** Linear for cumulative measures, unit "%" and small counts (baseline and goal both
  < 20), and whenever baseline, latest value or goal is ≤ 0; growth rate for the other levels.
  The growth rate uses the baseline and the latest value only; ``n_points`` counts every value
  in the window (baseline included), which is what the linear fit uses. A linear projection of
  a percentage whose baseline and goal lie in 0–100 is clipped to 0–100.
- **Roll-ups.** ``share_achieved_or_on_track`` = (achieved + ahead + on_track) / assessable,
  assessable leaving out no_data, cannot_assess and pending; see :func:`rollup`.
- **Score** (Open SDG / Statistics Canada, quantitative targets): achieved → +5; otherwise R or r
  mapped piecewise-linearly through (−0.6, −5), (0.6, 0), (1.3, +5) and clamped, so the four
  outlook bands take equal quarters of −5…+5 (R = 0 → −2.5, R = 0.95 → +2.5). Milestones: done
  +5, missed −5, pending no score. No ratio, no score.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

PACE_STATUSES: tuple[str, ...] = (
    "achieved",
    "ahead",
    "on_track",
    "lagging",
    "seriously_lagging",
    "regressing",
    "missed",
    "pending",
    "no_data",
    "cannot_assess",
)
OUTLOOKS: tuple[str, ...] = (
    "on_track",
    "acceleration_needed",
    "limited_progress",
    "deterioration",
    "insufficient_data",
    "not_applicable",
)
TASK_STATUSES: tuple[str, ...] = (
    "not_started",
    "in_progress",
    "completed",
    "delayed",
    "suspended",
    "no_update",
)


def gettext_noop(text: str) -> str:
    """Marks a label for ``makemessages`` (one of the keywords it gives xgettext), no Django.

    The labels stay Chinese here; the Django layer looks them up in the active language.
    """
    return text


# Chinese labels; the Django layer translates them where they reach a page.
PACE_STATUS_LABELS: dict[str, str] = {
    "achieved": gettext_noop("已达成"),
    "ahead": gettext_noop("超前"),
    "on_track": gettext_noop("正常"),
    "lagging": gettext_noop("滞后"),
    "seriously_lagging": gettext_noop("严重滞后"),
    "regressing": gettext_noop("倒退"),
    "missed": gettext_noop("未达成"),
    "pending": gettext_noop("待完成"),
    "no_data": gettext_noop("无数据"),
    "cannot_assess": gettext_noop("无法评估"),
}
OUTLOOK_LABELS: dict[str, str] = {
    "on_track": gettext_noop("有望达成"),
    "acceleration_needed": gettext_noop("需加快"),
    "limited_progress": gettext_noop("进展有限"),
    "deterioration": "倒退",  # context "outlook" (dashboards.labels.OUTLOOK_LABELS)
    "insufficient_data": gettext_noop("数据不足"),
    "not_applicable": gettext_noop("不适用"),
}
TASK_STATUS_LABELS: dict[str, str] = {
    "not_started": gettext_noop("未启动"),
    "in_progress": gettext_noop("推进中"),
    "completed": gettext_noop("已完成"),
    "delayed": "滞后",  # context "task status" (dashboards.labels.TASK_LABELS)
    "suspended": gettext_noop("暂停"),
    "no_update": gettext_noop("未填报"),
}
METHOD_LABELS: dict[str, str] = {
    "growth_rate": gettext_noop("增长率比值法"),
    "linear": gettext_noop("线性趋势外推法"),
}
BASELINE_SOURCE_LABELS: dict[str, str] = {
    "printed": gettext_noop("文件所列基期值"),
    "plan_start_zero": gettext_noop("规划起点计为0"),
    "earliest_report": gettext_noop("首次填报值"),
}
COMPARATOR_LABELS: dict[str, str] = {
    "gte": gettext_noop("不低于"),
    "lte": gettext_noop("不高于"),
    "approx": gettext_noop("左右"),
    "eq": gettext_noop("达到"),
    "range": gettext_noop("区间"),
    "done": gettext_noop("完成"),
}
# English words for explain(lang="en"): lower case, as they sit inside a sentence. The page
# labels come from the message catalogue (locale/en); a test keeps the two in step.
PACE_STATUS_WORDS_EN: dict[str, str] = {
    "achieved": "achieved",
    "ahead": "ahead",
    "on_track": "on track",
    "lagging": "lagging",
    "seriously_lagging": "seriously lagging",
    "regressing": "regressing",
    "missed": "missed",
    "pending": "pending",
    "no_data": "no data",
    "cannot_assess": "cannot assess",
}
OUTLOOK_WORDS_EN: dict[str, str] = {
    "on_track": "on track",
    "acceleration_needed": "acceleration needed",
    "limited_progress": "limited progress",
    "deterioration": "deterioration",
    "insufficient_data": "insufficient data",
    "not_applicable": "not applicable",
}

APPROX_TOLERANCE = 0.05
SMALL_COUNT = 20.0
DISPLAY_CLIP = (0.0, 1.5)
# Lower bounds, inclusive, highest first.
PACE_BANDS: tuple[tuple[float, str], ...] = (
    (1.1, "ahead"),
    (0.9, "on_track"),
    (0.6, "lagging"),
    (0.0, "seriously_lagging"),
)
OUTLOOK_BANDS: tuple[tuple[float, str], ...] = (
    (0.95, "on_track"),
    (0.6, "acceleration_needed"),
    (0.0, "limited_progress"),
)
SCORE_KNOTS: tuple[tuple[float, ...], tuple[float, ...]] = ((-0.6, 0.6, 1.3), (-5.0, 0.0, 5.0))
# Share of targets achieved or on track: these over the assessable ones.
GOOD_STATUSES: tuple[str, ...] = ("achieved", "ahead", "on_track")
UNASSESSABLE_STATUSES: tuple[str, ...] = ("no_data", "cannot_assess", "pending")
ROLLUP_KEYS: tuple[str, ...] = (
    "document_id",
    "province",
    "area",
    "category",
    "target_year",
    "department_id",
)

# What compute_progress reads from the targets frame (other columns are ignored).
TARGET_INPUT_COLUMNS: tuple[str, ...] = (
    "target_id",
    "indicator_id",
    "plan_base_year",
    "measure_kind",
    "direction",
    "unit",
    "baseline_year",
    "baseline_value",
    "target_year",
    "target_value",
    "comparator",
    "lower_bound",
)
# What it reads from the reports frame.
REPORT_INPUT_COLUMNS: tuple[str, ...] = ("indicator_id", "as_of", "value", "done", "approved_at")

RESULT_COLUMNS: tuple[str, ...] = (
    "target_id",
    "indicator_id",
    "target_year",
    "as_of",
    "latest_value",
    "latest_date",
    "baseline_value",
    "baseline_date",
    "baseline_source",
    "target_value",
    "goal_value",
    "achieved",
    "completion",
    "completion_display",
    "time_elapsed",
    "pace_ratio",
    "pace_status",
    "outlook",
    "outlook_ratio",
    "projection",
    "method",
    "n_points",
    "score",
    "years_elapsed",
    "years_total",
    "years_observed",
    "cagr_observed",
    "cagr_required",
    "slope",
)

# Decimal years are stored relative to this year to keep the sums of squares small.
_EPOCH_YEAR = 2000
# Composite sort key: indicator code * _KEY_STRIDE + day + _DAY_OFFSET (covers years 1697–4434).
_KEY_STRIDE = 1_000_000
_DAY_OFFSET = 100_000
# Ratios are banded after rounding, so 0.66 / 0.6 lands on 1.1 and not on 1.0999999999999999.
_BAND_DECIMALS = 9


# --- dates -----------------------------------------------------------------------------------


def _year_end_days(years: np.ndarray) -> np.ndarray:
    """Day numbers (days since 1970-01-01, float, NaN for a missing year) of 31 December."""
    years = np.asarray(years, dtype=float)
    out = np.full(years.shape, np.nan)
    ok = ~np.isnan(years)
    next_jan1 = (years[ok].astype(np.int64) + 1 - 1970).astype("datetime64[Y]")
    out[ok] = next_jan1.astype("datetime64[D]").astype(np.int64) - 1
    return out


def _decimal_years(days: np.ndarray) -> np.ndarray:
    """Day numbers on the decimal-year axis, relative to _EPOCH_YEAR (31 Dec 2020 → 21.0).

    Computed once per distinct day of the span and looked up, since millions of reports fall on
    a few dozen quarter ends.
    """
    days = np.asarray(days, dtype=float)
    out = np.full(days.shape, np.nan)
    ok = ~np.isnan(days)
    if not ok.any():
        return out
    whole = days[ok].astype(np.int64)
    first = whole.min()
    span = np.arange(first, whole.max() + 1).astype("datetime64[D]")
    year = span.astype("datetime64[Y]")
    jan1 = year.astype("datetime64[D]")
    length = ((year + 1).astype("datetime64[D]") - jan1).astype(np.int64)
    into = (span - jan1).astype(np.int64) + 1
    table = year.astype(np.int64) + 1970 - _EPOCH_YEAR + into / length
    out[ok] = table[whole - first]
    return out


def _to_days(values: pd.Series) -> np.ndarray:
    """Dates, datetimes or strings → float day numbers, NaN where missing."""
    stamps = pd.to_datetime(values)
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_localize(None)
    days = stamps.to_numpy(dtype="datetime64[D]")
    out = days.astype(np.int64).astype(float)
    out[np.isnat(days)] = np.nan
    return out


def _days_to_timestamps(days: np.ndarray) -> pd.Series:
    stamps = pd.to_datetime(np.asarray(days, dtype=float), unit="D")
    return pd.Series(stamps.astype("datetime64[ns]"))


# --- approved values as sorted slices ---------------------------------------------------------


@dataclass(frozen=True)
class _Series:
    """Approved values sorted by (indicator, date), so every target's window is a slice.

    Per-indicator running sums make the least-squares sums over any window two lookups, which
    is what keeps 100k targets × 60 reports to a sort and a few ``searchsorted`` calls.
    """

    indicators: pd.Index
    key: np.ndarray
    day: np.ndarray
    value: np.ndarray
    block_start: np.ndarray
    running: dict[str, np.ndarray]

    @classmethod
    def build(
        cls, indicator_id: np.ndarray, day: np.ndarray, value: np.ndarray, *, sums: bool = True
    ) -> _Series:
        indicators = pd.Index(pd.unique(indicator_id))
        code = indicators.get_indexer(indicator_id).astype(np.int64)
        key = code * _KEY_STRIDE + day.astype(np.int64) + _DAY_OFFSET
        order = np.argsort(key, kind="stable")
        key, code = key[order], code[order]
        day, value = day[order], value[order].astype(float)
        t = _decimal_years(day)
        starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]]) if len(code) else code
        block_start = np.repeat(starts, np.diff(np.r_[starts, len(code)]))
        running: dict[str, np.ndarray] = {}
        if sums:
            for name, column in (("t", t), ("y", value), ("tt", t * t), ("ty", t * value)):
                running[name] = pd.Series(column).groupby(code, sort=False).cumsum().to_numpy()
        return cls(indicators, key, day, value, block_start, running)

    def codes(self, indicator_id: pd.Series) -> np.ndarray:
        """Position of each target's indicator; -1 (an empty slice) when it has no reports."""
        return self.indicators.get_indexer(indicator_id.to_numpy()).astype(np.int64)

    def bounds(
        self, code: np.ndarray, first_day: np.ndarray, last_day: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """[lo, hi) of the reports dated first_day..last_day (inclusive); empty if either is NaN."""
        ok = (code >= 0) & ~np.isnan(first_day) & ~np.isnan(last_day) & (first_day <= last_day)
        base = code * _KEY_STRIDE + _DAY_OFFSET
        first = base + np.where(ok, first_day, 0).astype(np.int64)
        last = base + np.where(ok, last_day, 0).astype(np.int64)
        lo = np.searchsorted(self.key, first, side="left")
        hi = np.searchsorted(self.key, last, side="right")
        lo = np.where(ok, lo, 0)
        hi = np.where(ok, hi, 0)
        return lo, np.maximum(hi, lo)

    def window_sum(self, name: str, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Sum of a running column over [lo, hi); 0 for an empty window."""
        if len(self.key) == 0:
            return np.zeros(len(lo))
        running = self.running[name]
        last = np.clip(hi - 1, 0, len(running) - 1)
        before = np.clip(lo - 1, 0, len(running) - 1)
        start = self.block_start[np.clip(lo, 0, len(running) - 1)]
        total = np.where(hi > lo, running[last], 0.0)
        return total - np.where((hi > lo) & (lo > start), running[before], 0.0)

    def at(self, index: np.ndarray, present: np.ndarray, column: str = "value") -> np.ndarray:
        """Value (or day) at index where present, NaN elsewhere."""
        source = self.value if column == "value" else self.day
        if len(source) == 0:
            return np.full(len(index), np.nan)
        return np.where(present, source[np.clip(index, 0, len(source) - 1)], np.nan)


class _Approved(NamedTuple):
    """Approved reports as arrays sorted by (indicator, date), one per indicator and date."""

    indicator_id: np.ndarray
    day: np.ndarray
    value: np.ndarray
    done: np.ndarray  # 1.0 done, 0.0 not done, NaN not a milestone report


def _approved_values(reports: pd.DataFrame) -> _Approved:
    """One report per indicator and date, the later-approved winning (DESIGN edge case).

    A report with no approval time loses to one that has it. Plain numpy rather than
    ``sort_values`` + ``drop_duplicates``: this is the one step that sees every report.
    """
    day = _to_days(reports["as_of"])
    approved_at = pd.to_datetime(reports["approved_at"], utc=True)
    approved_ns = approved_at.to_numpy(dtype="datetime64[ns]").astype(np.int64)  # NaT first
    codes, _ = pd.factorize(reports["indicator_id"], sort=True)
    dated = ~np.isnan(day)
    key = codes * _KEY_STRIDE + np.where(dated, day, 0).astype(np.int64)
    step = np.diff(key)
    if np.all((step > 0) | ((step == 0) & (np.diff(approved_ns) >= 0))):
        order = np.arange(len(key))  # the selector's ORDER BY already did the work
    else:
        order = np.lexsort((approved_ns, key))
    order = order[dated[order]]
    key = key[order]
    last_of_key = np.r_[key[1:] != key[:-1], True] if len(key) else np.zeros(0, dtype=bool)
    keep = order[last_of_key]
    if "done" in reports:
        done = reports["done"].astype("boolean").to_numpy(dtype=float, na_value=np.nan)
    else:
        done = np.full(len(reports), np.nan)
    value = pd.to_numeric(reports["value"], errors="coerce").to_numpy(dtype=float)
    return _Approved(reports["indicator_id"].to_numpy()[keep], day[keep], value[keep], done[keep])


# --- the comparator --------------------------------------------------------------------------


def _meets(
    value: np.ndarray,
    comparator: np.ndarray,
    target: np.ndarray,
    lower: np.ndarray,
    sign: np.ndarray,
) -> np.ndarray:
    """Whether value satisfies the comparator (NaN value → False; see the module docstring)."""
    with np.errstate(invalid="ignore"):
        beyond = sign * (value - target) >= 0  # reached or passed in the direction of progress
        close = np.abs(value - target) <= APPROX_TOLERANCE * np.abs(target)
        same = np.isclose(value, target, rtol=1e-9, atol=1e-12)
        range_met = np.where(sign > 0, value >= lower, value <= target)
        met = np.select(
            [
                comparator == "gte",
                comparator == "lte",
                comparator == "approx",
                comparator == "eq",
                comparator == "range",
            ],
            [value >= target, value <= target, close | beyond, same | beyond, range_met],
            default=False,
        )
    return met & ~np.isnan(value)


def _bands(ratio: np.ndarray, bands: Sequence[tuple[float, str]], below: str) -> np.ndarray:
    rounded = np.round(ratio, _BAND_DECIMALS)
    conditions = [rounded >= low for low, _ in bands]
    return np.select(conditions, [code for _, code in bands], default=below).astype(object)


def _score(ratio: np.ndarray) -> np.ndarray:
    """Open SDG's linear transformation of R (or r) onto −5…+5."""
    knots, scores = SCORE_KNOTS
    return np.where(np.isnan(ratio), np.nan, np.interp(ratio, knots, scores))


# --- compute_progress ------------------------------------------------------------------------


def compute_progress(targets: pd.DataFrame, reports: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """One result row per target as of a date: the whole of DESIGN's progress method.

    ``targets``: one row per target (target_id, indicator_id, plan_base_year, measure_kind,
    direction, unit, baseline_year, baseline_value, target_year, target_value, comparator,
    lower_bound; other columns are ignored). ``reports``: approved reports (indicator_id, as_of,
    value, done, approved_at); reports after ``as_of`` are ignored, so a caller may pass more.

    Columns: RESULT_COLUMNS. Dates are Timestamps (NaT when unknown); ``achieved`` is a nullable
    boolean; string columns hold None when not applicable so they reach the database as NULL.
    To redo the sum: ``goal_value`` is what completion and outlook aim at (the lower bound of a
    rising range), ``pace_ratio`` = completion / time_elapsed, ``years_total`` = baseline → end
    of T and ``years_elapsed`` = baseline → as_of (clipped), ``years_observed`` = baseline →
    latest report; ``cagr_*`` for the growth-rate method, ``slope`` (per year) for the linear
    one, ``n_points`` the values in the window counting the baseline.
    """
    n = len(targets)
    d_day = float(np.datetime64(as_of, "D").astype(np.int64))
    kind = targets["measure_kind"].astype(object).to_numpy()
    comparator = targets["comparator"].astype(object).to_numpy()
    milestone = (kind == "milestone") | (comparator == "done")
    cumulative = kind == "cumulative"
    sign = np.where(targets["direction"].astype(object).to_numpy() == "down", -1.0, 1.0)
    unit = targets["unit"].astype(object).fillna("").astype(str).str.strip().to_numpy()
    percent = np.isin(unit, ["%", "％"])
    target_value = pd.to_numeric(targets["target_value"], errors="coerce").to_numpy(dtype=float)
    lower = pd.to_numeric(targets["lower_bound"], errors="coerce").to_numpy(dtype=float)
    goal = np.where((comparator == "range") & (sign > 0), lower, target_value)

    plan_year = pd.to_numeric(targets["plan_base_year"], errors="coerce").to_numpy(dtype=float)
    target_year = pd.to_numeric(targets["target_year"], errors="coerce").to_numpy(dtype=float)
    start_day = _year_end_days(plan_year)
    due_day = _year_end_days(target_year)
    cutoff_day = np.fmin(due_day, d_day)
    passed = d_day >= due_day

    approved = _approved_values(reports)
    numeric = ~np.isnan(approved.value)
    values = _Series.build(
        approved.indicator_id[numeric], approved.day[numeric], approved.value[numeric]
    )
    code = values.codes(targets["indicator_id"])

    # 1. Baseline: printed, 0 at the plan's start, or the earliest report since the plan began.
    printed_value = pd.to_numeric(targets["baseline_value"], errors="coerce").to_numpy(dtype=float)
    printed_year = pd.to_numeric(targets["baseline_year"], errors="coerce").to_numpy(dtype=float)
    printed = ~np.isnan(printed_value) & ~milestone
    plan_zero = ~printed & cumulative & ~milestone
    lo_e, hi_e = values.bounds(code, start_day, cutoff_day)
    earliest = ~printed & ~plan_zero & ~milestone & (hi_e > lo_e)
    base_value = np.select(
        [printed, plan_zero, earliest],
        [printed_value, 0.0, values.at(lo_e, earliest)],
        default=np.nan,
    )
    base_day = np.select(
        [printed, plan_zero | milestone, earliest],
        [
            _year_end_days(np.where(np.isnan(printed_year), plan_year, printed_year)),
            start_day,
            values.at(lo_e, earliest, "day"),
        ],
        default=np.nan,
    )
    base_source = np.select(
        [printed, plan_zero, earliest],
        ["printed", "plan_start_zero", "earliest_report"],
        default=None,
    ).astype(object)
    has_base = ~np.isnan(base_value)

    # 2. Latest value in [baseline date, cutoff]; the fit uses the baseline and the reports after.
    lo_w, hi_w = values.bounds(code, base_day, cutoff_day)
    has_latest = (hi_w > lo_w) & ~milestone
    latest = values.at(hi_w - 1, has_latest)
    latest_day = values.at(hi_w - 1, has_latest, "day")
    lo_a, hi_a = values.bounds(code, base_day + 1, cutoff_day)
    after = np.where(has_base & ~milestone, hi_a - lo_a, 0)
    moved = after > 0

    t_base = _decimal_years(base_day)
    t_due = _decimal_years(due_day)
    t_latest = _decimal_years(latest_day)
    t_now = _decimal_years(np.array([d_day]))[0]
    years_total = t_due - t_base
    years_elapsed = np.clip(t_now - t_base, 0.0, np.fmax(years_total, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        elapsed = np.where(
            years_total > 0, np.clip((t_now - t_base) / years_total, 0.0, 1.0), passed * 1.0
        )
    elapsed = np.where(np.isnan(t_base), np.nan, elapsed)

    # 3. Achievement and completion.
    assessable = ~milestone & has_base & ~np.isnan(goal)
    met = _meets(latest, comparator, target_value, lower, sign)
    base_met = _meets(base_value, comparator, target_value, lower, sign) & assessable
    with np.errstate(invalid="ignore", divide="ignore"):
        completion = np.where(
            base_met, np.where(met, 1.0, 0.0), (latest - base_value) / (goal - base_value)
        )
    completion = np.where(assessable & has_latest, completion, np.nan)

    # 4. Outlook: growth-rate ratio or linear projection.
    small = np.fmax(np.abs(base_value), np.abs(goal)) < SMALL_COUNT
    positive = (base_value > 0) & (latest > 0) & (goal > 0)
    growth = assessable & moved & ~cumulative & ~percent & ~small & positive
    linear = assessable & moved & ~growth
    years_observed = np.where(moved, t_latest - t_base, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        cagr_observed = (latest / base_value) ** (1.0 / years_observed) - 1.0
        cagr_required = (goal / base_value) ** (1.0 / years_total) - 1.0
        growth_projection = base_value * (1.0 + cagr_observed) ** years_total
        growth_ratio = cagr_observed / cagr_required

        k = after + 1.0
        s_t = values.window_sum("t", lo_a, hi_a) + t_base
        s_y = values.window_sum("y", lo_a, hi_a) + base_value
        s_tt = values.window_sum("tt", lo_a, hi_a) + t_base * t_base
        s_ty = values.window_sum("ty", lo_a, hi_a) + t_base * base_value
        slope = (s_ty - s_t * s_y / k) / (s_tt - s_t * s_t / k)
        linear_projection = s_y / k + slope * (t_due - s_t / k)
        bounded = percent & (base_value >= 0) & (base_value <= 100) & (goal >= 0) & (goal <= 100)
        linear_projection = np.where(
            bounded, np.clip(linear_projection, 0.0, 100.0), linear_projection
        )
        linear_ratio = (linear_projection - base_value) / (goal - base_value)

    projection = np.select([growth, linear], [growth_projection, linear_projection], np.nan)
    ratio = np.select([growth, linear], [growth_ratio, linear_ratio], np.nan)
    ratio = np.where(base_met, np.nan, ratio)
    projection_met = _meets(projection, comparator, target_value, lower, sign)
    method = np.select([growth, linear], ["growth_rate", "linear"], default=None).astype(object)

    # 5. Milestones: the latest done/not-done report since the plan began.
    flags = ~np.isnan(approved.done)
    done_series = _Series.build(
        approved.indicator_id[flags], approved.day[flags], approved.done[flags], sums=False
    )
    m_lo, m_hi = done_series.bounds(
        done_series.codes(targets["indicator_id"]), start_day, cutoff_day
    )
    m_reported = milestone & (m_hi > m_lo)
    done = m_reported & (done_series.at(m_hi - 1, m_reported) == 1.0)
    latest_day = np.where(milestone, done_series.at(m_hi - 1, m_reported, "day"), latest_day)

    # 6. Pace status, in DESIGN's order of precedence.
    pace_ratio = np.where(elapsed > 0, completion / np.where(elapsed > 0, elapsed, 1.0), np.nan)
    banded = _bands(pace_ratio, PACE_BANDS, "regressing")
    numeric_status = np.select(
        [
            ~assessable,
            ~has_latest,
            met,
            passed,
            ~moved,
            base_met,
            np.round(completion, _BAND_DECIMALS) < 0,
            np.isnan(pace_ratio),
        ],
        [
            "cannot_assess",
            "no_data",
            "achieved",
            "missed",
            "no_data",
            "regressing",
            "regressing",
            "cannot_assess",
        ],
        default=banded,
    )
    milestone_status = np.select([done, passed], ["achieved", "missed"], default="pending")
    pace_status = np.where(milestone, milestone_status, numeric_status).astype(object)

    # 7. Outlook and score.
    outlook = np.select(
        [
            milestone | passed,
            pace_status == "achieved",
            ~assessable | ~moved,
            base_met,
            np.isnan(ratio),
        ],
        [
            "not_applicable",
            "on_track",
            "insufficient_data",
            np.where(projection_met, "on_track", "deterioration"),
            "insufficient_data",
        ],
        default=_bands(ratio, OUTLOOK_BANDS, "deterioration"),
    ).astype(object)
    score = np.select(
        [
            pace_status == "achieved",
            milestone & (pace_status == "missed"),
            milestone,
            base_met & passed,
            base_met & moved,
        ],
        [5.0, -5.0, np.nan, -5.0, np.where(projection_met, 5.0, -5.0)],
        default=_score(ratio),
    )
    score = np.where(pace_status == "no_data", np.nan, score)

    achieved = pd.array(np.where(milestone, done, met), dtype="boolean")
    achieved[~milestone & ~(has_latest & assessable)] = pd.NA
    completion = np.where(milestone, done * 1.0, completion)
    result = pd.DataFrame(
        {
            "target_id": targets["target_id"].to_numpy(),
            "indicator_id": targets["indicator_id"].to_numpy(),
            "target_year": targets["target_year"].to_numpy(),
            "as_of": _days_to_timestamps(np.full(n, d_day)),
            "latest_value": latest,
            "latest_date": _days_to_timestamps(latest_day),
            "baseline_value": base_value,
            "baseline_date": _days_to_timestamps(np.where(has_base | milestone, base_day, np.nan)),
            "baseline_source": pd.Series(base_source, dtype=object),
            "target_value": target_value,
            "goal_value": np.where(milestone, np.nan, goal),
            "achieved": achieved,
            "completion": completion,
            "completion_display": np.clip(completion, *DISPLAY_CLIP),
            "time_elapsed": elapsed,
            "pace_ratio": np.where(milestone, np.nan, pace_ratio),
            "pace_status": pd.Series(pace_status, dtype=object),
            "outlook": pd.Series(outlook, dtype=object),
            "outlook_ratio": ratio,
            "projection": projection,
            "method": pd.Series(method, dtype=object),
            "n_points": np.where(has_base & ~milestone, after + 1, 0).astype(np.int64),
            "score": score,
            "years_elapsed": years_elapsed,
            "years_total": years_total,
            "years_observed": years_observed,
            "cagr_observed": np.where(growth, cagr_observed, np.nan),
            "cagr_required": np.where(growth, cagr_required, np.nan),
            "slope": np.where(linear, slope, np.nan),
        }
    )
    return result[list(RESULT_COLUMNS)]


# --- roll-ups --------------------------------------------------------------------------------


def rollup(results: pd.DataFrame, targets: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Counts by pace status, share achieved or on track and mean score per group.

    ``targets`` supplies the grouping columns (any of ROLLUP_KEYS, or others it has); with a
    ``department_id`` column (one row per target × department) a target counts once for every
    department responsible for it. ``share_achieved_or_on_track`` = (achieved + ahead +
    on_track) / assessable, where assessable leaves out no_data, cannot_assess and pending
    (nothing to judge yet), and is NaN when nothing is assessable. ``mean_score`` averages the
    scores that exist and ``scored`` says how many there were. Missing keys (no category) form
    their own group. ``by=[]`` gives one overall row.
    """
    unknown = [column for column in by if column not in targets.columns]
    if unknown:
        raise ValueError(f"rollup: the targets frame has no column(s) {unknown}")
    frame = targets[["target_id", *by]].merge(
        results[["target_id", "pace_status", "score"]], on="target_id", how="inner"
    )
    for code in PACE_STATUSES:
        frame[code] = (frame["pace_status"] == code).astype(np.int64)
    keys = list(by) or np.zeros(len(frame), dtype=np.int64)
    out = frame.groupby(keys, dropna=False, sort=True).agg(
        **{code: (code, "sum") for code in PACE_STATUSES},
        mean_score=("score", "mean"),
        scored=("score", "count"),
    )
    out["total"] = out[list(PACE_STATUSES)].sum(axis=1)
    out["assessable"] = out["total"] - out[list(UNASSESSABLE_STATUSES)].sum(axis=1)
    good = out[list(GOOD_STATUSES)].sum(axis=1)
    out["share_achieved_or_on_track"] = good / out["assessable"].where(out["assessable"] > 0)
    out = out.reset_index(drop=not by)
    columns = [*by, *PACE_STATUSES, "total", "assessable", "share_achieved_or_on_track"]
    return out[[*columns, "mean_score", "scored"]]


def task_rollup(task_status: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Counts and shares of task statuses per group; a missing status counts as no_update.

    One input row per (task_id, department_id, role, status), so grouping by ``role`` keeps lead
    (牵头) tasks apart from support (配合) ones, as DESIGN's roll-up asks. Shares are over the
    group's rows; ``by=[]`` gives one overall row.
    """
    status = task_status["status"].astype(object)
    status = status.where(status.notna(), "no_update")
    unknown = sorted(set(status) - set(TASK_STATUSES))
    if unknown:
        raise ValueError(f"task_rollup: unknown task status(es) {unknown}")
    frame = task_status[list(by)].copy()
    for code in TASK_STATUSES:
        frame[code] = (status == code).to_numpy().astype(np.int64)
    keys = list(by) or np.zeros(len(frame), dtype=np.int64)
    out = frame.groupby(keys, dropna=False, sort=True)[list(TASK_STATUSES)].sum()
    out["total"] = out[list(TASK_STATUSES)].sum(axis=1)
    for code in TASK_STATUSES:
        out[f"share_{code}"] = out[code] / out["total"]
    out = out.reset_index(drop=not by)
    return out[[*by, *TASK_STATUSES, "total", *(f"share_{code}" for code in TASK_STATUSES)]]


# --- a sentence for a leader -----------------------------------------------------------------


def _number(value: float) -> str:
    """90 → "90", 85.5 → "85.5", 0.125 → "0.13": plain, no exponent, at most two decimals."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _date(value: object, year_end: str = "年", lang: str = "zh") -> str:
    """A year end reads as its year (2020年, 2025年底), any other day as ISO (2026-06-30).

    In English a year end reads "2020", or "end of 2025" when ``year_end`` is 年底.
    """
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    if stamp.month == 12 and stamp.day == 31:
        if lang == "en":
            return f"end of {stamp.year}" if year_end == "年底" else str(stamp.year)
        return f"{stamp.year}{year_end}"
    return stamp.date().isoformat()


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def explain(row: Mapping[str, object], *, lang: str = "zh") -> str:
    """One sentence a leader can read out, in Chinese (``lang="zh"``, the default) e.g.

    "强检项目覆盖率：2025年目标90%（不低于），基期2020年85%，截至2025-06-30为88%，完成进度60%，
    时间进度90%，滞后。"

    or in English (``lang="en"``; names and units are data and stay as printed) e.g.

    "强检项目覆盖率: 2025 target at least 90%, baseline 85% (2020), 88% as of 2025-06-30,
    completion 60%, time elapsed 90%: lagging."

    Expects a result row from :func:`compute_progress` joined with its target's
    ``indicator_name`` (optional), ``unit``, ``comparator``, ``lower_bound`` and
    ``measure_kind``; ``outlook`` is added when it says something (not for settled targets).
    """
    if lang == "en":
        return _explain_en(row)
    unit = "" if _missing(row.get("unit")) else str(row.get("unit"))
    name = row.get("indicator_name")
    prefix = "" if _missing(name) else f"{name}："
    year = int(row["target_year"])
    status = PACE_STATUS_LABELS.get(str(row["pace_status"]), str(row["pace_status"]))
    comparator = row.get("comparator")
    if row.get("measure_kind") == "milestone" or comparator == "done":
        if _missing(row.get("latest_date")):
            state = "尚无填报"
        else:
            done = not _missing(row.get("achieved")) and bool(row.get("achieved"))
            state = f"截至{_date(row['latest_date'], '年底')}{'已完成' if done else '尚未完成'}"
        return f"{prefix}目标{year}年完成，{state}，{status}。"

    target = float(row["target_value"])  # type: ignore[arg-type]
    if comparator == "range" and not _missing(row.get("lower_bound")):
        goal = f"{_number(float(row['lower_bound']))}—{_number(target)}{unit}"  # type: ignore[arg-type]
    elif comparator == "approx":
        goal = f"{_number(target)}{unit}左右"
    elif comparator in ("gte", "lte"):
        goal = f"{_number(target)}{unit}（{COMPARATOR_LABELS[str(comparator)]}）"
    else:
        goal = f"{_number(target)}{unit}"
    parts = [f"{prefix}{year}年目标{goal}"]
    if _missing(row.get("baseline_value")):
        parts.append("无基期值")
    else:
        source = row.get("baseline_source")
        note = {"plan_start_zero": "（规划起点）", "earliest_report": "（首次填报）"}.get(
            str(source), ""
        )
        parts.append(
            f"基期{_date(row['baseline_date'])}{note}{_number(float(row['baseline_value']))}{unit}"  # type: ignore[arg-type]
        )
    if _missing(row.get("latest_value")):
        parts.append("暂无填报数据")
    else:
        parts.append(
            f"截至{_date(row['latest_date'], '年底')}为{_number(float(row['latest_value']))}{unit}"  # type: ignore[arg-type]
        )
    if not _missing(row.get("completion")):
        parts.append(f"完成进度{round(float(row['completion']) * 100)}%")  # type: ignore[arg-type]
    if not _missing(row.get("time_elapsed")):
        parts.append(f"时间进度{round(float(row['time_elapsed']) * 100)}%")  # type: ignore[arg-type]
    parts.append(status)
    outlook = row.get("outlook")
    if outlook in ("on_track", "acceleration_needed", "limited_progress", "deterioration"):
        parts.append(f"趋势研判{OUTLOOK_LABELS[str(outlook)]}")
    return "，".join(parts) + "。"


def _amount(value: float, unit: str) -> str:
    """85 and "%" → "85%"; 900 and "个" → "900 个" (a unit word gets a space in English)."""
    if not unit:
        return _number(value)
    return f"{_number(value)}{unit}" if unit in ("%", "‰", "％") else f"{_number(value)} {unit}"


def _explain_en(row: Mapping[str, object]) -> str:
    """explain() in English: the same facts in the same order."""
    unit = "" if _missing(row.get("unit")) else str(row.get("unit"))
    name = row.get("indicator_name")
    prefix = "" if _missing(name) else f"{name}: "
    year = int(row["target_year"])
    code = str(row["pace_status"])
    status = PACE_STATUS_WORDS_EN.get(code, code)
    comparator = row.get("comparator")
    if row.get("measure_kind") == "milestone" or comparator == "done":
        if _missing(row.get("latest_date")):
            state = "no report yet"
        else:
            done = not _missing(row.get("achieved")) and bool(row.get("achieved"))
            when = _date(row["latest_date"], "年底", "en")
            state = f"{'completed' if done else 'not yet completed'} as of {when}"
        return f"{prefix}to be completed by {year}, {state}: {status}."

    target = float(row["target_value"])  # type: ignore[arg-type]
    if comparator == "range" and not _missing(row.get("lower_bound")):
        goal = _amount(target, unit)
        goal = f"{_number(float(row['lower_bound']))}–{goal}"  # type: ignore[arg-type]
    else:
        words = {"gte": "at least ", "lte": "at most ", "approx": "about "}
        goal = words.get(str(comparator), "") + _amount(target, unit)
    parts = [f"{prefix}{year} target {goal}"]
    if _missing(row.get("baseline_value")):
        parts.append("no baseline")
    else:
        note = {"plan_start_zero": ", plan start", "earliest_report": ", first report"}.get(
            str(row.get("baseline_source")), ""
        )
        value = _amount(float(row["baseline_value"]), unit)  # type: ignore[arg-type]
        parts.append(f"baseline {value} ({_date(row['baseline_date'], lang='en')}{note})")
    if _missing(row.get("latest_value")):
        parts.append("no reported data yet")
    else:
        value = _amount(float(row["latest_value"]), unit)  # type: ignore[arg-type]
        parts.append(f"{value} as of {_date(row['latest_date'], '年底', 'en')}")
    if not _missing(row.get("completion")):
        parts.append(f"completion {round(float(row['completion']) * 100)}%")  # type: ignore[arg-type]
    if not _missing(row.get("time_elapsed")):
        parts.append(f"time elapsed {round(float(row['time_elapsed']) * 100)}%")  # type: ignore[arg-type]
    sentence = ", ".join(parts) + f": {status}"
    outlook = row.get("outlook")
    if outlook in ("on_track", "acceleration_needed", "limited_progress", "deterioration"):
        sentence += f"; outlook: {OUTLOOK_WORDS_EN[str(outlook)]}"
    return sentence + "."
