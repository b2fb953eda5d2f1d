"""Shared fixtures: personas and switches for the parts that need real services.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL points there (CI runs
both). Tests marked ``postgres`` skip on SQLite; ``celery_worker`` tests also need
``TEST_CELERY_BROKER_URL`` (Redis); ``browser`` tests need /usr/bin/chromium.
"""

import os
import shutil

import pytest
from django.conf import settings
from django.utils import translation

from tests.workers import real_worker  # noqa: F401  (a fixture for every app's worker tests)

ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]
CHROMIUM = os.getenv("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    skip_worker = pytest.mark.skip(
        reason="needs PostgreSQL and a Redis broker (set DATABASE_URL and TEST_CELERY_BROKER_URL)"
    )
    skip_browser = pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM}")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_pg)
        if "celery_worker" in item.keywords and not (
            ON_POSTGRES and os.getenv("TEST_CELERY_BROKER_URL")
        ):
            item.add_marker(skip_worker)
        if "browser" in item.keywords and not shutil.which(CHROMIUM):
            item.add_marker(skip_browser)


@pytest.fixture(autouse=True)
def _chinese_until_told_otherwise():
    """Each test starts in the default language: a request in English activates English on
    the thread, and it would otherwise leak into the next test's gettext calls."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with no stored page content: row ids repeat between tests on SQLite,
    so a page stored by one test could otherwise match another test's data version."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded evidence files land in a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_login_throttling(settings):
    """django-axes off, except in the test of the throttling itself (it turns it back on)."""
    settings.AXES_ENABLED = False


@pytest.fixture
def password() -> str:
    return "correct-horse-battery-staple"


@pytest.fixture
def staff_user(django_user_model, password):
    """A market-regulation staff member with every model permission (admin, import, export)."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(username="staff", password=password, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["provinces", "targets", "tasks"])
    )
    # The admin shows a user only its units' rows: this one works at the national level.
    from provinces.accounts import assign_role
    from provinces.models import Role

    assign_role(user=user, role=Role.SYSTEM_ADMIN)
    return user


@pytest.fixture
def viewer(django_user_model, password):
    """A logged-in reader (a leader or evaluator) with no admin rights."""
    return django_user_model.objects.create_user(username="leader", password=password)


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client
