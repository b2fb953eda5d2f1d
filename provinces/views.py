"""Province, document, department pages and the responsibility matrix (thin views)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from targets import dashboard
from targets.views import render_page, text_param


@require_GET
@login_required
def province(request: HttpRequest, code: str) -> HttpResponse:
    return render_page(
        request,
        "dashboards/province.html",
        lambda as_of, today: dashboard.province_page(code=code, as_of=as_of, today=today),
        filename=f"province-{code}",
    )


@require_GET
@login_required
def departments(request: HttpRequest, code: str) -> HttpResponse:
    return render_page(
        request,
        "dashboards/departments.html",
        lambda as_of, today: dashboard.departments_page(code=code, as_of=as_of, today=today),
        filename=f"departments-{code}",
    )


@require_GET
@login_required
def document(request: HttpRequest, slug: str) -> HttpResponse:
    return render_page(
        request,
        "dashboards/document.html",
        lambda as_of, today: dashboard.document_page(
            slug=slug,
            as_of=as_of,
            today=today,
            area=text_param(request, "area"),
            status=text_param(request, "status"),
            task_status=text_param(request, "task_status"),
        ),
        filename=f"document-{slug}",
    )


@require_GET
@login_required
def responsibilities(request: HttpRequest, slug: str) -> HttpResponse:
    return render_page(
        request,
        "dashboards/responsibilities.html",
        lambda as_of, today: dashboard.responsibilities_page(slug=slug),
        filename=f"responsibilities-{slug}",
    )


@require_GET
@login_required
def department(request: HttpRequest, pk: int) -> HttpResponse:
    return render_page(
        request,
        "dashboards/department.html",
        lambda as_of, today: dashboard.department_page(pk=pk, as_of=as_of, today=today),
        filename=f"department-{pk}",
    )
