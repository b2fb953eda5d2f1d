"""The assessment pages as each persona meets them, and the evaluator's round end to end."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assessments.models import Assessment, AssessmentStatus
from provinces.models import ReviewStatus
from targets.services import approve_reports
from tests import factories as f
from tests.assessments.conftest import AS_OF

EVERYONE = (
    "sx_evaluator",
    "sx_reviewer",
    "sx_reporter",
    "sx_leader",
    "sx_admin",
    "js_evaluator",
    "js_leader",
    "national_leader",
    "system_admin",
    "no_role",
)
# Who may read a 山西 draft (its evaluator, 山西's reviewer and admin, the system admin) …
DRAFT_READERS = {"sx_evaluator", "sx_reviewer", "sx_admin", "system_admin"}
# … and a published one (everyone with a role whose units include 山西).
PUBLISHED_READERS = DRAFT_READERS | {"sx_reporter", "sx_leader", "national_leader"}
EDITORS = {"sx_evaluator", "sx_admin", "system_admin"}


def read_urls(pk: int) -> list[str]:
    return [
        reverse("assessments:detail", args=[pk]),
        reverse("assessments:export", args=[pk, "xlsx"]),
    ]


def edit_urls(pk: int) -> list[str]:
    return [
        reverse("assessments:rate_targets", args=[pk]),
        reverse("assessments:rate_tasks", args=[pk]),
        reverse("assessments:conclusion", args=[pk]),
    ]


@pytest.mark.parametrize("persona", EVERYONE)
def test_a_draft_is_seen_only_by_its_evaluators_reviewers_and_admins(
    client, people, draft, persona
):
    client.force_login(people[persona])
    for url in read_urls(draft.pk):
        assert client.get(url).status_code == (200 if persona in DRAFT_READERS else 404), url
    for url in edit_urls(draft.pk):
        assert client.get(url).status_code == (200 if persona in EDITORS else 404), url
    listed = client.get(reverse("assessments:list")).content.decode()
    shown = reverse("assessments:detail", args=[draft.pk]) in listed
    assert shown == (persona in DRAFT_READERS)


@pytest.mark.parametrize("persona", EVERYONE)
def test_a_published_assessment_is_read_in_its_province_and_nationally(
    client, people, published, persona
):
    client.force_login(people[persona])
    for url in read_urls(published.pk):
        assert client.get(url).status_code == (200 if persona in PUBLISHED_READERS else 404), url
    for url in edit_urls(published.pk):
        expected = 302 if persona in EDITORS else 404  # back to the page: it cannot change
        assert client.get(url).status_code == expected, url
    assert client.get(reverse("assessments:compare")).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client, draft):
    for url in [
        reverse("assessments:list"),
        reverse("assessments:new"),
        reverse("assessments:compare"),
        *read_urls(draft.pk),
        *edit_urls(draft.pk),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert client.post(reverse("assessments:publish", args=[draft.pk])).status_code == 302


@pytest.mark.parametrize(
    ("persona", "status"),
    [("sx_reviewer", 302), ("sx_admin", 302), ("sx_evaluator", 403), ("js_leader", 404)],
)
def test_only_reviewer_level_users_publish(client, people, draft, persona, status):
    from assessments import services
    from tests.assessments.conftest import rate_everything

    rate_everything(draft, people["sx_evaluator"])
    services.assessment_submit(assessment=draft, by=people["sx_evaluator"])
    client.force_login(people[persona])
    assert client.post(reverse("assessments:publish", args=[draft.pk])).status_code == status
    draft.refresh_from_db()
    assert (draft.status == AssessmentStatus.PUBLISHED) == (status == 302)


@pytest.mark.parametrize("persona", ["sx_leader", "sx_reporter", "js_evaluator", "no_role"])
def test_only_evaluators_and_admins_open_a_round_in_their_province(client, people, world, persona):
    """Others get a 404; 江苏's evaluator gets the form, where 山西's plan is not a choice."""
    client.force_login(people[persona])
    evaluator = persona == "js_evaluator"
    assert client.get(reverse("assessments:new")).status_code == (200 if evaluator else 404)
    response = client.post(
        reverse("assessments:new"),
        {"document": world.sx_doc.pk, "kind": "mid_term", "as_of": "2025-12-31"},
    )
    assert response.status_code == (200 if evaluator else 404)
    assert not Assessment.objects.exists()


def _rating_post(page: str) -> dict[str, str]:
    """Every row's fields as the form renders them, unrated, with a comment."""
    data: dict[str, str] = {}
    for prefix in sorted(set(re.findall(r'name="(r\d+)-rating"', page))):
        data[f"{prefix}-rating"] = ""
        data[f"{prefix}-reason"] = ""
        data[f"{prefix}-comment"] = "已核实"
    return data


