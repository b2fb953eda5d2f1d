"""Importing a sheet of progress reports: all or nothing, with a clear message per bad row."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from provinces.models import ReviewStatus
from targets.models import ProgressReport, ProgressResult, ReportSource
from targets.progress_import import import_progress_file
from targets.resources import ProgressReportResource
from targets.sheet_reading import parse_date, parse_number

TODAY = dt.date(2026, 11, 23)
HEADER = "province,document,indicator,as_of,value,note,done"
GOOD_CSV = "\n".join(
    [
        "省份,文件,指标,截至日期,数值,备注,是否完成",
        "SX,sx-2021,coverage,2023-12-31,88,年报数据,",
        "山西,sx-2021,计量标准,2023/12/31,800,,",
        "SX,sx-2021,centers,2022年12月31日,1,,",
        "SX,sx-2021,centers,2023-12-31,2,,",
        "SX,sx-2021,regulation,2023-06-30,,已报省人大,是",
        ",,,,,,",
    ]
)


def count():
    return ProgressReport.objects.count()


def imported(text: str | bytes, **kwargs):
    data = text.encode() if isinstance(text, str) else text
    kwargs.setdefault("approve", True)
    kwargs.setdefault("today", TODAY)
    return import_progress_file(path_or_bytes=data, fmt="csv", **kwargs)


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.django_db
def test_a_good_csv_stores_approved_reports_and_recomputes_them(
    catalogue, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outcome = imported(GOOD_CSV, reporter=staff_user)

    assert outcome.ok, outcome.errors
    assert (outcome.created, outcome.updated, outcome.unchanged) == (5, 0, 0)
    assert outcome.sheet_name == "CSV"
    assert len(callbacks) == 4  # one recompute per indicator
    rows = list(
        ProgressReport.objects.order_by("indicator__sort_order", "as_of").values_list(
            "indicator__code", "as_of", "value", "done", "note", "review_status", "source"
        )
    )
    assert rows == [
        ("coverage", dt.date(2023, 12, 31), Decimal("88"), None, "年报数据", "approved", "import"),
        ("standards", dt.date(2023, 12, 31), Decimal("800"), None, "", "approved", "import"),
        ("centers", dt.date(2022, 12, 31), Decimal("1"), None, "", "approved", "import"),
        ("centers", dt.date(2023, 12, 31), Decimal("2"), None, "", "approved", "import"),
        ("regulation", dt.date(2023, 6, 30), None, True, "已报省人大", "approved", "import"),
    ]
    assert set(ProgressReport.objects.values_list("reporter", flat=True)) == {staff_user.pk}
    assert ProgressReport.objects.filter(reviewed_at__isnull=True).count() == 0
    today = timezone.localdate()
    regulation = ProgressResult.objects.get(target=catalogue.targets["regulation"], as_of=today)
    assert regulation.pace_status == "achieved"
    assert outcome.summary().startswith("导入成功")


@pytest.mark.django_db
def test_an_xlsx_with_date_and_number_cells_imports_the_same(catalogue):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["province", "document", "indicator", "as_of", "value", "note", "done"])
    sheet.append(["SX", "sx-2021", "coverage", dt.datetime(2023, 12, 31), 88, None, None])
    sheet.append(["SX", "sx-2021", "standards", dt.date(2023, 12, 31), 800.0, "备注", None])
    sheet.append(["SX", "sx-2021", "regulation", "2023-06-30", None, None, "否"])
    buffer = io.BytesIO()
    book.save(buffer)

    outcome = import_progress_file(
        path_or_bytes=buffer.getvalue(), fmt="xlsx", approve=True, today=TODAY
    )

    assert outcome.ok, outcome.errors
    assert outcome.created == 3
    coverage = ProgressReport.objects.get(indicator=catalogue.indicators["coverage"])
    assert (coverage.as_of, coverage.value) == (dt.date(2023, 12, 31), Decimal("88"))
    assert ProgressReport.objects.get(indicator=catalogue.indicators["regulation"]).done is False


@pytest.mark.django_db
def test_a_csv_saved_by_chinese_excel_in_gbk_is_read(catalogue):
    outcome = imported(GOOD_CSV.encode("gbk"))

    assert outcome.ok, outcome.errors
    assert ProgressReport.objects.get(note="年报数据").indicator == catalogue.indicators["coverage"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("row", "column", "english", "chinese"),
    [
        ("SX,sx-2021,nope,2023-12-31,88,,", "C", "has no indicator “nope”", "没有指标"),
        ("SX,xx-2099,coverage,2023-12-31,88,,", "B", "unknown document", "没有文件"),
        ("XX,sx-2021,coverage,2023-12-31,88,,", "A", "unknown province", "没有省份"),
        ("SX,sx-2021,coverage,2023-12-31,八十八,,", "E", "is not a number", "不是可识别的数字"),
        ("SX,sx-2021,coverage,2023-12-31,,,", "E", "is required", "请填写"),
        ("SX,sx-2021,coverage,2023-12-31,101,,", "E", "not within 0–100", "百分比"),
        ("SX,sx-2021,coverage,2023-12-31,-1,,", "E", "not within 0–100", "百分比"),
        ("SX,sx-2021,coverage,2027-03-31,88,,", "D", "in the future", "晚于今天"),
        ("SX,sx-2021,coverage,31/12/2023,88,,", "D", "which is the day", "哪一位是日"),
        ("SX,sx-2021,coverage,2023-02-30,88,,", "D", "is not a date", "不是可识别的日期"),
        ("SX,sx-2021,regulation,2023-12-31,,,", "G", "milestone", "里程碑"),
        ("SX,sx-2021,regulation,2023-12-31,,,也许", "G", "yes or no", "是/否"),
        ("JS,sx-2021,coverage,2023-12-31,88,,", "A", "belongs to 山西", "不符"),
    ],
)
def test_each_kind_of_bad_row_refuses_the_file_with_a_bilingual_message(
    catalogue, row, column, english, chinese
):
    text = "\n".join([HEADER, "SX,sx-2021,standards,2023-12-31,800,,", row])

    outcome = imported(text)

    assert not outcome.ok
    assert [(error.row, error.column) for error in outcome.errors] == [(3, column)]
    message = str(outcome.errors[0])
    assert english in message
    assert chinese in message
    assert f"第3行{column}列" in message and f"row 3, column {column}" in message
    assert count() == 0  # the good first row was not stored either


@pytest.mark.django_db
def test_every_bad_row_is_reported_at_once_and_nothing_is_stored(catalogue, make_report):
    make_report(catalogue.indicators["coverage"], "2020-12-31", 85)
    before = count()
    text = "\n".join(
        [
            HEADER,
            "SX,sx-2021,standards,2023-12-31,800,,",  # good
            "SX,sx-2021,nope,2023-12-31,88,,",
            "SX,sx-2021,coverage,2023-12-31,abc,,",
            "SX,sx-2021,coverage,2024-12-31,100.5,,",
            "SX,sx-2021,coverage,2099-12-31,88,,",
            "SX,js-2022,standards,2023-12-31,4100,,",
            "SX,sx-2021,standards,2023-12-31,801,,",  # duplicate of row 2
        ]
    )

    outcome = imported(text, province="SX")

    assert [(e.row, e.column) for e in outcome.errors] == [
        (3, "C"),
        (4, "E"),
        (5, "E"),
        (6, "D"),
        (7, "A"),
        (7, "C"),
        (8, "D"),
    ]
    assert all(has_chinese(e.message) for e in outcome.errors)
    assert "this import accepts 山西 only" in str(outcome.errors[5])
    assert "same indicator, date and unit as row 2" in str(outcome.errors[6])
    assert count() == before
    assert outcome.summary().startswith("导入失败")


@pytest.mark.django_db
def test_a_province_limit_refuses_another_provinces_indicator(catalogue):
    text = "\n".join([HEADER, ",js-2022,standards,2023-12-31,4100,,"])

    refused = imported(text, province="SX")
    accepted = imported(text, province="JS")

    assert [(e.row, e.column) for e in refused.errors] == [(2, "C")]
    assert "江苏" in refused.errors[0].message
    assert accepted.ok and accepted.created == 1


@pytest.mark.django_db
def test_a_missing_column_is_one_header_message(catalogue):
    outcome = imported("province,document,as_of,value\nSX,sx-2021,2023-12-31,88")

    assert len(outcome.errors) == 1
    assert outcome.errors[0].row == 1
    assert "indicator" in outcome.errors[0].message
    assert has_chinese(outcome.errors[0].message)
    assert count() == 0


@pytest.mark.django_db
def test_an_unreadable_file_is_refused_clearly(catalogue):
    outcome = import_progress_file(
        path_or_bytes=b"PK\x03\x04 not a workbook", fmt="xlsx", approve=True
    )
    assert not outcome.ok
    assert "cannot read the file" in outcome.errors[0].message


@pytest.mark.django_db
@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_called_empty_not_a_header_problem(catalogue, content):
    outcome = import_progress_file(path_or_bytes=content, fmt="csv", approve=True)

    assert [(e.row, e.message) for e in outcome.errors] == [
        (0, "文件为空：没有表头，也没有数据 (the file is empty: no header, no rows)")
    ]
    assert count() == 0


@pytest.mark.django_db
def test_reimporting_a_sheet_changes_nothing_and_a_draft_is_updated_in_place(catalogue):
    imported(GOOD_CSV, approve=False)
    ids = sorted(ProgressReport.objects.values_list("id", flat=True))

    again = imported(GOOD_CSV, approve=False)
    corrected = imported(GOOD_CSV.replace("2023-12-31,88,", "2023-12-31,88.5,"), approve=False)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert (corrected.created, corrected.updated, corrected.unchanged) == (0, 1, 4)
    assert sorted(ProgressReport.objects.values_list("id", flat=True)) == ids
    assert ProgressReport.objects.get(note="年报数据").value == Decimal("88.5")


@pytest.mark.django_db
def test_for_review_stores_submitted_reports_that_do_not_count_yet(
    catalogue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = imported(GOOD_CSV, approve=False)

    assert outcome.ok
    assert set(ProgressReport.objects.values_list("review_status", flat=True)) == {
        ReviewStatus.SUBMITTED
    }
    assert ProgressReport.objects.filter(reviewed_at__isnull=False).count() == 0
    results = ProgressResult.objects.filter(target=catalogue.targets["coverage"])
    assert set(results.values_list("pace_status", flat=True)) <= {"no_data"}


@pytest.mark.django_db
def test_an_export_imports_back_unchanged(catalogue, make_report):
    make_report(catalogue.indicators["coverage"], "2023-12-31", 88, source=ReportSource.IMPORT)
    make_report(
        catalogue.indicators["regulation"], "2023-12-31", done=True, source=ReportSource.IMPORT
    )

    exported = ProgressReportResource().export()
    assert exported.headers[:4] == ["id", "province", "document", "indicator"]
    outcome = imported(exported.csv)

    assert outcome.ok, outcome.errors
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 2)


def test_values_are_read_as_people_type_them():
    assert parse_number("1,234.5").value == Decimal("1234.5")
    assert parse_number("８５％").value == Decimal("85")
    assert parse_number(85.30000000000001).value == Decimal("85.3")
    assert parse_date("2025年6月30日") == dt.date(2025, 6, 30)
    assert parse_date("2025") == dt.date(2025, 12, 31)
    assert parse_date(45657) == dt.date(2024, 12, 31)  # an Excel serial day
    for bad in ("abc", "1e400", True, "NaN"):
        with pytest.raises(ValueError):
            parse_number(bad)


@pytest.mark.django_db
def test_the_command_imports_a_file_and_reports_the_outcome(catalogue, tmp_path):
    sheet = tmp_path / "进展.csv"
    sheet.write_text(GOOD_CSV, encoding="utf-8-sig")
    out = io.StringIO()

    call_command("import_progress", str(sheet), "--for-review", stdout=out)

    assert "新增5条" in out.getvalue()
    assert ProgressReport.objects.filter(review_status="submitted").count() == 5


@pytest.mark.django_db
def test_the_command_fails_with_every_problem_and_stores_nothing(catalogue, tmp_path):
    sheet = tmp_path / "bad.csv"
    sheet.write_text("\n".join([HEADER, "SX,sx-2021,coverage,2023-12-31,150,,"]))
    err = io.StringIO()

    with pytest.raises(CommandError, match="nothing was stored"):
        call_command("import_progress", str(sheet), stderr=err)

    assert "第2行" in err.getvalue() and "0–100" in err.getvalue()
    assert count() == 0


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_format_or_province(catalogue, tmp_path):
    sheet = tmp_path / "reports.txt"
    sheet.write_text(HEADER)
    with pytest.raises(CommandError, match="--format"):
        call_command("import_progress", str(sheet))
    with pytest.raises(CommandError, match="unknown province"):
        call_command("import_progress", str(sheet), "--format", "csv", "--province", "XX")
