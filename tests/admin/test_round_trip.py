"""Every resource: export to CSV and Excel, import the bytes back; bad files are refused whole."""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pytest
import tablib
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from provinces.models import Department, PolicyDocument, Province, ReviewStatus, Section
from provinces.resources import (
    ChineseCSV,
    DateWidget,
    DepartmentResource,
    PolicyDocumentResource,
    ProvinceResource,
    SafeXLSX,
    SectionResource,
    export_file,
    load_file,
)
from targets.models import (
    Attribute,
    Comparator,
    Direction,
    Indicator,
    IndicatorCategory,
    MeasureKind,
    ProgressResult,
    ProgressRun,
    Target,
)
from targets.resources import (
    IndicatorCategoryResource,
    IndicatorResource,
    ProgressResultResource,
    ProgressRunResource,
    TargetResource,
)
from tasks.models import Assignment, Column, ColumnItem, Role, Task, TaskStatus, TaskUpdate
from tasks.resources import (
    AssignmentResource,
    ColumnItemResource,
    ColumnResource,
    TaskResource,
    TaskUpdateResource,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "xlsx"]
# Not part of any sheet: assigned by the database, or (source_text) left out on purpose.
NOT_IN_SHEET = {"id", "created_at", "updated_at", "source_text"}


# --- scenarios: a few rows of each model, with Chinese text and the awkward cases ---------------


def _shanxi() -> Province:
    return f.make_province(code="SX", name="山西", full_name="山西省")


def _jiangsu() -> Province:
    return f.make_province(code="JS", name="江苏", full_name="江苏省")


def _sx_document(*, province: Province | None = None, **overrides) -> PolicyDocument:
    fields = {"slug": "sx-2021", "title": "关于贯彻落实计量发展规划(2021—2035年)的实施意见"}
    fields.update(overrides)
    return f.make_document(province=province or _shanxi(), **fields)


def build_provinces() -> None:
    _shanxi()
    _jiangsu()


def build_departments() -> None:
    sx, js = _shanxi(), _jiangsu()
    f.make_department(province=sx, name="省市场监管局")
    f.make_department(province=sx, name="省科技厅")
    f.make_department(province=js, name="省市场监管局")  # same name, other province


def build_documents() -> None:
    sx = _shanxi()
    old = f.make_document(
        province=sx,
        slug="sx-2013",
        title="关于贯彻落实计量发展规划(2013—2020年)的实施意见",
        number="",
        signed_on=None,
        period_start=2013,
        period_end=2020,
        base_year=2012,
        milestone_years=[2020],
        source_text="山西省人民政府 关于贯彻落实计量发展规划……",
    )
    f.make_document(province=sx, slug="sx-2021", supersedes=old, source_text="全文……")
    f.make_document(province=_jiangsu(), slug="js-2022", milestone_years=[])


def build_sections() -> None:
    for document in (_sx_document(), f.make_document(slug="js-2022")):
        first = f.make_section(
            document=document, key="一", number="一、", title="总体要求", sort_order=1
        )
        f.make_section(
            parent=first, key="一/二", number="(二)", title="发展目标", sort_order=2, level=2
        )
        f.make_section(
            document=document, key="二", number="二、", title="主要任务", sort_order=3, quote=""
        )


def build_tasks() -> None:
    for document in (_sx_document(), f.make_document(slug="js-2022")):
        for order, key in enumerate(("二", "三")):
            section = f.make_section(document=document, key=key, number=f"{key}、")
            # 江苏 and 山东 restart (一)(二)… in every part
            f.make_task(
                section=section, number="(一)", title=f"{key}、加强计量基础", sort_order=order
            )


def build_assignments() -> None:
    document = _sx_document()
    task = f.make_task(document=document, number="1", title="加强计量测试技术和应用基础研究")
    other = f.make_task(section=task.section, number="2", title="推进量子计量技术应用")
    market = f.make_department(province=document.province, name="省市场监管局")
    science = f.make_department(province=document.province, name="省科技厅")
    f.make_department(province=_jiangsu(), name="省市场监管局")  # not to be picked up
    f.make_assignment(task=task, department=market, role=Role.LEAD, sort_order=0)
    f.make_assignment(task=task, department=science, role=Role.SUPPORT, sort_order=1)
    f.make_assignment(task=other, department=market, role=Role.RESPONSIBLE, sort_order=0)


def build_columns() -> None:
    document = _sx_document()
    task = f.make_task(document=document, number="1")
    f.make_column(document=document, number=1, title="山西省计量发展主要指标", task=None)
    f.make_column(document=document, number=2, title="计量科学技术创新研究", task=task)


