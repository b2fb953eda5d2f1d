"""The PDF report: an HTML template laid out by WeasyPrint with Debian's Noto CJK fonts.

Cover, 一、总体情况 … 五、下一步建议, server-drawn SVG charts as images, page numbers in the
footer, table headers repeated on every page, and 草稿 across every page of an unpublished one.
No network: the charts are data URIs and the fonts are the system's.
"""

from __future__ import annotations

import base64
import logging

from django.conf import settings
from django.template.loader import render_to_string

from assessments import report_data, selectors
from assessments.models import Assessment

# WeasyPrint logs every layout step at INFO; the project's root level is INFO.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def render_html(assessment: Assessment) -> str:
    assessment = selectors.assessment_for_page(assessment.pk)
    data = report_data.build(assessment)
    charts = {name: _data_uri(svg) for name, svg in report_data.charts(data).items()}
    return render_to_string(
        "assessments/report_pdf.html",
        {"assessment": assessment, "data": data, "charts": charts},
    )


def render_pdf(assessment: Assessment) -> bytes:
    """The report as PDF bytes. Only ``data:`` URIs may be fetched: nothing leaves the host."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_html(assessment)
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).write_pdf()
