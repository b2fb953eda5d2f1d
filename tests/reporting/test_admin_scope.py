"""The admin shows a province admin its own units' rows only: lists, change pages, history,
related choices and imports (a sheet cannot create or update another province's rows)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from provinces.models import Department, Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def sx_admin(world):
    return f.make_user(username="sx-admin", role=Role.PROVINCE_ADMIN, province=world.sx)


def _ids(response) -> set[int]:
    return {row.pk for row in response.context["cl"].result_list}


def test_the_changelist_holds_only_the_admins_province(world, sx_admin, client):
    client.force_login(sx_admin)
    response = client.get(reverse("admin:targets_progressreport_changelist"))
    assert response.status_code == 200
    assert world.sx_submitted.pk in _ids(response)
    assert world.js_submitted.pk not in _ids(response)
    indicators = _ids(client.get(reverse("admin:targets_indicator_changelist")))
    assert indicators == {world.sx_indicator.pk}


def test_another_provinces_change_and_history_pages_are_not_found(world, sx_admin, client):
    client.force_login(sx_admin)
    own = reverse("admin:targets_progressreport_change", args=[world.sx_submitted.pk])
    other = reverse("admin:targets_progressreport_change", args=[world.js_submitted.pk])
    other_history = reverse("admin:targets_progressreport_history", args=[world.js_submitted.pk])
    assert client.get(own).status_code == 200
    assert client.get(other).status_code == 404
    assert client.get(other_history).status_code == 404
    indicator = reverse("admin:targets_indicator_change", args=[world.js_indicator.pk])
    assert client.get(indicator).status_code == 404


def test_an_approved_report_is_read_only_in_the_admin(world, sx_admin, client):
    client.force_login(sx_admin)
    url = reverse("admin:targets_progressreport_change", args=[world.sx_approved.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="value"' not in page.content.decode()
    client.post(url, {"value": "99", "as_of": "2022-12-31", "indicator": world.sx_indicator.pk})
    world.sx_approved.refresh_from_db()
    assert str(world.sx_approved.value) != "99"


def test_users_of_another_province_are_invisible_to_a_province_admin(world, sx_admin, client):
    client.force_login(sx_admin)
    users = _ids(client.get(reverse("admin:auth_user_changelist")))
    assert world.users["sx_reporter"].pk in users
    assert world.users["js_reporter"].pk not in users
    assert world.users["leader"].pk not in users
    other = reverse("admin:auth_user_change", args=[world.users["js_reporter"].pk])
    assert client.get(other).status_code == 404


def test_the_profile_inline_offers_only_the_admins_province_and_its_departments(
    world, sx_admin, client
):
    f.make_department(province=world.js, name="江苏省市场监管局")
    client.force_login(sx_admin)
    url = reverse("admin:auth_user_change", args=[world.users["sx_reporter"].pk])
    form = client.get(url).context["inline_admin_formsets"][0].formset.forms[0]
    assert list(form.fields["province"].queryset) == [world.sx]
    assert {d.province_id for d in form.fields["department"].queryset} == {world.sx.pk}


def _import_departments(client, rows: str):
    upload = SimpleUploadedFile("departments.csv", ("id,province,name\n" + rows).encode("utf-8"))
    return client.post(
        reverse("admin:provinces_department_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )


def test_an_import_cannot_create_or_update_another_provinces_rows(world, sx_admin, client):
    js_department = f.make_department(province=world.js, name="江苏省科技厅")
    client.force_login(sx_admin)
    before = set(Department.objects.values_list("province_id", "name"))

    for rows in (
        "SX,省发展改革委\nJS,江苏省工信厅\n",  # a new row in another province
        f",JS,{js_department.name}\n",  # an existing row of another province, by name
    ):
        preview = _import_departments(client, rows)
        assert preview.status_code == 200
        assert preview.context.get("confirm_form") is None, rows

    assert set(Department.objects.values_list("province_id", "name")) == before

    # Another province's id in our sheet matches nothing of ours: a new 山西 row, 江苏's intact.
    preview = _import_departments(client, f"{js_department.pk},SX,改名\n")
    form = preview.context["confirm_form"]
    client.post(reverse("admin:provinces_department_process_import"), form.initial)
    js_department.refresh_from_db()
    assert js_department.name == "江苏省科技厅"
    assert Department.objects.filter(province=world.sx, name="改名").exists()


def test_an_import_of_the_admins_own_rows_goes_through(world, sx_admin, client):
    client.force_login(sx_admin)
    preview = _import_departments(client, ",SX,省发展改革委\n")
    assert preview.context.get("confirm_form") is not None