def build_column_items() -> None:
    column = f.make_column(document=_sx_document(), number=2, title="计量科学技术创新研究")
    f.make_column_item(column=column, number="1", title="计量理论研究", sort_order=1)
    f.make_column_item(column=column, number="", title="量子计量", text="", sort_order=2)


def build_categories() -> None:
    f.make_category(code="mandatory-verification", name="强制检定覆盖率", note="按省级口径")
    f.make_category(code="measurement-standards", name="计量标准数量", note="")


def build_indicators() -> None:
    document = _sx_document()
    section = f.make_section(document=document, key="一/二", number="(二)", title="发展目标")
    task = f.make_task(document=document, number="1")
    column = f.make_column(document=document, number=1, task=task)
    category = f.make_category(code="mandatory-verification", name="强制检定覆盖率")
    f.make_indicator(
        document=document,
        code="verification-coverage",
        name="强制检定覆盖率",
        unit="%",
        attribute=Attribute.BINDING,
        baseline_value=Decimal("85.5"),
        category=category,
        section=section,
        task=task,
        column=column,
    )
    f.make_indicator(
        document=document,
        code="demo-units",
        name="诚信计量示范单位",
        unit="千家",
        measure_kind=MeasureKind.CUMULATIVE,
        baseline_year=None,
        baseline_value=None,
    )
    f.make_indicator(
        document=document,
        code="regulation",
        name="完成《山西省计量监督管理条例》的修订",
        measure_kind=MeasureKind.MILESTONE,
        attribute=Attribute.UNSPECIFIED,
        direction=Direction.DOWN,
    )


def build_targets() -> None:
    document = _sx_document()
    standards = f.make_indicator(document=document, code="standards-total", name="计量标准")
    percent = f.make_indicator(document=document, code="coverage", unit="%", name="覆盖率")
    centres = f.make_indicator(document=document, code="centres", unit="个", name="测试中心")
    milestone = f.make_indicator(
        document=document, code="regulation", measure_kind=MeasureKind.MILESTONE
    )
    f.make_target(
        indicator=standards,
        year=2025,
        value=Decimal("900"),
        restated_quotes=["计量标准达到900项", "新建计量标准157项"],
    )
    f.make_target(indicator=standards, year=2035, comparator=Comparator.APPROX, value=1200)
    f.make_target(indicator=percent, year=2025, value=Decimal("95.5"))
    f.make_target(indicator=centres, year=2025, comparator=Comparator.RANGE, lower_bound=1, value=3)
    f.make_target(indicator=milestone, year=2025)


def build_task_updates() -> None:
    document = _sx_document()
    task = f.make_task(document=document, number="1")
    department = f.make_department(province=document.province, name="省市场监管局")
    reporter = get_user_model().objects.create_user(username="sx-reporter")
    f.make_task_update(
        task=task,
        review_status=ReviewStatus.APPROVED,
        reviewed_at=timezone.make_aware(datetime(2026, 1, 5, 9, 30, 15, 123456)),
        reporting_department=department,
        reporter=reporter,
        narrative="已建成省级计量测试中心3个，正在推进第4个。",
    )
    f.make_task_update(
        task=task,
        as_of=date(2026, 6, 30),
        status=TaskStatus.COMPLETED,
        percent=100,
        evidence="evidence/tasks/2026/验收报告.pdf",
        note="",
    )
    f.make_task_update(task=task, status=TaskStatus.DELAYED, percent=None, narrative="")


SCENARIOS: dict[str, tuple[type, type[models.Model], Callable[[], None]]] = {
    "province": (ProvinceResource, Province, build_provinces),
    "department": (DepartmentResource, Department, build_departments),
    "document": (PolicyDocumentResource, PolicyDocument, build_documents),
    "section": (SectionResource, Section, build_sections),
    "task": (TaskResource, Task, build_tasks),
    "assignment": (AssignmentResource, Assignment, build_assignments),
    "column": (ColumnResource, Column, build_columns),
    "column_item": (ColumnItemResource, ColumnItem, build_column_items),
    "category": (IndicatorCategoryResource, IndicatorCategory, build_categories),
    "indicator": (IndicatorResource, Indicator, build_indicators),
    "target": (TargetResource, Target, build_targets),
    "task_update": (TaskUpdateResource, TaskUpdate, build_task_updates),
}


def snapshot(model: type[models.Model]) -> list[dict]:
    """Every row's field values; related rows by their text, since recreated rows get new ids."""
    rows = []
    for obj in model.objects.all():
        row = {}
        for field in model._meta.concrete_fields:
            if field.name in NOT_IN_SHEET:
                continue
            value = getattr(obj, field.name)
            if field.is_relation:
                value = str(value) if value is not None else None
            elif isinstance(value, models.fields.files.FieldFile):
                value = value.name
            row[field.name] = value
        rows.append(row)
    return sorted(rows, key=repr)


