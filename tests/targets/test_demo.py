"""Demo data on the real seed catalogue: deterministic, telling, flagged, and removable."""

import datetime as dt
import io

import pandas as pd
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from provinces.models import ReviewStatus
from provinces.policy_loader import load_policies
from targets.demo import DemoDataRefused, demo_data_clear, demo_data_load, history_dates
from targets.models import Indicator, ProgressReport, ProgressResult, ReportSource
from targets.progress import task_rollup
from targets.selectors import demo_data_present, progress_results_frame, task_status_frame
from targets.services import progress_recompute
from tasks.models import TaskStatus, TaskUpdate

TODAY = dt.date(2026, 11, 23)
MID_TERM = dt.date(2023, 6, 30)  # half of 2021–2025: 时间过半
PROVINCES = ("SX", "JS", "QH", "SD")


@pytest.fixture
def seed_catalogue(db):
    load_policies(directory=settings.BASE_DIR / "fixtures")


def demo_rows():
    reports = list(
        ProgressReport.objects.filter(is_demo=True)
        .order_by("indicator_id", "as_of")
        .values_list("indicator_id", "as_of", "value", "done", "reviewed_at", "source")
    )
    updates = list(
        TaskUpdate.objects.filter(is_demo=True)
        .order_by("task_id", "as_of")
        .values_list("task_id", "as_of", "status", "percent", "reviewed_at")
    )
    return reports, updates


def statuses(as_of):
    frame = progress_results_frame(as_of=as_of)
    return frame[frame["document_slug"] != "sx-2013"]  # the superseded plan ended in 2020


@pytest.mark.django_db
def test_every_province_has_each_pace_at_mid_term(seed_catalogue):
    demo_data_load(today=TODAY, history=False)
    progress_recompute(as_of=MID_TERM)

    frame = statuses(MID_TERM)
    for province in PROVINCES:
        seen = set(frame.loc[frame["province"] == province, "pace_status"])
        assert {"ahead", "on_track", "regressing", "no_data"} <= seen, province
        assert seen & {"lagging", "seriously_lagging"}, province


@pytest.mark.django_db
def test_qinghai_is_clearly_furthest_behind_on_its_2025_targets(seed_catalogue):
    demo_data_load(today=TODAY, history=False)
    progress_recompute(as_of=TODAY)

    frame = statuses(TODAY)
    due = frame[frame["target_year"] == 2025]
    assert set(due["pace_status"]) <= {"achieved", "missed", "no_data"}  # 2025 has passed
    share = due.groupby("province")["pace_status"].apply(lambda s: (s == "achieved").mean())
    others = share.drop("QH")
    assert share["QH"] < others.min() - 0.15, share.to_dict()
    # The 2035 targets are still open and show a pace today.
    open_paces = {"ahead", "on_track", "lagging", "seriously_lagging", "regressing"}
    assert frame.loc[frame["target_year"] == 2035, "pace_status"].isin(open_paces).any()


@pytest.mark.django_db
def test_tasks_take_every_status_and_shandong_co_leads_lead_the_delays(seed_catalogue):
    demo_data_load(today=TODAY, history=False)

    frame = task_status_frame()
    assert set(TaskStatus.values) <= set(frame["status"].dropna())
    for province in PROVINCES:
        assert frame.loc[frame["province"] == province, "status"].notna().mean() > 0.9
    shandong = frame[(frame["province"] == "SD") & (frame["role"] == "lead")]
    by_department = task_rollup(shandong, ["department_name"]).set_index("department_name")
    main = by_department["total"].idxmax()  # 省市场监管局 leads almost every task
    co_leads = by_department.drop(main)
    assert len(co_leads) >= 2
    assert (co_leads["share_delayed"] == 1.0).all()
    assert by_department.loc[main, "share_delayed"] < 0.5


@pytest.mark.django_db
def test_demo_rows_are_approved_flagged_and_the_same_every_time(seed_catalogue):
    demo_data_load(today=TODAY, history=False)
    first = demo_rows()
    demo_data_load(today=TODAY, history=False)

    assert demo_rows() == first
    reports, updates = first
    assert len(reports) > 500 and len(updates) > 500
    assert {row[5] for row in reports} == {ReportSource.DEMO}
    demo = ProgressReport.objects.filter(is_demo=True)
    assert set(demo.values_list("review_status", flat=True)) == {ReviewStatus.APPROVED}
    assert not demo.filter(as_of__gt=TODAY).exists()
    assert max(row[4] for row in reports).date() <= TODAY
    assert set(TaskUpdate.objects.filter(is_demo=True).values_list("review_status", flat=True)) == {
        ReviewStatus.APPROVED
    }


@pytest.mark.django_db
def test_loading_charts_the_history_of_every_quarter(seed_catalogue):
    summary = demo_data_load(today=TODAY)

    dates = sorted(set(ProgressResult.objects.values_list("as_of", flat=True)))
    assert dates == history_dates(TODAY)
    assert dates[0] == dt.date(2021, 3, 31) and dates[-1] == TODAY
    assert len(summary.runs) == len(dates)
    awards = Indicator.objects.get(document__slug="sx-2021", code="sci-tech-awards")
    history = progress_results_frame(indicator_ids=[awards.pk])
    assert list(history["as_of"].dt.date) == dates  # one status per quarter to chart


@pytest.mark.django_db
def test_clearing_removes_exactly_the_demo_rows_and_recomputes(seed_catalogue):
    kept = list(ProgressReport.objects.values_list("id", flat=True))  # stated in the documents
    assert kept
    demo_data_load(today=TODAY, history=False)
    progress_recompute(as_of=MID_TERM)
    assert demo_data_present()

    summary = demo_data_clear(today=TODAY)

    assert summary.reports > 0 and summary.task_updates > 0
    assert sorted(ProgressReport.objects.values_list("id", flat=True)) == sorted(kept)
    assert not TaskUpdate.objects.exists()
    assert not demo_data_present()
    frame = statuses(MID_TERM)
    # Without demo values, nothing has moved since the baseline: no pace can be judged.
    assert not frame["pace_status"].isin(["ahead", "on_track", "lagging", "regressing"]).any()
    assert (frame["computed_at"] > pd.Timestamp(TODAY, tz="UTC")).all()


@pytest.mark.django_db
def test_production_never_loads_demo_data(seed_catalogue, settings):
    settings.DEMO_DATA_ALLOWED = False

    with pytest.raises(DemoDataRefused):
        demo_data_load(today=TODAY)
    with pytest.raises(CommandError, match="DEMO_DATA_ALLOWED"):
        call_command("demo_progress", stdout=io.StringIO())

    assert not ProgressReport.objects.filter(is_demo=True).exists()
    out = io.StringIO()
    call_command("demo_progress", "--clear", stdout=out)  # clearing is always allowed
    assert "deleted demo data: 0 reports" in out.getvalue()


@pytest.mark.django_db
def test_the_command_loads_and_clears(seed_catalogue):
    out = io.StringIO()
    call_command("demo_progress", "--no-history", stdout=out)
    assert "loaded demo data" in out.getvalue()
    assert demo_data_present()

    call_command("demo_progress", "--clear", stdout=out)
    assert not demo_data_present()


@pytest.mark.django_db
def test_without_a_catalogue_the_command_says_what_to_do(db):
    out = io.StringIO()
    call_command("demo_progress", "--no-history", stdout=out)
    assert "load_policies" in out.getvalue()
