"""Rounds in the admin: a province admin creates its own unit's rounds (asking for the open
items by default) and never sees another unit's."""

import pytest
from django.urls import reverse

from provinces.models import Role
from rounds.models import ReportingRound
from rounds.services import round_create
from tests import factories as f

from .conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def sx_admin(plan):
    return f.make_user(role=Role.PROVINCE_ADMIN, province=plan.sx, username="sx-admin")


def test_a_province_admin_creates_a_round_that_asks_for_the_open_items(client, plan, sx_admin):
    login(client, sx_admin)
    response = client.post(
        reverse("admin:rounds_reportinground_add"),
        {
            "document": plan.doc.pk,
            "period_kind": "year",
            "year": 2026,
            "number": 1,
            "opens_on": "2026-12-15",
            "deadline": "2027-01-31",
            "status": "open",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    found = ReportingRound.objects.get()
    assert (found.label, found.opened_by) == ("2026年度", sx_admin)
    assert set(found.indicators.all()) == {plan.standards, plan.centers}


def test_the_admin_refuses_a_period_that_does_not_exist_in_words(client, plan, sx_admin):
    login(client, sx_admin)
    response = client.post(
        reverse("admin:rounds_reportinground_add"),
        {
            "document": plan.doc.pk,
            "period_kind": "half",
            "year": 2026,
            "number": 3,
            "opens_on": "2026-12-15",
            "deadline": "2027-01-31",
            "status": "open",
        },
    )
    assert response.status_code == 200
    assert "no such period" in response.content.decode()
    assert not ReportingRound.objects.exists()


def test_another_units_round_is_not_in_the_admin(client, plan, sx_admin):
    js_round, _ = round_create(document=plan.js_doc, period_kind="year", year=2026, number=1)
    login(client, sx_admin)
    listing = client.get(reverse("admin:rounds_reportinground_changelist")).content.decode()
    assert reverse("admin:rounds_reportinground_change", args=[js_round.pk]) not in listing
    change = client.get(reverse("admin:rounds_reportinground_change", args=[js_round.pk]))
    assert change.status_code in (302, 404)