def _totals(result) -> dict[str, int]:
    return {kind: count for kind, count in result.totals.items() if count}


# --- round trips --------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("name", SCENARIOS)
def test_an_unchanged_sheet_re_imports_as_skipped_rows_and_duplicates_nothing(name, file_format):
    resource_class, model, build = SCENARIOS[name]
    build()
    before = snapshot(model)
    ids = sorted(model.objects.values_list("pk", flat=True))
    data = export_file(resource_class(), file_format)

    result = resource_class().import_data(load_file(data, file_format))

    assert not result.has_errors(), [e.error for row in result.row_errors() for e in row[1]]
    assert not result.has_validation_errors(), [r.error for r in result.invalid_rows]
    assert _totals(result) == {"skip": len(ids)}
    assert sorted(model.objects.values_list("pk", flat=True)) == ids
    assert snapshot(model) == before


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("name", SCENARIOS)
def test_a_sheet_recreates_deleted_rows_equal_to_the_originals(name, file_format):
    resource_class, model, build = SCENARIOS[name]
    build()
    before = snapshot(model)
    count = len(before)
    data = export_file(resource_class(), file_format)
    model.objects.all().delete()

    result = resource_class().import_data(load_file(data, file_format))

    assert not result.has_errors(), [e.error for row in result.row_errors() for e in row[1]]
    assert not result.has_validation_errors(), [r.error for r in result.invalid_rows]
    assert _totals(result) == {"new": count}
    assert snapshot(model) == before


@pytest.mark.parametrize("file_format", FORMATS)
def test_a_tablib_round_trip_without_the_admin_formats_works_too(file_format):
    build_targets()
    before = snapshot(Target)
    dataset = TargetResource().export()
    data = dataset.export(file_format)
    Target.objects.all().delete()

    result = TargetResource().import_data(tablib.Dataset().load(data, format=file_format))

    assert _totals(result) == {"new": 5}
    assert snapshot(Target) == before


def test_a_changed_cell_updates_that_row_only():
    build_indicators()
    dataset = load_file(export_file(IndicatorResource(), "csv"), "csv")
    row = dataset.dict[0]
    row["name"] = "强制检定计量器具覆盖率"
    dataset = tablib.Dataset(
        *[list(r.values()) for r in [row, *dataset.dict[1:]]], headers=dataset.headers
    )

    result = IndicatorResource().import_data(dataset)

    assert _totals(result) == {"update": 1, "skip": 2}
    assert Indicator.objects.filter(name="强制检定计量器具覆盖率").count() == 1
    assert Indicator.objects.count() == 3


def test_renaming_a_department_in_the_sheet_renames_it_in_place():
    build_departments()
    dataset = load_file(export_file(DepartmentResource(), "csv"), "csv")
    rows = dataset.dict
    renamed = next(r for r in rows if r["name"] == "省科技厅")
    renamed["name"] = "省科学技术厅"

    result = DepartmentResource().import_data(
        tablib.Dataset(*[list(r.values()) for r in rows], headers=dataset.headers)
    )

    assert _totals(result) == {"update": 1, "skip": 2}
    assert Department.objects.get(pk=renamed["id"]).name == "省科学技术厅"
    assert Department.objects.count() == 3


def test_a_document_keeps_its_full_text_when_its_sheet_is_re_imported():
    build_documents()
    data = export_file(PolicyDocumentResource(), "xlsx")
    assert "source_text" not in load_file(data, "xlsx").headers

    PolicyDocumentResource().import_data(load_file(data, "xlsx"))

    assert PolicyDocument.objects.get(slug="sx-2013").source_text.startswith("山西省人民政府")


def test_a_sheet_imports_into_a_database_whose_ids_differ():
    """Keys, not ids: the same documents loaded in another order get other ids."""
    build_tasks()
    data = export_file(TaskResource(), "xlsx")
    Task.objects.all().delete()
    # Load the same sections again, in the other order: every one gets another id.
    sections = list(Section.objects.values("document_id", "key", "number", "title", "sort_order"))
    old_ids = set(Section.objects.values_list("pk", flat=True))
    Section.objects.all().delete()
    for section in reversed(sections):
        Section.objects.create(**section)
    assert not old_ids & set(Section.objects.values_list("pk", flat=True))

    result = TaskResource().import_data(load_file(data, "xlsx"))

    assert _totals(result) == {"new": 4}
    assert sorted(
        Task.objects.values_list("section__document__slug", "section__key", "number")
    ) == [
        ("js-2022", "三", "(一)"),
        ("js-2022", "二", "(一)"),
        ("sx-2021", "三", "(一)"),
        ("sx-2021", "二", "(一)"),
    ]


