"""The pure proposer on small hand-written snippets of the genre (not taken from the seeds)."""

from decimal import Decimal

from onboarding.proposer import fixture_dict, propose

CITY = """大同市人民政府
关于贯彻落实计量发展规划(2021—2035年)的实施意见
同政发〔2023〕8号

各县(区)人民政府，市直各有关单位：

一、总体要求

(一)指导思想。坚持以人民为中心。

(二)发展目标。到2025年，全市社会公用计量标准达到150项以上(其中县级60项以上)，强制检定项目建标覆盖率不低于92%，新建市级产业计量测试中心1—3个，诚信计量示范单位由现有80家增加到200家，培育计量技术骨干50名左右。

到2035年，建成2个以上省级产业计量测试中心。

二、重点任务

(一)夯实计量基础

1.完善量值传递溯源体系。统筹市、县两级社会公用计量标准建设。(市市场监管局牵头，市财政局、市发展改革委配合)

2.加强计量人才培养。引导培育诚信计量示范单位200家。推动制定《大同市计量监督管理办法》。探索制定计量校准市场管理办法。责任单位：市市场监管局、市人社局

3.推进民生计量。开展集贸市场专项检查。（市市场监管局负责）

三、保障措施

(一)加强组织领导。各县(区)要加强领导。

大同市人民政府
2023年4月6日
"""


def targets_of(proposal):
    return {
        (i["name"], t["year"]): (t["value"], t["comparator"], t["lower_bound"])
        for i in proposal["indicators"]
        for t in i["targets"]
    }


def test_document_facts_come_from_the_header_and_the_signature():
    document = propose(CITY, unit_code="DT")["document"]
    assert document["title"] == "关于贯彻落实计量发展规划(2021—2035年)的实施意见"
    assert document["issuer"] == "大同市人民政府"
    assert document["number"] == "同政发〔2023〕8号"
    assert str(document["signed_on"]) == "2023-04-06"
    assert (document["period_start"], document["period_end"], document["base_year"]) == (
        2021,
        2035,
        2020,
    )
    assert document["milestone_years"] == [2025, 2035]
    assert document["slug"] == "dt-2023"


def test_comparators_ranges_baselines_and_sub_targets():
    proposal = propose(CITY, unit_code="DT")
    found = targets_of(proposal)
    assert found[("社会公用计量标准", 2025)] == (150, "gte", None)
    # 其中县级60项以上: a sub-target of its own, named after what it is part of
    assert found[("县级社会公用计量标准", 2025)] == (60, "gte", None)
    assert found[("强制检定项目建标覆盖率", 2025)] == (92, "gte", None)  # 不低于
    assert found[("市级产业计量测试中心", 2025)] == (3, "range", 1)  # 1—3个
    assert found[("计量技术骨干", 2025)] == (50, "approx", None)  # 左右
    assert found[("省级产业计量测试中心", 2035)] == (2, "gte", None)  # a 2035 goal, not 市级
    integrity = next(i for i in proposal["indicators"] if i["name"] == "诚信计量示范单位")
    assert integrity["baseline"]["value"] == 80 and integrity["measure_kind"] == "level"
    assert proposal["reports"] == [
        {
            "indicator": integrity["code"],
            "as_of": "2020-12-31",
            "value": 80,
            "quote": integrity["baseline"]["quote"],
        }
    ]
    sub = next(i for i in proposal["indicators"] if i["name"] == "县级社会公用计量标准")
    assert any("sub-target" in flag for flag in sub["_flags"])


def test_a_task_restating_a_goal_is_not_a_second_target():
    proposal = propose(CITY, unit_code="DT")
    integrity = next(i for i in proposal["indicators"] if i["name"] == "诚信计量示范单位")
    assert integrity["targets"][0]["restated_quotes"] == ["引导培育诚信计量示范单位200家"]
    assert integrity["task"] == "2" and integrity["task_section"] == "二/一"
    assert sum(1 for i in proposal["indicators"] if "诚信" in i["name"]) == 1


def test_regulations_to_make_are_milestones_due_by_the_plan_end_unless_only_explored():
    proposal = propose(CITY, unit_code="DT")
    milestones = [i for i in proposal["indicators"] if i["measure_kind"] == "milestone"]
    assert [m["name"] for m in milestones] == ["制定《大同市计量监督管理办法》"]
    assert milestones[0]["targets"][0] == {
        "year": 2035,
        "value": None,
        "comparator": "done",
        "lower_bound": None,
        "quote": "推动制定《大同市计量监督管理办法》",
    }


