"""The PDF report and the Excel workbook, read back: pages, text, fonts, figures.

Needs Debian's poppler-utils and Noto CJK fonts (scripts/ensure-pdf.sh, which `make test` runs).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from assessments.reports.export import render

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="needs poppler-utils (bash scripts/ensure-pdf.sh)"
)


def pdf_text(body: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(body)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_pages(body: bytes, tmp_path: Path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(body)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))


def test_the_pdf_is_an_official_report_with_the_tables_figures(published, tmp_path):
    body, content_type, name = render(published, "pdf")
    assert content_type == "application/pdf" and body.startswith(b"%PDF")
    assert name == f"assessment-SX-mid_term-2025-12-31-v{published.version}.pdf"
    assert 3 <= pdf_pages(body, tmp_path) <= 8
    text = pdf_text(body, tmp_path)
    for heading in (
        "中期评估报告",
        "一、总体情况",
        "二、主要指标完成情况",
        "三、重点任务进展",
        "四、存在问题",
        "五、下一步建议",
    ):
        assert heading in text, heading
    assert re.search(r"第\s*2\s*页\s*/\s*共\s*\d+\s*页", text)  # the cover is not numbered
    # The targets table: target, baseline, value at the date, completion, rating.
    for figure in ("≥900项", "743项", "820项", "49%", "≥90%", "85%", "91%", "未达成", "达成"):
        assert figure in text, figure
    assert "加强计量测试技术研究" in text and "省市场监管局" in text  # tasks with departments
    assert "计量标准数量增长偏慢。" in text  # 存在问题
    assert "sx-reviewer" in text  # who published
    assert "草" not in text and "稿" not in text  # no draft watermark once published


def test_a_draft_pdf_is_watermarked_on_every_page(draft, tmp_path):
    """The watermark is drawn at an angle, so its two characters come out apart."""
    body, *_ = render(draft, "pdf")
    pages = [page for page in pdf_text(body, tmp_path).split("\f") if page.strip()]
    assert len(pages) == pdf_pages(body, tmp_path)
    assert all("草" in page and "稿" in page for page in pages)


def test_the_pdf_embeds_its_cjk_fonts(published, tmp_path):
    path = tmp_path / "fonts.pdf"
    path.write_bytes(render(published, "pdf")[0])
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows, fonts.stdout
    assert all(" yes " in row for row in rows), fonts.stdout  # every font embedded
    assert any("CJK" in row for row in rows), fonts.stdout


def test_the_pdf_draws_its_charts(published, tmp_path):
    """The charts are SVG drawn on the server: their labels are text in the PDF."""
    text = pdf_text(render(published, "pdf")[0], tmp_path)
    assert "主要指标评价" in text and "时间进度" in text


def _page_figures(client, assessment) -> dict[tuple[str, int], list[str]]:
    page = client.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    table = page.split('id="target-table"')[1].split("</table>")[0]
    out = {}
    for row in re.findall(r'<tr data-target="(\d+)">(.*?)</tr>', table, flags=re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1], flags=re.S)
        ]
        out[(cells[0], int(cells[1]))] = cells
    return out


def test_the_workbooks_figures_are_the_pages(client, people, published):
    client.force_login(people["sx_leader"])
    response = client.get(reverse("assessments:export", args=[published.pk, "xlsx"]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["概况", "主要指标", "重点任务", "责任单位"]
    sheet = workbook["主要指标"]
    headers = [c.value for c in sheet[1]]
    col = {name: headers.index(name) for name in headers}
    page = _page_figures(client, published)
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(page) == 3
    for row in rows:
        shown = page[(row[col["指标"]], row[col["目标年"]])]
        # page: 指标, 目标年, 目标, 基期值, 评估值, 数据日期, 完成进度, 时间进度, 状态, 建议, 评价
        unit = row[col["单位"]] or ""
        assert row[col["目标"]] == shown[2]
        assert f"{row[col['基期值']]:g}{unit}" == shown[3]
        assert f"{row[col['评估值']]:g}{unit}" == shown[4]
        assert f"{round(row[col['完成进度']] * 100, 1):g}%" == shown[6]
        assert row[col["评价"]] == shown[10]
    assert sheet.cell(2, col["完成进度"] + 1).number_format == "0.0%"
    tasks = workbook["重点任务"]
    assert [c.value for c in tasks[2]][3] == "加强计量测试技术研究"
    departments = list(workbook["责任单位"].iter_rows(min_row=2, values_only=True))
    assert departments[0][:3] == ("省市场监管局", 1, 0)
    summary = dict(workbook["概况"].iter_rows(min_row=2, values_only=True))
    assert summary["状态"] == "已发布" and summary["存在问题"] == "计量标准数量增长偏慢。"


def test_export_assessment_writes_both_formats(published, tmp_path):
    pdf, xlsx = tmp_path / "a.pdf", tmp_path / "a.xlsx"
    call_command("export_assessment", str(published.pk), "--format", "pdf", "--output", str(pdf))
    call_command("export_assessment", str(published.pk), "--format", "xlsx", "--output", str(xlsx))
    assert pdf.read_bytes().startswith(b"%PDF")
    assert load_workbook(xlsx).sheetnames[0] == "概况"


def test_an_unknown_export_format_is_a_404(client, people, published):
    client.force_login(people["sx_leader"])
    assert client.get(reverse("assessments:export", args=[published.pk, "docx"])).status_code == 404
