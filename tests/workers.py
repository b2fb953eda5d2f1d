"""A real Celery worker through the test broker (Redis), for the ``celery_worker`` tests.

``real_worker`` is a fixture (registered in tests/conftest.py): a worker thread consuming
from ``TEST_CELERY_BROKER_URL`` with eager mode off meanwhile, the queue purged first.
"""

from __future__ import annotations

import os
import time

import pytest


@pytest.fixture
def real_worker():
    from celery.contrib.testing.worker import start_worker

    from metrology_tracker.celery_app import app

    keys = ("broker_url", "task_always_eager", "result_backend")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=os.environ["TEST_CELERY_BROKER_URL"],
        task_always_eager=False,
        result_backend=None,
    )
    _drop_pools(app)
    with app.connection_for_write() as connection:
        app.control.purge(connection=connection)
    try:
        with start_worker(
            app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30
        ) as worker:
            yield worker
    finally:
        _drop_pools(app)
        app.conf.update(saved)


def _drop_pools(app):
    """Forget pooled broker connections (the app's and kombu's registry), so the next send
    uses the broker now configured, even after an earlier worker test closed its pools."""
    from kombu import pools

    pools.reset()
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


def wait_for(predicate, *, attempts=300, pause=0.1):
    """Poll ``predicate`` (the worker runs in another thread) for up to 30 s."""
    for _ in range(attempts):
        if predicate():
            return True
        time.sleep(pause)
    return predicate()
