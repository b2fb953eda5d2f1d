"""The admin: every model's pages render at a fixed query cost, search works in Chinese, imports
and exports work through the browser's forms, and people without the right are refused."""

import itertools
from collections.abc import Callable

import pytest
import tablib
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from provinces.models import ReviewStatus
from provinces.resources import export_file
from targets.models import Indicator, ProgressReport, Target
from targets.resources import IndicatorResource
from tasks.models import Role, Task, TaskUpdate
from tasks.resources import TaskResource
from tests import factories as f

pytestmark = pytest.mark.django_db

_years = itertools.count(2030)


def _task_with_assignments() -> Task:
    task = f.make_task()
    f.make_assignment(task=task, role=Role.LEAD)
    f.make_assignment(task=task, role=Role.SUPPORT)
    return task


def _column_with_items():
    column = f.make_column(task=f.make_task())
    f.make_column_item(column=column)
    return column


def _indicator_with_targets() -> Indicator:
    indicator = f.make_indicator(category=f.make_category())
    f.make_target(indicator=indicator)
    return indicator


def _task_update() -> TaskUpdate:
    task = f.make_task()
    return f.make_task_update(
        task=task, reporting_department=f.make_department(province=task.document.province)
    )


def _report() -> ProgressReport:
    indicator = f.make_indicator()
    return f.make_report(
        indicator=indicator,
        reporting_department=f.make_department(province=indicator.document.province),
        review_status=ReviewStatus.SUBMITTED,
    )


# admin name → a builder of one row (with the related rows a list shows), returning that row.
ROWS: dict[str, Callable[[], models.Model]] = {
    "provinces.province": f.make_province,
    "provinces.department": f.make_department,
    "provinces.policydocument": f.make_document,
    "provinces.section": lambda: f.make_section(parent=f.make_section()),
    "tasks.task": _task_with_assignments,
    "tasks.assignment": f.make_assignment,
    "tasks.column": _column_with_items,
    "tasks.columnitem": f.make_column_item,
    "tasks.taskupdate": _task_update,
    "targets.indicatorcategory": lambda: _indicator_with_targets().category,
    "targets.indicator": _indicator_with_targets,
    "targets.target": f.make_target,
    "targets.progressreport": _report,
    "targets.progressrun": f.make_progress_run,
    "targets.progressresult": f.make_progress_result,
}
# Rows shown inline on a change page: more of them must not cost more queries.
CHILDREN: dict[str, Callable[[models.Model], object]] = {
    "tasks.task": lambda task: f.make_assignment(task=task),
    "tasks.column": lambda column: f.make_column_item(column=column),
    "targets.indicator": lambda indicator: f.make_target(indicator=indicator, year=next(_years)),
}
READ_ONLY = {"targets.progressrun", "targets.progressresult"}


def _url(name: str, view: str, *args) -> str:
    app, model = name.split(".")
    return reverse(f"admin:{app}_{model}_{view}", args=args)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


# --- pages and their query cost -----------------------------------------------------------------


@pytest.mark.parametrize("name", ROWS)
def test_the_changelist_costs_the_same_queries_for_one_row_or_many(
    name, staff_client, django_assert_max_num_queries
):
    ROWS[name]()
    url = _url(name, "changelist")
    staff_client.get(url)  # warm the per-process caches (content types)
    baseline = _queries(staff_client, url)
    for _ in range(4):
        ROWS[name]()

    with django_assert_max_num_queries(baseline):
        response = staff_client.get(url)

    assert response.status_code == 200
    assert response.context["cl"].result_count >= 5


@pytest.mark.parametrize("name", ROWS)
def test_the_change_page_costs_the_same_queries_whatever_else_exists(
    name, staff_client, django_assert_max_num_queries
):
    obj = ROWS[name]()
    url = _url(name, "change", obj.pk)
    staff_client.get(url)
    baseline = _queries(staff_client, url)
    for _ in range(3):
        ROWS[name]()
        if name in CHILDREN:
            CHILDREN[name](obj)

    with django_assert_max_num_queries(baseline):
        response = staff_client.get(url)

    assert response.status_code == 200


