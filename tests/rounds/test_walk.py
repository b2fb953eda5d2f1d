"""Every rounds URL × persona: who gets the page, who a 404 (never a 403 that confirms an
object exists), who the login page. The round and the preview are 山西's."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rounds import imports

from .conftest import login

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "sx_reporter", "sx_science", "sx_reviewer", "js_reporter", "leader")
# url name → the personas that get 200 (everyone else logged in: 404; anonymous: login)
ALLOWED = {
    "index": {"sx_reporter", "sx_science", "sx_reviewer", "js_reporter", "leader"},
    "completeness": {"sx_reporter", "sx_science", "sx_reviewer", "js_reporter", "leader"},
    "completeness_sx": {"sx_reporter", "sx_science", "sx_reviewer", "leader"},
    "reminder_settings": {"sx_reporter", "sx_science", "sx_reviewer", "js_reporter", "leader"},
    "round": {"sx_reporter", "sx_science", "sx_reviewer", "leader"},
    "round_csv": {"sx_reporter", "sx_science", "sx_reviewer", "leader"},
    "template": {"sx_reporter", "sx_science"},
    "upload": {"sx_reporter", "sx_science"},
    "preview": {"sx_science"},
    "upload_status": {"sx_science"},
}


def urls(q4, token):
    return {
        "index": reverse("rounds:index"),
        "completeness": reverse("rounds:completeness"),
        "completeness_sx": reverse("rounds:completeness") + "?province=SX",
        "reminder_settings": reverse("rounds:reminder_settings"),
        "round": reverse("rounds:round", args=[q4.pk]),
        "round_csv": reverse("rounds:round", args=[q4.pk]) + "?format=csv",
        "template": reverse("rounds:template", args=[q4.pk]),
        "upload": reverse("rounds:upload", args=[q4.pk]),
        "preview": reverse("rounds:preview", args=[token]),
        "upload_status": reverse("rounds:upload_status", args=[token]),
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_rounds_page_answers_each_persona_as_its_access_says(client, plan, q4, persona):
    started = imports.upload_start(
        round=q4, user=plan.users["sx_science"], filename="a.csv", data=b"x"
    )
    if persona != "anonymous":
        login(client, plan.users[persona])
    for name, url in urls(q4, started.token).items():
        response = client.get(url)
        if persona == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
        elif persona in ALLOWED[name]:
            assert response.status_code == 200, (name, persona)
        else:
            assert response.status_code == 404, (name, persona, response.status_code)


@pytest.mark.parametrize("persona", ["js_reporter", "sx_reporter", "leader"])
def test_posts_of_another_unit_or_role_are_404_and_change_nothing(client, plan, q4, persona):
    login(client, plan.users[persona])
    assert (
        client.post(reverse("rounds:status", args=[q4.pk]), {"status": "closed"}).status_code == 404
    )
    q4.refresh_from_db()
    assert q4.status == "open"
    if persona != "sx_reporter":
        response = client.post(
            reverse("rounds:upload", args=[q4.pk]), {"file": SimpleUploadedFile("a.csv", b"x")}
        )
        assert response.status_code == 404
