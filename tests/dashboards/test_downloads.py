"""Every table downloads as CSV (UTF-8 with BOM, for Excel) and Excel; catalogues as CSV."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dashboards.tables import csv_rows
from targets.models import Indicator
from tests import factories as f

from .conftest import Q


def test_a_table_downloads_as_csv_with_a_bom_and_chinese_headers(viewer_client, seed_demo):
    response = viewer_client.get("/" + Q + "&format=csv&table=ranking")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="overview-ranking-2026-11-23.csv"'
    )
    assert response.content.startswith("\ufeff".encode())
    rows = csv_rows(response.content.decode("utf-8"))
    assert rows[0][:3] == ["省份", "达成或正常占比", "达成或正常/可评估"]
    assert rows[1][0] == "青海"  # furthest behind first, as on the page
    assert rows[1][1].endswith("%")


def test_csv_without_a_table_name_gives_the_pages_first_table(viewer_client, seed):
    rows = csv_rows(viewer_client.get("/" + Q + "&format=csv").content.decode("utf-8"))
    assert rows[0][0] == "省份"


def test_excel_holds_every_table_of_the_page_with_numbers_as_numbers(viewer_client, seed_demo):
    response = viewer_client.get("/" + Q + "&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    # ranking, provinces at a glance, heat map, open risks, missed ended targets, all targets
    assert len(book.sheetnames) == 6
    ranking = book.worksheets[0]
    assert ranking["A1"].value == "省份"
    assert ranking["A2"].value == "青海"
    assert isinstance(ranking["B2"].value, float)  # the share, as a percentage number
    assert 0 <= ranking["B2"].value <= 100


def test_one_table_in_excel(viewer_client, seed):
    url = reverse("dashboards:responsibilities", args=["sd-2022"])
    response = viewer_client.get(url + "?format=xlsx&table=matrix")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["责任矩阵"]
    sheet = book.active
    # A row per task (number with its part, title, status), a column per unit.
    assert [c.value for c in sheet[1]][:5] == ["序号", "任务", "状态", "完成百分比", "省市场监管局"]
    assert sheet["A2"].value == "三(一)"
    assert sheet["E2"].value == "牵头"


@pytest.mark.parametrize(
    "name",
    ["compare", "province", "departments", "document", "department", "indicator", "task"],
)
def test_every_page_downloads_its_tables(viewer_client, seed_demo, page_urls, name):
    xlsx = viewer_client.get(page_urls[name] + Q + "&format=xlsx")
    assert xlsx.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames
    csv = viewer_client.get(page_urls[name] + Q + "&format=csv")
    assert csv.status_code == 200
    assert csv.content.startswith("\ufeff".encode())


def test_a_cell_that_looks_like_a_formula_is_escaped(viewer_client, db):
    indicator = f.make_indicator(name='=HYPERLINK("http://x")', area="法制监督")
    f.make_target(indicator=indicator)
    url = reverse("dashboards:document", args=[indicator.document.slug])
    rows = csv_rows(viewer_client.get(url + "?format=csv&table=targets").content.decode())
    assert rows[1][0] == '\'=HYPERLINK("http://x")'
    book = load_workbook(io.BytesIO(viewer_client.get(url + "?format=xlsx&table=targets").content))
    assert book.active["A2"].value == '\'=HYPERLINK("http://x")'
    assert book.active["A2"].data_type == "s"


def test_the_target_and_task_catalogues_download_as_csv(viewer_client, seed):
    targets = viewer_client.get(reverse("dashboards:catalogue_targets") + "?province=SX")
    assert targets.status_code == 200
    assert targets["Content-Disposition"] == 'attachment; filename="targets-SX.csv"'
    rows = csv_rows(targets.content.decode("utf-8"))
    assert rows[0][:3] == ["省份", "文件", "指标"]
    assert {row[0] for row in rows[1:]} == {"山西"}
    assert len(rows) - 1 == (
        Indicator.objects.filter(document__province__code="SX")
        .values("targets")
        .exclude(targets=None)
        .count()
    )
    tasks = viewer_client.get(reverse("dashboards:catalogue_tasks") + "?document=sd-2022")
    task_rows = csv_rows(tasks.content.decode("utf-8"))
    assert task_rows[0][5:7] == ["牵头单位", "配合单位"]
    assert len(task_rows) - 1 == 27


def test_catalogues_are_behind_the_login(client, db):
    response = client.get(reverse("dashboards:catalogue_targets"))
    assert response.status_code == 302
