"""The issue's "Done when": three questions a new user answers from the pages alone.

Against the seed documents (and the seeded 示例数据 where the question needs reports), each
answer on the page is checked against the same fact worked out another way: stored results
written by the recompute service, or the task updates read straight from the database.
"""

import re
from collections import Counter

from django.urls import reverse

from provinces.models import ReviewStatus
from targets.models import ProgressResult
from tasks.models import Assignment, Role, TaskStatus, TaskUpdate

from .conftest import AS_OF, Q


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def _section(html: str, marker: str) -> str:
    return html.split(marker, 1)[1].split("</section>", 1)[0]


def test_the_overview_names_the_province_furthest_behind_on_its_2025_targets(
    viewer_client, seed_demo
):
    from targets.services import progress_recompute

    html = viewer_client.get("/" + Q).content.decode()
    answer = _text(re.search(r'<p class="answer">(.*?)</p>', html, re.S).group(1))
    assert answer.startswith("2025年目标进度最落后的是青海")

    # The stored results (the recompute job's arithmetic) agree on who is furthest behind.
    progress_recompute(as_of=AS_OF)
    shares = {}
    rows = ProgressResult.objects.filter(
        as_of=AS_OF,
        target__year=2025,
        target__indicator__document__period_start__lte=AS_OF.year,
        target__indicator__document__period_end__gte=AS_OF.year,
    ).values_list("target__indicator__document__province__name", "pace_status")
    counts: dict[str, Counter] = {}
    for province, status in rows:
        counts.setdefault(province, Counter())[status] += 1
    for province, c in counts.items():
        judged = sum(c.values()) - c["no_data"] - c["cannot_assess"] - c["pending"]
        shares[province] = (c["achieved"] + c["ahead"] + c["on_track"]) / judged
    assert min(shares, key=shares.get) == "青海"
    assert sorted(shares.values())[0] < sorted(shares.values())[1]  # no tie
    good = counts["青海"]["achieved"] + counts["青海"]["ahead"] + counts["青海"]["on_track"]
    assert f"达成或正常 {good}/" in answer


def test_the_ranking_lists_every_province_with_2025_targets_furthest_behind_first(
    viewer_client, seed_demo
):
    response = viewer_client.get("/" + Q)
    ranking = response.context["t"]["ranking"].rows
    assert ranking[0]["province_name"] == "青海"
    assert {r["province_name"] for r in ranking} == {"山西", "江苏", "青海", "山东"}
    shares = [r["share"] for r in ranking]
    assert shares == sorted(shares)


def test_the_shanxi_page_lists_the_targets_missed_in_the_2013_2020_plan(viewer_client, seed):
    html = viewer_client.get(reverse("dashboards:province", args=["SX"]) + Q).content.decode()
    outcome = _section(html, "上一规划(2013—2020年)完成情况")
    missed = _text(_section(outcome, 'id="table-outcome_sx-2013_missed"'))
    # The two numbers the 2021–2035 plan states for 2020, against the 2013–2020 targets.
    assert "诚信计量示范单位 2020 ≥5000家 0家 3000家 2020-12-31 正式数据 60%" in missed
    assert "产业计量测试中心 2020 ≥9个 0个 3个 2020-12-31 正式数据 33%" in missed
    # Numbers first: the worst completion leads, then milestones nobody reported done.
    assert missed.index("产业计量测试中心") < missed.index("诚信计量示范单位")
    assert missed.index("诚信计量示范单位") < missed.index("《山西省计量监督管理条例》的修订")


def test_the_shanxi_missed_targets_survive_the_demo_data(viewer_client, seed_demo):
    response = viewer_client.get(reverse("dashboards:province", args=["SX"]) + Q)
    outcome = response.context["outcomes"][0]
    assert outcome["document"]["slug"] == "sx-2013"
    missed = {r["indicator_name"]: r for r in outcome["missed"].rows}
    assert missed["诚信计量示范单位"]["latest_value"] == 3000
    assert missed["诚信计量示范单位"]["latest_source"] == "正式数据"
    assert missed["产业计量测试中心"]["latest_value"] == 3
    assert all(r["pace_status"] == "missed" for r in outcome["missed"].rows)
    assert all(r["pace_status"] != "missed" for r in outcome["others"].rows)


def test_the_2013_2020_document_page_shows_how_it_ended(viewer_client, seed):
    html = viewer_client.get(reverse("dashboards:document", args=["sx-2013"]) + Q).content
    html = html.decode()
    assert "本规划(2013—2020年)完成情况" in html
    assert "已被替代" in html and "关于贯彻落实计量发展规划(2021—2035年)的实施意见" in html


def test_the_shandong_departments_page_names_the_lead_of_the_most_delayed_tasks(
    viewer_client, seed_demo
):
    # Worked out from the database: each 山东 task's latest approved update, counted per lead.
    latest: dict[int, str] = {}
    updates = TaskUpdate.objects.filter(
        task__document__slug="sd-2022",
        review_status=ReviewStatus.APPROVED,
        as_of__lte=AS_OF,
    ).order_by("task_id", "as_of", "reviewed_at", "id")
    for task_id, status in updates.values_list("task_id", "status"):
        latest[task_id] = status
    delayed = Counter()
    for task_id, name in Assignment.objects.filter(
        task__document__slug="sd-2022", role=Role.LEAD
    ).values_list("task_id", "department__name"):
        if latest.get(task_id) == TaskStatus.DELAYED:
            delayed[name] += 1
    (top, most), (_, runner_up) = delayed.most_common(2)
    assert most > runner_up

    url = reverse("dashboards:departments", args=["SD"]) + Q
    html = viewer_client.get(url).content.decode()
    answer = _text(re.search(r'<p class="answer bad">(.*?)</p>', html, re.S).group(1))
    assert answer.startswith(f"牵头滞后任务最多的单位：{top}(滞后 {most} 项")
    first_row = _text(html.split('<tr class="highlight">', 1)[1].split("</tr>", 1)[0])
    assert first_row.split()[:2] == [top, str(most)]

    # The province page gives the same answer and links to the full ranking.
    province = viewer_client.get(reverse("dashboards:province", args=["SD"]) + Q).content
    assert f"牵头滞后任务最多的单位：<strong>{top}</strong>" in province.decode()


def test_a_plan_that_names_no_lead_is_not_said_to_have_one(viewer_client, seed_demo):
    """山西 lists 责任单位 without 牵头/配合, 山东 names leads: pages say what each plan says."""
    shanxi = _text(
        viewer_client.get(reverse("dashboards:province", args=["SX"]) + Q).content.decode()
    )
    assert "滞后任务最多的责任单位" in shanxi
    assert "原文只列责任单位，未分牵头与配合" in shanxi
    assert "牵头滞后任务最多的单位" not in shanxi

    shandong = _text(
        viewer_client.get(reverse("dashboards:province", args=["SD"]) + Q).content.decode()
    )
    assert "牵头滞后任务最多的单位" in shandong
    assert "滞后任务最多的责任单位" not in shandong