@pytest.mark.parametrize("name", sorted(set(ROWS) - READ_ONLY))
def test_the_add_page_renders(name, staff_client):
    ROWS[name]()
    assert staff_client.get(_url(name, "add")).status_code == 200


def test_the_task_list_shows_lead_and_support_departments(staff_client):
    task = f.make_task(title="推进量子计量技术应用")
    market = f.make_department(province=task.document.province, name="省市场监管局")
    science = f.make_department(province=task.document.province, name="省科技厅")
    f.make_assignment(task=task, department=market, role=Role.LEAD)
    f.make_assignment(task=task, department=science, role=Role.SUPPORT)

    content = staff_client.get(_url("tasks.task", "changelist")).content.decode()

    assert "推进量子计量技术应用" in content
    assert "省市场监管局" in content and "省科技厅" in content


def test_a_tasks_inline_offers_only_departments_of_its_province(staff_client):
    task = f.make_task()
    own = f.make_department(province=task.document.province, name="省科技厅")
    other = f.make_department(name="国网山东省电力公司")

    content = staff_client.get(_url("tasks.task", "change", task.pk)).content.decode()

    assert f'value="{own.pk}"' in content
    assert "国网山东省电力公司" not in content and other.pk != own.pk


def test_a_task_cannot_be_saved_with_a_section_of_another_document(staff_client):
    task = f.make_task(title="原标题")
    foreign = f.make_section(title="别的文件的章节")
    data = {
        "document": task.document_id,
        "section": foreign.pk,
        "number": task.number,
        "title": "新标题",
        "text": task.text,
        "quote": task.quote,
        "departments_quote": "",
        "sort_order": 1,
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
    }

    response = staff_client.post(_url("tasks.task", "change", task.pk), data)

    assert response.status_code == 200
    assert "belongs to another document" in response.content.decode()
    task.refresh_from_db()
    assert task.title == "原标题"


# --- search -------------------------------------------------------------------------------------


def _doc_titled(title):
    return lambda: f.make_document(title=title)


SEARCHES = [
    (
        "provinces.province",
        lambda: f.make_province(name="青海", full_name="青海省"),
        lambda: f.make_province(name="山东", full_name="山东省"),
        "青海",
    ),
    (
        "provinces.department",
        lambda: f.make_department(name="国网山东省电力公司"),
        lambda: f.make_department(name="省科技厅"),
        "电力",
    ),
    (
        "provinces.policydocument",
        _doc_titled("青海省贯彻落实计量发展规划的实施意见"),
        _doc_titled("山东省计量发展规划实施方案"),
        "青海",
    ),
    (
        "provinces.section",
        lambda: f.make_section(title="强化计量监督管理"),
        lambda: f.make_section(title="总体要求"),
        "监督",
    ),
    (
        "tasks.task",
        lambda: f.make_task(title="推进量子计量技术应用"),
        lambda: f.make_task(title="完善计量法规体系", text="修订地方计量法规。"),
        "量子",
    ),
    (
        "tasks.assignment",
        lambda: f.make_assignment(department=f.make_department(name="省科技厅")),
        lambda: f.make_assignment(department=f.make_department(name="省财政厅")),
        "科技",
    ),
    (
        "tasks.column",
        lambda: f.make_column(title="产业计量测试中心建设"),
        lambda: f.make_column(title="计量法规建设"),
        "产业",
    ),
    (
        "tasks.columnitem",
        lambda: f.make_column_item(title="量子计量基准"),
        lambda: f.make_column_item(title="计量理论研究"),
        "量子",
    ),
    (
        "tasks.taskupdate",
        lambda: f.make_task_update(narrative="已建成省级计量测试中心3个"),
        lambda: f.make_task_update(narrative="尚未启动"),
        "测试中心",
    ),
    (
        "targets.indicatorcategory",
        lambda: f.make_category(name="强制检定覆盖率"),
        lambda: f.make_category(name="计量标准数量"),
        "强制",
    ),
    (
        "targets.indicator",
        lambda: f.make_indicator(name="注册计量师数量"),
        lambda: f.make_indicator(name="社会公用计量标准"),
        "注册",
    ),
    (
        "targets.target",
        lambda: f.make_target(indicator=f.make_indicator(name="诚信计量示范单位")),
        lambda: f.make_target(indicator=f.make_indicator(name="社会公用计量标准")),
        "示范",
    ),
    (
        "targets.progressreport",
        lambda: f.make_report(note="省局年度统计公报"),
        lambda: f.make_report(note="月度报表"),
        "公报",
    ),
    (
        "targets.progressrun",
        lambda: f.make_progress_run(scope="山西"),
        lambda: f.make_progress_run(scope="江苏"),
        "山西",
    ),
    (
        "targets.progressresult",
        lambda: f.make_progress_result(
            target=f.make_target(indicator=f.make_indicator(name="注册计量师"))
        ),
        lambda: f.make_progress_result(
            target=f.make_target(indicator=f.make_indicator(name="计量标准"))
        ),
        "注册",
    ),
]


