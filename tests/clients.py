"""Request helpers shared by tests."""

from django.conf import settings


def get_in(client, url: str, language: str, **extra):
    """GET as a user who chose ``language`` with the switch (the cookie it sets)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(url, **extra)


def dashboard_page_urls() -> dict[str, str]:
    """name → url of every dashboard page over the seed catalogue, one of each kind."""
    from django.urls import reverse

    from provinces.models import Department
    from targets.models import Indicator
    from tasks.models import Task

    indicator = Indicator.objects.get(
        document__slug="sx-2021", code="mandatory-verification-coverage"
    )
    task = Task.objects.filter(document__slug="sd-2022").order_by("sort_order").first()
    department = Department.objects.get(province__code="SD", name="省市场监管局")
    return {
        "overview": reverse("dashboards:overview"),
        "compare": reverse("dashboards:compare"),
        "province": reverse("dashboards:province", args=["SX"]),
        "departments": reverse("dashboards:departments", args=["SD"]),
        "document": reverse("dashboards:document", args=["sx-2021"]),
        "responsibilities": reverse("dashboards:responsibilities", args=["sd-2022"]),
        "department": reverse("dashboards:department", args=[department.pk]),
        "indicator": reverse("dashboards:indicator", args=[indicator.pk]),
        "task": reverse("dashboards:task", args=[task.pk]),
    }