def test_an_evaluator_works_a_round_through_the_pages(client, people, world):
    evaluator = people["sx_evaluator"]
    client.force_login(evaluator)
    response = client.post(
        reverse("assessments:new"),
        {
            "document": world.sx_doc.pk,
            "kind": "mid_term",
            "as_of": "2025-12-31",
            "title": "山西省计量发展规划中期评估",
        },
    )
    assessment = Assessment.objects.get()
    assert response["Location"] == reverse("assessments:detail", args=[assessment.pk])
    standards = assessment.target_rows.get(target=world.standards_target)
    coverage = assessment.target_rows.get(target=world.coverage_target)
    url = reverse("assessments:rate_targets", args=[assessment.pk])
    data = _rating_post(client.get(url).content.decode())
    data[f"r{standards.pk}-rating"] = "basically_achieved"  # proposal: missed
    data[f"r{coverage.pk}-rating"] = "achieved"
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "请填写调整理由" in refused.content.decode()
    standards.refresh_from_db()
    assert standards.rating == ""  # nothing half-written
    data[f"r{standards.pk}-reason"] = "年底新增标准正在考核"
    assert client.post(url, data).status_code == 302
    standards.refresh_from_db()
    assert (standards.rating, standards.rating_reason) == (
        "basically_achieved",
        "年底新增标准正在考核",
    )
    client.post(reverse("assessments:accept", args=[assessment.pk]))
    client.post(
        reverse("assessments:conclusion", args=[assessment.pk]),
        {
            "overall_rating": "fairly_good",
            "achievements": "强检覆盖率提前达标。",
            "problems": "计量标准增长偏慢。",
            "recommendations": "加快建标。",
        },
    )
    client.post(reverse("assessments:submit", args=[assessment.pk]))
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.IN_REVIEW

    client.force_login(people["sx_reviewer"])
    client.post(reverse("assessments:publish", args=[assessment.pk]))
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.PUBLISHED
    page = client.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    assert "820项" in page and "49%" in page and "sx-reviewer" in page

    late = f.make_report(
        indicator=world.standards,
        as_of=AS_OF,
        value=880,
        review_status=ReviewStatus.SUBMITTED,
    )
    approve_reports(reports=[late], reviewer=people["system_admin"])
    after = client.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    assert "880" in after.split('id="late-table"')[1]  # listed as a late report …
    target_table = after.split('id="target-table"')[1].split("</table>")[0]
    assert "820项" in target_table and "880" not in target_table  # … not taken in


def test_a_bad_date_is_refused_with_a_message(client, people, world):
    client.force_login(people["sx_evaluator"])
    response = client.post(
        reverse("assessments:new"),
        {"document": world.sx_doc.pk, "kind": "mid_term", "as_of": "2099-12-31"},
    )
    assert response.status_code == 200
    assert "晚于今天" in response.content.decode()
    assert not Assessment.objects.exists()


def test_the_comparison_shows_each_provinces_latest_published_round(client, people, published):
    client.force_login(people["js_leader"])
    page = client.get(reverse("assessments:compare") + "?kind=mid_term").content.decode()
    table = page.split('id="compare-table"')[1]
    assert "山西" in table
    assert reverse("assessments:detail", args=[published.pk]) not in table  # 江苏 cannot open it
    client.force_login(people["national_leader"])
    page = client.get(reverse("assessments:compare") + "?kind=mid_term").content.decode()
    assert reverse("assessments:detail", args=[published.pk]) in page
    assert client.get(reverse("assessments:compare") + "?kind=final").status_code == 200


def test_pages_cost_the_same_queries_however_many_rows(client, people, world, draft):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments import services

    client.force_login(people["sx_evaluator"])
    urls = lambda pk: [  # noqa: E731
        reverse("assessments:detail", args=[pk]),
        reverse("assessments:rate_targets", args=[pk]),
        reverse("assessments:rate_tasks", args=[pk]),
        reverse("assessments:list"),
    ]

    def counts(pk: int) -> list[int]:
        out = []
        for url in urls(pk):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            out.append(len(queries))
        return out

    small = counts(draft.pk)
    for n in range(8):
        indicator = f.make_indicator(document=world.sx_doc, name=f"新增指标{n}", sort_order=10 + n)
        f.make_target(indicator=indicator, year=2025)
        f.make_task(section=world.task.section, number=str(10 + n))
    bigger = services.assessment_refreeze(
        assessment=draft, by=people["sx_evaluator"], reason="更多指标"
    )
    assert bigger.target_rows.count() == draft.target_rows.count() + 8
    assert counts(bigger.pk) == small
    assert max(small) <= 30  # a fixed handful: session, user, profile, the rows, the frame


def test_a_rating_that_is_not_a_choice_is_refused_on_the_form(client, people, draft):
    client.force_login(people["sx_evaluator"])
    row = draft.task_rows.first()
    url = reverse("assessments:rate_tasks", args=[draft.pk])
    data = _rating_post(client.get(url).content.decode())
    data[f"r{row.pk}-rating"] = "excellent"
    response = client.post(url, data)
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert not draft.task_rows.exclude(rating="").exists()


def test_the_status_reads_as_a_state_and_the_button_as_an_action_in_both_languages(
    client, people, draft
):
    from assessments import services
    from tests.assessments.conftest import rate_everything

    rate_everything(draft, people["sx_evaluator"])
    services.assessment_submit(assessment=draft, by=people["sx_evaluator"])
    client.force_login(people["sx_reviewer"])
    url = reverse("assessments:detail", args=[draft.pk])

    chinese = client.get(url).content.decode()
    assert 'badge-status-in_review">审议中</span>' in chinese
    assert '<button type="submit" class="primary">发布</button>' in chinese
    client.post(reverse("set_language"), {"language": "en", "next": url})
    english = client.get(url).content.decode()
    assert 'badge-status-in_review">In review</span>' in english
    assert '<button type="submit" class="primary">Publish</button>' in english

    services.assessment_publish(assessment=draft, by=people["sx_reviewer"])
    client.post(reverse("set_language"), {"language": "zh-hans", "next": url})
    assert 'badge-status-published">已发布</span>' in client.get(url).content.decode()
