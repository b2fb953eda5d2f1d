"""The task page (thin view)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from targets import dashboard
from targets.views import render_page


@require_GET
@login_required
def task(request: HttpRequest, pk: int) -> HttpResponse:
    return render_page(
        request,
        "dashboards/task.html",
        lambda as_of, today: dashboard.task_page(pk=pk, as_of=as_of, today=today),
        filename=f"task-{pk}",
    )
