"""Bulk reads and writes (targets.bulk_io): the same typed columns on SQLite and PostgreSQL.

The suite runs on both databases, so the tests that compare with a frame built by hand hold the
two branches (PostgreSQL COPY, SQLite fetchall / executemany) to one result.
"""

import datetime as dt
import gc
import warnings

import numpy as np
import pandas as pd
import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Max

from provinces.models import ReviewStatus
from targets import bulk_io
from targets.bulk_io import Column, read_frame, upsert_frame
from targets.models import IndicatorCategory, ProgressReport, ProgressResult

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY paths need PostgreSQL"
)

NUMBERS = {
    "report_id": Column("id", "int"),
    "indicator_id": Column("indicator_id", "int"),
    "as_of": Column("as_of", "date"),
    "value": Column("value", "float"),
    "done": Column("done", "nullable_bool"),
    "reviewed_at": Column("reviewed_at", "datetime"),
    "is_demo": Column("is_demo", "bool"),
    "baseline_year": Column("indicator__baseline_year", "nullable_int"),
}
WITH_TEXT = {
    **NUMBERS,
    "note": Column("note", "text"),
    "category_name": Column("indicator__category__name", "nullable_text"),
}
AWKWARD_NOTE = 'a,b "quoted" 50%\nsecond line \\N NULL'
REVIEWED = dt.datetime(2024, 1, 15, 8, 30, 0, 123456, tzinfo=dt.UTC)


@pytest.fixture
def reports(catalogue, make_report):
    """Reports whose values test every kind: NULLs, empty text, CSV's special characters."""
    unnamed = IndicatorCategory.objects.create(code="unnamed", name="")
    coverage = catalogue.indicators["coverage"]
    coverage.category = unnamed
    coverage.save()
    first = make_report(coverage, "2023-12-31", 88.1234, reviewed_at=REVIEWED, is_demo=True)
    first.note = AWKWARD_NOTE
    first.save()
    regulation = catalogue.indicators["regulation"]
    draft = make_report(regulation, "2024-06-30", done=True, status=ReviewStatus.DRAFT)
    not_done = make_report(regulation, "2024-12-31", done=False, reviewed_at=REVIEWED)
    not_done.note = "~"
    not_done.save()
    zero = make_report(catalogue.indicators["centers"], "2022-12-31", 0, reviewed_at=REVIEWED)
    return [first, draft, not_done, zero]


def expected_frame(reports):
    return pd.DataFrame(
        {
            "report_id": np.array([r.pk for r in reports], dtype=np.int64),
            "indicator_id": np.array([r.indicator_id for r in reports], dtype=np.int64),
            "as_of": pd.to_datetime(
                ["2023-12-31", "2024-06-30", "2024-12-31", "2022-12-31"]
            ).astype("datetime64[ns]"),
            "value": [88.1234, np.nan, np.nan, 0.0],
            "done": pd.array([None, True, False, None], dtype="boolean"),
            "reviewed_at": pd.to_datetime(
                [REVIEWED.replace(tzinfo=None), None] + [REVIEWED.replace(tzinfo=None)] * 2
            ).astype("datetime64[ns]"),
            "is_demo": [True, False, False, False],
            "baseline_year": pd.array([2020, None, None, None], dtype="Int64"),
            "note": pd.array([AWKWARD_NOTE, "", "~", ""], dtype="str"),
            "category_name": pd.array(["", None, None, None], dtype="str"),
        }
    )


@pytest.mark.django_db
def test_a_read_gives_the_same_typed_columns_on_every_database(reports, catalogue):
    frame = read_frame(ProgressReport.objects.order_by("id"), WITH_TEXT)

    pd.testing.assert_frame_equal(frame, expected_frame(reports))
    assert frame["category_name"].iloc[0] == "" and pd.isna(frame["category_name"].iloc[1])


@pytest.mark.django_db
def test_numbers_dates_and_flags_alone_read_the_same(reports, catalogue):
    frame = read_frame(ProgressReport.objects.order_by("id"), NUMBERS)

    pd.testing.assert_frame_equal(frame, expected_frame(reports)[list(NUMBERS)])


@postgres_only
@pytest.mark.django_db
# The fetch path, which PostgreSQL only takes here, gets timestamps as text with "+00"; numpy
# converts them to UTC and says it keeps no time zone.
@pytest.mark.filterwarnings("ignore:no explicit representation of timezones:UserWarning")
def test_on_postgresql_the_binary_csv_and_fetch_paths_agree(reports):
    queryset = ProgressReport.objects.order_by("id")

    binary = bulk_io._read_frame(queryset, NUMBERS, "binary")
    csv = bulk_io._read_frame(queryset, WITH_TEXT, "csv")
    fetched = bulk_io._read_frame(queryset, WITH_TEXT, "fetch")

    pd.testing.assert_frame_equal(binary, csv[list(NUMBERS)])
    pd.testing.assert_frame_equal(csv, fetched)


