"""Each page costs a fixed number of queries whatever the data size.

Every page is fetched over the seed catalogue with 示例数据, then again after the catalogue grew
(a new province with its plan, more indicators, reports, tasks, departments, updates, 专栏 items
and stored results on the very objects the pages show), under the same bound.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from provinces.models import Department, PolicyDocument, ReviewStatus, Section
from targets.models import Indicator, IndicatorCategory, ProgressResult, Target
from tasks.models import Column, Role, Task, TaskStatus
from tests import factories as f

from .conftest import Q

# The bound for each page: session, user, the header's to-do count (the user's profile, one
# query whatever the data), banner (two), navigation, then the page's own reads.
BOUNDS = {
    "overview": 11,
    "compare": 10,
    "province": 11,
    "departments": 9,
    "document": 15,
    "responsibilities": 8,
    "department": 10,
    "indicator": 17,
    "task": 14,
}
GROWTH = 15


def grow(n: int = GROWTH) -> None:
    """Add n of everything, on the objects the measured pages show and elsewhere."""
    now = timezone.now()
    approved = {"review_status": ReviewStatus.APPROVED, "reviewed_at": now}

    # A new province with a plan of its own, in a category the comparison shows.
    province = f.make_province(code="GD", name="广东", full_name="广东省")
    document = f.make_document(province=province, slug="gd-2022")
    section = f.make_section(document=document)
    category = IndicatorCategory.objects.get(code="mandatory-verification-coverage")
    departments = [f.make_department(province=province) for _ in range(3)]
    for i in range(n):
        indicator = f.make_indicator(document=document, unit="%", category=category)
        f.make_target(indicator=indicator, value=Decimal("95"))
        f.make_target(indicator=indicator, year=2035, value=Decimal("99"))
        f.make_report(indicator=indicator, value=Decimal(80 + i % 10), **approved)
        task = f.make_task(section=section)
        f.make_assignment(task=task, department=departments[i % 3], role=Role.LEAD)
        f.make_task_update(task=task, status=TaskStatus.DELAYED, **approved)

    # More on 山西 2021–2035: indicators with reports, tasks with units and updates, 专栏 items.
    sx = PolicyDocument.objects.get(slug="sx-2021")
    sx_section = Section.objects.filter(document=sx, parent__isnull=False).first()
    column = Column.objects.filter(document=sx).exclude(task=None).first()
    for i in range(n):
        indicator = f.make_indicator(document=sx, area="法制监督")
        f.make_target(indicator=indicator)
        f.make_report(indicator=indicator, as_of=dt.date(2024, 12, 31), **approved)
        task = f.make_task(section=sx_section, number=f"9{i}")
        unit = f.make_department(province=sx.province)
        f.make_assignment(task=task, department=unit, role=Role.RESPONSIBLE)
        f.make_task_update(task=task, **approved)
        f.make_column_item(column=column, sort_order=1000 + i)

    # 山东: more tasks led by 省市场监管局 (its department page, the ranking, the matrix).
    sd = PolicyDocument.objects.get(slug="sd-2022")
    lead = Department.objects.get(province=sd.province, name="省市场监管局")
    sd_section = Task.objects.filter(document=sd).first().section
    first_task = Task.objects.filter(document=sd).order_by("sort_order").first()
    for i in range(n):
        task = f.make_task(section=sd_section, number=f"(九{i})")
        f.make_assignment(task=task, department=lead, role=Role.LEAD)
        f.make_assignment(task=task, role=Role.SUPPORT)
        f.make_task_update(task=task, status=TaskStatus.DELAYED, **approved)
        # The measured task: more updates and more 专栏 items.
        f.make_task_update(task=first_task, as_of=dt.date(2022, 1, 1 + i), **approved)
    task_column = f.make_column(document=sd, task=first_task, number=99)
    for i in range(n):
        f.make_column_item(column=task_column, sort_order=i)

    # The measured indicator: more reports and a longer stored history.
    coverage = Indicator.objects.get(document=sx, code="mandatory-verification-coverage")
    target = Target.objects.get(indicator=coverage, year=2025)
    for i in range(n):
        day = dt.date(2019, 1, 1) + dt.timedelta(days=30 * i)
        f.make_report(indicator=coverage, as_of=day, value=Decimal("84"), **approved)
        ProgressResult.objects.update_or_create(
            target=target,
            as_of=day,
            defaults={
                "computed_at": now,
                "pace_status": "on_track",
                "completion": 0.5,
                "completion_display": 0.5,
                "time_elapsed": 0.5,
            },
        )


@pytest.mark.parametrize("name", list(BOUNDS))
def test_each_page_costs_the_same_queries_at_two_data_sizes(
    viewer_client, seed_demo, page_urls, django_assert_max_num_queries, name
):
    url = page_urls[name] + Q
    with django_assert_max_num_queries(BOUNDS[name]) as small:
        assert viewer_client.get(url).status_code == 200
    grow()
    with django_assert_max_num_queries(BOUNDS[name]) as large:
        assert viewer_client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_downloads_cost_no_more_than_their_page(
    viewer_client, seed_demo, page_urls, django_assert_max_num_queries
):
    grow()
    with django_assert_max_num_queries(BOUNDS["overview"]):
        response = viewer_client.get("/" + Q + "&format=xlsx")
    assert response.status_code == 200
