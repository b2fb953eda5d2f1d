"""A small catalogue built by hand: two provinces, a plan each, indicators of every kind.

The numbers are chosen so the progress method's arithmetic can be redone by hand (DESIGN.md):
year ends as dates, baselines at 2020-12-31.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone

from provinces.models import Department, PolicyDocument, Province, ReviewStatus, Section
from targets.models import Indicator, ProgressReport, ReportSource, Target
from tasks.models import Assignment, Task


@dataclass
class Catalogue:
    sx: Province
    js: Province
    sx_doc: PolicyDocument
    js_doc: PolicyDocument
    indicators: dict[str, Indicator] = field(default_factory=dict)
    targets: dict[str, Target] = field(default_factory=dict)


def make_indicator(
    document,
    code,
    *,
    name=None,
    unit="项",
    kind="level",
    baseline=None,
    direction="up",
    category=None,
    sort_order=0,
):
    return Indicator.objects.create(
        document=document,
        code=code,
        name=name or code,
        area="支撑保障",
        unit=unit,
        measure_kind=kind,
        direction=direction,
        baseline_year=2020 if baseline is not None else None,
        baseline_value=None if baseline is None else Decimal(str(baseline)),
        category=category,
        quote=f"{code} quote",
        sort_order=sort_order,
    )


def make_target(indicator, year, value, comparator="gte", lower_bound=None):
    return Target.objects.create(
        indicator=indicator,
        year=year,
        value=None if value is None else Decimal(str(value)),
        comparator=comparator,
        lower_bound=None if lower_bound is None else Decimal(str(lower_bound)),
        quote=f"{indicator.code} {year}",
    )


def make_report(
    indicator,
    as_of,
    value=None,
    *,
    done=None,
    status=ReviewStatus.APPROVED,
    reviewed_at=None,
    source=ReportSource.MANUAL,
    is_demo=False,
):
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    approved = status == ReviewStatus.APPROVED
    return ProgressReport.objects.create(
        indicator=indicator,
        as_of=as_of,
        value=None if value is None else Decimal(str(value)),
        done=done,
        review_status=status,
        reviewed_at=reviewed_at or (timezone.now() if approved else None),
        source=source,
        is_demo=is_demo,
    )


def build_catalogue() -> Catalogue:
    sx = Province.objects.create(code="SX", name="山西", full_name="山西省", sort_order=1)
    js = Province.objects.create(code="JS", name="江苏", full_name="江苏省", sort_order=2)
    sx_doc = PolicyDocument.objects.create(
        slug="sx-2021",
        province=sx,
        title="山西实施意见",
        issuer="山西省人民政府",
        period_start=2021,
        period_end=2035,
        base_year=2020,
        milestone_years=[2025, 2035],
    )
    js_doc = PolicyDocument.objects.create(
        slug="js-2022",
        province=js,
        title="江苏实施意见",
        issuer="江苏省人民政府",
        period_start=2021,
        period_end=2035,
        base_year=2020,
        milestone_years=[2025, 2035],
    )
    cat = Catalogue(sx=sx, js=js, sx_doc=sx_doc, js_doc=js_doc)
    ind = cat.indicators
    ind["coverage"] = make_indicator(
        sx_doc, "coverage", name="强检项目覆盖率", unit="%", baseline=85, sort_order=1
    )
    ind["standards"] = make_indicator(
        sx_doc, "standards", name="计量标准", baseline=743, sort_order=2
    )
    ind["centers"] = make_indicator(
        sx_doc, "centers", name="国家级产业计量测试中心", unit="个", kind="cumulative", sort_order=3
    )
    ind["regulation"] = make_indicator(
        sx_doc, "regulation", name="修订计量监督管理条例", unit="", kind="milestone", sort_order=4
    )
    ind["js-standards"] = make_indicator(
        js_doc, "standards", name="社会公用计量标准", baseline=4000, sort_order=1
    )
    tg = cat.targets
    tg["coverage"] = make_target(ind["coverage"], 2025, 90)
    tg["standards"] = make_target(ind["standards"], 2025, 900)
    tg["standards-2035"] = make_target(ind["standards"], 2035, 1200)
    tg["centers"] = make_target(ind["centers"], 2025, 3)
    tg["regulation"] = make_target(ind["regulation"], 2035, None, "done")
    tg["js-standards"] = make_target(ind["js-standards"], 2025, 4500)
    return cat


@pytest.fixture
def catalogue(db) -> Catalogue:
    return build_catalogue()


@pytest.fixture
def tasks_catalogue(catalogue):
    """Two 山西 tasks: one with a lead and a support department, one with none."""
    section = Section.objects.create(
        document=catalogue.sx_doc, key="二", number="二、", title="主要任务"
    )
    market = Department.objects.create(province=catalogue.sx, name="省市场监管局")
    science = Department.objects.create(province=catalogue.sx, name="省科技厅")
    first = Task.objects.create(
        document=catalogue.sx_doc,
        section=section,
        number="1",
        title="加强计量研究",
        quote="1. 加强计量研究。",
        sort_order=1,
    )
    second = Task.objects.create(
        document=catalogue.sx_doc,
        section=section,
        number="2",
        title="建设计量标准",
        quote="2. 建设计量标准。",
        sort_order=2,
    )
    Assignment.objects.create(task=first, department=market, role="lead", sort_order=0)
    Assignment.objects.create(task=first, department=science, role="support", sort_order=1)
    return {"tasks": [first, second], "departments": {"market": market, "science": science}}


@pytest.fixture(name="make_report")
def make_report_fixture():
    return make_report


@pytest.fixture(name="make_indicator")
def make_indicator_fixture():
    return make_indicator


@pytest.fixture(name="make_target")
def make_target_fixture():
    return make_target