def test_tasks_their_sections_and_their_units_with_roles():
    proposal = propose(CITY, unit_code="DT", known_departments=["市市场监管局"])
    tasks = {t["number"]: t for t in proposal["tasks"]}
    assert list(tasks) == ["1", "2", "3"]  # the (一) under 三、保障措施 is a section here
    assert tasks["1"]["section"] == "二/一" and tasks["1"]["title"] == "完善量值传递溯源体系"
    assert [(d["name"], d["role"]) for d in tasks["1"]["departments"]] == [
        ("市市场监管局", "lead"),
        ("市财政局", "support"),
        ("市发展改革委", "support"),
    ]
    assert tasks["1"]["departments_quote"] == "(市市场监管局牵头，市财政局、市发展改革委配合)"
    # 责任单位：… without brackets closes a paragraph too
    assert [(d["name"], d["role"]) for d in tasks["2"]["departments"]] == [
        ("市市场监管局", "responsible"),
        ("市人社局", "responsible"),
    ]
    assert [(d["name"], d["role"]) for d in tasks["3"]["departments"]] == [("市市场监管局", "lead")]
    assert [d["_new"] for d in tasks["1"]["departments"]] == [False, True, True]
    assert proposal["_new_departments"] == ["市财政局", "市发展改革委", "市人社局"]


def test_every_quote_is_an_exact_substring_and_review_keys_are_dropped_for_the_file():
    proposal = propose(CITY, unit_code="DT")
    data = fixture_dict(proposal)
    quotes = [data["document"]["quote"]]
    quotes += [t["quote"] for t in data["tasks"]] + [t["text"] for t in data["tasks"]]
    quotes += [t["departments_quote"] for t in data["tasks"]]
    for indicator in data["indicators"]:
        quotes.append(indicator["quote"])
        quotes += [t["quote"] for t in indicator["targets"]]
    assert all(q in CITY for q in quotes)

    def keys(node):
        if isinstance(node, dict):
            return set(node) | {k for v in node.values() for k in keys(v)}
        if isinstance(node, list):
            return {k for v in node for k in keys(v)}
        return set()

    assert not {k for k in keys(data) if k.startswith("_")}


def test_l2_tasks_when_there_are_no_arabic_paragraphs_and_a_table_of_indicators():
    text = (
        "某省人民政府关于深入推进计量工作的意见\n\n一、发展目标\n\n到2025年，主要指标如下。\n\n"
        "专栏1 主要指标\n领域\t指标\t2020年\t2025年\t属性\n"
        "监管\t强检项目覆盖率(%)\t80\t90\t约束性\n\t计量技术规范(项)\t/\t12\t预期性\n\n"
        "二、重点工作\n\n(一)加强计量监管。新建计量标准10项以上，服务企业。\n\n"
        "(二)提升服务能力。与20种常见病毒检测有关的研究。\n"
    )
    proposal = propose(text, unit_code="MS")
    assert [t["number"] for t in proposal["tasks"]] == ["(一)", "(二)"]
    found = {
        (i["name"], t["year"]): (i["unit"], t["value"], i["attribute"], i["baseline"])
        for i in proposal["indicators"]
        for t in i["targets"]
    }
    assert found[("强检项目覆盖率", 2025)][:3] == ("%", 90, "约束性")
    assert found[("强检项目覆盖率", 2025)][3]["value"] == 80
    assert found[("计量技术规范", 2025)] == ("项", 12, "预期性", None)
    # a task's 新建…10项以上 with no year printed is due by the plan's end (here 2025)
    assert ("计量标准", 2025) in found
    # "20种常见病毒" is not a commitment: no verb of building or reaching, no comparator
    assert not any(v[1] == Decimal(20) or v[1] == 20 for v in found.values())


NOTICE = """晋城市人民政府关于印发《晋城市计量发展规划(2021—2035年)》的通知

晋市政发〔2023〕12号

一、总体要求

(一)基本原则。坚持需求牵引。

(二)主要目标。到“十四五”末，全市计量基础更加坚实。具体目标如下：

1.全市社会公用计量标准达到120项以上；

2.计量产业产值达到50亿元；

3.培训计量人员1000人次以上，培育100余家诚信计量示范单位。

二、主要任务

(一)夯实计量基础。每年新增社会公用计量标准5项。牵头单位：市市场监管局；配合单位：市财政局、市科技局。

(二)服务产业发展。建成省级产业计量测试中心2个。(牵头单位：市市场监管局；配合单位：市工信局)

晋城市人民政府
2023年5月8日
"""


