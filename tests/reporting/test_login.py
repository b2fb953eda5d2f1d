"""Login is throttled (django-axes), passwords are validated, idle sessions end."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from provinces.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_repeated_failures_lock_the_login_for_a_cool_off_in_both_languages(client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    user = f.make_user(username="js-reporter", role=Role.REPORTER, province=f.make_province())
    url = reverse("login")
    for _ in range(2):
        response = client.post(url, {"username": user.username, "password": "wrong-password"})
        assert response.status_code == 200  # the form again, with its error

    locked = client.post(url, {"username": user.username, "password": "wrong-password"})

    assert locked.status_code == 429
    page = locked.content.decode()
    assert "登录失败次数过多" in page and "Too many failed logins" in page
    assert "15" in page  # minutes of cool-off
    # Even the right password is refused until the cool-off ends.
    right = client.post(
        url, {"username": user.username, "password": "correct-horse-battery-staple"}
    )
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_weak_passwords_are_refused():
    with pytest.raises(ValidationError):
        validate_password("12345678")
    assert len(django_settings.AUTH_PASSWORD_VALIDATORS) == 4


def test_sessions_end_after_the_idle_time_and_each_request_extends_them(client):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    assert django_settings.SESSION_COOKIE_AGE == django_settings.SESSION_IDLE_SECONDS
    user = f.make_user(role=Role.LEADER)
    client.force_login(user)
    session = client.session
    session["_last_seen"] = 0  # last seen long ago
    session.save()
    soon = timezone.now() + timedelta(seconds=30)
    Session.objects.update(expire_date=soon)  # about to end…
    client.get(reverse("reporting:workbench"))  # …but the user is active
    expiry = Session.objects.get().expire_date
    idle = timedelta(seconds=django_settings.SESSION_IDLE_SECONDS)
    assert expiry > soon and expiry <= timezone.now() + idle


def test_an_expired_session_is_logged_out(client):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    user = f.make_user(role=Role.LEADER)
    client.force_login(user)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("reporting:workbench"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
