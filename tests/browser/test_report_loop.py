"""The whole entry and review loop in a real Chromium, as two people at two desks would do it.

A 江苏 reporter enters a value with a PDF and submits it; a 江苏 reviewer returns it with a
reason; the reporter reads the reason, corrects and resubmits; the reviewer approves; the
indicator's status on the dashboard changes; the report's history shows the four steps with
who and when; the reporter gets a 404 on 山西's report and on its evidence file, and cannot
approve its own report. Screenshots land under ``test-artifacts/browser/``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "browser"
CHROMIUM = os.getenv("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery-staple"
# A real, minimal one-page PDF.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture(autouse=True)
def _sync_playwright_in_the_test_thread(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def loop(transactional_db, tmp_path) -> dict:
    """Two provinces, their people, a 江苏 indicator with a 2025 target, 山西's report with a
    PDF; results computed for today. Everything the test looks up is read here."""
    from django.core.files.base import ContentFile

    from provinces.models import ReviewStatus, Role
    from reporting.models import Evidence
    from targets.services import progress_recompute
    from tests import factories as f

    sx = f.make_province(code="SX", name="山西")
    js = f.make_province(code="JS", name="江苏")
    people = {
        "js-reporter": f.make_user(username="js-reporter", role=Role.REPORTER, province=js),
        "js-reviewer": f.make_user(username="js-reviewer", role=Role.REVIEWER, province=js),
        "sx-reporter": f.make_user(username="sx-reporter", role=Role.REPORTER, province=sx),
    }
    indicator = f.make_indicator(
        document=f.make_document(province=js), name="强制检定项目覆盖率", unit="%"
    )
    f.make_target(indicator=indicator, value=Decimal("95"))
    sx_indicator = f.make_indicator(document=f.make_document(province=sx), unit="%")
    sx_report = f.make_report(
        indicator=sx_indicator,
        value=Decimal("90"),
        review_status=ReviewStatus.SUBMITTED,
        reporter=people["sx-reporter"],
    )
    evidence = Evidence(report=sx_report, name="山西统计.pdf", size=len(PDF))
    evidence.file.save("山西统计.pdf", ContentFile(PDF), save=False)
    evidence.save()
    progress_recompute(as_of=dt.date.today())
    pdf = tmp_path / "江苏强检统计.pdf"
    pdf.write_bytes(PDF)
    return {
        "indicator": indicator.pk,
        "sx_report": sx_report.pk,
        "sx_evidence": evidence.pk,
        "pdf": pdf,
    }


@pytest.fixture
def browser(loop):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def desk(browser, live_server):
    """desk(username) → a logged-in tab of its own (one browser context per person)."""
    contexts = []
    outside: list[str] = []

    def open_desk(username: str):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        context.route(
            lambda url: not url.startswith(live_server.url),
            lambda route: outside.append(route.request.url) or route.abort(),
        )
        contexts.append(context)
        tab = context.new_page()
        tab.goto(f"{live_server.url}/accounts/login/?next=/workbench/")
        tab.fill("#id_username", username)
        tab.fill("#id_password", PASSWORD)
        tab.click("main button[type=submit]")
        tab.wait_for_url(f"{live_server.url}/workbench/")
        return tab

    yield open_desk
    for context in contexts:
        context.close()
    assert outside == []


def _shot(tab, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _status(tab, base: str, indicator: int) -> str:
    tab.goto(f"{base}/indicators/{indicator}/")
    return tab.inner_text(".target-status .badge")


def test_the_whole_entry_and_review_loop(loop, desk, live_server):
    base = live_server.url
    reporter = desk("js-reporter")
    reviewer = desk("js-reviewer")
    before = _status(reviewer, base, loop["indicator"])

    # 1. The reporter enters a value with a PDF and submits it.
    reporter.goto(f"{base}/reports/new/?indicator={loop['indicator']}")
    assert "≥95%" in reporter.inner_text("#indicator-info")
    reporter.fill("#id_as_of", "2025-12-31")
    reporter.fill("#id_value", "93")
    reporter.set_input_files("#id_files", str(loop["pdf"]))
    _shot(reporter, "loop-1-entry")
    reporter.click("button[name=submit]")
    reporter.wait_for_url(re.compile(r".*/reports/\d+/$"))
    report_url = reporter.url
    assert reporter.inner_text("#review-status") == "已提交"
    # …and cannot approve it: no review buttons, and the queue is not there for it.
    assert reporter.locator("button[value=approve]").count() == 0
    assert reporter.goto(f"{base}/review/").status == 404

    # 2. The reviewer returns it with a reason (a reason is required).
    reviewer.goto(report_url)
    evidence_href = reviewer.get_attribute(".evidence a", "href")
    assert reviewer.request.get(base + evidence_href).body() == PDF  # the PDF reads back
    reviewer.click("button[value=return]")
    assert "退回须填写原因" in reviewer.inner_text("main")
    reviewer.goto(report_url)
    reviewer.fill("#reason", "覆盖率口径应为省级及以下，请核对后重报")
    reviewer.click("button[value=return]")
    reviewer.wait_for_url(report_url)
    assert reviewer.inner_text("#review-status") == "已退回"

    # 3. The reporter sees the reason, corrects and resubmits.
    reporter.goto(f"{base}/workbench/")
    assert "覆盖率口径应为省级及以下" in reporter.inner_text("#returned")
    _shot(reporter, "loop-3-returned")
    reporter.click("#returned a")
    assert "覆盖率口径应为省级及以下" in reporter.inner_text("#return-reason")
    reporter.click("text=修改")
    reporter.fill("#id_value", "96")
    reporter.click("button[name=submit]")
    reporter.wait_for_url(report_url)
    assert reporter.inner_text("#entry-value") == "96%"

    # 4. The reviewer approves.
    reviewer.goto(f"{base}/review/")
    reviewer.check("#queue-reports input[type=checkbox]")
    reviewer.click("button[value=approve]")
    reviewer.wait_for_url(f"{base}/review/")
    assert "已审核通过1条" in reviewer.inner_text(".messages")

    # The dashboard's status changed, and the history tells the four steps with who and when.
    after = _status(reviewer, base, loop["indicator"])
    assert after == "已达成" and after != before
    _shot(reviewer, "loop-4-indicator")
    reviewer.goto(report_url)
    steps = [
        (row.locator(".who").inner_text(), row.locator(".reason").inner_text())
        for row in reviewer.locator("#history tbody tr").all()
        if "进展填报" in row.inner_text()
    ]
    assert [step for step in steps if step[1].split(" ")[0] != "附佐证材料"][:4] == [
        ("js-reviewer", "审核通过 / approved"),
        ("js-reporter", "提交审核 / submitted"),
        ("js-reviewer", "退回 / returned: 覆盖率口径应为省级及以下，请核对后重报"),
        ("js-reporter", "提交审核 / submitted"),
    ]
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", reviewer.inner_text("#history"))
    _shot(reviewer, "loop-5-history")

    # 山西's report and its evidence file do not exist for the 江苏 reporter.
    assert reporter.goto(f"{base}/reports/{loop['sx_report']}/").status == 404
    assert reporter.request.get(f"{base}/evidence/{loop['sx_evidence']}/").status == 404
