"""Reporting periods as pure date arithmetic: a quarter, a half-year or a year of a calendar.

No Django: the round model, the schedule and the tests all use these few functions, so a
period's bounds and its printed label (2026年第四季度) are decided in one place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

QUARTER = "quarter"
HALF = "half"
YEAR = "year"
KINDS = (QUARTER, HALF, YEAR)
PER_YEAR = {QUARTER: 4, HALF: 2, YEAR: 1}
_QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    number: int

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown period kind {self.kind!r}")
        if not 1 <= self.number <= PER_YEAR[self.kind]:
            raise ValueError(f"{self.kind} {self.number} does not exist")

    @property
    def start(self) -> dt.date:
        months = 12 // PER_YEAR[self.kind]
        return dt.date(self.year, (self.number - 1) * months + 1, 1)

    @property
    def end(self) -> dt.date:
        """The as-of date of the period: its last day (reports are as of this date)."""
        months = 12 // PER_YEAR[self.kind]
        last_month = self.number * months
        if last_month == 12:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, last_month + 1, 1) - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        """As bureaus write it: 2026年第四季度, 2026年上半年, 2026年度."""
        if self.kind == QUARTER:
            return f"{self.year}年第{_QUARTER_NAMES[self.number]}季度"
        if self.kind == HALF:
            return f"{self.year}年{'上' if self.number == 1 else '下'}半年"
        return f"{self.year}年度"

    @property
    def label_en(self) -> str:
        if self.kind == QUARTER:
            return f"Q{self.number} {self.year}"
        if self.kind == HALF:
            return f"H{self.number} {self.year}"
        return f"Year {self.year}"

    def previous(self) -> Period:
        if self.number > 1:
            return Period(self.kind, self.year, self.number - 1)
        return Period(self.kind, self.year - 1, PER_YEAR[self.kind])


def period_containing(kind: str, day: dt.date) -> Period:
    months = 12 // PER_YEAR[kind]
    return Period(kind, day.year, (day.month - 1) // months + 1)
