"""Refusals say where and what, in Chinese and English, briefly; Chinese sheets read right."""

import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from targets.models import ProgressReport
from targets.progress_import import import_progress_file
from tests.importing.conftest import HEADER, csv_bytes, workbook

TODAY = dt.date(2026, 11, 23)
CJK = re.compile(r"[\u4e00-\u9fff]")


def run(data: bytes, fmt: str = "csv", **kwargs):
    kwargs.setdefault("approve", True)
    return import_progress_file(path_or_bytes=data, fmt=fmt, today=TODAY, **kwargs)


def bilingual(text: str) -> bool:
    return bool(CJK.search(text)) and bool(re.search(r"\(.*[a-z]{3}", text))


@pytest.mark.django_db
def test_a_row_with_more_cells_than_the_header_is_refused_at_that_row_and_column(catalogue):
    outcome = run(csv_bytes("SX,sx-2021,standards,2023-12-31,800,,,extra"))

    assert [(e.row, e.column) for e in outcome.errors] == [(2, "H")]
    assert "outside the header" in outcome.errors[0].message
    assert bilingual(str(outcome.errors[0]))


@pytest.mark.django_db
def test_an_empty_workbook_says_it_is_empty(catalogue):
    outcome = run(workbook(("Sheet1", [])), "xlsx")

    assert [str(e) for e in outcome.errors] == [
        "文件 (file)：文件为空：没有表头，也没有数据 (the file is empty: no header, no rows)"
    ]


@pytest.mark.django_db
def test_a_corrupt_xlsx_is_refused_in_both_languages_without_a_zip_message(catalogue):
    good = workbook(("进展", [HEADER]))
    outcome = run(good[: len(good) // 2], "xlsx")

    message = outcome.errors[0].message
    assert bilingual(message)
    assert "zip" not in message.lower()


@pytest.mark.django_db
def test_an_over_long_number_is_refused_in_both_languages(catalogue):
    outcome = run(csv_bytes("SX,sx-2021,standards,2023-12-31,123456789012345678,,"))

    message = str(outcome.errors[0])
    assert "too large" in message and "太大" in message
    assert "确认总共不超过" not in message


@pytest.mark.django_db
def test_a_huge_cell_is_not_echoed_whole(catalogue):
    outcome = run(csv_bytes(f"SX,sx-2021,{'指' * 50_000},2023-12-31,800,,"))

    assert len(outcome.errors) == 1
    assert len(str(outcome.errors[0])) < 400


@pytest.mark.django_db
def test_a_50000_character_note_is_refused_briefly(catalogue):
    outcome = run(csv_bytes(f"SX,sx-2021,standards,2023-12-31,800,{'备' * 50_000},"))

    assert [(e.row, e.column) for e in outcome.errors] == [(2, "F")]
    assert len(str(outcome.errors[0])) < 300


@pytest.mark.django_db
def test_a_header_typo_names_the_column_and_what_is_expected(catalogue):
    outcome = run(
        "\n".join(
            [
                "province,document,indicatr,as_of,value",
                "SX,sx-2021,standards,2023-12-31,800",
            ]
        ).encode()
    )

    places = [(e.row, e.column) for e in outcome.errors]
    assert (1, "C") in places
    assert any("unknown column “indicatr”" in e.message for e in outcome.errors)
    assert all(bilingual(e.message) for e in outcome.errors)


@pytest.mark.django_db
def test_a_header_only_sheet_is_refused_as_empty_and_the_command_fails(catalogue, tmp_path):
    sheet = tmp_path / "empty.csv"
    sheet.write_text(",".join(HEADER) + "\n", encoding="utf-8")

    outcome = run(sheet.read_bytes())
    assert not outcome.ok
    assert "has a header but no rows" in outcome.errors[0].message
    with pytest.raises(CommandError, match="nothing was stored"):
        call_command("import_progress", str(sheet), stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "cell", "expected"),
    [
        ("standards", "812项", Decimal("812")),
        ("standards", "1.2万", Decimal("12000")),
        ("standards", "1,234.5", Decimal("1234.5")),
        ("centers", "3个", Decimal("3")),
        ("coverage", "85%", Decimal("85")),
        ("coverage", "８５．５％", Decimal("85.5")),
    ],
)
def test_numbers_as_chinese_sheets_write_them_are_read(catalogue, code, cell, expected):
    outcome = run(csv_bytes(f'SX,sx-2021,{code},2023-12-31,"{cell}",,'))

    assert outcome.ok, outcome.errors
    assert ProgressReport.objects.get().value == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cell", ["2025年6月30日", "2025 年 6 月 30 日", "2025/6/30", "2025-06-30", "2025.6.30"]
)
def test_dates_as_chinese_sheets_write_them_are_read(catalogue, cell):
    outcome = run(csv_bytes(f"SX,sx-2021,standards,{cell},800,,"))

    assert outcome.ok, outcome.errors
    assert ProgressReport.objects.get().as_of == dt.date(2025, 6, 30)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "cell", "advice"),
    [
        ("value", "约12", "write digits only"),
        ("value", "十二", "write digits only"),
        ("as_of", "30/06/2025", "write 2025-06-30"),
        ("as_of", "06/30/2025", "write 2025-06-30"),
    ],
)
def test_ambiguous_cells_are_refused_with_how_to_write_them(catalogue, column, cell, advice):
    value, as_of = ("800", "2025-06-30")
    if column == "value":
        value = cell
    else:
        as_of = cell
    outcome = run(csv_bytes(f"SX,sx-2021,standards,{as_of},{value},,"))

    assert len(outcome.errors) == 1
    assert advice in outcome.errors[0].message
    assert bilingual(outcome.errors[0].message)


