"""The web import as staff use Excel: the round's template, upload, preview, confirm once.

Reading and checking are the shared import's (``targets.progress_import``); these tests look at
what the round adds and at what a person sees on the pages.
"""

import datetime as dt
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from provinces.models import ReviewStatus
from rounds import imports
from rounds.selectors import round_completeness
from targets.models import ProgressReport
from targets.progress_import import parse_sheet
from tests.workers import wait_for

from .conftest import login

pytestmark = pytest.mark.django_db


def template_of(client, round_):
    response = client.get(reverse("rounds:template", args=[round_.pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def filled(book, value, *, row=4, column="J"):
    book["填报"][f"{column}{row}"] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, round_, data, name="sheet.xlsx"):
    return client.post(
        reverse("rounds:upload", args=[round_.pk]),
        {"file": SimpleUploadedFile(name, data)},
        follow=True,
    )


def test_the_template_lists_the_departments_due_indicators_with_chinese_and_english_headers(
    client, plan, q4
):
    book = template_of(login(client, plan.users["sx_science"]), q4)
    sheet = book["填报"]
    rows = list(sheet.iter_rows(values_only=True))
    assert "2026年第四季度" in rows[0][0] and "Q4 2026" in rows[0][0]
    assert rows[1][2] == "Indicator code" and rows[2][2] == "指标"
    assert rows[2][:4] == ("省份", "文件", "指标", "原文名称")
    assert [r[2] for r in rows[3:]] == ["centers"]  # 省科技厅 owes centers only
    centers = rows[3]
    assert centers[:6] == (
        "山西",
        "sx-2021",
        "centers",
        "省级产业计量测试中心",
        "个",
        "2025年≥15个",
    )
    assert centers[8].date() == dt.date(2026, 12, 31) and centers[9] is None
    assert centers[11] == "省科技厅"
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["K4"] == '"是,否"'
    assert "单位 departments" in lists["L4"]
    assert sorted(r[0] for r in book["单位 departments"].iter_rows(values_only=True)) == [
        "省市场监管局",
        "省科技厅",
    ]


def test_the_template_carries_the_last_approved_value(client, plan, q4):
    from tests import factories as f

    f.make_report(
        indicator=plan.centers,
        as_of=dt.date(2026, 6, 30),
        value=9,
        review_status=ReviewStatus.APPROVED,
    )
    sheet = template_of(login(client, plan.users["sx_science"]), q4)["填报"]
    row = next(sheet.iter_rows(min_row=4, values_only=True))
    assert (row[6], row[7].date()) == ("9", dt.date(2026, 6, 30))


def test_the_template_reads_back_through_the_shared_import_untouched(client, plan, q4):
    book = template_of(login(client, plan.users["sx_science"]), q4)
    parsed = parse_sheet(filled(book, 12), fmt="xlsx", province="SX", today=dt.date(2027, 1, 5))
    assert parsed.ok, [str(p) for p in parsed.problems]
    assert [(r.row, r.value) for r in parsed.rows] == [(4, 12)]


def test_upload_preview_and_confirm_store_submitted_reports_of_the_uploader_once(client, plan, q4):
    reporter = plan.users["sx_science"]
    book = template_of(login(client, reporter), q4)
    page = upload(client, q4, filled(book, 12))
    text = page.content.decode()
    assert page.status_code == 200
    assert "新增 (new)" in text and "省级产业计量测试中心" in text
    assert "山西省计量发展规划实施意见" in text  # the document, by its title
    assert not ProgressReport.objects.exists()  # a preview stores nothing

    confirm = reverse("rounds:confirm", args=[page.context["upload"].token])
    done = client.post(confirm, follow=True)
    assert done.redirect_chain[-1][0] == reverse("rounds:round", args=[q4.pk])
    report = ProgressReport.objects.get()
    assert (report.review_status, report.reporter, report.reporting_department, report.value) == (
        ReviewStatus.SUBMITTED,
        reporter,
        plan.science,
        12,
    )
    data = round_completeness([q4], today=dt.date(2027, 1, 1))
    assert data.tallies[(q4.pk, plan.science.pk)].submitted == 1  # it counts in the round

    again = client.post(confirm, follow=True)
    assert "already imported" in again.content.decode()
    assert ProgressReport.objects.count() == 1


def test_uploading_the_same_sheet_again_previews_it_as_unchanged(client, plan, q4):
    login(client, plan.users["sx_science"])
    data = filled(template_of(client, q4), 12)
    first = upload(client, q4, data)
    client.post(reverse("rounds:confirm", args=[first.context["upload"].token]))
    second = upload(client, q4, data)
    assert "不变 (unchanged)" in second.content.decode()
    assert second.context["upload"].counts["unchanged"] == 1


def test_a_bad_row_is_named_by_row_and_column_in_both_languages_and_nothing_is_stored(
    client, plan, q4
):
    login(client, plan.users["sx_science"])
    page = upload(client, q4, filled(template_of(client, q4), "约12"))
    text = page.content.decode()
    assert "发现1处问题，未保存任何数据" in text and "nothing was stored" in text
    [problem] = page.context["row_problems"]
    assert (problem.row, problem.column, problem.header) == (4, "J", "数值")
    assert '<table class="data problems" id="problems">' in text
    assert "确认导入" not in text
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("notes.xlsx", b"this is not a spreadsheet", "xlsx"),
        ("empty.csv", b"", "empty"),
        ("photo.png", b"\x89PNG", "only .xlsx or .csv"),
    ],
)
def test_a_file_that_is_not_a_sheet_gets_the_command_lines_one_line_answer(
    client, plan, q4, name, data, words
):
    login(client, plan.users["sx_science"])
    page = upload(client, q4, data, name=name)
    [problem] = page.context["file_problems"]
    parsed = parse_sheet(SimpleUploadedFile(name, data), province="SX")
    assert problem.message == parsed.problems[0].message  # the same words as the command
    assert words in problem.message.lower()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in problem.message)  # and in Chinese
    assert "BadZipFile" not in page.content.decode()


