"""Issue 9, part 4: what a leader misread on the pages, one test per finding.

Each test reads the page over the seed documents (with 示例数据 where the finding needs reports)
as the leader did, and checks the page now says what the documents and the figures say.
"""

import json
import re

from django.urls import reverse

from provinces.models import Department
from tasks.models import Assignment, Role

from .conftest import Q


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _figures(html: str) -> dict[str, dict]:
    found = re.findall(r'<script id="([^"]+)" type="application/json">(.*?)</script>', html, re.S)
    return {key: json.loads(body) for key, body in found}


# --- 山西's 责任单位 are not 牵头 ----------------------------------------------------------------


def test_shanxi_units_read_as_responsible_units_never_as_leads(viewer_client, seed_demo):
    """山西 prints one list of 责任单位: no page may count them in a 牵头 column or title."""
    assert set(
        Assignment.objects.filter(task__document__slug="sx-2021").values_list("role", flat=True)
    ) == {Role.RESPONSIBLE}
    unit = Department.objects.get(province__code="SX", name="省市场监管局")
    pages = {
        "province": reverse("dashboards:province", args=["SX"]),
        "departments": reverse("dashboards:departments", args=["SX"]),
        "department": reverse("dashboards:department", args=[unit.pk]),
        "matrix": reverse("dashboards:responsibilities", args=["sx-2021"]),
    }
    for name, url in pages.items():
        response = viewer_client.get(url + Q)
        html = response.content.decode()
        for table in response.context["tables"]:
            assert not any("牵头" in c.label for c in table.columns), (name, table.name)
            assert "牵头" not in table.title, (name, table.title)
        for chart in _figures(html).values():
            assert "牵头" not in json.dumps(chart, ensure_ascii=False), name
        # The one mention allowed is the note that the text does not say who leads.
        body = _text(html.split("<main", 1)[1]).replace("未分牵头与配合", "")
        assert "牵头" not in body, (name, body[max(0, body.find("牵头") - 80) :][:160])
        assert "责任单位" in html, name
    ranking = viewer_client.get(pages["departments"] + Q).context["t"]["departments"]
    assert ranking.title == "责任单位任务滞后排名"
    assert [c.label for c in ranking.columns][:2] == ["责任单位", "滞后"]
    # 山东 names its leads and supports: its pages keep 牵头 / 配合.
    shandong = viewer_client.get(reverse("dashboards:departments", args=["SD"]) + Q)
    labels = [c.label for c in shandong.context["t"]["departments"].columns]
    assert "牵头滞后" in labels and "配合任务" in labels
    assert "各单位牵头任务状态" in shandong.content.decode()
