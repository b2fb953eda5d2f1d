"""Freezing, re-freezing, rating, concluding and publishing, and what a published one refuses.

Runs on SQLite by default and on PostgreSQL when DATABASE_URL points there (CI runs both), so
"the frozen rows do not change when a later report is approved" holds on both databases.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from assessments import services
from assessments.models import (
    Assessment,
    AssessmentStatus,
    AssessmentTarget,
    AssessmentTask,
)
from provinces.models import ReviewStatus
from targets.models import ProgressResult
from targets.services import approve_reports, progress_recompute
from tests import factories as f
from tests.assessments.conftest import AS_OF, TODAY, approved_report, rate_everything

FROZEN_FIELDS = (
    "value",
    "value_date",
    "report_id",
    "report_evidence",
    "completion",
    "time_elapsed",
    "pace_status",
    "outlook",
    "method",
    "inputs",
    "proposed_rating",
)


def frozen(assessment: Assessment) -> list[tuple]:
    return list(
        AssessmentTarget.objects.filter(assessment=assessment)
        .order_by("sort_order")
        .values_list(*FROZEN_FIELDS)
    )


def test_freezing_copies_what_the_engine_computes_as_of_the_date(world, draft, people):
    # A level without a printed baseline starts at its earliest report since the plan began.
    unprinted = f.make_indicator(
        document=world.sx_doc, name="计量检定机构", baseline_year=None, baseline_value=None
    )
    f.make_target(indicator=unprinted, year=2025, value=60)
    approved_report(unprinted, dt.date(2021, 12, 31), 40)
    approved_report(unprinted, AS_OF, 55)
    draft = services.assessment_refreeze(assessment=draft, by=people["sx_evaluator"], reason="新增")
    progress_recompute(as_of=AS_OF)
    stored = {r.target_id: r for r in ProgressResult.objects.filter(as_of=AS_OF)}
    rows = list(draft.target_rows.all())
    assert len(rows) == 4  # 计量标准 2025 and 2035, 强检覆盖率 2025, 计量检定机构 2025
    for row in rows:
        result = stored[row.target_id]
        assert row.value == result.latest_value
        assert row.baseline_value == result.baseline_value
        assert row.baseline_source == result.baseline_source
        assert row.value_date == result.latest_date
        assert row.pace_status == result.pace_status
        assert row.completion == pytest.approx(result.completion)
        assert row.time_elapsed == pytest.approx(result.time_elapsed)
        assert row.outlook == result.outlook
    standards = draft.target_rows.get(target=world.standards_target)
    assert standards.value == 820
    assert standards.report_id == world.standards_report.pk
    assert standards.report_evidence == "2025年统计年报：计量标准820项"
    assert standards.completion == pytest.approx((820 - 743) / (900 - 743))
    assert standards.pace_status == "missed"
    assert standards.proposed_rating == "missed"
    assert standards.inputs["goal_value"] == 900
    coverage = draft.target_rows.get(target=world.coverage_target)
    assert (coverage.pace_status, coverage.proposed_rating) == ("achieved", "achieved")
    earliest = draft.target_rows.get(indicator=unprinted)
    assert (earliest.baseline_value, earliest.baseline_source) == (40, "earliest_report")


def test_freezing_copies_each_tasks_latest_approved_update_with_its_part(world, draft):
    row = draft.task_rows.get(task=world.task)
    assert (row.update_status, row.update_percent, row.update_as_of) == ("in_progress", 95, AS_OF)
    assert row.part == "二、夯实计量基础"
    assert row.departments == [{"name": "省市场监管局", "role": "lead"}]
    assert row.proposed_rating == "basically_completed"
    empty = draft.task_rows.get(task=world.other_task)
    assert (empty.update_id, empty.proposed_rating) == (None, "not_started")
    assert draft.task_rows.count() == 2  # 江苏's task is not 山西's


def test_frozen_rows_do_not_change_when_a_later_report_is_approved(
    world, draft, people, django_capture_on_commit_callbacks
):
    before = frozen(draft)
    late = f.make_report(
        indicator=world.standards,
        as_of=AS_OF,
        value=880,
        review_status=ReviewStatus.SUBMITTED,
    )
    with django_capture_on_commit_callbacks(execute=True):
        approve_reports(reports=[late], reviewer=people["system_admin"])
    late.refresh_from_db()
    assert late.review_status == ReviewStatus.APPROVED
    # The live results moved (the recompute job ran after the commit) …
    progress_recompute(as_of=AS_OF)
    live = ProgressResult.objects.get(target=world.standards_target, as_of=AS_OF)
    assert live.latest_value == 880
    # … the assessment did not.
    assert frozen(draft) == before
    assert draft.target_rows.get(target=world.standards_target).value == 820


def test_late_reports_list_what_was_approved_since_the_freeze_for_the_same_period(world, draft):
    from assessments.selectors import late_reports

    assert late_reports(draft) == []
    approved_report(world.standards, AS_OF, 880)
    approved_report(world.standards, dt.date(2026, 3, 31), 900)  # a later period: not listed
    f.make_task_update(
        task=world.other_task, as_of=AS_OF, status="delayed", review_status=ReviewStatus.APPROVED
    )
    late = late_reports(draft)
    assert [(r["kind"], r["name"], r["changes_figure"]) for r in late] == [
        ("report", "计量标准", True),
        ("task_update", "2 建设计量公共服务平台", True),
    ]
    assert late[0]["frozen_value"] == 820


def test_a_refreeze_makes_a_new_version_and_keeps_the_old(world, draft, people):
    evaluator = people["sx_evaluator"]
    row = draft.target_rows.get(target=world.standards_target)
    services.assessment_rate_targets(
        assessment=draft,
        by=evaluator,
        ratings=[services.RatingInput(row.pk, "missed", comment="差距较大", carry_over=True)],
    )
    before = frozen(draft)
    approved_report(world.standards, AS_OF, 880)
    new = services.assessment_refreeze(assessment=draft, by=evaluator, reason="采用12月补报数据")
    assert (new.version, new.supersedes_id, new.version_reason) == (2, draft.pk, "采用12月补报数据")
    assert frozen(draft) == before
    carried = new.target_rows.get(target=world.standards_target)
    assert carried.value == 880
    assert (carried.rating, carried.comment, carried.carry_over) == ("missed", "差距较大", True)
    assert list(new.evaluators.all()) == [evaluator]
    with pytest.raises(ValidationError, match="已被新版本替代"):
        services.assessment_rate_targets(
            assessment=draft, by=evaluator, ratings=[services.RatingInput(row.pk, "")]
        )


def test_a_rating_that_differs_from_the_proposal_needs_a_reason(world, draft, people):
    row = draft.target_rows.get(target=world.standards_target)
    assert row.proposed_rating == "missed"
    with pytest.raises(ValidationError) as refused:
        services.assessment_rate_targets(
            assessment=draft,
            by=people["sx_evaluator"],
            ratings=[services.RatingInput(row.pk, "basically_achieved")],
        )
    assert "调整理由" in refused.value.message_dict[str(row.pk)][0]
    row.refresh_from_db()
    assert row.rating == ""
    services.assessment_rate_targets(
        assessment=draft,
        by=people["sx_evaluator"],
        ratings=[services.RatingInput(row.pk, "basically_achieved", reason="统计口径调整")],
    )
    row.refresh_from_db()
    assert (row.rating, row.rating_reason, row.rated_by) == (
        "basically_achieved",
        "统计口径调整",
        people["sx_evaluator"],
    )


def test_the_database_refuses_a_changed_rating_without_a_reason(world, draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        AssessmentTarget.objects.filter(assessment=draft, proposed_rating="missed").update(
            rating="achieved"
        )


def test_only_its_evaluators_and_admins_rate_it(world, draft, people):
    row = draft.target_rows.first()
    for name in ("js_evaluator", "sx_reviewer", "sx_leader", "sx_reporter"):
        with pytest.raises(PermissionDenied):
            services.assessment_rate_targets(
                assessment=draft,
                by=people[name],
                ratings=[services.RatingInput(row.pk, row.proposed_rating)],
            )
    services.assessment_rate_targets(
        assessment=draft,
        by=people["sx_admin"],
        ratings=[services.RatingInput(row.pk, row.proposed_rating)],
    )


def test_creating_refuses_another_provinces_evaluator_a_future_date_and_a_second_round(
    world, people, draft
):
    with pytest.raises(PermissionDenied):
        services.assessment_create(
            document=world.sx_doc, kind="final", as_of=AS_OF, created_by=people["js_evaluator"]
        )
    with pytest.raises(ValidationError, match="不是本省或国家级的评估员"):
        services.assessment_create(
            document=world.sx_doc,
            kind="final",
            as_of=AS_OF,
            created_by=people["sx_admin"],
            evaluators=[people["js_evaluator"]],
        )
    with pytest.raises(ValidationError, match="晚于今天"):
        services.assessment_create(
            document=world.sx_doc,
            kind="special",
            as_of=TODAY + dt.timedelta(days=1),
            created_by=people["sx_evaluator"],
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="已存在"):
        services.assessment_create(
            document=world.sx_doc, kind="mid_term", as_of=AS_OF, created_by=people["sx_evaluator"]
        )


def test_it_goes_to_review_only_rated_and_concluded_and_only_a_reviewer_publishes(
    world, draft, people
):
    evaluator = people["sx_evaluator"]
    with pytest.raises(ValidationError, match="未评价"):
        services.assessment_submit(assessment=draft, by=evaluator)
    rate_everything(draft, evaluator)
    submitted = services.assessment_submit(assessment=draft, by=evaluator)
    assert submitted.status == AssessmentStatus.IN_REVIEW
    for name in ("sx_evaluator", "sx_leader", "js_evaluator"):
        with pytest.raises(PermissionDenied):
            services.assessment_publish(assessment=draft, by=people[name])
    published = services.assessment_publish(assessment=draft, by=people["sx_reviewer"])
    assert published.status == AssessmentStatus.PUBLISHED
    assert published.published_by == people["sx_reviewer"]
    assert published.published_at is not None


def test_a_reviewer_returns_it_to_draft_with_a_reason(draft, people):
    rate_everything(draft, people["sx_evaluator"])
    services.assessment_submit(assessment=draft, by=people["sx_evaluator"])
    with pytest.raises(ValidationError):
        services.assessment_return(assessment=draft, by=people["sx_reviewer"], reason=" ")
    back = services.assessment_return(
        assessment=draft, by=people["sx_reviewer"], reason="请补充存在问题"
    )
    assert back.status == AssessmentStatus.DRAFT
    assert "请补充存在问题" in back.version_reason


def test_a_published_assessment_refuses_every_change_through_the_service(published, people):
    evaluator, reviewer = people["sx_evaluator"], people["sx_reviewer"]
    row = published.target_rows.first()
    task = published.task_rows.first()
    before = frozen(published)
    attempts = [
        lambda: services.assessment_rate_targets(
            assessment=published, by=evaluator, ratings=[services.RatingInput(row.pk, "")]
        ),
        lambda: services.assessment_rate_tasks(
            assessment=published, by=evaluator, ratings=[services.RatingInput(task.pk, "")]
        ),
        lambda: services.assessment_accept_proposals(assessment=published, by=evaluator),
        lambda: services.assessment_conclude(
            assessment=published,
            by=evaluator,
            overall_rating="poor",
            achievements="",
            problems="",
            recommendations="",
        ),
        lambda: services.assessment_submit(assessment=published, by=evaluator),
        lambda: services.assessment_publish(assessment=published, by=reviewer),
        lambda: services.assessment_return(assessment=published, by=reviewer, reason="x"),
        lambda: services.assessment_delete_draft(assessment=published, by=evaluator),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="已发布"):
            attempt()
    published.refresh_from_db()
    assert published.overall_rating == "fairly_good"
    assert frozen(published) == before


def test_a_correction_of_a_published_assessment_is_a_new_version_that_names_it(published, people):
    correction = services.assessment_refreeze(
        assessment=published, by=people["sx_evaluator"], reason="更正计量标准数据"
    )
    assert correction.supersedes == published
    assert correction.status == AssessmentStatus.DRAFT
    published.refresh_from_db()
    assert published.status == AssessmentStatus.PUBLISHED


def test_a_published_assessment_refuses_changes_through_the_model(published):
    published.problems = "改写"
    with pytest.raises(ValidationError):
        published.save()
    with pytest.raises(ValidationError):
        published.delete()
    row = published.target_rows.first()
    row.comment = "改写"
    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        row.delete()


@pytest.mark.parametrize(
    "change",
    [
        "update_assessment",
        "delete_assessment",
        "update_target_row",
        "delete_target_row",
        "insert_task_row",
        "update_task_row",
        "remove_evaluator",
        "add_evaluator",
    ],
)
def test_the_database_refuses_changes_to_a_published_assessment(published, people, change):
    """What bypasses the ORM's guards (QuerySet.update, bulk deletes, the M2M table)."""
    target_rows = AssessmentTarget.objects.filter(assessment=published)
    task_rows = AssessmentTask.objects.filter(assessment=published)
    actions = {
        "update_assessment": lambda: Assessment.objects.filter(pk=published.pk).update(
            problems="改写"
        ),
        "delete_assessment": lambda: Assessment.objects.filter(pk=published.pk)._raw_delete(
            connection.alias
        ),
        "update_target_row": lambda: target_rows.update(comment="改写"),
        "delete_target_row": lambda: target_rows._raw_delete(connection.alias),
        "insert_task_row": lambda: AssessmentTask.objects.bulk_create(
            [
                AssessmentTask(
                    assessment=published,
                    task_number="9",
                    task_title="新增",
                    proposed_rating="not_started",
                )
            ]
        ),
        "update_task_row": lambda: task_rows.update(comment="改写"),
        "remove_evaluator": lambda: published.evaluators.clear(),
        "add_evaluator": lambda: published.evaluators.add(people["sx_admin"]),
    }
    with pytest.raises(IntegrityError, match="published"), transaction.atomic():
        actions[change]()
    assert Assessment.objects.filter(pk=published.pk, problems="计量标准数量增长偏慢。").exists()


def test_the_immutability_triggers_exist(db):
    """SQLite drops a table's triggers when a migration rebuilds it: this notices."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'assessments_%' "
                "AND NOT tgisinternal"
            )
            assert cursor.fetchone()[0] == 4
        else:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'assessments_%'"
            )
            assert cursor.fetchone()[0] == 11


def test_clearing_the_demo_deletes_a_published_demo_round_and_nothing_else(
    world, people, published
):
    from assessments.demo import demo_assessments_clear

    demo = services.assessment_create(
        document=world.sx_doc,
        kind="final",
        as_of=AS_OF,
        created_by=people["sx_evaluator"],
        is_demo=True,
    )
    rate_everything(demo, people["sx_evaluator"])
    services.assessment_submit(assessment=demo, by=people["sx_evaluator"])
    services.assessment_publish(assessment=demo, by=people["sx_reviewer"])
    assert demo_assessments_clear().deleted == 1
    assert list(Assessment.objects.values_list("pk", flat=True)) == [published.pk]
    assert AssessmentTarget.objects.filter(assessment_id=demo.pk).count() == 0


def test_a_draft_may_be_discarded(draft, people):
    services.assessment_delete_draft(assessment=draft, by=people["sx_evaluator"])
    assert not Assessment.objects.exists()