# --- export-only resources ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource_class", "model", "build"),
    [
        (ProgressRunResource, ProgressRun, lambda: f.make_progress_run()),
        (ProgressResultResource, ProgressResult, lambda: f.make_progress_result()),
    ],
)
@pytest.mark.parametrize("file_format", FORMATS)
def test_computed_data_exports_but_its_import_is_refused(resource_class, model, build, file_format):
    build()
    data = export_file(resource_class(), file_format)
    dataset = load_file(data, file_format)
    assert len(dataset) == 1
    model.objects.all().delete()

    result = resource_class().import_data(dataset)

    assert result.has_errors()
    message = str(result.base_errors[0].error)
    assert "不能导入" in message and "cannot be imported" in message
    assert model.objects.count() == 0


def test_a_target_row_shows_the_target_as_printed():
    build_targets()
    shown = {
        row["indicator"] + str(row["year"]): row["display_value"]
        for row in TargetResource().export().dict
    }
    assert shown == {
        "standards-total2025": "≥900项",
        "standards-total2035": "≈1200项",
        "coverage2025": "≥95.5%",
        "centres2025": "1—3个",
        "regulation2025": "完成",
    }


def test_a_result_row_names_its_document_indicator_and_target_year():
    result = f.make_progress_result(
        target=f.make_target(indicator=f.make_indicator(code="standards-total", name="计量标准"))
    )
    row = ProgressResultResource().export().dict[0]
    assert row["document"] == result.target.indicator.document.slug
    assert (row["indicator"], row["indicator_name"], row["target_year"]) == (
        "standards-total",
        "计量标准",
        "2025",
    )


# --- bad files: refused whole, with a reason in Chinese and English -----------------------------


def _indicator_rows(document: PolicyDocument) -> list[dict]:
    base = {header: "" for header in IndicatorResource().get_export_headers()}
    rows = []
    for code, name, baseline in (
        ("a", "计量标准", "743"),
        ("b", "社会公用计量标准", "120"),
        ("c", "注册计量师", "约七百"),
    ):
        rows.append(
            base
            | {
                "document": document.slug,
                "code": code,
                "name": name,
                "unit": "项",
                "direction": "up",
                "measure_kind": "level",
                "baseline_year": "2020",
                "baseline_value": baseline,
                "quote": f"{name}达到{baseline}项",
                "sort_order": "1",
            }
        )
    return rows


def _dataset(rows: list[dict]) -> tablib.Dataset:
    return tablib.Dataset(*[list(row.values()) for row in rows], headers=list(rows[0]))


def _messages(result) -> str:
    return " ".join(
        " ".join(str(m) for messages in row.error_dict.values() for m in messages)
        for row in result.invalid_rows
    )


def test_a_non_number_in_a_numeric_column_rejects_the_whole_sheet():
    document = _sx_document()
    result = IndicatorResource().import_data(_dataset(_indicator_rows(document)))

    assert result.has_validation_errors()
    assert [row.number for row in result.invalid_rows] == [3]
    assert "“约七百”不是数字" in _messages(result)
    assert "is not a number" in _messages(result)
    assert Indicator.objects.count() == 0  # the two good rows were rolled back too


def test_an_unknown_document_slug_rejects_the_whole_sheet():
    document = _sx_document()
    rows = _indicator_rows(document)
    rows[2]["baseline_value"] = "700"
    rows[1]["document"] = "xx-2099"

    result = IndicatorResource().import_data(_dataset(rows))

    assert [row.number for row in result.invalid_rows] == [2]
    assert "文件标识“xx-2099”不存在" in _messages(result)
    assert "no policy document with slug" in _messages(result)
    assert Indicator.objects.count() == 0


def test_a_percentage_target_above_100_rejects_the_whole_sheet():
    document = _sx_document()
    coverage = f.make_indicator(document=document, code="coverage", unit="%")
    standards = f.make_indicator(document=document, code="standards")
    base = {header: "" for header in TargetResource().get_export_headers()}
    rows = [
        base
        | {
            "document": "sx-2021",
            "indicator": "standards",
            "year": "2025",
            "value": "900",
            "comparator": "gte",
            "quote": "900项以上",
        },
        base
        | {
            "document": "sx-2021",
            "indicator": "coverage",
            "year": "2025",
            "value": "120",
            "comparator": "gte",
            "quote": "达到120%",
        },
        base
        | {
            "document": "sx-2021",
            "indicator": "coverage",
            "year": "2035",
            "value": "98",
            "comparator": "gte",
            "quote": "达到98%",
        },
    ]

    result = TargetResource().import_data(_dataset(rows))

    assert [row.number for row in result.invalid_rows] == [2]
    assert "百分比指标的目标值须在0–100之间" in _messages(result)
    assert "a percentage target must lie within 0–100" in _messages(result)
    assert Target.objects.filter(indicator__in=[coverage, standards]).count() == 0


