"""Every read-only page: overview (home), comparison, province, departments, document,
responsibilities, department, indicator, task, and the catalogue CSVs.

Thin views (STYLE.md): login check, parameters from the URL, one page-level read from
``dashboards.pages``, render or download.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboards import cache as page_cache
from dashboards.pages.common import BadFilter
from dashboards.pages.compare import comparison_page
from dashboards.pages.departments import department_page, departments_page, responsibilities_page
from dashboards.pages.document import document_page
from dashboards.pages.indicator import indicator_page
from dashboards.pages.overview import overview_page, parse_top
from dashboards.pages.province import province_page
from dashboards.pages.task import task_page
from dashboards.tables import Table, table_csv, tables_xlsx
from metrology_tracker.downloads import attachment
from reporting.selectors import indicator_record, task_record
from rounds.selectors import province_rounds
from targets.catalogue import targets_catalogue_csv, tasks_catalogue_csv

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def page_dates(request: HttpRequest) -> tuple[dt.date, dt.date]:
    """(as_of, today); ``as_of`` from the URL, today when absent."""
    today = timezone.localdate()
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return today, today
    try:
        as_of = dt.date.fromisoformat(raw)
    except ValueError:
        raise BadFilter(
            f"测算基准日“{raw}”不是有效日期，应为 YYYY-MM-DD，如 {today.isoformat()} / "
            f"as_of “{raw}” is not a date; use YYYY-MM-DD, e.g. {today.isoformat()}"
        ) from None
    if not 1990 <= as_of.year <= 2100:
        raise BadFilter(
            f"测算基准日应在1990—2100年之间 / as_of must lie between 1990 and 2100: {raw}"
        )
    return as_of, today


def text_param(request: HttpRequest, name: str) -> str | None:
    """A filter from the URL, None when absent or blank."""
    return request.GET.get(name, "").strip() or None


def int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise BadFilter(
            f"参数 {name} 应为整数：“{raw}” / {name} must be a whole number: “{raw}”"
        ) from None


def download(
    request: HttpRequest, tables: list[Table], *, filename: str, as_of: dt.date
) -> HttpResponse:
    """``?format=csv|xlsx[&table=name]``: CSV for one table, Excel for one or every table."""
    fmt = request.GET.get("format", "")
    if fmt not in FORMATS:
        raise BadFilter(
            f"下载格式只能是 csv 或 xlsx：“{fmt}” / format must be csv or xlsx: “{fmt}”"
        )
    wanted = request.GET.get("table", "")
    by_name = {t.name: t for t in tables}
    if wanted and wanted not in by_name:
        raise BadFilter(
            f"本页没有表格“{wanted}”(可选：{'、'.join(by_name)}) / "
            f"no table “{wanted}” on this page (choose from {', '.join(by_name)})"
        )
    chosen = [by_name[wanted]] if wanted else tables
    part = wanted or ("all" if fmt == "xlsx" else chosen[0].name)
    name = f"{filename}-{part}-{as_of}"
    body = table_csv(chosen[0]) if fmt == "csv" else tables_xlsx(chosen)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = attachment(f"{name}.{fmt}")
    return response


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "dashboards/bad_request.html", {"message": message}, status=400)


def render_page(
    request: HttpRequest,
    template: str,
    build: Callable[[dt.date, dt.date], dict[str, Any]],
    *,
    filename: str,
) -> HttpResponse:
    """Parse the as-of date, build the page, then render it or serve a table download.

    The page's own blocks are stored per data version, URL and language (``dashboards.cache``)
    and the frame (header, user, footer) is rendered around them per request. A parameter that
    cannot be honoured gets a 400 page that says which and why, in Chinese and English;
    nothing is half-shown.
    """
    try:
        as_of, today = page_dates(request)
        if "format" in request.GET:
            context = build(as_of, today)
            return download(request, context["tables"], filename=filename, as_of=as_of)
        version = page_cache.data_version()
        key = page_cache.page_key(request, template, today=today, version=version)
        blocks = page_cache.cached_blocks(key)
        if blocks is None:
            blocks = page_cache.render_blocks(template, page_context(build(as_of, today)), request)
            page_cache.store_blocks(key, blocks)
    except BadFilter as error:
        return bad_request(request, str(error))
    return render(
        request,
        "dashboards/_cached.html",
        {"page": blocks, "charts": blocks["has_charts"], **page_cache.frame_values(version)},
    )


def page_context(context: dict[str, Any]) -> dict[str, Any]:
    """A builder's dict as its template reads it: tables by name, charts by short id."""
    context["t"] = {table.name: table for table in context["tables"]}
    # "chart-pace" → charts.pace in templates (a dash cannot follow a dot there).
    context["charts"] = {
        key.removeprefix("chart-").replace("-", "_"): chart
        for key, chart in context.get("charts", {}).items()
    }
    return context


