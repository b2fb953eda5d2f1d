"""The local demo's waiting entries: a queue for each demo reviewer, a returned report for
each demo reporter, made through the entry services on the real seed documents."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from provinces.models import ReviewStatus
from provinces.policy_loader import load_policies
from reporting import selectors
from reporting.demo import RETURN_REASON, demo_submissions_create
from targets.demo import demo_data_clear, demo_data_load
from targets.models import ProgressReport
from tasks.models import TaskUpdate

TODAY = dt.date(2026, 11, 23)
pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEMO_DATA_ALLOWED = True
    load_policies(directory=settings.BASE_DIR / "fixtures")
    demo_data_load(today=TODAY, history=False)
    call_command("create_demo_accounts", stdout=io.StringIO())


def test_each_demo_reviewer_finds_a_queue_and_each_reporter_a_returned_report(demo):
    lines = demo_submissions_create(today=TODAY)
    again = demo_submissions_create(today=TODAY)  # nothing new while they wait

    users = get_user_model().objects
    assert len(lines) == 2 and again == []
    for province, reporter, reviewer in (
        ("SX", "sx-reporter", "sx-reviewer"),
        ("JS", "js-reporter", "js-reviewer"),
    ):
        reports, updates = selectors.review_queue(users.get(username=reviewer))
        assert len(reports) == 2 and len(updates) == 1, province
        mine = ProgressReport.objects.filter(reporter__username=reporter, is_demo=True)
        returned = mine.get(review_status=ReviewStatus.RETURNED)
        assert RETURN_REASON in returned.review_comment
        assert {r.indicator.document.province.code for r in mine} == {province}
        assert all(r.as_of == TODAY and r.value is not None for r in mine)
    assert TaskUpdate.objects.filter(is_demo=True, review_status="submitted").count() == 2


def test_clearing_the_demo_data_removes_the_demo_submissions(demo):
    demo_submissions_create(today=TODAY)

    demo_data_clear()

    assert not ProgressReport.objects.filter(reporter__username="sx-reporter").exists()
    assert not TaskUpdate.objects.filter(reporter__username="js-reporter").exists()


def test_production_refuses_demo_submissions(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="never created in production"):
        call_command("demo_submissions")
