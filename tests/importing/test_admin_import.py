"""The admin's progress import: one step, the same reading and numbering as the command."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from provinces.models import ReviewStatus
from targets.models import ProgressReport, ReportSource
from tests.importing.conftest import HEADER, csv_bytes, workbook

URL = "admin:targets_progressreport_import"


def upload(client, name: str, data: bytes):
    return client.post(reverse(URL), {"import_file": SimpleUploadedFile(name, data)})


@pytest.mark.django_db
def test_the_admin_import_stores_reports_for_review_with_the_user(
    staff_client, staff_user, catalogue
):
    response = upload(staff_client, "进展.csv", csv_bytes("SX,sx-2021,standards,2023-12-31,800,,"))

    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert (report.reporter, report.review_status, report.source) == (
        staff_user,
        ReviewStatus.SUBMITTED,
        ReportSource.IMPORT,
    )


@pytest.mark.django_db
def test_a_header_typo_shows_a_message_not_a_traceback(staff_client, catalogue):
    data = b"province,document,indicatr,as_of,value\nSX,sx-2021,standards,2023-12-31,800"

    response = upload(staff_client, "typo.csv", data)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Traceback" not in body
    assert "unknown column “indicatr”" in body
    assert "第1行C列" in body
    assert ProgressReport.objects.count() == 0


@pytest.mark.django_db
def test_the_admin_numbers_rows_as_excel_and_the_command_do(staff_client, catalogue):
    data = workbook(
        (
            "填报",
            [
                HEADER,
                ["SX", "sx-2021", "standards", dt.date(2023, 12, 31), 800, None, None],
                ["SX", "sx-2021", "standards", dt.date(2024, 12, 31), "abc", None, None],
            ],
        )
    )

    body = upload(staff_client, "进展.xlsx", data).content.decode()

    assert "第3行E列" in body and "row 3, column E" in body
    assert ProgressReport.objects.count() == 0


@pytest.mark.django_db
def test_an_import_file_over_the_size_limit_is_refused_with_a_message(
    staff_client, catalogue, settings
):
    settings.IMPORT_MAX_BYTES = 1000
    data = csv_bytes(*["SX,sx-2021,standards,2023-12-31,800,,"] * 100)

    response = upload(staff_client, "big.csv", data)

    assert response.status_code == 200
    assert "larger than" in response.content.decode()
    assert ProgressReport.objects.count() == 0


@pytest.mark.django_db
def test_a_file_of_another_type_is_refused_with_a_message(staff_client, catalogue):
    response = upload(staff_client, "setup.exe", b"MZ\x90\x00" + b"\x00" * 500)

    assert response.status_code == 200
    assert "only .xlsx or .csv" in response.content.decode()
    assert ProgressReport.objects.count() == 0


@pytest.mark.django_db
def test_the_size_limit_holds_for_the_command_too(catalogue, settings, tmp_path):
    from targets.progress_import import parse_sheet

    settings.IMPORT_MAX_BYTES = 1000
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes(*["SX,sx-2021,standards,2023-12-31,800,,"] * 100))

    parsed = parse_sheet(path)

    assert not parsed.ok and "larger than" in parsed.problems[0].message


@pytest.mark.django_db
def test_a_province_admin_imports_only_their_province_through_the_admin(client, catalogue):
    from django.contrib.auth.models import Permission

    from tests.factories import make_user

    reporter = make_user(role="province_admin", province=catalogue.sx)
    reporter.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_progressreport", "view_progressreport"])
    )
    client.force_login(reporter)
    sheet = "\n".join(
        [
            "province,document,indicator,as_of,value",
            "JS,js-2022,standards,2023-12-31,4100",
        ]
    ).encode()

    body = upload(client, "js.csv", sheet).content.decode()

    assert "this import accepts 山西 only" in body
    assert ProgressReport.objects.count() == 0
    own = csv_bytes("SX,sx-2021,standards,2023-12-31,800,,")
    assert upload(client, "sx.csv", own).status_code == 302
    assert ProgressReport.objects.get().reporter == reporter
