"""Periods and completeness rules, without a database."""

import datetime as dt

import pytest

from rounds import completeness as c
from rounds.periods import Period, period_containing


def test_a_quarter_ends_on_its_last_day_and_reads_as_bureaus_write_it():
    q4 = Period("quarter", 2026, 4)
    assert (q4.start, q4.end, q4.label, q4.label_en) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
        "2026年第四季度",
        "Q4 2026",
    )
    assert Period("quarter", 2026, 1).end == dt.date(2026, 3, 31)
    assert Period("half", 2026, 1).label == "2026年上半年"
    assert Period("half", 2026, 1).end == dt.date(2026, 6, 30)
    assert Period("year", 2026, 1).label == "2026年度"


def test_a_period_that_does_not_exist_is_refused():
    with pytest.raises(ValueError):
        Period("quarter", 2026, 5)
    with pytest.raises(ValueError):
        Period("month", 2026, 1)


def test_the_period_before_the_first_quarter_is_last_years_fourth():
    assert Period("quarter", 2027, 1).previous() == Period("quarter", 2026, 4)
    assert period_containing("quarter", dt.date(2026, 11, 5)) == Period("quarter", 2026, 4)
    assert period_containing("half", dt.date(2026, 7, 1)) == Period("half", 2026, 2)


def test_the_best_entry_decides_an_items_state():
    assert c.item_state([]) == c.MISSING
    assert c.item_state(["draft"]) == c.DRAFT
    assert c.item_state(["returned", "submitted"]) == c.SUBMITTED
    assert c.item_state(["approved", "returned"]) == c.APPROVED


def test_the_first_leading_or_responsible_unit_owes_the_item():
    assert c.owner([(7, "support"), (8, "responsible"), (9, "lead")], fallback=1) == 8
    assert c.owner([(7, "support")], fallback=1) == 7
    assert c.owner([], fallback=1) == 1


def test_outstanding_items_are_overdue_only_after_the_deadline():
    item = c.Item(1, "indicator", 2, "x", "X", 3, c.RETURNED, dt.date(2027, 1, 15))
    assert not item.overdue(dt.date(2027, 1, 15))
    assert item.overdue(dt.date(2027, 1, 16))
    done = c.Item(1, "indicator", 2, "x", "X", 3, c.SUBMITTED, dt.date(2027, 1, 15))
    assert not done.overdue(dt.date(2027, 2, 1))
