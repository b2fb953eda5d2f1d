"""Content-Security-Policy, Permissions-Policy, and no password reset until mail works."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse


def directives(header: str) -> dict[str, list[str]]:
    parts = [part.strip().split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/healthz"])
def test_every_response_carries_a_policy_without_inline_script(client, url):
    response = client.get(url)

    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert (
        "'unsafe-inline'" not in policy["script-src"]
        and "'unsafe-eval'" not in policy["script-src"]
    )
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]  # plotly writes inline styles
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in permissions


@pytest.mark.django_db
def test_a_dashboard_page_and_the_admin_carry_the_policy(viewer_client, staff_client):
    assert "script-src 'self'" in viewer_client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in staff_client.get("/admin/")["Content-Security-Policy"]


def test_no_template_of_the_project_has_an_inline_script_or_handler():
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if inline.search(text) or handler.search(text):
            offenders.append(path.name)
    assert offenders == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["password_reset", "password_reset_done", "password_reset_complete"]
)
def test_the_password_reset_pages_are_hidden_until_mail_is_configured(client, settings, name):
    settings.EMAIL_CONFIGURED = False
    assert client.get(reverse(name)).status_code == 404
    assert client.post(reverse("password_reset"), {"email": "a@example.org"}).status_code == 404

    settings.EMAIL_CONFIGURED = True
    assert client.get(reverse(name)).status_code == 200


def test_mail_counts_as_configured_only_with_an_smtp_host(monkeypatch):
    import importlib

    import metrology_tracker.settings as project_settings

    monkeypatch.delenv("EMAIL_HOST", raising=False)
    assert importlib.reload(project_settings).EMAIL_CONFIGURED is False
    monkeypatch.setenv("EMAIL_HOST", "smtp.example.org")
    reloaded = importlib.reload(project_settings)
    assert reloaded.EMAIL_CONFIGURED is True
    assert reloaded.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
    monkeypatch.delenv("EMAIL_HOST")
    importlib.reload(project_settings)
