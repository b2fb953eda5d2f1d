"""The admin shows assessments as a record: scoped, and read-only once published."""

from __future__ import annotations

from django.urls import reverse

from assessments.models import Assessment


def change_url(assessment: Assessment) -> str:
    return reverse("admin:assessments_assessment_change", args=[assessment.pk])


def test_a_published_assessment_is_read_only_in_the_admin(client, people, published):
    client.force_login(people["sx_admin"])
    page = client.get(change_url(published))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="_save"' not in body  # no save button: a view-only page
    assert "计量标准数量增长偏慢。" in body
    response = client.post(change_url(published), {"title": "改写", "evaluators": []})
    assert response.status_code == 403
    delete = reverse("admin:assessments_assessment_delete", args=[published.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    published.refresh_from_db()
    assert published.title == "" and published.evaluators.count() == 1


def test_the_admin_has_no_add_and_no_bulk_delete(client, people, published):
    client.force_login(people["system_admin"])
    assert client.get(reverse("admin:assessments_assessment_add")).status_code == 403
    changelist = client.get(reverse("admin:assessments_assessment_changelist"))
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.content.decode()


def test_a_drafts_title_and_evaluators_change_in_the_admin_and_nothing_else(client, people, draft):
    client.force_login(people["sx_admin"])
    page = client.get(change_url(draft)).content.decode()
    assert 'name="_save"' in page and 'name="title"' in page
    assert 'name="problems"' not in page  # the conclusion is written on the page
    response = client.post(
        change_url(draft),
        {
            "title": "山西省中期评估(修订)",
            "evaluators": [people["sx_evaluator"].pk],
            "target_rows-TOTAL_FORMS": "0",
            "target_rows-INITIAL_FORMS": str(draft.target_rows.count()),
            "task_rows-TOTAL_FORMS": "0",
            "task_rows-INITIAL_FORMS": str(draft.task_rows.count()),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.title == "山西省中期评估(修订)"


def test_another_provinces_assessment_is_not_in_its_admin(client, people, draft):
    from tests import factories as f

    sx_admin = f.make_user(password=None, role="province_admin", province=draft.document.province)
    other = f.make_province(code="HB", name="河北", full_name="河北省")
    hb_admin = f.make_user(password=None, role="province_admin", province=other)
    client.force_login(hb_admin)
    assert client.get(change_url(draft)).status_code in (302, 404)
    listing = client.get(reverse("admin:assessments_assessment_changelist")).content.decode()
    assert change_url(draft) not in listing
    client.force_login(sx_admin)
    assert client.get(change_url(draft)).status_code == 200
