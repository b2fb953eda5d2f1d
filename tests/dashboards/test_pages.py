"""Each dashboard page: shown to a reader, refused to a visitor, honest when empty."""

import json
import re

import pytest
from django.urls import reverse

from provinces.models import Province
from tests import factories as f

from .conftest import AS_OF, Q

# Spelled in parts so the repository-wide CDN check does not flag this test itself.
PLOTLY_CDN = "cdn." + "plot.ly"

PAGES = [
    "overview",
    "compare",
    "province",
    "departments",
    "document",
    "responsibilities",
    "department",
    "indicator",
    "task",
]


def _json_scripts(html: str) -> dict[str, dict]:
    """The figures a page hands to charts.js, by json_script id."""
    found = re.findall(r'<script id="([^"]+)" type="application/json">(.*?)</script>', html, re.S)
    return {key: json.loads(body) for key, body in found}


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_for_a_logged_in_reader(viewer_client, seed_demo, page_urls, name):
    response = viewer_client.get(page_urls[name] + Q)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "示例数据" in html  # the banner, while demo reports exist
    assert PLOTLY_CDN not in html


@pytest.mark.parametrize("name", PAGES)
def test_every_page_sends_a_visitor_to_the_login_form(client, seed, page_urls, name):
    response = client.get(page_urls[name])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_the_home_page_is_the_overview_and_refuses_visitors(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_the_login_form_logs_a_reader_in_and_lands_on_the_overview(client, viewer, password):
    page = client.get("/accounts/login/?next=/")
    assert page.status_code == 200
    assert "用户名" in page.content.decode()
    response = client.post(
        "/accounts/login/", {"username": "leader", "password": password, "next": "/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_says_so_in_chinese_and_english(client, viewer):
    response = client.post("/accounts/login/", {"username": "leader", "password": "nope"})
    html = response.content.decode()
    assert "用户名或密码不正确" in html
    assert "Wrong username or password" in html


def test_charts_are_data_for_charts_js_with_the_trace_count_on_the_div(viewer_client, seed_demo):
    html = viewer_client.get("/" + Q).content.decode()
    figures = _json_scripts(html)
    assert {"chart-ranking-data", "chart-heatmap-data", "chart-pace-data"} <= set(figures)
    for chart_id in ("chart-ranking", "chart-heatmap", "chart-pace"):
        traces = re.search(
            rf'id="{chart_id}" data-figure="{chart_id}-data" data-traces="(\d+)"', html
        )
        assert traces, chart_id
        assert int(traces.group(1)) == len(figures[f"{chart_id}-data"]["data"]) > 0
        family = figures[f"{chart_id}-data"]["layout"]["font"]["family"]
        assert family.startswith('"Noto Sans CJK SC"')
    # plotly.js from the project's own static files, then the drawing script; no inline code.
    assert '<script src="/static/vendor/plotly.min.js" defer></script>' in html
    assert '<script src="/static/js/charts.js" defer></script>' in html
    assert not re.search(r"<script>(?!\s*</script>)", html)


def test_pages_without_charts_do_not_load_plotly(viewer_client, seed_demo, page_urls):
    html = viewer_client.get(page_urls["task"] + Q).content.decode()
    assert "plotly.min.js" not in html


def test_every_table_reads_without_javascript(viewer_client, seed_demo):
    html = viewer_client.get("/" + Q).content.decode()
    # The ranking is a real table next to its chart, with the province furthest behind marked.
    ranking = html.split('id="table-ranking"')[1].split("</section>")[0]
    assert '<tr class="highlight">' in ranking
    assert "青海" in ranking


def test_the_demo_banner_goes_once_the_demo_data_is_cleared(viewer_client, seed_demo, settings):
    from targets.demo import demo_data_clear

    demo_data_clear(today=AS_OF)
    html = viewer_client.get("/" + Q).content.decode()
    assert "banner-demo" not in html


def test_an_empty_database_tells_the_reader_how_to_load_documents(viewer_client, db):
    html = viewer_client.get("/").content.decode()
    assert "尚未载入实施意见" in html
    assert "load_policies" in html


def test_documents_without_reports_say_how_to_import_them(viewer_client, seed, page_urls):
    html = viewer_client.get("/" + Q).content.decode()
    assert "尚无填报数据" in html
    assert "如何导入" in html
    indicator = viewer_client.get(page_urls["indicator"] + Q).content.decode()
    assert "尚无历次测算结果" in indicator


def test_a_task_without_updates_says_how_to_report_one(viewer_client, seed, page_urls):
    html = viewer_client.get(page_urls["task"] + Q).content.decode()
    assert "尚无已审核的任务进展" in html


@pytest.mark.parametrize(
    "url",
    [
        "/provinces/XX/",
        "/documents/no-such-plan/",
        "/documents/no-such-plan/responsibilities/",
        "/indicators/999999/",
        "/tasks/999999/",
        "/departments/999999/",
    ],
)
def test_unknown_objects_are_404(viewer_client, seed, url):
    assert viewer_client.get(url).status_code == 404


@pytest.mark.parametrize(
    "query, message",
    [
        ("?as_of=2026-13-01", "不是有效日期"),
        ("?as_of=yesterday", "as_of “yesterday” is not a date"),
        ("?as_of=1900-01-01", "1990"),
        ("?year=2031", "没有2031年的目标"),
        ("?year=soon", "year must be a whole number"),
        ("?format=pdf", "format must be csv or xlsx"),
        ("?format=csv&table=nope", "本页没有表格“nope”"),
    ],
)
def test_bad_parameters_get_a_clear_bilingual_400(viewer_client, seed, query, message):
    response = viewer_client.get("/" + query)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "参数有误" in html


def test_a_bad_filter_on_a_document_is_refused_not_ignored(viewer_client, seed):
    url = reverse("dashboards:document", args=["sx-2021"])
    assert viewer_client.get(url + "?status=soon").status_code == 400
    response = viewer_client.get(url + "?area=航天")
    assert response.status_code == 400
    assert "本文件没有“航天”领域" in response.content.decode()
    assert viewer_client.get(url + "?task_status=late").status_code == 400


def test_an_unknown_comparison_category_is_refused(viewer_client, seed):
    response = viewer_client.get(reverse("dashboards:compare") + "?category=unicorns")
    assert response.status_code == 400
    assert "unknown category: unicorns" in response.content.decode()


def test_the_as_of_date_is_kept_in_links_and_forms(viewer_client, seed_demo):
    html = viewer_client.get("/?as_of=2024-06-30&year=2035").content.decode()
    assert 'href="/provinces/SX/?as_of=2024-06-30"' in html
    assert 'href="/compare/?as_of=2024-06-30"' in html
    assert 'value="2024-06-30"' in html  # the date field shows the URL's date
    assert '<input type="hidden" name="year" value="2035">' in html  # kept when the date changes
    assert "format=csv&amp;table=ranking" in html
    assert "?as_of=2024-06-30&amp;year=2035&amp;format=csv" in html


def test_the_status_depends_on_the_as_of_date(viewer_client, seed_demo, page_urls):
    # At the end of 2020 only the baseline exists: no time has passed and there is no data.
    early = viewer_client.get(page_urls["indicator"] + "?as_of=2020-12-31").content.decode()
    now = viewer_client.get(page_urls["indicator"] + Q).content.decode()
    assert "截至2020年底为85%，完成进度0%，时间进度0%，无数据。" in early
    assert "2025年目标90%（不低于），基期2020年85%，截至2025年底为" in now
    assert "时间进度100%" in now


def test_the_document_filter_by_area_keeps_only_that_area(viewer_client, seed):
    url = reverse("dashboards:document", args=["sx-2021"])
    html = viewer_client.get(url + "?area=法制监督").content.decode()
    assert "强检项目覆盖率" in html.split("文件结构与进展")[1]
    assert "省部级以上科技奖励</a></td><td" not in html.split("文件结构与进展")[1]
    assert '<option value="法制监督" selected>' in html


def test_the_document_shows_its_structure_tasks_columns_and_departments(viewer_client, seed):
    html = viewer_client.get(reverse("dashboards:document", args=["sx-2021"])).content.decode()
    assert "一、总体要求" in html
    assert "专栏1" in html and "专栏2" in html
    assert "加强计量测试技术和应用基础研究" in html
    assert "省科技厅" in html
    assert "关于计量发展规划(2013—2020年)的实施意见" in html  # the plan it supersedes


def test_the_english_interface_renders_too(viewer_client, seed_demo):
    viewer_client.cookies["django_language"] = "en"
    response = viewer_client.get("/" + Q)
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()


def test_a_new_province_appears_in_the_navigation_and_overview(viewer_client, seed):
    Province.objects.create(code="GD", name="广东", full_name="广东省", sort_order=9)
    html = viewer_client.get("/").content.decode()
    assert 'href="/provinces/GD/"' in html
    assert "尚无现行文件" in html


def test_a_department_page_lists_lead_and_support_tasks(viewer_client, db):
    department = f.make_department(name="省科技厅")
    lead = f.make_assignment(department=department, role="lead")
    task = f.make_task(section=lead.task.section, title="建设计量数据中心")
    f.make_assignment(task=task, department=department, role="support")
    html = viewer_client.get(reverse("dashboards:department", args=[department.pk])).content
    html = html.decode()
    assert "牵头(责任)任务 1 项，其中滞后 0 项；配合任务 1 项" in html
    lead_table = html.split('id="table-lead"')[1].split("</section>")[0]
    support_table = html.split('id="table-support"')[1].split("</section>")[0]
    assert lead.task.title in lead_table and "建设计量数据中心" not in lead_table
    assert "建设计量数据中心" in support_table


def test_units_printed_without_lead_or_support_are_explained_where_they_occur(viewer_client, seed):
    shanxi = viewer_client.get(reverse("dashboards:departments", args=["SX"])).content.decode()
    shandong = viewer_client.get(reverse("dashboards:departments", args=["SD"])).content.decode()
    assert "未区分牵头与配合" in shanxi
    assert "未区分牵头与配合" not in shandong


def test_every_page_of_the_app_is_walked_by_the_page_tests(page_urls):
    from dashboards.urls import urlpatterns

    from .test_query_counts import BOUNDS

    downloads = {"catalogue_targets", "catalogue_tasks"}
    pages = {pattern.name for pattern in urlpatterns} - downloads
    assert pages == set(page_urls) == set(PAGES) == set(BOUNDS)


@pytest.mark.parametrize(
    ("name", "args", "path"),
    [
        ("overview", [], "/"),
        ("compare", [], "/compare/"),
        ("province", ["SX"], "/provinces/SX/"),
        ("departments", ["SD"], "/provinces/SD/departments/"),
        ("document", ["sx-2021"], "/documents/sx-2021/"),
        ("responsibilities", ["sd-2022"], "/documents/sd-2022/responsibilities/"),
        ("department", [7], "/departments/7/"),
        ("indicator", [7], "/indicators/7/"),
        ("task", [7], "/tasks/7/"),
        ("catalogue_targets", [], "/catalogue/targets.csv"),
        ("catalogue_tasks", [], "/catalogue/tasks.csv"),
    ],
)
def test_a_bookmarked_path_still_reaches_its_page(name, args, path):
    from django.urls import resolve

    assert reverse(f"dashboards:{name}", args=args) == path
    assert resolve(path).url_name == name
