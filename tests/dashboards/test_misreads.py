"""Issue 9, part 4: what a leader misread on the pages, one test per finding.

Each test reads the page over the seed documents (with 示例数据 where the finding needs reports)
as the leader did, and checks the page now says what the documents and the figures say.
"""

import json
import re

from django.core.cache import cache
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
    cache.clear()  # asked again: a stored page carries no context to inspect
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


# --- completion: the real figure, the cut marked, a negative one explained ----------------------


def test_a_completion_cut_in_a_chart_is_labelled_with_its_real_value_and_marked():
    """The chart keeps its 0–150% scale, but a dot or bar drawn shorter says how long it is."""
    import pandas as pd

    from dashboards import charts

    frame = pd.DataFrame(
        {
            "province": ["青海", "山西", "江苏"],
            "indicator_name": ["甲", "乙", "丙"],
            "target_year": [2025, 2025, 2035],
            "time_elapsed": [1.0, 1.0, 0.4],
            "completion": [2.1, -0.42, 0.3],
            "completion_display": [1.5, 0.0, 0.3],
            "pace_status": ["achieved", "missed", "lagging"],
            "label": ["甲", "乙", "丙"],
        }
    )
    figure = charts.figure_payload(charts.pace_scatter(frame))
    dots = {
        name: trace
        for trace in figure["data"]
        if (name := trace.get("name")) in ("已达成", "未达成")
    }
    assert dots["已达成"]["y"] == [150.0]  # still drawn at the top of the scale
    assert dots["已达成"]["text"] == ["210%(图中截断)"]
    assert dots["已达成"]["marker"]["symbol"] == ["triangle-up"]
    assert dots["未达成"]["text"] == ["-42%(图中截断)"]
    assert dots["未达成"]["marker"]["symbol"] == ["triangle-down"]
    lagging = next(t for t in figure["data"] if t.get("name") == "滞后")
    assert lagging["text"] == [""] and lagging["marker"]["symbol"] == ["diamond"]

    bars = charts.figure_payload(charts.at_risk_bars(frame))["data"][0]
    assert bars["x"] == [150.0, 0.0, 30.0]
    assert bars["text"] == ["210%(图中截断)", "-42%(图中截断)", ""]

    history = frame.assign(as_of=pd.to_datetime(["2025-12-31", "2025-12-31", "2026-06-30"]))
    traces = charts.figure_payload(charts.status_history(history))["data"]
    labels = [x for trace in traces for x in (trace.get("text") or [])]
    assert "210%(图中截断)" in labels and "-42%(图中截断)" in labels


def test_tables_show_the_real_completion_and_say_why_one_is_negative(viewer_client, seed_demo):
    """Below the baseline reads as such, on the page, in the sentence and in the download."""
    response = viewer_client.get(reverse("dashboards:province", args=["SX"]) + Q)
    rows = {r["indicator_name"]: r for r in response.context["t"]["targets"].rows}
    row = rows["地方计量技术规范制修订数量"]  # 61 → 53 against 80
    assert row["completion"] < 0
    html = _text(response.content.decode())
    assert f"{round(row['completion'] * 100)}%(低于基期值)" in html
    missed = {r["indicator_name"]: r for r in response.context["t"]["missed"].rows}
    assert "(最新值低于基期值)" in missed["地方计量技术规范制修订数量"]["explanation"]
    assert "(最新值低于基期值)" in html
    # The document page's indicator lists and the indicator page say the same.
    document = _text(
        viewer_client.get(reverse("dashboards:document", args=["sx-2021"]) + Q).content.decode()
    )
    assert f"{round(row['completion'] * 100)}%(低于基期值)" in document
    indicator = _text(viewer_client.get(row["indicator_url"]).content.decode())
    assert "(低于基期值)" in indicator
    csv = viewer_client.get(
        reverse("dashboards:province", args=["SX"]) + Q + "&format=csv&table=targets"
    ).content.decode("utf-8-sig")
    assert "(低于基期值)" in csv