def test_every_model_has_a_search_case():
    assert {name for name, *_ in SEARCHES} == set(ROWS)


@pytest.mark.parametrize(("name", "make_hit", "make_miss", "query"), SEARCHES)
def test_a_chinese_search_finds_the_row_and_only_it(name, make_hit, make_miss, query, staff_client):
    hit, miss = make_hit(), make_miss()

    response = staff_client.get(_url(name, "changelist"), {"q": query})

    assert response.status_code == 200
    found = {obj.pk for obj in response.context["cl"].result_list}
    assert hit.pk in found
    assert miss.pk not in found


# --- who may come in ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ROWS)
def test_an_anonymous_visitor_is_sent_to_the_login_page(name, client):
    url = _url(name, "changelist")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_reader_without_staff_rights_is_sent_to_the_login_page(viewer_client):
    response = viewer_client.get(_url("targets.indicator", "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.fixture
def staff_without_add(django_user_model, client):
    """Staff who may view and change indicators and tasks, but not add them."""
    user = django_user_model.objects.create_user(username="checker", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["targets", "tasks"],
            codename__in=["view_indicator", "change_indicator", "view_task", "change_task"],
        )
    )
    client.force_login(user)
    return client


def test_staff_without_the_add_right_cannot_import(staff_without_add):
    changelist = staff_without_add.get(_url("targets.indicator", "changelist"))
    assert changelist.status_code == 200
    assert 'class="import_link"' not in changelist.content.decode()
    assert 'class="export_link"' in changelist.content.decode()

    assert staff_without_add.get(_url("targets.indicator", "import")).status_code == 403
    upload = SimpleUploadedFile("indicators.csv", b"id,document\n")
    response = staff_without_add.post(
        _url("targets.indicator", "import"), {"resource": "0", "format": "0", "import_file": upload}
    )
    assert response.status_code == 403
    assert staff_without_add.post(_url("targets.indicator", "process_import")).status_code == 403


def test_computed_results_cannot_be_added_changed_or_imported(staff_client):
    result = f.make_progress_result()
    for name in READ_ONLY:
        with pytest.raises(NoReverseMatch):
            _url(name, "import")
        assert staff_client.get(_url(name, "add")).status_code == 403
    page = staff_client.get(_url("targets.progressresult", "change", result.pk))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content


# --- import and export through the browser ------------------------------------------------------


def _export(client, name: str, resource_class, file_format: str) -> bytes:
    fields = {
        f"{resource_class.__name__.lower()}_{field}": "on"
        for field in resource_class().get_export_order()
    }
    response = client.post(
        _url(name, "export"),
        {"resource": "0", "format": {"csv": "0", "xlsx": "1"}[file_format]} | fields,
    )
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"].startswith("attachment")
    return response.content


def _import(client, name: str, data: bytes, file_format: str):
    upload = SimpleUploadedFile(f"sheet.{file_format}", data)
    return client.post(
        _url(name, "import"),
        {"resource": "0", "format": {"csv": "0", "xlsx": "1"}[file_format], "import_file": upload},
    )


def _confirm(client, name: str, preview):
    form = preview.context["confirm_form"]
    assert form is not None, preview.context["result"].invalid_rows
    return client.post(_url(name, "process_import"), form.initial)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("name", "resource_class", "model", "build"),
    [
        ("targets.indicator", IndicatorResource, Indicator, _indicator_with_targets),
        ("tasks.task", TaskResource, Task, _task_with_assignments),
    ],
)
def test_a_sheet_exported_from_the_admin_imports_back_through_it(
    name, resource_class, model, build, file_format, staff_client
):
    for _ in range(2):
        build()
    before = sorted(
        model.objects.values_list("document__slug", "number" if model is Task else "code")
    )
    assert staff_client.get(_url(name, "export")).status_code == 200
    data = _export(staff_client, name, resource_class, file_format)
    if file_format == "csv":
        assert data.startswith("\ufeff".encode())
    model.objects.all().delete()

    preview = _import(staff_client, name, data, file_format)
    assert preview.status_code == 200
    assert model.objects.count() == 0  # the preview writes nothing
    response = _confirm(staff_client, name, preview)

    assert response.status_code == 302
    assert response["Location"] == _url(name, "changelist")
    after = sorted(
        model.objects.values_list("document__slug", "number" if model is Task else "code")
    )
    assert after == before