def test_a_near_miss_indicator_name_gets_did_you_mean_on_the_page_and_the_command_line(
    client, plan, q4, tmp_path, capsys
):
    login(client, plan.users["sx_science"])
    page = upload(
        client, q4, filled(template_of(client, q4), "新建省级产业计量测试中心", column="C")
    )
    [problem] = page.context["row_problems"]
    assert "did you mean “省级产业计量测试中心”" in problem.message
    assert "您是否要填“省级产业计量测试中心”" in problem.message

    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "document,indicator,as_of,value\nsx-2021,新建省级产业计量测试中心,2026-12-31,3\n",
        encoding="utf-8",
    )
    with pytest.raises(Exception):  # noqa: B017 (CommandError, checked by its output)
        call_command("import_progress", str(sheet))
    assert "did you mean “省级产业计量测试中心”" in capsys.readouterr().err


def test_rows_of_another_period_are_refused_for_the_round(client, plan, q4):
    login(client, plan.users["sx_science"])
    book = template_of(client, q4)
    book["填报"]["J4"] = 12
    page = upload(client, q4, filled(book, dt.datetime(2026, 6, 30), column="I"))
    book_text = page.content.decode()
    assert "lies outside Q4 2026" in book_text
    assert not ProgressReport.objects.exists()


def test_only_the_uploader_sees_and_confirms_its_preview(client, plan, q4):
    login(client, plan.users["sx_science"])
    page = upload(client, q4, filled(template_of(client, q4), 12))
    token = page.context["upload"].token
    client.logout()
    for persona in ("sx_reporter", "js_reporter", "sx_reviewer"):
        login(client, plan.users[persona])
        assert client.get(reverse("rounds:preview", args=[token])).status_code == 404
        assert client.post(reverse("rounds:confirm", args=[token])).status_code == 404
        assert client.get(reverse("rounds:upload_status", args=[token])).status_code == 404
        client.logout()
    assert not ProgressReport.objects.exists()


def test_reviewers_and_strangers_cannot_download_the_template_or_upload(client, plan, q4):
    for persona in ("sx_reviewer", "js_reporter", "leader"):
        login(client, plan.users[persona])
        assert client.get(reverse("rounds:template", args=[q4.pk])).status_code == 404
        assert client.get(reverse("rounds:upload", args=[q4.pk])).status_code == 404
        client.logout()


def test_a_sheet_being_checked_shows_the_rows_checked_so_far(client, plan, q4):
    reporter = plan.users["sx_science"]
    book = Workbook()
    sheet = book.active
    sheet.append(["文件", "指标", "截至日期", "数值"])
    for n in range(1200):
        sheet.append(["sx-2021", "centers", dt.date(2026, 12, 31), n % 15])
    buffer = io.BytesIO()
    book.save(buffer)
    started = imports.upload_start(
        round=q4, user=reporter, filename="big.xlsx", data=buffer.getvalue()
    )
    login(client, reporter)
    page = client.get(reverse("rounds:preview", args=[started.token])).content.decode()
    assert "已检查0行" in page and 'http-equiv="refresh"' in page
    status = reverse("rounds:upload_status", args=[started.token])
    assert client.get(status).json() == {"state": "checking", "checked": 0, "problems": 0}

    seen = []
    original = imports._save

    def spy(upload):
        seen.append(upload.checked)
        original(upload)

    imports._save = spy
    try:
        imports.upload_check(token=started.token)
    finally:
        imports._save = original
    assert seen[:3] == [500, 1000, 1200]
    answer = client.get(status).json()
    assert answer["state"] == "ready" and answer["checked"] == 1200
    assert answer["problems"] >= 1  # 1200 rows of one indicator and date: duplicates


@pytest.mark.skipif(not os.getenv("TEST_CELERY_BROKER_URL"), reason="needs Redis")
def test_the_preview_lives_in_the_shared_cache_not_in_one_process(client, plan, q4, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["TEST_CELERY_BROKER_URL"],
            "KEY_PREFIX": "i12-test",
        }
    }
    login(client, plan.users["sx_science"])
    page = upload(client, q4, filled(template_of(client, q4), 12))
    token = page.context["upload"].token
    # Another worker process: a cache connection of its own, nothing shared in memory.
    from django.core.cache.backends.redis import RedisCache

    other = RedisCache(os.environ["TEST_CELERY_BROKER_URL"], {"KEY_PREFIX": "i12-test"})
    assert other.get(imports.KEY.format(token=token)).state == "ready"
    assert client.post(reverse("rounds:confirm", args=[token])).status_code == 302
    assert other.get(imports.KEY.format(token=token) + ":confirmed") is not None
    assert ProgressReport.objects.count() == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_checks_the_upload_and_the_page_shows_its_preview(
    client, plan, q4, settings, real_worker
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["TEST_CELERY_BROKER_URL"],
            "KEY_PREFIX": "i12-worker",
        }
    }
    assert imports.checked_elsewhere()
    login(client, plan.users["sx_science"])
    response = client.post(
        reverse("rounds:upload", args=[q4.pk]),
        {"file": SimpleUploadedFile("s.xlsx", filled(template_of(client, q4), 12))},
    )
    token = response["Location"].rstrip("/").split("/")[-1]
    status = reverse("rounds:upload_status", args=[token])
    assert wait_for(lambda: client.get(status).json()["state"] == "ready")
    assert "新增 (new)" in client.get(reverse("rounds:preview", args=[token])).content.decode()
