"""Every database constraint of the domain: the row that breaks it is refused, a valid one saves.

The database, not Python, must refuse these rows (imports and scripts bypass forms), so each
test saves directly and expects an IntegrityError naming the constraint. SQLite names a failed
CHECK but reports a failed UNIQUE by its columns, so there the test checks the columns instead.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from provinces.models import Department, PolicyDocument, Province, ReviewStatus
from targets.models import Comparator, MeasureKind
from tasks.models import Role, TaskStatus
from tests import factories as f

pytestmark = pytest.mark.django_db


@contextmanager
def violates(constraint: str, *, unique_columns: str | None = None) -> Iterator[None]:
    """Expect the block to break ``constraint`` (a UNIQUE one on SQLite: ``unique_columns``)."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        yield
    message = str(caught.value)
    if unique_columns and connection.vendor == "sqlite":
        assert "UNIQUE" in message and unique_columns in message, message
    else:
        assert constraint in message, message


# --- provinces ----------------------------------------------------------------------------------


def test_province_code_and_name_are_unique():
    f.make_province(code="SX", name="山西")
    with violates("provinces_province_code_key", unique_columns="provinces_province.code"):
        f.make_province(code="SX", name="山西省")
    with violates("provinces_province_name_key", unique_columns="provinces_province.name"):
        f.make_province(code="SX2", name="山西")
    f.make_province(code="JS", name="江苏")
    assert Province.objects.count() == 2


def test_department_unique_name_within_a_province_but_not_across_provinces():
    shanxi, jiangsu = f.make_province(), f.make_province()
    f.make_department(province=shanxi, name="省市场监管局")
    with violates(
        "department_unique_name",
        unique_columns="provinces_department.province_id, provinces_department.name",
    ):
        f.make_department(province=shanxi, name="省市场监管局")
    f.make_department(province=jiangsu, name="省市场监管局")
    assert Department.objects.filter(name="省市场监管局").count() == 2


def test_document_slug_is_unique():
    f.make_document(slug="sx-2021")
    with violates("slug", unique_columns="provinces_policydocument.slug"):
        f.make_document(slug="sx-2021")


def test_document_period_ordered():
    with violates("document_period_ordered"):
        f.make_document(period_start=2035, period_end=2021, base_year=2020)
    f.make_document(period_start=2021, period_end=2021, base_year=2020)


def test_document_base_year_before_start():
    with violates("document_base_year_before_start"):
        f.make_document(period_start=2021, base_year=2021)
    f.make_document(period_start=2021, base_year=2020)


def test_document_does_not_supersede_itself():
    document = f.make_document()
    document.supersedes = document
    with violates("document_does_not_supersede_itself"):
        document.save()
    document.supersedes = f.make_document(period_start=2013, period_end=2020, base_year=2012)
    document.save()
    assert PolicyDocument.objects.get(pk=document.pk).supersedes is not None


def test_section_unique_key_within_a_document():
    document = f.make_document()
    f.make_section(document=document, key="二/一")
    with violates(
        "section_unique_key", unique_columns="provinces_section.document_id, provinces_section.key"
    ):
        f.make_section(document=document, key="二/一")
    f.make_section(document=f.make_document(), key="二/一")


def test_section_unique_number_in_parent():
    document = f.make_document()
    first, second = f.make_section(document=document), f.make_section(document=document)
    f.make_section(parent=first, number="(一)")
    with violates(
        "section_unique_number_in_parent",
        unique_columns=(
            "provinces_section.document_id, provinces_section.parent_id, provinces_section.number"
        ),
    ):
        f.make_section(parent=first, number="(一)")
    f.make_section(parent=second, number="(一)")  # (一) again under another heading


def test_section_unique_top_number():
    document = f.make_document()
    f.make_section(document=document, number="一、")
    with violates(
        "section_unique_top_number",
        unique_columns="failed: provinces_section.document_id, provinces_section.number",
    ):
        f.make_section(document=document, number="一、")
    f.make_section(document=f.make_document(), number="一、")


# --- tasks --------------------------------------------------------------------------------------