def test_an_admin_import_of_an_unchanged_sheet_reports_skipped_rows(staff_client):
    for _ in range(2):
        _indicator_with_targets()
    data = _export(staff_client, "targets.indicator", IndicatorResource, "xlsx")

    preview = _import(staff_client, "targets.indicator", data, "xlsx")
    response = _confirm(staff_client, "targets.indicator", preview)

    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("0" in m and "2" in m for m in messages), messages
    assert Indicator.objects.count() == 2


def test_an_admin_import_with_one_bad_row_shows_it_and_offers_no_confirmation(staff_client):
    document = f.make_document(slug="sx-2021")
    f.make_indicator(document=document, code="standards", name="计量标准")
    f.make_indicator(document=document, code="coverage", name="强制检定覆盖率", unit="%")
    dataset = IndicatorResource().export()
    rows = dataset.dict
    rows[0]["code"], rows[0]["id"] = "new-one", ""
    rows[1]["code"], rows[1]["id"], rows[1]["baseline_value"] = "new-two", "", "约七百"
    sheet = tablib.Dataset(*[list(r.values()) for r in rows], headers=dataset.headers)
    data = sheet.export("csv").encode("utf-8-sig")

    preview = _import(staff_client, "targets.indicator", data, "csv")

    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is None
    content = preview.content.decode()
    assert "“约七百”不是数字" in content and "is not a number" in content
    assert Indicator.objects.count() == 2


def test_a_gbk_csv_from_chinese_excel_imports_through_the_admin(staff_client):
    _task_with_assignments()
    text = TaskResource().export().export("csv")
    Task.objects.all().delete()

    preview = _import(staff_client, "tasks.task", text.encode("gbk"), "csv")
    response = _confirm(staff_client, "tasks.task", preview)

    assert response.status_code == 302
    assert Task.objects.count() == 1


def test_a_sheet_that_went_stale_between_preview_and_confirm_imports_nothing(staff_client):
    task = _task_with_assignments()
    data = export_file(TaskResource(), "csv")
    Task.objects.all().delete()
    preview = _import(staff_client, "tasks.task", data, "csv")
    task.section.delete()  # the sheet's section is gone by the time staff confirm

    response = _confirm(staff_client, "tasks.task", preview)

    assert response.status_code == 302
    assert response["Location"] == _url("tasks.task", "import")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("nothing was saved" in m for m in messages), messages
    assert Task.objects.count() == 0


# --- review actions -----------------------------------------------------------------------------


