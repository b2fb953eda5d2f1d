"""The dashboards in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

Against the seed documents with 示例数据 and their computed history, logged in through the login
form: every Plotly graph draws (an SVG with as many traces as the figure has), the console stays
clean, Chinese glyphs have a CJK font, and screenshots land under ``test-artifacts/browser/``
for a person to look at.
"""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AS_OF = dt.date(2026, 11, 23)
Q = f"?as_of={AS_OF.isoformat()}"
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
# What each chart div reports once plotly.js has drawn it, next to what the server sent.
CHART_STATE = """() => Array.from(document.querySelectorAll('.js-chart')).map(div => ({
    id: div.id,
    drawn: div.data ? div.data.length : -1,
    sent: JSON.parse(document.getElementById(div.dataset.figure).textContent).data.length,
    announced: Number(div.dataset.traces),
    svg: !!div.querySelector('.main-svg'),
    width: div.getBoundingClientRect().width,
}))"""


@pytest.fixture(autouse=True)
def _sync_playwright_in_the_test_thread(monkeypatch):
    """Playwright's sync API runs an event loop in this thread; Django must allow the ORM here.

    The database work is done before the browser starts (fixture order below): queries made
    while Playwright's loop runs would open a connection in another context that the test
    database teardown cannot see.
    """
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def seeded(transactional_db, settings) -> dict[str, object]:
    """Seed documents, 示例数据 and its quarter-end history; what the tests look up, read now."""
    from provinces.policy_loader import load_policies
    from targets.demo import demo_data_load
    from targets.models import Indicator

    settings.DEMO_DATA_ALLOWED = True
    load_policies(directory=Path(settings.BASE_DIR) / "fixtures")
    demo_data_load(today=AS_OF, history=True)
    indicator = Indicator.objects.get(document__slug="qh-2022", code="measurement-standards")
    return {"indicator": indicator}


@pytest.fixture
def browser(seeded, viewer):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def problems():
    """Console errors and uncaught page errors of the test's pages."""
    return []


@pytest.fixture
def page(seeded, viewer, password, live_server, browser, problems):
    """A logged-in reader's tab, logged in through the login form like a person."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    # A closed government network: anything not served by the site itself (a CDN's plotly.js,
    # a web font) is refused and reported, so the charts must draw from our own static files.
    context.route(
        lambda url: not url.startswith(live_server.url),
        lambda route: problems.append(f"outside request: {route.request.url}") or route.abort(),
    )
    tab = context.new_page()
    tab.on(
        "console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None
    )
    tab.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    tab.goto(f"{live_server.url}/accounts/login/?next=/")
    tab.fill("#id_username", viewer.username)
    tab.fill("#id_password", password)
    tab.click("main button[type=submit]")
    tab.wait_for_url(f"{live_server.url}/")
    yield tab
    context.close()


def _open(page, url: str) -> list[dict]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.js-chart'))"
        ".every(div => div.querySelector('.main-svg'))"
    )
    return page.evaluate(CHART_STATE)


def _assert_drawn(charts: list[dict], expected: set[str]) -> None:
    assert {c["id"] for c in charts} == expected
    for chart in charts:
        assert chart["svg"], chart
        assert chart["drawn"] == chart["sent"] == chart["announced"] > 0, chart
        assert chart["width"] > 300, chart


def _screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def test_the_overview_draws_its_four_charts(page, live_server, problems):
    charts = _open(page, f"{live_server.url}/{Q}")
    _assert_drawn(charts, {"chart-ranking", "chart-heatmap", "chart-pace", "chart-risk"})
    assert "2025年目标进度最落后的是青海" in page.inner_text(".answer")
    assert page.is_visible(".banner-demo")
    # Chinese text has a CJK font to draw with (no tofu boxes).
    assert page.evaluate("() => document.fonts.check('16px \"Noto Sans CJK SC\"', '计量')")
    # The heat map's cells carry their counts; the scatter has one point per placed target.
    assert page.locator("#chart-heatmap .main-svg").count() >= 1
    points = page.evaluate(
        "() => document.getElementById('chart-pace').data.slice(1)"
        ".reduce((n, t) => n + t.x.length, 0)"
    )
    assert (
        points == page.locator("#chart-pace .scatterlayer .trace:not(:first-child) .point").count()
    )
    _screenshot(page, "overview")
    # On paper: navigation and forms go, charts fit the A4 width, the page prints as A4.
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 720, "height": 1000})  # A4 less its margins, at 96 dpi
    page.wait_for_timeout(300)  # plotly's responsive resize
    assert not page.is_visible(".site-nav")
    assert not page.is_visible("form.as-of")
    widths = page.evaluate(
        "() => Array.from(document.querySelectorAll('.js-chart .main-svg:first-child'))"
        ".map(svg => svg.getBoundingClientRect().width)"
    )
    assert widths and max(widths) <= 720
    _screenshot(page, "overview-print")
    page.pdf(path=str(ARTIFACTS / "overview-a4.pdf"), format="A4", print_background=True)
    assert problems == []


def test_a_comparison_draws_grouped_bars_and_the_targets_each_province_set(
    page, live_server, problems
):
    url = f"{live_server.url}/compare/{Q}&category=integrity-demonstration-units"
    charts = _open(page, url)
    _assert_drawn(charts, {"chart-compare", "chart-areas", "chart-kinds"})
    # 千家 and 家 do not share an axis: the comparison is in completion.
    assert "已换算为完成进度" in page.inner_text("#chart-compare-figure")
    assert page.locator("#chart-compare .barlayer .point").count() > 0
    _screenshot(page, "compare-integrity-demonstration-units")
    charts = _open(page, f"{live_server.url}/compare/{Q}")
    _assert_drawn(charts, {"chart-compare", "chart-areas", "chart-kinds"})
    _screenshot(page, "compare-default")
    assert problems == []


def test_an_indicator_page_draws_its_trend_and_status_history(seeded, page, live_server, problems):
    indicator = seeded["indicator"]
    charts = _open(page, f"{live_server.url}/indicators/{indicator.pk}/{Q}")
    _assert_drawn(charts, {"chart-trend", "chart-history"})
    assert page.inner_text(".sentence").startswith(indicator.name)
    assert page.locator("mark").count() >= 1
    _screenshot(page, f"indicator-{indicator.code}")
    assert problems == []


def test_pages_read_without_javascript(seeded, viewer, password, live_server, browser):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    tab = context.new_page()
    tab.goto(f"{live_server.url}/accounts/login/")
    tab.fill("#id_username", viewer.username)
    tab.fill("#id_password", password)
    tab.click("main button[type=submit]")
    tab.goto(f"{live_server.url}/provinces/SD/departments/{Q}")
    assert tab.locator("table.data tbody tr").count() > 10
    assert "牵头滞后任务最多的单位" in tab.inner_text(".answer")
    assert tab.is_visible(".chart-fallback")
    _screenshot(tab, "departments-SD-no-javascript")
    context.close()
