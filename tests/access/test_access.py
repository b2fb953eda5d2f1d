"""The one permission module: what each role may see and do, by unit."""

import pytest
from django.http import Http404

from provinces import access
from provinces.accounts import assign_role
from provinces.models import PolicyDocument, Role, UnitLevel
from targets.models import ProgressReport
from tests.factories import (
    make_department,
    make_document,
    make_indicator,
    make_province,
    make_report,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    sx = make_province(code="SX", name="山西")
    js = make_province(code="JS", name="江苏")
    taiyuan = make_province(code="TY", name="太原", level=UnitLevel.CITY, parent=sx)
    return sx, js, taiyuan


def test_a_province_user_sees_its_province_and_its_cities_only(units):
    sx, js, taiyuan = units
    reporter = make_user(role=Role.REPORTER, province=sx)
    assert access.province_ids(reporter) == {sx.pk, taiyuan.pk}
    assert access.can_see_province(reporter, taiyuan.pk)
    assert not access.can_see_province(reporter, js.pk)


def test_a_city_user_does_not_see_its_province(units):
    sx, _, taiyuan = units
    city_reporter = make_user(role=Role.REPORTER, province=taiyuan)
    assert access.province_ids(city_reporter) == {taiyuan.pk}
    assert not access.can_see_province(city_reporter, sx.pk)


def test_national_users_and_superusers_see_everything(units):
    sx, js, _ = units
    leader = make_user(role=Role.LEADER)
    root = make_user(is_superuser=True)
    assert access.province_ids(leader) is None
    assert access.role(root) == Role.SYSTEM_ADMIN
    make_document(province=sx)
    make_document(province=js)
    assert access.scope(PolicyDocument.objects.all(), leader).count() == 2
    assert access.scope(PolicyDocument.objects.all(), root).count() == 2


def test_users_without_a_role_and_anonymous_visitors_see_no_rows(units):
    from django.contrib.auth.models import AnonymousUser

    sx, _, _ = units
    make_document(province=sx)
    nobody = make_user()
    assert access.scope(PolicyDocument.objects.all(), nobody).count() == 0
    assert access.scope(PolicyDocument.objects.all(), AnonymousUser()).count() == 0
    assert not access.can_enter(AnonymousUser(), sx.pk)


def test_another_provinces_report_is_a_404_through_a_lookup_path(units):
    sx, js, _ = units
    report = make_report(indicator=make_indicator(document=make_document(province=sx)))
    js_reporter = make_user(role=Role.REPORTER, province=js)
    sx_reporter = make_user(role=Role.REPORTER, province=sx)
    path = "indicator__document__province"
    found = access.get_scoped_or_404(ProgressReport.objects, sx_reporter, path, pk=report.pk)
    assert found == report
    with pytest.raises(Http404):
        access.get_scoped_or_404(ProgressReport.objects, js_reporter, path, pk=report.pk)


def test_what_each_role_may_do_in_its_own_province(units):
    sx, js, _ = units
    reporter = make_user(role=Role.REPORTER, province=sx)
    reviewer = make_user(role=Role.REVIEWER, province=sx)
    admin = make_user(role=Role.PROVINCE_ADMIN, province=sx)
    evaluator = make_user(role=Role.EVALUATOR, province=sx)
    assert access.can_enter(reporter, sx.pk) and not access.can_review(reporter, sx.pk)
    assert access.can_review(reviewer, sx.pk) and not access.can_enter(reviewer, sx.pk)
    assert not access.can_review(reviewer, js.pk)
    assert access.can_manage(admin, sx.pk) and not access.can_manage(reviewer, sx.pk)
    assert access.can_publish(reviewer, sx.pk) and not access.can_publish(evaluator, sx.pk)
    assert access.can_evaluate(evaluator) and not access.can_evaluate(reporter)


def test_four_eyes_nobody_approves_what_they_entered_or_last_changed(units):
    sx, _, _ = units
    reporter = make_user(role=Role.REPORTER, province=sx)
    reviewer = make_user(role=Role.REVIEWER, province=sx)
    report = make_report(indicator=make_indicator(document=make_document(province=sx)))
    report.reporter = reporter
    assert access.may_approve(reviewer, report)
    assert not access.may_approve(reporter, report)
    report.last_modified_by = reviewer
    assert not access.may_approve(reviewer, report)


def test_assigning_a_role_sets_exactly_one_role_group_and_checks_the_department(units):
    from django.core.exceptions import ValidationError

    sx, js, _ = units
    user = make_user(role=Role.REPORTER, province=sx)
    assert list(user.groups.values_list("name", flat=True)) == ["填报员"]
    assign_role(user=user, role=Role.REVIEWER, province=sx)
    assert list(user.groups.values_list("name", flat=True)) == ["审核员"]
    assert access.role(user) == Role.REVIEWER
    with pytest.raises(ValidationError):
        assign_role(
            user=user, role=Role.REPORTER, province=sx, department=make_department(province=js)
        )
    with pytest.raises(ValidationError):
        assign_role(user=user, role=Role.REPORTER, province=None)


def test_a_city_must_sit_under_a_province(units):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_province(code="XX", level=UnitLevel.CITY)
