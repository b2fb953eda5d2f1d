"""Pages are stored per data version and follow the data: a recompute, a saved row, the
language and the user's own header."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from provinces.accounts import assign_role
from provinces.models import ReviewStatus, Role
from targets.models import ProgressReport
from targets.services import approve_reports, progress_recompute
from tests import factories as f

pytestmark = pytest.mark.django_db
URL = "/?year=2035"


@pytest.fixture
def one_target():
    """One province, one 2035 target (≥900 from 743 in 2020), an approved value far behind."""
    province = f.make_province(code="QH", name="青海")
    document = f.make_document(province=province)
    indicator = f.make_indicator(document=document)
    f.make_target(indicator=indicator, year=2035)
    f.make_report(
        indicator=indicator,
        as_of=dt.date(2025, 12, 31),
        value=Decimal("744"),
        review_status=ReviewStatus.APPROVED,
    )
    progress_recompute(as_of=timezone.localdate())
    return indicator


def _share(html: str) -> str:
    """The answer's "达成或正常 good/assessable" of the one province."""
    return re.search(r"达成或正常 (\d+/\d+)", html).group(1)


@pytest.fixture
def reviewer(django_user_model):
    user = django_user_model.objects.create_user(username="qh-reviewer", password="x")
    user.user_permissions.add(Permission.objects.get(codename="change_progressreport"))
    assign_role(user=user, role=Role.SYSTEM_ADMIN)  # reviews are scoped: one for every unit
    return django_user_model.objects.get(pk=user.pk)


def test_an_approval_shows_once_its_recompute_has_finished(
    viewer_client, one_target, reviewer, django_capture_on_commit_callbacks
):
    assert _share(viewer_client.get(URL).content.decode()) == "0/1"
    draft = f.make_report(
        indicator=one_target,
        as_of=dt.date(2026, 6, 30),
        value=Decimal("950"),
        review_status=ReviewStatus.SUBMITTED,
    )
    assert _share(viewer_client.get(URL).content.decode()) == "0/1"  # not approved: no change

    with django_capture_on_commit_callbacks(execute=False) as queued:
        approve_reports(reports=[draft], reviewer=reviewer)
    assert len(queued) == 1
    for callback in queued:
        callback()  # the recompute job (eager Celery)
    # The finished recompute is a new data version: the page shows the new status. (Whether
    # the approval alone already shows depends on how it writes; the recompute always does:
    # see the next test.)
    assert _share(viewer_client.get(URL).content.decode()) == "1/1"


def test_a_recompute_alone_renews_the_stored_page(viewer_client, one_target):
    assert _share(viewer_client.get(URL).content.decode()) == "0/1"
    ProgressReport.objects.filter(indicator=one_target).update(value=Decimal("950"))
    assert _share(viewer_client.get(URL).content.decode()) == "0/1"  # stored
    progress_recompute(as_of=timezone.localdate())
    assert _share(viewer_client.get(URL).content.decode()) == "1/1"


def test_a_saved_row_renews_every_stored_page(viewer_client, one_target):
    assert _share(viewer_client.get(URL).content.decode()) == "0/1"
    report = ProgressReport.objects.get(indicator=one_target)
    report.value = Decimal("950")
    report.save()  # an edit keeps every id: the saved row renews the generation
    assert _share(viewer_client.get(URL).content.decode()) == "1/1"


def test_a_stored_page_is_served_with_a_fraction_of_the_queries(viewer_client, one_target):
    with CaptureQueriesContext(connection) as built:
        first = viewer_client.get(URL).content.decode()
    with CaptureQueriesContext(connection) as stored:
        second = viewer_client.get(URL).content.decode()
    main = re.compile(r"<main.*</main>", re.S)
    assert main.search(first).group(0) == main.search(second).group(0)
    assert len(stored) < len(built) - 4  # the page's own reads are not run again
    reads = " ".join(q["sql"] for q in stored.captured_queries)
    assert "targets_progressreport" in reads  # the version query only: MAX(id)
    assert 'targets_target"."indicator_id' not in reads


def test_the_header_is_each_users_own_and_the_language_is_part_of_the_key(
    client, django_user_model, one_target
):
    for name in ("leader-a", "leader-b"):
        django_user_model.objects.create_user(username=name, password="x")
    client.login(username="leader-a", password="x")
    assert 'class="who">leader-a<' in client.get(URL).content.decode()
    client.logout()
    client.login(username="leader-b", password="x")
    html = client.get(URL).content.decode()
    assert 'class="who">leader-b<' in html and "leader-a" not in html
    client.cookies["django_language"] = "en"
    english = client.get(URL).content.decode()
    assert "Overview" in english and "总览</h1>" not in english
    client.cookies["django_language"] = "zh-hans"
    assert "总览</h1>" in client.get(URL).content.decode()


def test_a_bad_parameter_is_never_stored(viewer_client, one_target):
    assert viewer_client.get("/?sort=nonsense").status_code == 400
    assert viewer_client.get("/?sort=nonsense").status_code == 400
    assert viewer_client.get("/").status_code == 200
