"""The seed catalogue (the five curated documents) with or without 示例数据, as of a fixed day.

Pages are asked for ``?as_of=2026-11-23`` so nothing depends on the day the suite runs.
"""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from tests.clients import dashboard_page_urls

AS_OF = dt.date(2026, 11, 23)
Q = f"?as_of={AS_OF.isoformat()}"
FIXTURES = Path(settings.BASE_DIR) / "fixtures"


@pytest.fixture
def seed(db):
    """load_policies: the five documents, their tasks, departments, indicators and targets."""
    from provinces.policy_loader import load_policies

    return load_policies(directory=FIXTURES)


@pytest.fixture
def seed_demo(seed, settings):
    """The seed plus the seeded 示例数据 and today's stored results (no quarter-end history)."""
    from targets.demo import demo_data_load

    settings.DEMO_DATA_ALLOWED = True
    return demo_data_load(today=AS_OF, history=False)


@pytest.fixture
def page_urls(seed) -> dict[str, str]:
    """name → url of every dashboard page over the seed catalogue, one of each kind."""
    return dashboard_page_urls()
