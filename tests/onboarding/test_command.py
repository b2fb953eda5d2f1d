"""``manage.py propose_catalogue`` on .txt, .docx and a text PDF, each made by the test."""

import html
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from tests.conftest import CHROMIUM
from tests.onboarding.test_proposer import CITY

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("propose_catalogue", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_text_file_to_a_fixture_file_and_its_source(tmp_path):
    source = tmp_path / "datong.txt"
    source.write_text(CITY, encoding="gb18030")  # what Chinese Windows saves
    output = tmp_path / "out" / "dt-2023.yaml"
    output.parent.mkdir()
    _, summary = run(str(source), "--unit", "dt", "--output", str(output))
    data = yaml.safe_load(output.read_text(encoding="utf-8"))
    assert data["document"]["slug"] == "dt-2023" and data["document"]["province"] == "DT"
    assert data["document"]["source_file"] == "dt-2023.txt"
    stored = (output.parent / "dt-2023.txt").read_text(encoding="utf-8")
    assert stored == CITY
    assert all(t["quote"] in stored for i in data["indicators"] for t in i["targets"])
    assert "任务 tasks 3" in summary and "市财政局" in summary


def test_without_output_the_yaml_goes_to_stdout(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text(CITY, encoding="utf-8")
    out, _ = run(str(source), "--unit", "DT", "--slug", "datong-2023")
    assert yaml.safe_load(out)["document"]["slug"] == "datong-2023"


def test_a_docx_with_its_table_of_indicators(tmp_path):
    import docx

    document = docx.Document()
    for line in CITY.split("\n\n")[:3]:
        document.add_paragraph(line)
    document.add_paragraph("一、总体要求")
    document.add_paragraph("(一)发展目标。到2025年，全市计量体系更加完善。")
    document.add_paragraph("专栏1 主要指标")
    table = document.add_table(rows=3, cols=4)
    for row, cells in zip(
        table.rows,
        [
            ["指标", "2020年", "2025年", "属性"],
            ["强检项目覆盖率(%)", "80", "90", "约束性"],
            ["社会公用计量标准(项)", "100", "150", "预期性"],
        ],
        strict=True,
    ):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    document.add_paragraph("二、重点任务")
    document.add_paragraph("(一)完善计量体系。加强建设。(市市场监管局牵头，市财政局配合)")
    path = tmp_path / "opinion.docx"
    document.save(path)
    out, _ = run(str(path), "--unit", "DT")
    data = yaml.safe_load(out)
    found = {
        i["name"]: (i["unit"], i["baseline"]["value"], i["targets"][0]["value"])
        for i in data["indicators"]
    }
    assert found["强检项目覆盖率"] == ("%", 80, 90)
    assert found["社会公用计量标准"] == ("项", 100, 150)
    assert data["tasks"][0]["departments"] == [
        {"name": "市市场监管局", "role": "lead"},
        {"name": "市财政局", "role": "support"},
    ]


@pytest.mark.browser
def test_a_text_pdf_printed_by_chromium(tmp_path):
    from playwright.sync_api import sync_playwright

    path = tmp_path / "opinion.pdf"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page()
        page.set_content(
            "<pre style='font-size:7px;white-space:pre'>" + html.escape(CITY) + "</pre>"
        )
        page.pdf(path=str(path), width="420mm", height="594mm")
        browser.close()
    out, _ = run(str(path), "--unit", "DT")
    data = yaml.safe_load(out)
    assert data["document"]["number"] == "同政发〔2023〕8号"
    targets = {(i["name"], t["value"]) for i in data["indicators"] for t in i["targets"]}
    assert ("县级社会公用计量标准", 60) in targets
    assert [t["number"] for t in data["tasks"]] == ["1", "2", "3"]


def test_files_it_cannot_read_are_refused_with_a_message(tmp_path):
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF")
    with pytest.raises(CommandError, match="PDF"):
        run(str(scan), "--unit", "DT")
    sheet = tmp_path / "sheet.xlsx"
    sheet.write_bytes(b"PK\x03\x04")
    with pytest.raises(CommandError, match="unsupported file type"):
        run(str(sheet), "--unit", "DT")
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "missing.txt"), "--unit", "DT")
