from decimal import Decimal

import pytest

from targets.models import Comparator
from tests import factories as f


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("unit", "comparator", "value", "lower", "expected"),
    [
        ("%", Comparator.GTE, Decimal("95"), None, "≥95%"),
        ("项", Comparator.GTE, Decimal("900"), None, "≥900项"),
        ("千家", Comparator.APPROX, Decimal("0.5"), None, "≈0.5千家"),
        ("个", Comparator.RANGE, Decimal("3"), Decimal("1"), "1—3个"),
        ("", Comparator.DONE, None, None, "完成"),
    ],
)
def test_a_target_reads_as_the_document_prints_it(unit, comparator, value, lower, expected):
    kind = "milestone" if comparator == Comparator.DONE else "level"
    indicator = f.make_indicator(unit=unit, measure_kind=kind)
    target = f.make_target(
        indicator=indicator, comparator=comparator, value=value, lower_bound=lower
    )
    target.refresh_from_db()
    assert target.display_value == expected