def test_task_unique_number_within_its_section_but_repeatable_across_sections():
    """江苏 and 山东 restart (一)(二)… in every part of the document."""
    document = f.make_document()
    part_two, part_three = f.make_section(document=document), f.make_section(document=document)
    f.make_task(section=part_two, number="(一)")
    with violates("task_unique_number", unique_columns="tasks_task.section_id, tasks_task.number"):
        f.make_task(section=part_two, number="(一)")
    f.make_task(section=part_three, number="(一)")
    assert document.tasks.filter(number="(一)").count() == 2


def test_assignment_unique():
    task = f.make_task()
    department = f.make_department(province=task.document.province)
    f.make_assignment(task=task, department=department, role=Role.LEAD)
    with violates(
        "assignment_unique",
        unique_columns="tasks_assignment.task_id, tasks_assignment.department_id",
    ):
        f.make_assignment(task=task, department=department, role=Role.SUPPORT)
    f.make_assignment(task=f.make_task(section=task.section), department=department)


def test_assignment_role_valid():
    with violates("assignment_role_valid"):
        f.make_assignment(role="boss")
    for role in Role.values:
        f.make_assignment(role=role)


def test_column_unique_number_within_a_document():
    document = f.make_document()
    f.make_column(document=document, number=2)
    with violates(
        "column_unique_number", unique_columns="tasks_column.document_id, tasks_column.number"
    ):
        f.make_column(document=document, number=2)
    f.make_column(document=f.make_document(), number=2)


def test_column_item_unique_position_within_a_column():
    column = f.make_column()
    f.make_column_item(column=column, sort_order=1)
    with violates(
        "column_item_unique",
        unique_columns="tasks_columnitem.column_id, tasks_columnitem.sort_order",
    ):
        f.make_column_item(column=column, sort_order=1)
    f.make_column_item(column=column, sort_order=2)


def test_task_update_percent_range():
    with violates("task_update_percent_range"):
        f.make_task_update(percent=101)
    f.make_task_update(percent=0)
    f.make_task_update(percent=None)


def test_task_update_status_valid():
    with violates("task_update_status_valid"):
        f.make_task_update(status="finished")
    for status in TaskStatus.values:
        f.make_task_update(status=status, percent=100 if status == TaskStatus.COMPLETED else 50)


def test_task_update_review_status_valid():
    with violates("task_update_review_status_valid"):
        f.make_task_update(review_status="pending")
    f.make_task_update(review_status=ReviewStatus.SUBMITTED)


def test_task_update_completed_is_100():
    with violates("task_update_completed_is_100"):
        f.make_task_update(status=TaskStatus.COMPLETED, percent=80)
    f.make_task_update(status=TaskStatus.COMPLETED, percent=100)
    f.make_task_update(status=TaskStatus.COMPLETED, percent=None)


def test_task_update_approved_has_time():
    with violates("task_update_approved_has_time"):
        f.make_task_update(review_status=ReviewStatus.APPROVED, reviewed_at=None)
    f.make_task_update(review_status=ReviewStatus.APPROVED, reviewed_at=timezone.now())


# --- targets: indicators ------------------------------------------------------------------------


def test_indicator_unique_code_within_a_document():
    document = f.make_document()
    f.make_indicator(document=document, code="standards-total")
    with violates(
        "indicator_unique_code",
        unique_columns="targets_indicator.document_id, targets_indicator.code",
    ):
        f.make_indicator(document=document, code="standards-total")
    f.make_indicator(document=f.make_document(), code="standards-total")


def test_indicator_kind_valid():
    with violates("indicator_kind_valid"):
        f.make_indicator(measure_kind="ratio")
    f.make_indicator(measure_kind=MeasureKind.CUMULATIVE)


def test_indicator_direction_valid():
    with violates("indicator_direction_valid"):
        f.make_indicator(direction="left")
    f.make_indicator(direction="down")


def test_indicator_milestone_has_no_baseline_value():
    with violates("indicator_milestone_has_no_baseline_value"):
        f.make_indicator(
            measure_kind=MeasureKind.MILESTONE, baseline_year=2020, baseline_value=Decimal(1)
        )
    f.make_indicator(measure_kind=MeasureKind.MILESTONE)


def test_indicator_baseline_value_has_year():
    with violates("indicator_baseline_value_has_year"):
        f.make_indicator(baseline_year=None, baseline_value=Decimal("743"))
    f.make_indicator(baseline_year=None, baseline_value=None)