@pytest.mark.django_db
def test_a_read_is_one_query_that_execute_wrappers_see(reports, django_assert_num_queries):
    seen = []

    def count(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with django_assert_num_queries(1), connection.execute_wrapper(count):
        read_frame(ProgressReport.objects.all(), NUMBERS)

    assert len(seen) == 1


@pytest.mark.django_db
def test_nothing_to_read_keeps_the_column_types(reports, django_assert_num_queries):
    with django_assert_num_queries(0):
        impossible = read_frame(ProgressReport.objects.filter(id__in=[]), WITH_TEXT)
    none_match = read_frame(ProgressReport.objects.filter(as_of__year=1999), WITH_TEXT)
    one_row = read_frame(ProgressReport.objects.filter(pk=reports[0].pk), WITH_TEXT)

    for empty in (impossible, none_match):
        assert empty.empty
        assert list(empty.columns) == list(WITH_TEXT)
        assert dict(empty.dtypes) == dict(one_row.dtypes)


@pytest.mark.django_db
def test_a_read_keeps_the_querysets_filters_and_order(reports):
    frame = read_frame(
        ProgressReport.objects.filter(review_status=ReviewStatus.APPROVED).order_by("-as_of"),
        {"as_of": Column("as_of", "date")},
    )

    assert list(frame["as_of"].dt.date) == [
        dt.date(2024, 12, 31),
        dt.date(2023, 12, 31),
        dt.date(2022, 12, 31),
    ]


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="money"):
        Column("value", "money")


def test_the_cycle_collector_is_restored_after_a_bulk_step():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), bulk_io._without_cycle_collection():
        assert not gc.isenabled()
        raise RuntimeError("a failed read")
    assert gc.isenabled()
    gc.disable()
    try:
        with bulk_io._without_cycle_collection():
            pass
        assert not gc.isenabled()  # left off, as it was found
    finally:
        gc.enable()


# --- writes ----------------------------------------------------------------------------------

COMPUTED_AT = dt.datetime(2026, 11, 23, 20, 15, 30, 654321, tzinfo=dt.UTC)


def result_rows(target_ids, *, status="on_track", completion=0.6, as_of="2023-12-31"):
    n = len(target_ids)
    fields = pd.DataFrame(
        {
            "target_id": np.array(target_ids, dtype=np.int64),
            "as_of": pd.to_datetime([as_of] * n).astype("datetime64[ns]"),
            "computed_at": np.full(n, np.datetime64(COMPUTED_AT.replace(tzinfo=None), "us")),
            "latest_value": [88.0, np.nan][:n] + [1.0] * max(0, n - 2),
            "latest_date": pd.to_datetime(["2023-12-31", None][:n] + ["2023-12-31"] * (n - 2)),
            "completion": [completion, np.inf][:n] + [0.5] * max(0, n - 2),
            "baseline_source": ['printed "as is" 100%', ""][:n] + ["printed"] * max(0, n - 2),
            "achieved": pd.array([True, None][:n] + [False] * max(0, n - 2), dtype="boolean"),
            "pace_status": [status] * n,
            "outlook": [""] * n,
            "method": ["linear"] * n,
            "n_points": np.full(n, 2, dtype=np.int64),
        }
    )
    inputs = pd.DataFrame(
        {
            "target_year": np.full(n, 2025, dtype=np.int64),
            "goal_value": [90.0, -np.inf][:n] + [1.5] * max(0, n - 2),
            "unit": ["%", "个"][:n] + ["项"] * max(0, n - 2),
            "slope": [1.0 / 3.0, np.nan][:n] + [0.25] * max(0, n - 2),
        }
    )
    return fields, inputs


def write(fields, inputs):
    return upsert_frame(
        ProgressResult, fields, unique=("target", "as_of"), json_fields={"inputs": inputs}
    )


