"""The assessment pages in English: Chinese only in data (names, quotes, comments)."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from assessments.models import Assessment, AssessmentTarget, AssessmentTask
from tests.clients import get_in
from tests.foundation.test_i18n import CJK, _data_strings, _interface_chinese


def _assessment_strings() -> list[str]:
    values = set(_data_strings())
    for model in (Assessment, AssessmentTarget, AssessmentTask):
        names = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices
        ]
        for row in model.objects.values_list(*names):
            values |= {value for value in row if value and CJK.search(value)}
    for departments in AssessmentTask.objects.values_list("departments", flat=True):
        values |= {d["name"] for d in departments}
    return sorted(values, key=len, reverse=True)


def test_every_assessment_page_in_english_shows_chinese_only_in_data(
    client, people, published, draft_js
):
    client.force_login(people["system_admin"])
    urls = [
        reverse("assessments:list"),
        reverse("assessments:new"),
        reverse("assessments:compare"),
        reverse("assessments:detail", args=[published.pk]),
        reverse("assessments:detail", args=[draft_js.pk]),
        reverse("assessments:rate_targets", args=[draft_js.pk]),
        reverse("assessments:rate_tasks", args=[draft_js.pk]),
        reverse("assessments:conclusion", args=[draft_js.pk]),
    ]
    values = _assessment_strings()
    leaks = {}
    for url in urls:
        response = get_in(client, url, "en")
        assert response.status_code == 200, url
        found = _interface_chinese(response.content.decode(), values)
        if found:
            leaks[url] = found
    assert leaks == {}
    page = get_in(client, urls[3], "en").content.decode()
    assert "Not achieved" in page and "Published" in page and "2. Targets" in page


def test_the_check_sees_interface_chinese_on_the_chinese_page(client, people, published):
    client.force_login(people["system_admin"])
    url = reverse("assessments:detail", args=[published.pk])
    page = get_in(client, url, "zh-hans").content.decode()
    assert {"主要指标完成情况", "冻结后新审核的填报"} <= set(
        _interface_chinese(page, _assessment_strings())
    )