def test_indicator_percentage_baseline_range():
    with violates("indicator_percentage_baseline_range"):
        f.make_indicator(unit="%", baseline_value=Decimal("100.5"))
    f.make_indicator(unit="%", baseline_value=Decimal("100"))
    f.make_indicator(unit="项", baseline_value=Decimal("743"))


# --- targets: targets ---------------------------------------------------------------------------


def test_target_one_per_indicator_and_year():
    indicator = f.make_indicator()
    f.make_target(indicator=indicator, year=2025)
    with violates(
        "target_one_per_year", unique_columns="targets_target.indicator_id, targets_target.year"
    ):
        f.make_target(indicator=indicator, year=2025, value=Decimal("950"))
    f.make_target(indicator=indicator, year=2035)


def test_target_comparator_valid():
    with violates("target_comparator_valid"):
        f.make_target(comparator="gt")
    f.make_target(comparator=Comparator.LTE)


def test_target_value_unless_milestone():
    with violates("target_value_unless_milestone"):
        f.make_target(comparator=Comparator.GTE, value=None)
    with violates("target_value_unless_milestone"):
        f.make_target(comparator=Comparator.DONE, value=Decimal("1"))
    f.make_target(indicator=f.make_indicator(measure_kind=MeasureKind.MILESTONE))


def test_target_range_has_ordered_bounds():
    with violates("target_range_has_ordered_bounds"):
        f.make_target(comparator=Comparator.RANGE, lower_bound=Decimal(3), value=Decimal(1))
    with violates("target_range_has_ordered_bounds"):
        f.make_target(comparator=Comparator.GTE, lower_bound=Decimal(1), value=Decimal(3))
    target = f.make_target(comparator=Comparator.RANGE, lower_bound=Decimal(1), value=Decimal(3))
    assert target.display_value == "1—3项"


def test_target_range_without_a_lower_bound_is_refused():
    with violates("target_range_has_ordered_bounds"):
        f.make_target(comparator=Comparator.RANGE, lower_bound=None, value=Decimal(3))


def test_target_percentage_range():
    percent = f.make_indicator(unit="%")
    with violates("target_percentage_range"):
        f.make_target(indicator=percent, year=2025, value=Decimal("120"))
    f.make_target(indicator=percent, year=2025, value=Decimal("100"))
    f.make_target(indicator=f.make_indicator(unit="项"), value=Decimal("120"))


def test_target_year_plausible():
    with violates("target_year_plausible"):
        f.make_target(year=202)
    f.make_target(year=2035)


# --- targets: progress reports ------------------------------------------------------------------


def test_report_value_unless_milestone():
    with violates("report_value_unless_milestone"):
        f.make_report(indicator=f.make_indicator(), value=None)
    f.make_report(indicator=f.make_indicator(measure_kind=MeasureKind.MILESTONE), value=None)


def test_report_milestone_states_done():
    milestone = f.make_indicator(measure_kind=MeasureKind.MILESTONE)
    with violates("report_milestone_states_done"):
        f.make_report(indicator=milestone, done=None)
    f.make_report(indicator=milestone, done=False)


def test_report_percentage_range():
    percent = f.make_indicator(unit="%")
    with violates("report_percentage_range"):
        f.make_report(indicator=percent, value=Decimal("120"))
    f.make_report(indicator=percent, value=Decimal("99.5"))


def test_report_review_status_valid():
    with violates("report_review_status_valid"):
        f.make_report(review_status="ok")
    f.make_report(review_status=ReviewStatus.RETURNED)


def test_report_approved_has_time():
    with violates("report_approved_has_time"):
        f.make_report(review_status=ReviewStatus.APPROVED, reviewed_at=None)
    f.make_report(review_status=ReviewStatus.APPROVED, reviewed_at=timezone.now())


# --- targets: computed results ------------------------------------------------------------------


def test_result_one_per_target_date():
    target = f.make_target()
    f.make_progress_result(target=target, as_of=date(2026, 11, 23))
    with violates(
        "result_one_per_target_date",
        unique_columns="targets_progressresult.target_id, targets_progressresult.as_of",
    ):
        f.make_progress_result(target=target, as_of=date(2026, 11, 23))
    f.make_progress_result(target=target, as_of=date(2026, 11, 24))