@pytest.mark.django_db
def test_a_title_row_above_the_header_and_merged_cells_are_read(catalogue):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "填报"
    sheet.append(["山西省计量发展规划指标进展填报表（2023年）"])
    sheet.merge_cells("A1:G1")
    sheet.append(["省份", "文件", "指标", "截至日期", "数值", "备注", "是否完成"])
    sheet.append(["山西", "sx-2021", "standards", "2023年12月31日", "800", None, None])
    sheet.append([None, None, "centers", "2023年12月31日", "2个", None, None])
    sheet.append([None, None, "coverage", "2023年12月31日", "88%", None, None])
    sheet.merge_cells("A3:A5")
    sheet.merge_cells("B3:B5")
    buffer = io.BytesIO()
    book.save(buffer)

    outcome = run(buffer.getvalue(), "xlsx")

    assert outcome.ok, outcome.errors
    assert outcome.created == 3
    values = dict(ProgressReport.objects.values_list("indicator__code", "value"))
    assert values == {
        "standards": Decimal("800"),
        "centers": Decimal("2"),
        "coverage": Decimal("88"),
    }


@pytest.mark.django_db
def test_rows_are_numbered_as_excel_shows_them_below_a_title_row(catalogue):
    data = workbook(
        (
            "填报",
            [
                ["进展填报表"],
                HEADER,
                ["SX", "sx-2021", "standards", "2023-12-31", 800, None, None],
                ["SX", "sx-2021", "standards", "2024-12-31", "abc", None, None],
            ],
        )
    )

    outcome = run(data, "xlsx")

    assert [(e.row, e.column) for e in outcome.errors] == [(4, "E")]
    assert str(outcome.errors[0]).startswith("第4行E列“value”")


@pytest.mark.django_db
def test_the_unit_as_printed_is_read_and_another_unit_refused(catalogue):
    from tests.targets.conftest import make_indicator

    make_indicator(catalogue.sx_doc, "firms", unit="家", kind="cumulative", sort_order=9)

    assert run(csv_bytes("SX,sx-2021,firms,2023-12-31,12家,,")).ok
    refused = run(csv_bytes("SX,sx-2021,firms,2024-12-31,12个,,"))

    assert ProgressReport.objects.get(indicator__code="firms").value == Decimal("12")
    assert [(e.row, e.column) for e in refused.errors] == [(2, "E")]
    assert "the unit does not match" in refused.errors[0].message