@pytest.mark.django_db
def test_an_upsert_inserts_rows_with_nulls_where_values_are_missing(catalogue):
    coverage, centers = catalogue.targets["coverage"], catalogue.targets["centers"]

    written = write(*result_rows([coverage.pk, centers.pk]))

    assert written == 2
    first = ProgressResult.objects.get(target=coverage)
    assert first.as_of == dt.date(2023, 12, 31)
    assert first.computed_at == COMPUTED_AT
    assert (first.latest_value, first.latest_date) == (88.0, dt.date(2023, 12, 31))
    assert first.completion == 0.6 and first.achieved is True
    assert first.baseline_source == 'printed "as is" 100%'
    assert first.inputs["target_year"] == 2025 and first.inputs["unit"] == "%"
    assert first.inputs["goal_value"] == 90.0
    assert first.inputs["slope"] == pytest.approx(1 / 3, rel=1e-14)  # SQLite keeps 15 digits
    second = ProgressResult.objects.get(target=centers)
    assert second.latest_value is None and second.latest_date is None
    assert second.completion is None  # ∞ is no number a reader can use
    assert second.achieved is None and second.baseline_source == ""
    assert second.inputs == {"target_year": 2025, "goal_value": None, "unit": "个", "slope": None}


@pytest.mark.django_db
def test_an_upsert_updates_the_row_of_the_same_target_and_date_in_place(catalogue):
    coverage, centers = catalogue.targets["coverage"], catalogue.targets["centers"]
    write(*result_rows([coverage.pk, centers.pk]))
    ids = dict(ProgressResult.objects.values_list("target_id", "id"))

    write(*result_rows([coverage.pk], status="lagging", completion=0.4))
    write(*result_rows([coverage.pk], as_of="2024-06-30"))

    assert ProgressResult.objects.count() == 3
    updated = ProgressResult.objects.get(target=coverage, as_of=dt.date(2023, 12, 31))
    assert updated.pk == ids[coverage.pk]
    assert (updated.pace_status, updated.completion) == ("lagging", 0.4)
    untouched = ProgressResult.objects.get(target=centers)
    assert untouched.pace_status == "on_track"


@pytest.mark.django_db
def test_a_bad_row_leaves_nothing_written(catalogue):
    fields, inputs = result_rows([t.pk for t in catalogue.targets.values()])
    fields.loc[3, "n_points"] = -1  # breaks the n_points >= 0 check

    with pytest.raises(IntegrityError), transaction.atomic():
        write(fields, inputs)

    assert not ProgressResult.objects.exists()


@pytest.mark.django_db
def test_an_upsert_costs_the_same_queries_for_few_or_many_rows(
    catalogue, make_indicator, make_target, django_assert_num_queries
):
    few = [catalogue.targets["coverage"].pk, catalogue.targets["centers"].pk]
    with django_assert_num_queries(1 if connection.vendor == "sqlite" else 4) as small:
        write(*result_rows(few))
    many = []
    for n in range(150):
        indicator = make_indicator(catalogue.js_doc, f"extra-{n}", baseline=n)
        many.append(make_target(indicator, 2025, n + 10).pk)

    with django_assert_num_queries(len(small.captured_queries)):
        assert write(*result_rows(many)) == 150


@pytest.mark.django_db
def test_an_empty_frame_writes_nothing(django_assert_num_queries):
    fields, inputs = result_rows([])

    with django_assert_num_queries(0):
        assert write(fields, inputs) == 0


@pytest.mark.django_db
def test_json_rows_must_match_the_frame(catalogue):
    fields, inputs = result_rows([catalogue.targets["coverage"].pk])

    with pytest.raises(ValueError, match="rows"):
        write(fields, pd.concat([inputs, inputs]))
    assert ProgressResult.objects.aggregate(Max("id"))["id__max"] is None


def test_stored_text_becomes_utc_datetimes_whatever_its_form():
    """SQLite hands back Django's naive-UTC text; text with an offset (written by another
    program) must land on the same instant, not be read as if it were UTC."""
    stored = ["2024-01-15 08:30:00.123456", "2024-01-15 08:30:00", None]
    with_offset = ["2024-01-15 16:30:00.123456+08:00", "2024-01-15T08:30:00Z", None]
    expected = np.array(
        ["2024-01-15T08:30:00.123456", "2024-01-15T08:30:00", "NaT"], dtype="datetime64[ns]"
    )

    np.testing.assert_array_equal(bulk_io._iso_to_datetime64(stored, "datetime"), expected)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy says it has no time zones, and converts to UTC
        np.testing.assert_array_equal(bulk_io._iso_to_datetime64(with_offset, "datetime"), expected)
    unusual = ["15/01/2024 08:30", "2024-01-15 08:30:00"]  # not ISO: an error, never a wrong date
    with pytest.raises(ValueError):
        bulk_io._iso_to_datetime64(unusual, "datetime")
    dates = bulk_io._iso_to_datetime64(["2024-12-31", None], "date")
    assert dates.dtype == np.dtype("datetime64[ns]")
    assert str(dates[0]) == "2024-12-31T00:00:00.000000000" and np.isnat(dates[1])