def test_a_constraint_broken_in_a_sheet_is_a_row_error_not_a_crash():
    document = _sx_document()
    f.make_indicator(document=document, code="standards")
    base = {header: "" for header in TargetResource().get_export_headers()}
    rows = [
        base
        | {
            "document": "sx-2021",
            "indicator": "standards",
            "year": "2025",
            "value": "",
            "comparator": "gte",
            "quote": "900项以上",
        },
    ]

    result = TargetResource().import_data(_dataset(rows))

    assert result.has_validation_errors() and not result.has_errors()
    assert "target_value_unless_milestone" in _messages(result)
    assert Target.objects.count() == 0


def test_an_unknown_choice_names_the_allowed_codes():
    build_assignments()
    dataset = load_file(export_file(AssignmentResource(), "csv"), "csv")
    rows = dataset.dict
    rows[0]["role"] = "负责"

    result = AssignmentResource().import_data(_dataset(rows))

    assert "“负责”不是有效选项" in _messages(result)
    assert "lead(牵头)" in _messages(result)
    assert Assignment.objects.get(pk=rows[0]["id"]).role == Role.LEAD


def test_a_choice_may_be_written_as_its_label():
    build_assignments()
    rows = load_file(export_file(AssignmentResource(), "csv"), "csv").dict
    for row in rows:
        row["role"] = {"lead": "牵头", "support": "配合", "responsible": "责任单位"}[row["role"]]

    result = AssignmentResource().import_data(_dataset(rows))

    assert _totals(result) == {"skip": 3}


def test_a_department_is_looked_up_in_the_documents_province_only():
    build_assignments()
    rows = load_file(export_file(AssignmentResource(), "csv"), "csv").dict
    rows[1]["department"] = "省发展改革委"  # exists nowhere

    result = AssignmentResource().import_data(_dataset(rows))

    assert "所属省份中没有名为“省发展改革委”的责任单位" in _messages(result)
    assert Assignment.objects.count() == 3


# --- Chinese Excel: encodings, dates, formulas --------------------------------------------------


def test_a_csv_saved_by_chinese_excel_in_gbk_imports():
    build_departments()
    text = load_file(export_file(DepartmentResource(), "csv"), "csv").export("csv")
    Department.objects.all().delete()

    result = DepartmentResource().import_data(load_file(text.encode("gbk"), "csv"))

    assert _totals(result) == {"new": 3}
    assert set(Department.objects.values_list("name", flat=True)) == {"省市场监管局", "省科技厅"}


def test_a_csv_export_starts_with_a_byte_order_mark_for_excel():
    build_provinces()
    data = export_file(ProvinceResource(), "csv")
    assert data.startswith("\ufeff".encode())
    assert "山西" in data.decode("utf-8-sig")


def test_a_file_in_an_unknown_encoding_is_refused_clearly():
    with pytest.raises(ValueError, match="cannot read the CSV file"):
        ChineseCSV().create_dataset("名称\n山西\n".encode("utf-16"))


def test_an_excel_date_cell_imports_as_a_date():
    assert DateWidget().clean(datetime(2025, 12, 31, 0, 0)) == date(2025, 12, 31)
    assert DateWidget().clean("2025/12/31") == date(2025, 12, 31)
    assert DateWidget().clean("2025年12月31日") == date(2025, 12, 31)
    with pytest.raises(ValueError, match="is not a date"):
        DateWidget().clean("去年年底")


@pytest.mark.parametrize("format_class", [ChineseCSV, SafeXLSX])
def test_text_that_excel_would_run_as_a_formula_is_escaped_and_round_trips(format_class):
    dataset = tablib.Dataset(['=HYPERLINK("http://x")', "-5", "+86 电话", 7], headers=list("abcd"))

    exported = format_class().export_data(dataset)
    if isinstance(exported, str):
        assert "'=HYPERLINK" in exported
        exported = exported.encode("utf-8-sig")
    back = format_class().create_dataset(exported)

    assert back.dict[0]["a"] == '=HYPERLINK("http://x")'
    assert str(back.dict[0]["b"]) == "-5"
    assert back.dict[0]["c"] == "+86 电话"