def test_other_wordings_of_the_genre():
    proposal = propose(NOTICE, unit_code="JC")
    document = proposal["document"]
    # a notice issuing a plan: the title ends after the book title closes
    assert document["title"] == "关于印发《晋城市计量发展规划(2021—2035年)》的通知"
    assert document["issuer"] == "晋城市人民政府" and document["number"] == "晋市政发〔2023〕12号"
    found = targets_of(proposal)
    # 十四五末 is 2025; numbered goals lose their numbers; 亿元, 人次 and 100余家 are read
    assert found[("社会公用计量标准", 2025)] == (120, "gte", None)
    assert found[("计量产业产值", 2025)] == (50, "gte", None)
    assert found[("培训计量人员", 2025)] == (1000, "gte", None)
    assert found[("诚信计量示范单位", 2025)] == (100, "gte", None)
    yearly = next(i for i in proposal["indicators"] if i["name"].startswith("每年"))
    assert yearly["_confidence"] <= 0.5 and any("yearly" in f for f in yearly["_flags"])
    assert document["milestone_years"] == [2025, 2035]
    tasks = proposal["tasks"]
    # 牵头单位：…；配合单位：… with or without brackets
    assert [(d["name"], d["role"]) for d in tasks[0]["departments"]] == [
        ("市市场监管局", "lead"),
        ("市财政局", "support"),
        ("市科技局", "support"),
    ]
    assert tasks[1]["departments_quote"] == "(牵头单位：市市场监管局；配合单位：市工信局)"
    assert [(d["name"], d["role"]) for d in tasks[1]["departments"]] == [
        ("市市场监管局", "lead"),
        ("市工信局", "support"),
    ]


MORE = """某市人民政府办公室关于加快计量发展的实施方案

某政办发[2023]3号

一、工作目标

到2025年，主要指标如下：

| 指标 | 2022年 | 2025年 | 属性 |
|---|---|---|---|
| 社会公用计量标准(项) | 120 | 150 | 预期性 |
| 强检覆盖率(%) | 85 | ≥95 | 约束性 |

计量技术机构数量：达到12个。诚信计量示范单位20,000家以上，计量器具受检率≥98%。

二、重点任务

(一)完善计量体系。加强建设。责任单位：市市场监管局（牵头）、市发改委、市财政局

某市人民政府办公室
二〇二三年六月二十八日
"""


def test_tables_between_pipes_colons_thousands_symbols_and_a_date_in_chinese_numerals():
    proposal = propose(MORE, unit_code="MS")
    document = proposal["document"]
    assert document["number"] == "某政办发[2023]3号"
    assert str(document["signed_on"]) == "2023-06-28"
    assert document["issuer"] == "某市人民政府办公室"
    found = {
        (i["name"], t["year"]): (
            t["value"],
            t["comparator"],
            i["baseline"] and i["baseline"]["value"],
        )
        for i in proposal["indicators"]
        for t in i["targets"]
    }
    assert found[("社会公用计量标准", 2025)] == (150, "gte", 120)
    assert found[("强检覆盖率", 2025)] == (95, "gte", 85)
    assert found[("计量技术机构数量", 2025)] == (12, "gte", None)  # 数量：达到12个
    assert found[("诚信计量示范单位", 2025)] == (20000, "gte", None)  # 20,000
    assert found[("计量器具受检率", 2025)] == (98, "gte", None)  # ≥98%
    task = proposal["tasks"][0]
    assert [(d["name"], d["role"]) for d in task["departments"]] == [
        ("市市场监管局", "lead"),
        ("市发改委", "support"),
        ("市财政局", "support"),
    ]
    assert task["departments_quote"] == "责任单位：市市场监管局（牵头）、市发改委、市财政局"


def test_the_proposer_imports_no_django():
    import subprocess
    import sys

    from django.conf import settings

    code = (
        "import sys; import onboarding.proposer; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('django', 'provinces', 'targets', 'tasks', 'dashboards')); print(bad); "
        "sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
