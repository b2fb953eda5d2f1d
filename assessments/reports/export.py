"""The assessment in the forms bureaus send up: a PDF report and an Excel workbook.

Both are built from ``assessments.report_data`` (the figures the page shows), so the three
agree. Shared by the page's download links and ``manage.py export_assessment``.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import translation

from assessments.models import Assessment

FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def filename(assessment: Assessment, fmt: str) -> str:
    """ASCII, so every browser and mail client keeps it: assessment-JS-mid_term-2025-12-31-v1."""
    code = assessment.document.province.code
    return f"assessment-{code}-{assessment.kind}-{assessment.as_of}-v{assessment.version}.{fmt}"


def render(assessment: Assessment, fmt: str) -> tuple[bytes, str, str]:
    """(body, content type, file name). The report is official Chinese whatever the page's
    language: bureaus file it as printed."""
    if fmt not in FORMATS:
        raise Http404
    with translation.override("zh-hans"):
        if fmt == "pdf":
            from assessments.reports.pdf import render_pdf

            body = render_pdf(assessment)
        else:
            from assessments.reports.xlsx import render_xlsx

            body = render_xlsx(assessment)
    return body, FORMATS[fmt], filename(assessment, fmt)