def test_the_comparison_says_which_value_a_passed_year_was_judged_on(viewer_client, seed_demo):
    """青海's latest 299 (2026) beside its 2025 target of 200 reads 130%: on 2025's value."""
    response = viewer_client.get(
        reverse("dashboards:compare") + Q + "&category=integrity-demonstration-units"
    )
    rows = {r["province_name"]: r for r in response.context["t"]["comparison"].rows}
    qinghai = rows["青海"]
    assert qinghai["latest"] == "299个"
    assert round(qinghai["completion_2025"] * 100) == 130
    assert qinghai["basis_2025"] == "260个(2025-12-31)"  # 260 / 200 = 130%
    assert "260个(2025-12-31)" in _text(response.content.decode())
    labels = [c.label for c in response.context["t"]["comparison"].columns]
    assert labels.index("2025年目标测算所用值") < labels.index("2025年完成进度")


# --- the comparison's "各省自定的目标" follows the category ------------------------------------


def test_what_each_province_set_itself_is_shown_for_the_chosen_category(viewer_client, seed):
    from targets.models import Indicator

    blocks = {}
    for code in ("integrity-demonstration-units", "science-technology-awards"):
        response = viewer_client.get(reverse("dashboards:compare") + Q + f"&category={code}")
        table = response.context["t"]["targets_set"]
        html = response.content.decode()
        section = _text(html.split('id="set-title"', 1)[1].split("</section>", 1)[0])
        blocks[code] = section
        expected = set(
            Indicator.objects.filter(
                category__code=code,
                document__period_start__lte=2026,
                document__period_end__gte=2026,
            ).values_list("document__province__name", "name")
        )
        shown = {(r["province"], r["indicator_name"]) for r in table.rows if r.get("targets")}
        assert shown == expected, code
        for _province, name in expected:
            assert name in section
        # Every province with a plan in force appears; one without such a target says so.
        assert {r["province"] for r in table.rows} == {"山西", "江苏", "青海", "山东"}
    assert blocks["integrity-demonstration-units"] != blocks["science-technology-awards"]
    assert "2025年 ≥200个；2035年 ≥1000个" in blocks["integrity-demonstration-units"]
    assert blocks["science-technology-awards"].count("(未设此类目标)") == 3


# --- 专栏1 as the document prints it -------------------------------------------------------------


def test_column_1_of_shanxi_2021_is_the_table_the_document_prints(viewer_client, seed):
    html = viewer_client.get(reverse("dashboards:document", args=["sx-2021"]) + Q).content
    html = html.decode()
    table = html.split('<table class="data printed">', 1)[1].split("</table>", 1)[0]
    header = re.findall(r'<th scope="col">(.*?)</th>', table)
    assert header == ["领域", "指标", "2020 年", "2025 年", "属性"]  # as printed, spaces too
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)
    assert len(rows) == 8
    first = re.findall(r"<td([^>]*)>(.*?)</td>", rows[0])
    assert first == [
        (' rowspan="2"', "科学技术"),
        ("", "国家计量比对主导数量(项)"),
        ("", "/"),
        ("", "3"),
        ("", "预期性"),
    ]
    # The merged 领域 cells span their rows: 科学技术 2, 支撑保障 4, 法制监督 2.
    assert re.findall(r'<td rowspan="(\d)">(\S+?)</td>', table) == [
        ("2", "科学技术"),
        ("4", "支撑保障"),
        ("2", "法制监督"),
    ]
    assert [len(re.findall(r"<td", r)) for r in rows] == [5, 4, 5, 4, 4, 4, 5, 4]
    # The raw lines are gone.
    assert "国家计量比对主导数量 科学技术 国家计量比对主导数量(项)" not in _text(html)


# --- page-break splits joined for display, verbatim in the database ------------------------------


