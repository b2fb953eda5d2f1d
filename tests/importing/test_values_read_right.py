"""Wrong values stored silently (issue 11): each now read as the sheet means it, or refused."""

import datetime as dt
from decimal import Decimal

import pytest

from provinces.models import ReviewStatus
from targets.models import ProgressReport
from targets.progress_import import import_progress_file, parse_sheet, store
from tests.importing.conftest import HEADER, csv_bytes, workbook

TODAY = dt.date(2026, 11, 23)


def run(data: bytes, fmt: str = "csv", **kwargs):
    kwargs.setdefault("approve", True)
    return import_progress_file(path_or_bytes=data, fmt=fmt, today=TODAY, **kwargs)


def stored(code: str) -> list[tuple]:
    return list(
        ProgressReport.objects.filter(indicator__code=code, indicator__document__slug="sx-2021")
        .order_by("as_of")
        .values_list("as_of", "value")
    )


@pytest.mark.django_db
def test_an_excel_cell_typed_85_percent_is_stored_as_85_on_a_percentage_indicator(catalogue):
    data = workbook(
        ("进展", [HEADER, ["SX", "sx-2021", "coverage", dt.date(2023, 12, 31), 0.85, None, None]]),
        formats={("进展", "E2"): "0%"},
    )

    outcome = run(data, "xlsx")

    assert outcome.ok, outcome.errors
    assert stored("coverage") == [(dt.date(2023, 12, 31), Decimal("85"))]


@pytest.mark.django_db
def test_a_percent_formatted_cell_on_a_count_indicator_is_refused(catalogue):
    data = workbook(
        ("进展", [HEADER, ["SX", "sx-2021", "standards", dt.date(2023, 12, 31), 0.12, None, None]]),
        formats={("进展", "E2"): "0%"},
    )

    outcome = run(data, "xlsx")

    assert [(e.row, e.column) for e in outcome.errors] == [(2, "E")]
    assert "is a percentage" in outcome.errors[0].message
    assert ProgressReport.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "cell", "english"),
    [
        ("standards", "1.234,5", "the comma is ambiguous"),
        ("standards", "1,5", "the comma is ambiguous"),
        ("standards", "12%", "is a percentage"),
        ("centers", "-5", "cannot be negative"),
        ("centers", "−5", "cannot be negative"),
        ("standards", "12个", "the unit does not match"),
        ("standards", "1.23456", "more than 4 decimals"),
        ("standards", "123456789012345", "too large"),
    ],
)
def test_a_number_that_means_something_else_is_refused(catalogue, code, cell, english):
    outcome = run(csv_bytes(f'SX,sx-2021,{code},2023-12-31,"{cell}",,'))

    assert not outcome.ok
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "E")]
    assert english in outcome.errors[0].message
    assert "“" in outcome.errors[0].message and outcome.errors[0].message.isascii() is False
    assert ProgressReport.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cell",
    [
        "2025-06-30 garbage",
        "2025-06-30T25:00",
        "0001-06-30",
        "1999-12-31",
        "1900-01-01",
        "2019-12-31",
        "30/06/2025",
        "06/30/2025",
    ],
)
def test_a_date_that_is_not_certain_or_lies_outside_the_plan_is_refused(catalogue, cell):
    outcome = run(csv_bytes(f"SX,sx-2021,standards,{cell},800,,"))

    assert [(e.row, e.column) for e in outcome.errors] == [(2, "D")], outcome.errors
    assert ProgressReport.objects.count() == 0


@pytest.mark.django_db
def test_ids_in_a_sheet_never_select_a_row_and_an_approved_report_is_not_changed(
    catalogue, make_report
):
    approved = make_report(catalogue.indicators["coverage"], "2023-12-31", 85)
    other = make_report(catalogue.indicators["coverage"], "2022-12-31", 80)
    sheet = "\n".join(
        [
            "id,province,document,indicator,as_of,value,note,done",
            f"{other.pk},SX,sx-2021,coverage,2023-12-31,12,,",
            f"{approved.pk},SX,sx-2021,coverage,2024-06-30,12,,",
        ]
    ).encode()

    outcome = run(sheet)

    approved.refresh_from_db()
    other.refresh_from_db()
    assert (approved.value, approved.review_status) == (Decimal("85"), ReviewStatus.APPROVED)
    assert other.value == Decimal("80")
    # The correction rule: a new submitted report supersedes the approved one.
    assert outcome.ok, outcome.errors
    correction = ProgressReport.objects.get(supersedes=approved)
    assert (correction.value, correction.review_status) == (Decimal("12"), "submitted")
    assert (outcome.corrections, outcome.created) == (1, 1)
    assert ProgressReport.objects.count() == 4


