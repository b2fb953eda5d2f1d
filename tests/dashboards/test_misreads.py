"""Issue 9, part 4: what a leader misread on the pages, one test per finding.

Each test reads the page over the seed documents (with 示例数据 where the finding needs reports)
as the leader did, and checks the page now says what the documents and the figures say.
"""

import json
import re

from django.urls import reverse

from provinces.models import Department
from tasks.models import Assignment, Role

from .conftest import AS_OF, Q


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


# --- "no target behind" beside targets missed ---------------------------------------------------


def test_the_province_page_counts_the_targets_of_a_passed_year_that_were_missed(
    viewer_client, seed_demo
):
    """山西 read in 2026: three 2025 targets 未达成 must be said, not "no target behind"."""
    from targets.models import ProgressResult
    from targets.services import progress_recompute

    progress_recompute(as_of=AS_OF)
    missed = set(
        ProgressResult.objects.filter(
            as_of=AS_OF,
            pace_status="missed",
            target__year=2025,
            target__indicator__document__slug="sx-2021",
        ).values_list("target__indicator__name", flat=True)
    )
    assert len(missed) == 3  # the seed's 示例数据 as the leader saw it

    response = viewer_client.get(reverse("dashboards:province", args=["SX"]) + Q)
    html = response.content.decode()
    section = _text(html.split('id="risk-title"', 1)[1].split('id="dept-title"', 1)[0])
    assert "目前没有滞后或倒退的目标" not in section
    assert "2025年的目标有 3 个未达成" in section
    table = response.context["t"]["missed"]
    assert {r["indicator_name"] for r in table.rows} == missed
    assert table.title == "目标年已过、未达成的目标(2025年)"
    for name in missed:
        assert name in section
    # A province with nothing missed keeps the plain sentence and shows no such table.
    jiangsu = viewer_client.get(reverse("dashboards:province", args=["JS"]) + Q)
    if not jiangsu.context["t"]["missed"].rows:
        assert 'id="table-missed"' not in jiangsu.content.decode()
