"""The demo assessments over the seed catalogue: the worked example a new user sees."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command

from assessments.demo import demo_assessments_clear, demo_assessments_load
from assessments.models import Assessment, AssessmentStatus

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def seed_demo(db, settings):
    from provinces.policy_loader import load_policies
    from targets.demo import demo_data_load

    settings.DEMO_DATA_ALLOWED = True
    load_policies(directory=Path(settings.BASE_DIR) / "fixtures")
    demo_data_load(today=TODAY, history=False)


def test_the_demo_publishes_shanxis_final_assessment_and_drafts_every_mid_term(seed_demo):
    summary = demo_assessments_load(today=TODAY)
    assert len(summary.created) == 5
    final = Assessment.objects.get(document__slug="sx-2013", kind="final")
    assert final.status == AssessmentStatus.PUBLISHED and final.is_demo
    assert final.as_of == dt.date(2020, 12, 31)
    rows = {r.indicator_name: r for r in final.target_rows.all()}
    # Known from the successor's 2020 column: 3千家 against 5000家, 3 centres against 9.
    integrity = rows["诚信计量示范单位"]
    assert (integrity.value, integrity.pace_status) == (3000, "missed")
    assert "2021—2035" in integrity.report_evidence
    assert integrity.rating == "basically_achieved" and integrity.rating_reason
    centres = rows["产业计量测试中心"]
    assert (centres.value, centres.rating) == (3, "missed")
    assert not final.target_rows.filter(rating="").exists()
    assert not final.task_rows.filter(rating="").exists()
    assert final.achievements and final.problems and final.recommendations
    drafts = Assessment.objects.filter(kind="mid_term", as_of=dt.date(2025, 12, 31))
    assert sorted(drafts.values_list("document__slug", flat=True)) == [
        "js-2022",
        "qh-2022",
        "sd-2022",
        "sx-2021",
    ]
    assert set(drafts.values_list("status", flat=True)) == {AssessmentStatus.DRAFT}


def test_loading_the_demo_again_keeps_what_is_there_and_clear_removes_exactly_it(seed_demo):
    demo_assessments_load(today=TODAY)
    frozen = list(Assessment.objects.order_by("pk").values_list("pk", "frozen_at"))
    again = demo_assessments_load(today=TODAY)
    assert (len(again.created), len(again.kept)) == (0, 5)
    assert list(Assessment.objects.order_by("pk").values_list("pk", "frozen_at")) == frozen
    assert demo_assessments_clear().deleted == 5
    assert not Assessment.objects.exists()


def test_the_command_refuses_where_demo_data_is_off(db, settings):
    from django.core.management.base import CommandError

    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="DEMO_DATA_ALLOWED"):
        call_command("demo_assessments")
    assert settings.DEMO_DATA_ALLOWED is False