def test_page_break_splits_are_joined_on_the_seed_texts_and_real_paragraphs_kept():
    """The rule on every seed text: the 21 page-break splits joined, every other line kept."""
    from pathlib import Path

    from django.conf import settings

    from dashboards.text import join_page_breaks

    joined = {}
    for path in sorted((Path(settings.BASE_DIR) / "fixtures" / "sources").glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        shown = join_page_breaks(raw)
        # Only newlines (and the indentation around them) ever go; nothing else changes.
        assert re.sub(r"\s+", "", shown) == re.sub(r"\s+", "", raw)
        joined[path.name[:3]] = raw.count("\n") - shown.count("\n")
        assert "全省社会公用\n" not in shown
        for line in shown.split("\n"):
            assert not re.search(r"社会公用计量标准建设与管理的指导", line) or "结合" in line
    assert joined["000"] >= 14 and joined["002"] >= 6
    paragraphs = {
        name: path.read_text(encoding="utf-8")
        for name, path in {
            p.name[:3]: p for p in (Path(settings.BASE_DIR) / "fixtures" / "sources").glob("*.txt")
        }.items()
    }
    sx = join_page_breaks(paragraphs["000"])
    assert "结合《关于进一步加强全省社会公用计量标准建设与管理的指导" in sx
    assert "规范计量数据使用,推动计量数据安全有序流动。" in sx
    # Real ends stay: a sentence's end, the 专栏1 table's rows, headings, titles and metadata.
    assert "网络化。\n\n围绕我省传统优势产业" in sx
    assert "属性\n科学技术\t国家计量比对主导数量(项)" in sx
    assert "推动创新驱动发展\n\n1. 加强计量测试技术" in sx
    assert "的实施意见\n\n各市、县人民政府" in sx
    assert "2022-07-12\n\n青海省人民政府" in join_page_breaks(paragraphs["003"])
    assert "的意见\n\n苏政发〔2022〕72号" in join_page_breaks(paragraphs["002"])
    # Two Latin words or numbers meeting at a break keep a space between them.
    assert join_page_breaks("依据国家计量技术规范和省里的要求，执行JJF\n\n1001的规定。") == (
        "依据国家计量技术规范和省里的要求，执行JJF 1001的规定。"
    )


def test_task_pages_and_quotes_show_the_text_joined_while_the_database_keeps_it_verbatim(
    viewer_client, seed
):
    from tasks.models import Task

    task = Task.objects.get(document__slug="sx-2021", number="15")
    assert "全省社会公用\n\n计量标准建设" in task.text + task.quote  # stored as published
    html = _text(viewer_client.get(reverse("dashboards:task", args=[task.pk]) + Q).content.decode())
    assert "全省社会公用计量标准建设与管理的指导" in html
    assert "全省社会公用 计量标准建设" not in html
    two = Task.objects.get(document__slug="sx-2021", number="2")
    page = viewer_client.get(reverse("dashboards:task", args=[two.pk]) + Q)
    assert "推动计量数据安全有序流动" in page.content.decode()


def test_an_indicator_excerpt_starts_and_ends_on_a_whole_clause(viewer_client, seed):
    """No excerpt opens "…025 年": each starts after a clause mark (or at the text's start)."""
    from dashboards.text import CLAUSE, join_page_breaks
    from targets.models import Indicator

    checked = 0
    for indicator in Indicator.objects.select_related("document"):
        response = viewer_client.get(reverse("dashboards:indicator", args=[indicator.pk]) + Q)
        text = join_page_breaks(indicator.document.source_text)
        for excerpt in response.context["excerpts"]:
            body = "".join(p["text"] for p in excerpt)
            opened, closed = body.startswith("…"), body.endswith("…")
            core = body.strip("…")
            at = text.find(core)
            assert at >= 0, (indicator.name, core[:30])
            if opened:
                assert text[at - 1] in CLAUSE | {" ", "\u3000", "\t"}, (indicator.name, core[:20])
                assert not (core[0].isdigit() and text[at - 1].isdigit())
            if closed:
                assert core[-1] in CLAUSE or not text[at + len(core)].isalnum(), core[-20:]
            checked += 1
    assert checked > 50


# --- task numbers with their part ----------------------------------------------------------------


def test_a_task_listed_outside_its_section_is_named_with_its_part(
    viewer_client, staff_client, seed
):
    """山东 numbers (一)(二)… afresh in 三 … 七: outside its section a task is "三(一)"."""
    from tasks.models import Task
    from tasks.numbering import task_label

    assert task_label("(一)", "三、") == "三(一)"
    assert task_label("15", "二、") == "15"  # 山西 2021 numbers 1…28 through the document
    first = Task.objects.get(document__slug="sd-2022", number="(一)", section__number="三、")
    assert Task.objects.filter(document__slug="sd-2022", number="(一)").count() > 1

    # The task page's title.
    html = viewer_client.get(reverse("dashboards:task", args=[first.pk]) + Q).content.decode()
    assert f"<h1>三(一) {first.title}" in html
    assert f"<title>三(一) {first.title}" in html

    # A department page and its download: every task named once, with its part.
    lead = Department.objects.get(province__code="SD", name="省市场监管局")
    page = viewer_client.get(reverse("dashboards:department", args=[lead.pk]) + Q)
    labels = [r["task_label"] for t in page.context["tables"] for r in t.rows]
    assert "三(一)" in labels and len(labels) == len(set(labels))
    csv = viewer_client.get(
        reverse("dashboards:department", args=[lead.pk]) + Q + "&format=csv&table=lead"
    ).content.decode("utf-8-sig")
    assert "\n三(一)," in csv

    # The matrix: its rows (and download) name each task once.
    matrix = viewer_client.get(reverse("dashboards:responsibilities", args=["sd-2022"]) + Q)
    labels = [r["label"] for r in matrix.context["t"]["matrix"].rows]
    assert "三(一)" in labels and len(labels) == len(set(labels))
    assert len(labels) == Task.objects.filter(document__slug="sd-2022").count()

    # The document's task download.
    tasks_table = viewer_client.get(reverse("dashboards:document", args=["sd-2022"]) + Q).context[
        "t"
    ]["tasks"]
    numbers = [r["number"] for r in tasks_table.rows]
    assert "三(一)" in numbers and len(numbers) == len(set(numbers))

    # The admin: lists and searches name the task with its part, and find it by that name.
    listed = staff_client.get(reverse("admin:tasks_task_changelist") + "?q=三(一)")
    found = list(listed.context["cl"].result_list)
    assert first in found
    assert {str(t) for t in found} >= {f"三(一) {first.title}"}
    assert all(str(t).startswith("三(") for t in found if t.document.slug == "sd-2022")


# --- the matrix says what each row is --------------------------------------------------------


def test_the_matrix_names_each_task_row_with_its_title_and_status(viewer_client, seed_demo):
    """Row 17 of 山东's matrix reads as a task: its number with its part, title and status."""
    from provinces.models import ReviewStatus
    from tasks.models import Task, TaskUpdate
    from tasks.numbering import task_label

    response = viewer_client.get(reverse("dashboards:responsibilities", args=["sd-2022"]) + Q)
    html = response.content.decode()
    rows = re.findall(r'<tr><th scope="row" class="num">(.*?)</tr>', html, re.S)
    tasks = list(
        Task.objects.filter(document__slug="sd-2022")
        .exclude(assignments=None)
        .select_related("section")
        .order_by("sort_order")
    )
    assert len(rows) == len(tasks) >= 17
    for row, task in zip(rows, tasks, strict=True):
        latest = (
            TaskUpdate.objects.filter(
                task=task, review_status=ReviewStatus.APPROVED, as_of__lte=AS_OF
            )
            .order_by("-as_of", "-reviewed_at", "-id")
            .first()
        )
        status = {"delayed": "滞后", "in_progress": "推进中", "completed": "已完成"}.get(
            latest.status if latest else ""
        )
        text = _text("<th>" + row)
        assert text.strip().startswith(task_label(task.number, task.section.number)), text
        assert task.title in text
        assert reverse("dashboards:task", args=[task.pk]) in row
        if status:
            assert status in text, (task.number, text)
        elif latest is None:
            assert "未填报" in text
    # The download carries the same: 序号, 任务, 状态 on every row.
    sheet = viewer_client.get(
        reverse("dashboards:responsibilities", args=["sd-2022"]) + Q + "&format=csv&table=matrix"
    ).content.decode("utf-8-sig")
    lines = sheet.strip().splitlines()
    assert lines[0].startswith("序号,任务,状态,完成百分比,")
    assert lines[17].split(",")[1] == tasks[16].title
