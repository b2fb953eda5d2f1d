"""The ratings proposed from the engine: pure, no database."""

import pytest

from assessments import rules


@pytest.mark.parametrize(
    ("status", "completion", "proposal"),
    [
        ("achieved", 1.2, "achieved"),
        ("missed", 0.95, "basically_achieved"),  # covered 95 % of the distance
        ("missed", 0.9, "basically_achieved"),
        ("missed", 0.6, "missed"),
        ("missed", None, "missed"),
        ("ahead", 0.8, "basically_achieved"),
        ("on_track", 0.5, "basically_achieved"),
        ("lagging", 0.3, "missed"),
        ("seriously_lagging", 0.1, "missed"),
        ("regressing", -0.2, "missed"),
        ("pending", None, "cannot_assess"),
        ("no_data", None, "cannot_assess"),
        ("cannot_assess", float("nan"), "cannot_assess"),
    ],
)
def test_a_targets_proposal_follows_its_pace_status(status, completion, proposal):
    assert rules.propose_target_rating(status, completion) == proposal


@pytest.mark.parametrize(
    ("status", "percent", "proposal"),
    [
        ("completed", 100, "completed"),
        ("in_progress", 95, "basically_completed"),
        ("in_progress", 89, "in_progress"),
        ("in_progress", None, "in_progress"),
        ("delayed", 40, "delayed"),
        ("suspended", 40, "delayed"),
        ("not_started", 0, "not_started"),
        (None, None, "not_started"),
    ],
)
def test_a_tasks_proposal_follows_its_latest_update(status, percent, proposal):
    assert rules.propose_task_rating(status, percent) == proposal


def test_counts_put_unrated_rows_apart():
    assert rules.counts(["achieved", "", "missed", "achieved"], rules.TARGET_RATINGS) == {
        "achieved": 2,
        "basically_achieved": 0,
        "missed": 1,
        "cannot_assess": 0,
        "": 1,
    }
