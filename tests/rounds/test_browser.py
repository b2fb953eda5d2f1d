"""The round's web import in a real headless Chromium, as a reporter goes through it.

Log in through the form, download the template from the round's page, fill it (one value
wrong), upload, read the problem in the preview, fix, upload, confirm; then the reviewer's
completeness page draws its departments × rounds chart. No request leaves the site.
"""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import load_workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.getenv("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "browser"


@pytest.fixture(autouse=True)
def _sync_playwright(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def world(transactional_db):
    from rounds.services import round_create

    from .conftest import build_plan

    plan = build_plan()
    q4, _ = round_create(
        document=plan.doc,
        period_kind="quarter",
        year=2026,
        number=4,
        opens_on=dt.date(2026, 12, 1),
        deadline=dt.date(2027, 1, 15),
    )
    return plan, q4


def _tab(browser, live_server, problems, user):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    context.route(
        lambda url: not url.startswith(live_server.url),
        lambda route: problems.append(f"outside: {route.request.url}") or route.abort(),
    )
    tab = context.new_page()
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(str(e)))
    tab.goto(f"{live_server.url}/accounts/login/?next=/rounds/")
    tab.fill("#id_username", user.username)
    tab.fill("#id_password", "correct-horse-battery-staple")
    tab.click("main button[type=submit]")
    tab.wait_for_url(f"{live_server.url}/rounds/")
    return tab


def test_a_reporter_fixes_its_bad_row_and_confirms_and_the_reviewer_sees_the_chart(
    world, live_server, tmp_path
):
    from playwright.sync_api import sync_playwright

    plan, q4 = world
    problems: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        tab = _tab(browser, live_server, problems, plan.users["sx_science"])
        tab.click(f"a[href='/rounds/{q4.pk}/']")
        with tab.expect_download() as download:
            tab.click("text=下载填报模板(Excel)")
        path = tmp_path / "template.xlsx"
        download.value.save_as(path)
        book = load_workbook(path)
        book["填报"]["J4"] = "约12"
        book.save(tmp_path / "bad.xlsx")
        book["填报"]["J4"] = 12
        book.save(tmp_path / "good.xlsx")

        tab.click("text=上传填报表")
        tab.set_input_files("input[type=file]", str(tmp_path / "bad.xlsx"))
        tab.click("text=上传并预览")
        problem = tab.locator("#problems tbody tr")
        assert problem.count() == 1
        cells = problem.locator("td").all_inner_texts()
        assert cells[0] == "4" and cells[1].startswith("J")
        assert "nothing was stored" in tab.inner_text("main")
        tab.screenshot(path=str(ARTIFACTS / "rounds-preview-problem.png"), full_page=True)

        tab.set_input_files("input[type=file]", str(tmp_path / "good.xlsx"))
        tab.click("text=上传并预览")
        assert "新增 (new)" in tab.inner_text("#preview")
        tab.screenshot(path=str(ARTIFACTS / "rounds-preview.png"), full_page=True)
        tab.click("text=确认导入(提交审核)")
        tab.wait_for_url(f"{live_server.url}/rounds/{q4.pk}/")
        assert "导入成功" in tab.inner_text(".messages")
        tab.context.close()

        reviewer = _tab(browser, live_server, problems, plan.users["sx_reviewer"])
        reviewer.goto(f"{live_server.url}/rounds/completeness/?province=SX")
        reviewer.wait_for_function(
            "() => document.querySelector('#chart-completeness .main-svg') !== null"
        )
        drawn = reviewer.evaluate("() => document.getElementById('chart-completeness').data[0].y")
        assert sorted(drawn) == ["省市场监管局", "省科技厅"]
        reviewer.screenshot(path=str(ARTIFACTS / "rounds-completeness.png"), full_page=True)
        browser.close()
    assert problems == []