@require_GET
@login_required
def overview(request: HttpRequest) -> HttpResponse:
    try:
        year = int_param(request, "year")
        top = parse_top(text_param(request, "top"))
    except BadFilter as error:
        return bad_request(request, str(error))
    return render_page(
        request,
        "dashboards/overview.html",
        lambda as_of, today: overview_page(
            as_of=as_of,
            today=today,
            year=year,
            sort=text_param(request, "sort"),
            top=top,
            province_codes=request.GET.getlist("province"),
        ),
        filename="overview",
    )


@require_GET
@login_required
def compare(request: HttpRequest) -> HttpResponse:
    return render_page(
        request,
        "dashboards/compare.html",
        lambda as_of, today: comparison_page(
            as_of=as_of,
            today=today,
            category=text_param(request, "category"),
            scale=text_param(request, "scale"),
            level=text_param(request, "level"),
            parent=text_param(request, "parent"),
        ),
        filename="compare",
    )


@require_GET
@login_required
def province(request: HttpRequest, code: str) -> HttpResponse:
    def build(as_of: dt.date, today: dt.date) -> dict[str, Any]:
        context = province_page(code=code, as_of=as_of, today=today)
        # Reporting rounds of the province (who is missing), for those who read its submissions.
        context["rounds"] = province_rounds(request.user, code=code, today=today)
        return context

    return render_page(request, "dashboards/province.html", build, filename=f"province-{code}")


@require_GET
@login_required
def departments(request: HttpRequest, code: str) -> HttpResponse:
    return render_page(
        request,
        "dashboards/departments.html",
        lambda as_of, today: departments_page(code=code, as_of=as_of, today=today),
        filename=f"departments-{code}",
    )


@require_GET
@login_required
def document(request: HttpRequest, slug: str) -> HttpResponse:
    return render_page(
        request,
        "dashboards/document.html",
        lambda as_of, today: document_page(
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
        lambda as_of, today: responsibilities_page(slug=slug, as_of=as_of, today=today),
        filename=f"responsibilities-{slug}",
    )


@require_GET
@login_required
def department(request: HttpRequest, pk: int) -> HttpResponse:
    return render_page(
        request,
        "dashboards/department.html",
        lambda as_of, today: department_page(pk=pk, as_of=as_of, today=today),
        filename=f"department-{pk}",
    )


@require_GET
@login_required
def indicator(request: HttpRequest, pk: int) -> HttpResponse:
    return render_page(
        request,
        "dashboards/indicator.html",
        lambda as_of, today: {
            **indicator_page(pk=pk, as_of=as_of, today=today),
            "record": indicator_record(request.user, pk),
        },
        filename=f"indicator-{pk}",
    )


@require_GET
@login_required
def task(request: HttpRequest, pk: int) -> HttpResponse:
    return render_page(
        request,
        "dashboards/task.html",
        lambda as_of, today: {
            **task_page(pk=pk, as_of=as_of, today=today),
            "record": task_record(request.user, pk),
        },
        filename=f"task-{pk}",
    )


def _catalogue(request: HttpRequest, build: Callable[..., str], name: str) -> HttpResponse:
    province = text_param(request, "province")
    document = text_param(request, "document")
    body = "\ufeff" + build(province=province, document=document)
    response = HttpResponse(body.encode("utf-8"), content_type=CONTENT_TYPES["csv"])
    suffix = "-".join(part for part in (province, document) if part and part.isascii())
    response["Content-Disposition"] = attachment(
        f"{name}-{suffix}.csv" if suffix else f"{name}.csv"
    )
    return response


@require_GET
@login_required
def catalogue_targets(request: HttpRequest) -> HttpResponse:
    """目标清单 CSV (helper C's catalogue): every target with its quote."""
    return _catalogue(request, targets_catalogue_csv, "targets")


@require_GET
@login_required
def catalogue_tasks(request: HttpRequest) -> HttpResponse:
    """任务清单 CSV: every task with its lead, support and responsible units."""
    return _catalogue(request, tasks_catalogue_csv, "tasks")