@pytest.mark.django_db
def test_a_reimport_matches_on_indicator_date_and_reporting_unit(catalogue, tasks_units):
    first = csv_bytes("SX,sx-2021,standards,2023-12-31,800,,").decode()
    with_unit = "\n".join(
        [
            "province,document,indicator,as_of,value,department",
            "SX,sx-2021,standards,2023-12-31,810,省科技厅",
            "SX,sx-2021,standards,2023-12-31,820,省市场监管局",
        ]
    ).encode()

    assert run(first.encode(), approve=False).created == 1
    outcome = run(with_unit, approve=False)

    assert (outcome.created, outcome.updated) == (2, 0)
    rows = ProgressReport.objects.order_by("value").values_list(
        "value", "reporting_department__name"
    )
    assert list(rows) == [
        (Decimal("800"), None),
        (Decimal("810"), "省科技厅"),
        (Decimal("820"), "省市场监管局"),
    ]


@pytest.fixture
def tasks_units(catalogue):
    from provinces.models import Department

    Department.objects.create(province=catalogue.sx, name="省市场监管局")
    Department.objects.create(province=catalogue.sx, name="省科技厅")


@pytest.mark.django_db
def test_a_workbook_with_two_data_sheets_is_refused_naming_both(catalogue):
    row = ["SX", "sx-2021", "standards", dt.date(2023, 12, 31), 800, None, None]
    data = workbook(("2023年", [HEADER, row]), ("2024年", [HEADER, row]))

    outcome = run(data, "xlsx")

    assert [e.row for e in outcome.errors] == [0]
    assert "“2023年”" in outcome.errors[0].message and "“2024年”" in outcome.errors[0].message
    assert "one sheet at a time" in outcome.errors[0].message
    assert ProgressReport.objects.count() == 0


@pytest.mark.django_db
def test_an_instructions_sheet_first_is_passed_over_and_the_sheet_read_is_named(catalogue):
    instructions = [["填表说明"], ["每行一个指标的一个截至日期"], ["数值只写数字"]]
    row = ["SX", "sx-2021", "standards", dt.date(2023, 12, 31), 800, None, None]
    data = workbook(("说明", instructions), ("填报", [HEADER, row]))

    outcome = run(data, "xlsx")

    assert outcome.ok, outcome.errors
    assert outcome.sheet_name == "填报"
    assert "“填报”" in outcome.summary()
    assert stored("standards") == [(dt.date(2023, 12, 31), Decimal("800"))]


@pytest.mark.django_db
def test_a_csv_mixing_utf8_and_gbk_is_refused_not_stored_garbled(catalogue):
    data = (
        csv_bytes("SX,sx-2021,standards,2023-12-31,800,年报数据,")
        + b"\n"
        + "SX,sx-2021,centers,2023-12-31,2,季报数据,".encode("gbk")
    )

    outcome = run(data)

    assert [e.row for e in outcome.errors] == [0]
    assert "UTF-8" in outcome.errors[0].message and "GBK" in outcome.errors[0].message
    assert ProgressReport.objects.count() == 0


@pytest.mark.django_db
def test_a_shift_jis_csv_is_refused_not_stored_garbled(catalogue):
    data = csv_bytes("SX,sx-2021,standards,2023-12-31,800,データ確認済み,", encoding="shift_jis")

    outcome = run(data)

    assert [e.row for e in outcome.errors] == [0]
    assert "Shift-JIS" in outcome.errors[0].message
    assert ProgressReport.objects.count() == 0


@pytest.mark.django_db
def test_a_note_is_kept_as_typed_with_its_full_width_punctuation(catalogue):
    note = "来源：年报（２０２３）；备注ＡＢ"
    outcome = run(csv_bytes(f"SX,sx-2021,standards,2023-12-31,800,{note},"))

    assert outcome.ok, outcome.errors
    assert ProgressReport.objects.get().note == note


@pytest.mark.django_db
def test_parse_then_store_is_the_api_and_parse_writes_nothing(catalogue, staff_user):
    parsed = parse_sheet(csv_bytes("SX,sx-2021,standards,2023-12-31,800,,"), fmt="csv")

    assert parsed.ok and parsed.sheet_name == "CSV" and len(parsed.rows) == 1
    assert ProgressReport.objects.count() == 0
    outcome = store(parsed, user=staff_user, for_review=True)
    report = ProgressReport.objects.get()
    assert (report.reporter, report.review_status) == (staff_user, ReviewStatus.SUBMITTED)
    assert outcome.created == 1


def test_a_date_or_two_numbers_in_a_value_cell_is_not_called_a_comma_problem():
    from targets.sheet_reading import CellProblem, parse_number

    for cell in ("2023-12-31", "12/5", "1-2"):
        with pytest.raises(CellProblem, match="write digits only"):
            parse_number(cell)


@pytest.mark.django_db(transaction=True)  # the foreign keys are checked at the real commit
def test_an_indicator_deleted_between_the_check_and_the_write_stores_nothing(catalogue):
    parsed = parse_sheet(csv_bytes("SX,sx-2021,standards,2023-12-31,800,,"), fmt="csv")
    assert parsed.ok
    catalogue.indicators["standards"].delete()

    outcome = store(parsed, for_review=True)

    assert not outcome.ok and "import again" in outcome.errors[0].message
    assert ProgressReport.objects.count() == 0
