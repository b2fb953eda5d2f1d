"""Property: any sheet is either refused cleanly (bilingual, short, nothing stored) or stored
exactly as it means. Sheets are generated with the meaning of every cell known, in the many
ways people write it, mixed with ways that must be refused."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from targets.models import ProgressReport
from targets.progress_import import import_progress_file

TODAY = dt.date(2026, 11, 23)
INVALID = object()
FULL_WIDTH = str.maketrans("0123456789.%", "０１２３４５６７８９．％")
CJK = re.compile(r"[\u4e00-\u9fff]")
INDICATORS = {"standards": "项", "centers": "个", "coverage": "%", "regulation": None}


def plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


@st.composite
def value_cell(draw, code: str):
    """(text, meaning): meaning is the Decimal to store, or INVALID."""
    unit = INDICATORS[code]
    top = 100 if unit == "%" else 99_999
    number = draw(
        st.decimals(
            min_value=0,
            max_value=top,
            places=draw(st.sampled_from([0, 0, 1, 2, 4])),
            allow_nan=False,
        )
    )
    text = plain(number)
    valid = [text, text.translate(FULL_WIDTH)]
    if unit == "%":
        valid.append(text + "%")
    else:
        valid.append(text + unit)
        if number >= 1000:
            valid.append(f"{number.normalize():,f}")
        if (number / 10000).normalize().as_tuple().exponent >= -4:
            valid += [plain(number / 10000) + "万", plain(number / 10000) + "万" + unit]
    invalid = [
        "约" + text,
        "十二",
        text + "左右",
        "1.234,5",
        "",
        text + "0001" if "." in text else text + ".00001",
        "12345678901234",
    ]
    if unit != "%":
        invalid.append(text + "%")
    if code == "centers" and number > 0:
        invalid.append("-" + text)
    if unit == "%":
        invalid.append("101")
    if draw(st.integers(0, 5)) == 0:
        return draw(st.sampled_from(invalid)), INVALID
    return draw(st.sampled_from(valid)), number


@st.composite
def date_cell(draw, day: dt.date):
    valid = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.year} 年 {day.month} 月 {day.day} 日",
    ]
    invalid = [
        day.strftime("%d/%m/%Y"),
        day.isoformat() + " garbage",
        day.isoformat() + "T25:00",
        f"1999-{day.month:02d}-{day.day:02d}",
        "2027-06-30",
    ]
    if draw(st.integers(0, 6)) == 0:
        return draw(st.sampled_from(invalid)), INVALID
    return draw(st.sampled_from(valid)), day


NOTE = st.text(
    alphabet=st.sampled_from(list("年报数据：，。；（）ＡＢ abc,\"'\n-1２")), max_size=30
)


@st.composite
def sheets(draw):
    rows, meanings = [], []
    for code in draw(st.lists(st.sampled_from(sorted(INDICATORS)), min_size=1, max_size=4)):
        days = draw(
            st.lists(st.dates(dt.date(2021, 1, 1), TODAY), min_size=1, max_size=3, unique=True)
        )
        for day in days:
            date_text, date_meaning = draw(date_cell(day))
            note = draw(NOTE)
            if INDICATORS[code] is None:
                done_text, done = draw(
                    st.sampled_from([("是", True), ("否", False), ("yes", True), ("0", False)])
                    | st.just(("也许", INVALID))
                )
                value_text, value = "", None
            else:
                value_text, value = draw(value_cell(code))
                done_text, done = "", None
            rows.append(["SX", "sx-2021", code, date_text, value_text, note, done_text])
            meanings.append((code, date_meaning, value, done, note.strip()))
    if len({(m[0], m[1]) for m in meanings}) < len(meanings):  # same (indicator, date) twice
        meanings.append(("duplicate", INVALID, None, None, ""))
    return rows, meanings


def as_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["province", "document", "indicator", "as_of", "value", "note", "done"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sheet=sheets())
def test_a_sheet_is_refused_cleanly_or_stored_as_it_means(catalogue, sheet):
    rows, meanings = sheet
    ProgressReport.objects.all().delete()

    outcome = import_progress_file(
        path_or_bytes=as_csv(rows), fmt="csv", approve=False, today=TODAY
    )

    refused = any(INVALID in (m[1], m[2], m[3]) for m in meanings)
    event("refused" if refused else "stored")
    if refused:
        assert not outcome.ok
        assert ProgressReport.objects.count() == 0
        for error in outcome.errors:
            text = str(error)
            assert CJK.search(text) and re.search(r"[a-z]{3}", text), text
            assert len(text) < 600
            assert error.row >= 2 and re.fullmatch(r"[A-G]?", error.column)
        return
    assert outcome.ok, [str(e) for e in outcome.errors]
    stored = {
        (code, as_of, value, done, note)
        for code, as_of, value, done, note in ProgressReport.objects.values_list(
            "indicator__code", "as_of", "value", "done", "note"
        )
    }
    assert stored == {
        (code, day, None if value is None else value.quantize(Decimal("0.0001")), done, note)
        for code, day, value, done, note in meanings
    }