def _act(client, name: str, action: str, objects, **extra) -> object:
    return client.post(
        _url(name, "changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects], **extra},
    )


def test_approving_reports_in_the_admin_makes_them_count(staff_client):
    reports = [_report(), _report()]
    untouched = _report()

    response = _act(staff_client, "targets.progressreport", "approve", reports)

    assert response.status_code == 302
    statuses = {r.pk: r.review_status for r in ProgressReport.objects.all()}
    assert statuses == {
        reports[0].pk: ReviewStatus.APPROVED,
        reports[1].pk: ReviewStatus.APPROVED,
        untouched.pk: ReviewStatus.SUBMITTED,
    }
    assert all(r.reviewed_at for r in ProgressReport.objects.filter(pk__in=[r.pk for r in reports]))


def test_returning_a_report_in_the_admin_sends_it_back(staff_client):
    report = _report()

    asked = _act(staff_client, "targets.progressreport", "return_to_reporter", [report])
    assert asked.status_code == 200 and "退回原因" in asked.content.decode()
    report.refresh_from_db()
    assert report.review_status == ReviewStatus.SUBMITTED  # nothing happens without a reason

    response = _act(
        staff_client,
        "targets.progressreport",
        "return_to_reporter",
        [report],
        apply="1",
        reason="口径不一致",
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.review_status == ReviewStatus.RETURNED
    assert report.review_comment == "口径不一致"


def test_staff_without_the_change_right_cannot_approve(django_user_model, client):
    user = django_user_model.objects.create_user(username="reader-staff", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_progressreport"))
    client.force_login(user)
    report = _report()

    _act(client, "targets.progressreport", "approve", [report])

    report.refresh_from_db()
    assert report.review_status == ReviewStatus.SUBMITTED


def test_the_review_status_cannot_be_set_in_the_report_form(staff_client):
    report = _report()
    content = staff_client.get(_url("targets.progressreport", "change", report.pk)).content
    assert b'name="review_status"' not in content


def test_approving_task_updates_in_the_admin(staff_client):
    pytest.importorskip("tasks.services", reason="tasks.services is not written yet")
    update = _task_update()
    update.review_status = ReviewStatus.SUBMITTED
    update.save()

    _act(staff_client, "tasks.taskupdate", "approve", [update])

    update.refresh_from_db()
    assert update.review_status == ReviewStatus.APPROVED


def test_returning_task_updates_in_the_admin(staff_client):
    pytest.importorskip("tasks.services", reason="tasks.services is not written yet")
    update = _task_update()
    update.review_status = ReviewStatus.SUBMITTED
    update.save()

    _act(
        staff_client, "tasks.taskupdate", "return_to_reporter", [update], apply="1", reason="缺佐证"
    )

    update.refresh_from_db()
    assert update.review_status == ReviewStatus.RETURNED


def test_a_target_list_shows_readable_values(staff_client):
    f.make_target(indicator=f.make_indicator(unit="%", name="强制检定覆盖率"), value=95)
    content = staff_client.get(_url("targets.target", "changelist")).content.decode()
    assert "≥95%" in content and "强制检定覆盖率" in content
    assert Target.objects.count() == 1


def _task_form(task: Task, **assignment) -> dict:
    data = {
        "document": task.document_id,
        "section": task.section_id,
        "number": task.number,
        "title": task.title,
        "text": task.text,
        "quote": task.quote,
        "departments_quote": "",
        "sort_order": task.sort_order,
        "assignments-TOTAL_FORMS": "1",
        "assignments-INITIAL_FORMS": "0",
    }
    return data | {f"assignments-0-{key}": value for key, value in assignment.items()}


def test_staff_add_a_lead_department_on_the_task_page(staff_client):
    task = f.make_task()
    market = f.make_department(province=task.document.province, name="省市场监管局")

    response = staff_client.post(
        _url("tasks.task", "change", task.pk),
        _task_form(task, department=market.pk, role=Role.LEAD, sort_order=0),
    )

    assert response.status_code == 302
    assert list(task.assignments.values_list("department__name", "role")) == [
        ("省市场监管局", Role.LEAD)
    ]


def test_a_department_of_another_province_cannot_be_assigned_on_the_task_page(staff_client):
    task = f.make_task()
    f.make_department(province=task.document.province, name="省科技厅")
    elsewhere = f.make_department(name="国网山东省电力公司")

    response = staff_client.post(
        _url("tasks.task", "change", task.pk),
        _task_form(task, department=elsewhere.pk, role=Role.SUPPORT, sort_order=0),
    )

    assert response.status_code == 200
    assert not task.assignments.exists()


def test_the_import_page_lists_the_columns_a_sheet_needs(staff_client):
    content = staff_client.get(_url("tasks.task", "import")).content.decode()
    for column in ("document", "section", "number", "title", "quote"):
        assert column in content
