"""Rounds: opened by hand or by schedule, what they ask for, completeness per department, and
the pages reviewers, reporters and leaders read — scoped by province."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from provinces.models import ReviewStatus
from reporting.selectors import due_items as workbench_due
from reporting.selectors import todo_count
from rounds.models import ReportingRound, RoundSchedule, RoundStatus
from rounds.selectors import due_items, round_completeness
from rounds.services import round_create
from tests import factories as f

from .conftest import login

pytestmark = pytest.mark.django_db
AFTER = dt.date(2027, 1, 16)
BEFORE = dt.date(2027, 1, 10)


def tallies(round_, today):
    data = round_completeness([round_], today=today)
    return {data.department_name(d): t for (_, d), t in data.tallies.items()}


def test_a_round_asks_for_every_open_indicator_and_task_of_its_document(plan, q4):
    assert (q4.label, q4.as_of, q4.period_start) == (
        "2026年第四季度",
        dt.date(2026, 12, 31),
        dt.date(2026, 10, 1),
    )
    assert set(q4.indicators.all()) == {plan.standards, plan.centers}
    assert list(q4.tasks.all()) == [plan.task]
    assert q4.coordinating_department == plan.market
    assert q4.status == RoundStatus.OPEN


def test_a_milestone_already_approved_as_done_is_not_asked_for_again(plan):
    milestone = f.make_indicator(document=plan.doc, measure_kind="milestone", code="law")
    f.make_report(
        indicator=milestone, as_of=dt.date(2025, 12, 31), review_status=ReviewStatus.APPROVED
    )
    found, _ = round_create(document=plan.doc, period_kind="year", year=2026, number=1)
    assert milestone not in found.indicators.all()


def test_a_round_outside_the_plan_period_or_with_the_deadline_first_is_refused(plan):
    with pytest.raises(ValidationError, match="2040"):
        round_create(document=plan.doc, period_kind="year", year=2040, number=1)
    with pytest.raises(ValidationError, match="deadline"):
        round_create(
            document=plan.doc,
            period_kind="quarter",
            year=2026,
            number=3,
            opens_on=dt.date(2026, 10, 1),
            deadline=dt.date(2026, 9, 1),
        )
    with pytest.raises(ValidationError):
        round_create(document=plan.doc, period_kind="quarter", year=2026, number=5)
    assert not ReportingRound.objects.exists()


def test_opening_the_same_period_twice_keeps_one_round_and_opens_a_draft(plan):
    draft, created = round_create(
        document=plan.doc, period_kind="quarter", year=2026, number=4, status=RoundStatus.DRAFT
    )
    again, created_again = round_create(
        document=plan.doc, period_kind="quarter", year=2026, number=4
    )
    assert created and not created_again and again.pk == draft.pk
    assert again.status == RoundStatus.OPEN
    assert ReportingRound.objects.count() == 1


def test_open_rounds_makes_the_scheduled_rounds_once(plan, capsys):
    RoundSchedule.objects.create(
        document=plan.doc,
        period_kind="quarter",
        opens_days_before_end=10,
        deadline_days_after_end=20,
    )
    call_command("open_rounds", "--as-of", "2026-12-25")
    call_command("open_rounds", "--as-of", "2026-12-25")
    rounds = ReportingRound.objects.order_by("as_of")
    assert [(r.label, r.opens_on, r.deadline) for r in rounds] == [
        ("2026年第三季度", dt.date(2026, 9, 20), dt.date(2026, 10, 20)),
        ("2026年第四季度", dt.date(2026, 12, 21), dt.date(2027, 1, 20)),
    ]
    out = capsys.readouterr().out
    assert "新建2个填报周期 (2 round(s) created)" in out
    assert "新建0个填报周期 (0 round(s) created)" in out


def test_open_rounds_waits_for_the_opening_day(plan):
    RoundSchedule.objects.create(document=plan.doc, period_kind="year")
    call_command("open_rounds", "--as-of", "2026-06-30")
    assert [r.label for r in ReportingRound.objects.all()] == ["2025年度"]


def test_completeness_counts_each_department_and_marks_overdue_after_the_deadline(plan, q4):
    before = tallies(q4, BEFORE)
    assert (before["省市场监管局"].due, before["省市场监管局"].missing) == (1, 1)
    assert (before["省科技厅"].due, before["省科技厅"].missing) == (2, 2)
    assert before["省科技厅"].overdue == 0

    f.make_report(
        indicator=plan.centers,
        as_of=dt.date(2026, 12, 31),
        value=12,
        review_status=ReviewStatus.SUBMITTED,
        reporting_department=plan.science,
    )
    f.make_task_update(
        task=plan.task, as_of=dt.date(2026, 12, 31), review_status=ReviewStatus.RETURNED
    )
    # Out of the period: does not count for Q4.
    f.make_report(
        indicator=plan.standards, as_of=dt.date(2026, 9, 30), review_status=ReviewStatus.APPROVED
    )
    after = tallies(q4, AFTER)
    science = after["省科技厅"]
    assert (science.due, science.submitted, science.returned, science.missing) == (2, 1, 1, 0)
    assert science.overdue == 1  # the returned task update
    market = after["省市场监管局"]
    assert (market.missing, market.overdue) == (1, 1)
    assert [i.name for i in market.missing_items] == ["社会公用计量标准"]


def test_an_approved_value_stands_while_its_correction_waits(plan, q4):
    approved = f.make_report(
        indicator=plan.standards, as_of=dt.date(2026, 12, 31), review_status=ReviewStatus.APPROVED
    )
    f.make_report(
        indicator=plan.standards,
        as_of=dt.date(2026, 12, 31),
        review_status=ReviewStatus.SUBMITTED,
        supersedes=approved,
        correction_reason="口径更正",
    )
    assert tallies(q4, AFTER)["省市场监管局"].approved == 1


def test_a_reporter_sees_only_its_own_departments_due_items(plan, q4):
    market = due_items(plan.users["sx_reporter"], as_of=BEFORE)
    science = due_items(plan.users["sx_science"], as_of=BEFORE)
    assert [i.name for i in market] == ["社会公用计量标准"]
    assert {i.name for i in science} == {"省级产业计量测试中心", "加强计量科技创新"}
    assert due_items(plan.users["js_reporter"], as_of=BEFORE) == []
    assert due_items(plan.users["sx_reviewer"], as_of=BEFORE) == []


def test_a_draft_round_asks_nothing_of_anybody_yet(plan):
    round_create(
        document=plan.doc, period_kind="quarter", year=2026, number=4, status=RoundStatus.DRAFT
    )
    assert due_items(plan.users["sx_reporter"], as_of=BEFORE) == []


def test_the_to_do_count_is_the_reporters_items_and_the_reviewers_queue(plan, q4):
    f.make_report(indicator=plan.standards, review_status=ReviewStatus.SUBMITTED)
    assert todo_count(plan.users["sx_science"], today=BEFORE) == 2
    assert todo_count(plan.users["sx_reviewer"], today=BEFORE) == 1
    # 江苏 has no open round: the workbench's fallback (the quarter's unreported) counts.
    js = plan.users["js_reporter"]
    due = workbench_due(js, as_of=BEFORE)
    assert todo_count(js, today=BEFORE) == len(due.indicators) + len(due.tasks) > 0


def test_a_returned_entry_counts_once_as_a_reporters_to_do(plan, q4):
    reporter = plan.users["sx_science"]
    before = todo_count(reporter, today=BEFORE)
    due = {i.pk for i in workbench_due(reporter, as_of=BEFORE).indicators}
    other = next(i for i in plan.doc.indicators.all() if i.pk not in due)
    f.make_report(indicator=other, review_status=ReviewStatus.RETURNED, reporter=reporter)
    f.make_report(indicator=other, review_status=ReviewStatus.RETURNED, reporter=reporter)

    assert todo_count(reporter, today=BEFORE) == before + 1


# --- pages ------------------------------------------------------------------------------------


def test_the_header_shows_the_to_do_count(client, plan, q4):
    if timezone.localdate() < q4.opens_on:
        pytest.skip("the round opens later than today")
    page = login(client, plan.users["sx_science"]).get(reverse("rounds:index"))
    # On the workbench link, where the due items and the review queue are.
    workbench_link = page.content.decode().split(f'href="{reverse("reporting:workbench")}"')[1]
    assert 'class="badge todo-count"' in workbench_link.split("</a>")[0]


def test_a_reviewer_reads_its_rounds_completeness_and_a_stranger_gets_404(client, plan, q4):
    url = reverse("rounds:round", args=[q4.pk])
    page = login(client, plan.users["sx_reviewer"]).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "山西 2026年第四季度" in text and "省科技厅" in text and "社会公用计量标准" in text
    client.logout()
    assert login(client, plan.users["js_reporter"]).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    assert login(client, plan.users["leader"]).get(url).status_code == 200


def test_the_round_list_shows_only_the_users_units(client, plan, q4):
    js_round, _ = round_create(document=plan.js_doc, period_kind="year", year=2026, number=1)
    text = login(client, plan.users["sx_reporter"]).get(reverse("rounds:index")).content.decode()
    assert reverse("rounds:round", args=[q4.pk]) in text
    assert reverse("rounds:round", args=[js_round.pk]) not in text
    assert "开启填报周期" not in text  # reporters do not open rounds


def test_a_reviewer_opens_a_round_from_the_page(client, plan):
    login(client, plan.users["sx_reviewer"])
    assert "开启填报周期" in client.get(reverse("rounds:index")).content.decode()
    response = client.post(
        reverse("rounds:open"),
        {
            "document": plan.doc.pk,
            "period_kind": "quarter",
            "year": 2026,
            "number": 4,
            "opens_on": "2026-12-01",
            "deadline": "2027-01-15",
        },
    )
    found = ReportingRound.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "rounds:round", args=[found.pk]
    )
    assert (found.deadline, found.opened_by) == (dt.date(2027, 1, 15), plan.users["sx_reviewer"])


def test_opening_a_round_of_another_province_or_a_bad_period_is_refused(client, plan):
    login(client, plan.users["sx_reviewer"])
    other = client.post(
        reverse("rounds:open"),
        {"document": plan.js_doc.pk, "period_kind": "year", "year": 2026, "number": 1},
    )
    assert other.status_code == 400
    bad = client.post(
        reverse("rounds:open"),
        {"document": plan.doc.pk, "period_kind": "year", "year": 2026, "number": 3},
    )
    assert bad.status_code == 400 and "no such period" in bad.content.decode().lower()
    client.logout()
    login(client, plan.users["sx_reporter"])
    refused = client.post(
        reverse("rounds:open"),
        {"document": plan.doc.pk, "period_kind": "year", "year": 2026, "number": 1},
    )
    assert refused.status_code == 400
    assert not ReportingRound.objects.exists()


def test_a_reviewer_closes_a_round_and_a_reporter_cannot(client, plan, q4):
    url = reverse("rounds:status", args=[q4.pk])
    assert (
        login(client, plan.users["sx_reporter"]).post(url, {"status": "closed"}).status_code == 404
    )
    client.logout()
    login(client, plan.users["sx_reviewer"]).post(url, {"status": "closed"})
    q4.refresh_from_db()
    assert q4.status == RoundStatus.CLOSED


def test_completeness_downloads_as_csv_and_excel(client, plan, q4):
    login(client, plan.users["sx_reviewer"])
    csv = client.get(reverse("rounds:round", args=[q4.pk]), {"format": "csv"})
    text = csv.content.decode("utf-8-sig")
    assert csv["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("填报周期,文件,责任单位,应报")
    assert "省科技厅,2,0,0,0,2" in text
    xlsx = client.get(reverse("rounds:completeness"), {"province": "SX", "format": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["completeness", "items"]
    names = [row[3] for row in book["items"].iter_rows(min_row=2, values_only=True)]
    assert "社会公用计量标准" in names


def test_the_completeness_page_draws_departments_by_rounds_without_inline_script(client, plan, q4):
    round_create(document=plan.doc, period_kind="quarter", year=2026, number=3)
    page = login(client, plan.users["leader"]).get(
        reverse("rounds:completeness"), {"province": "SX"}
    )
    text = page.content.decode()
    assert 'id="chart-completeness-data" type="application/json"' in text
    assert "vendor/plotly.min.js" in text
    figure = page.context["chart"]["figure"]
    assert figure["data"][0]["type"] == "heatmap"
    assert set(figure["data"][0]["y"]) == {"省市场监管局", "省科技厅"}
    assert figure["data"][0]["x"] == ["2026年第三季度", "2026年第四季度"]
    assert "<script>" not in text


def test_completeness_of_another_province_is_404(client, plan, q4):
    login(client, plan.users["js_reporter"])
    assert client.get(reverse("rounds:completeness"), {"province": "SX"}).status_code == 404


def test_the_pages_cost_the_same_queries_whatever_the_size(
    client, plan, q4, django_assert_max_num_queries
):
    login(client, plan.users["sx_reviewer"])
    urls = [
        reverse("rounds:index"),
        reverse("rounds:round", args=[q4.pk]),
        reverse("rounds:completeness") + "?province=SX",
    ]
    counts = {}
    for url in urls:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx)
    for n in range(10):
        task = f.make_task(document=plan.doc)
        f.make_assignment(task=task, department=f.make_department(province=plan.sx))
        indicator = f.make_indicator(document=plan.doc, task=task)
        f.make_report(indicator=indicator, as_of=dt.date(2026, 12, 31))
        f.make_task_update(task=task, as_of=dt.date(2026, 12, 31))
        q4.indicators.add(indicator)
        q4.tasks.add(task)
        round_create(document=plan.doc, period_kind="quarter", year=2025, number=(n % 4) + 1)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200


def test_reminders_can_be_turned_off_and_on(client, plan):
    user = plan.users["sx_reporter"]
    login(client, user)
    url = reverse("rounds:reminder_settings")
    assert "market@sx.example.cn" in client.get(url).content.decode()
    client.post(url, {})
    user.profile.refresh_from_db()
    assert user.profile.reminders_enabled is False
    client.post(url, {"reminders_enabled": "on"})
    user.profile.refresh_from_db()
    assert user.profile.reminders_enabled is True


def test_the_workbench_lists_what_the_department_owes_in_the_open_round(plan, q4):
    from reporting.selectors import due_items as workbench_due

    science = workbench_due(plan.users["sx_science"], as_of=BEFORE)
    assert [i.name for i in science.indicators] == ["省级产业计量测试中心"]
    assert [t.title for t in science.tasks] == ["加强计量科技创新"]
    assert (science.period.start, science.period.end, science.deadline) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
        dt.date(2027, 1, 15),
    )
    assert not science.indicators[0].overdue
    market = workbench_due(plan.users["sx_reporter"], as_of=AFTER)
    assert [i.name for i in market.indicators] == ["社会公用计量标准"] and market.tasks == []
    assert market.indicators[0].overdue


def test_the_workbench_page_marks_overdue_items(client, plan):
    today = timezone.localdate()
    round_create(
        document=plan.doc,
        period_kind="quarter",
        year=2026,
        number=3,
        opens_on=dt.date(2026, 9, 1),
        deadline=today - dt.timedelta(days=1),
    )
    text = login(client, plan.users["sx_reporter"]).get(reverse("reporting:workbench"))
    text = text.content.decode()
    assert "社会公用计量标准" in text and "逾期" in text


def test_the_province_page_shows_its_rounds_and_who_is_missing_to_those_who_read_them(
    client, plan, q4
):
    url = reverse("dashboards:province", args=["SX"])
    text = login(client, plan.users["sx_reviewer"]).get(url).content.decode()
    assert 'id="rounds-title"' in text
    assert "2026年第四季度" in text and "省市场监管局、省科技厅" in text
    client.logout()
    stranger = login(client, plan.users["js_reporter"]).get(url).content.decode()
    assert 'id="rounds-title"' not in stranger  # the page yes, 山西's submissions no


def test_a_reader_who_chose_english_reads_the_round_in_english(client, plan, q4):
    from tests.clients import get_in

    login(client, plan.users["sx_reviewer"])
    text = get_in(client, reverse("rounds:round", args=[q4.pk]), "en").content.decode()
    assert "Q4 2026" in text and "Reporting by department" in text
    assert "2026年第四季度" not in text


def test_the_daily_job_opens_the_scheduled_rounds_once(plan):
    from rounds.jobs import open_scheduled_rounds

    RoundSchedule.objects.create(document=plan.doc, period_kind="half")
    assert open_scheduled_rounds.delay("2026-12-25").get() == 2  # H1 late, H2 just opened
    assert open_scheduled_rounds.delay("2026-12-25").get() == 0
    assert ReportingRound.objects.count() == 2
