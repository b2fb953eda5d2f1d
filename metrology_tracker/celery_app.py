"""The Celery app. Jobs live in each app's ``jobs.py``: the app named ``tasks`` is the domain's."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metrology_tracker.settings")

app = Celery("metrology_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="jobs")
