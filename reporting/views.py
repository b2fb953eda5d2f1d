"""Entry and review pages outside the admin: workbench, forms, review queue, evidence, history.

Thin views (STYLE.md): the login check, the object through ``provinces.access`` (another
unit's is a 404), a form, one service or selector call, render.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from provinces import access
from provinces.models import ReviewStatus
from reporting import evidence as evidence_rules
from reporting import selectors, services
from reporting.forms import (
    ReportCorrectionForm,
    ReportForm,
    ReviewForm,
    TaskUpdateCorrectionForm,
    TaskUpdateForm,
)
from targets.models import ProgressReport, plain_number
from tasks.models import Task, TaskUpdate


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200):
    context.setdefault("hide_as_of_form", True)
    context.setdefault("evidence_max_mb", round(evidence_rules.max_bytes() / (1024 * 1024), 1))
    return render(request, template, context, status=status)


def _service_errors(form: Any, error: ValidationError) -> None:
    """A service's refusal shown beside the field it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            for item in errors:
                form.add_error(name if name in form.fields else None, item.messages[0])
    else:
        for message in error.messages:
            form.add_error(None, message)


def _report(request: HttpRequest, pk: int) -> ProgressReport:
    return access.get_scoped_or_404(
        selectors.reports_of(request.user), request.user, selectors.REPORT_PROVINCE, pk=pk
    )


def _update(request: HttpRequest, pk: int) -> TaskUpdate:
    return access.get_scoped_or_404(
        selectors.updates_of(request.user), request.user, selectors.UPDATE_PROVINCE, pk=pk
    )


@require_GET
@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    """工作台: what is due, drafts, returned (with the reason), waiting; a reviewer's queue."""
    today = timezone.localdate()
    bench = selectors.workbench(request.user, as_of=today)
    return _page(
        request,
        "reporting/workbench.html",
        {
            "bench": bench,
            "can_enter": access.has_role(request.user, *access.ENTRY_ROLES),
            "can_review": access.has_role(request.user, *access.REVIEW_ROLES),
        },
    )


# --- the entry forms -------------------------------------------------------------------------


def _entry_form(
    request: HttpRequest,
    form_class: type,
    *,
    show: Callable[..., HttpResponse],
    save: Callable[[Any, bool], Any],
    detail: str,
    initial: dict[str, Any],
    form_kwargs: dict[str, Any] | None = None,
    bound_initial: dict[str, Any] | None = None,
) -> HttpResponse:
    """Every entry form's one shape: GET shows it filled with ``initial``; POST checks it and
    saves through ``save(form, submit)``, a service; its refusals land beside their fields.

    ``bound_initial`` gives a fixed (disabled) field its value on POST.
    """
    form_kwargs = form_kwargs or {}
    if request.method == "GET":
        return show(form_class(**form_kwargs, initial=initial))
    form = form_class(request.POST, request.FILES, **form_kwargs, initial=bound_initial)
    if form.is_valid():
        try:
            entry = save(form, "submit" in request.POST)
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, _saved_message(entry))
            return redirect(detail, pk=entry.pk)
    return show(form, status=400)


def _saved_message(entry: Any) -> str:
    if entry.review_status == ReviewStatus.SUBMITTED:
        return gettext("已提交审核 (submitted for review)")
    return gettext("草稿已保存 (draft saved)")


# --- progress reports -------------------------------------------------------------------------


def _report_form_page(request, *, title, indicator=None, report=None):
    last = selectors.last_approved_value(indicator) if indicator is not None else None

    def show(form, status=200):
        context = {
            "form": form,
            "title": title,
            "indicator": indicator,
            "last": last,
            "report": report,
        }
        return _page(request, "reporting/report_form.html", context, status=status)

    return show


def _report_values(form: Any, submit: bool) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "as_of": data["as_of"],
        "value": data["value"],
        "done": data["done"],
        "note": data["note"],
        "submit": submit,
        "evidence": form.evidence(),
    }


def _report_initial(report: ProgressReport, **extra: Any) -> dict[str, Any]:
    """The form filled from a stored report; its value as typed (88, not 88.0000)."""
    return {
        "indicator": report.indicator,
        "as_of": report.as_of,
        "value": None if report.value is None else plain_number(report.value),
        "done": {True: "yes", False: "no"}.get(report.done, ""),
        **extra,
    }


@require_http_methods(["GET", "POST"])
@login_required
def report_new(request: HttpRequest) -> HttpResponse:
    access.require(access.has_role(request.user, *access.ENTRY_ROLES))
    today = timezone.localdate()
    indicators = selectors.entry_indicators(request.user, as_of=today)
    chosen = None
    raw = request.GET.get("indicator") or request.POST.get("indicator")
    if raw and raw.isdigit():
        chosen = indicators.filter(pk=int(raw)).first()
    return _entry_form(
        request,
        ReportForm,
        show=_report_form_page(request, title=gettext("填报指标进展"), indicator=chosen),
        save=lambda form, submit: services.report_save(
            user=request.user,
            indicator=form.cleaned_data["indicator"],
            **_report_values(form, submit),
        ),
        detail="reporting:report",
        initial={"indicator": chosen, "as_of": today},
        form_kwargs={"indicators": indicators},
    )


@require_http_methods(["GET", "POST"])
@login_required
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    access.require(
        access.can_enter(request.user, report.indicator.document.province_id)
        and report.review_status in services.EDITABLE
    )
    indicators = selectors.entry_indicators(request.user).filter(pk=report.indicator_id)
    return _entry_form(
        request,
        ReportForm,
        show=_report_form_page(
            request, title=gettext("修改填报"), indicator=report.indicator, report=report
        ),
        save=lambda form, submit: services.report_save(
            user=request.user,
            indicator=report.indicator,
            report=report,
            **_report_values(form, submit),
        ),
        detail="reporting:report",
        initial=_report_initial(report, note=report.note),
        form_kwargs={"indicators": indicators, "fixed_indicator": True},
        bound_initial={"indicator": report.indicator},
    )


@require_http_methods(["GET", "POST"])
@login_required
def report_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """An approved report is never edited: this enters a new one that supersedes it."""
    original = _report(request, pk)
    access.require(
        access.can_enter(request.user, original.indicator.document.province_id)
        and original.review_status == ReviewStatus.APPROVED
    )
    indicators = selectors.entry_indicators(request.user).filter(pk=original.indicator_id)
    return _entry_form(
        request,
        ReportCorrectionForm,
        show=_report_form_page(
            request,
            title=gettext("更正已审核的填报"),
            indicator=original.indicator,
            report=original,
        ),
        save=lambda form, submit: services.report_correct(
            user=request.user,
            original=original,
            correction_reason=form.cleaned_data["correction_reason"],
            **_report_values(form, submit),
        ),
        detail="reporting:report",
        initial=_report_initial(original),
        form_kwargs={"indicators": indicators, "fixed_indicator": True},
        bound_initial={"indicator": original.indicator},
    )


def _entry_context(request: HttpRequest, entry: Any, unit: int) -> dict[str, Any]:
    user = request.user
    return {
        "entry": entry,
        "evidence": selectors.evidence_of(entry),
        "can_edit": access.can_enter(user, unit) and entry.review_status in services.EDITABLE,
        "can_correct": access.can_enter(user, unit)
        and entry.review_status == ReviewStatus.APPROVED,
        "can_review": access.can_review(user, unit)
        and entry.review_status == ReviewStatus.SUBMITTED,
        "may_approve": access.may_approve(user, entry),
        "superseded_by": list(entry.superseded_by.all()),
    }


@require_GET
@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    context = _entry_context(request, report, report.indicator.document.province_id)
    context.update(
        kind="report",
        history=selectors.report_history(report),
        last=selectors.last_approved_value(report.indicator),
    )
    return _page(request, "reporting/entry_detail.html", context)


@require_POST
@login_required
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    try:
        services.report_submit(user=request.user, report=report)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _saved_message(report))
    return redirect("reporting:report", pk=report.pk)


# --- task updates -----------------------------------------------------------------------------


def _task_form_page(request, *, title, task, update=None):
    def show(form, status=200):
        context = {"form": form, "title": title, "task": task, "update": update}
        return _page(request, "reporting/task_update_form.html", context, status=status)

    return show


def _task(request: HttpRequest, pk: Any) -> Task:
    if not str(pk).isdigit():
        raise Http404
    task = access.get_scoped_or_404(
        Task.objects.select_related("document__province"),
        request.user,
        "document__province",
        pk=int(pk),
    )
    access.require(services.may_update_task(request.user, task))
    return task


def _task_values(form: Any, submit: bool) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "as_of": data["as_of"],
        "status": data["status"],
        "percent": data["percent"],
        "narrative": data["narrative"],
        "evidence": form.evidence(),
        "submit": submit,
    }


def _update_initial(update: TaskUpdate) -> dict[str, Any]:
    return {
        "as_of": update.as_of,
        "status": update.status,
        "percent": update.percent,
        "narrative": update.narrative,
    }


@require_http_methods(["GET", "POST"])
@login_required
def task_update_new(request: HttpRequest) -> HttpResponse:
    access.require(access.has_role(request.user, *access.ENTRY_ROLES))
    task = _task(request, request.GET.get("task") or request.POST.get("task") or "")
    return _entry_form(
        request,
        TaskUpdateForm,
        show=_task_form_page(request, title=gettext("填报任务进展"), task=task),
        save=lambda form, submit: services.task_update_save(
            user=request.user, task=task, **_task_values(form, submit)
        ),
        detail="reporting:task_update",
        initial={"as_of": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
@login_required
def task_update_edit(request: HttpRequest, pk: int) -> HttpResponse:
    update = _update(request, pk)
    access.require(
        services.may_update_task(request.user, update.task)
        and update.review_status in services.EDITABLE
    )
    return _entry_form(
        request,
        TaskUpdateForm,
        show=_task_form_page(
            request, title=gettext("修改任务进展"), task=update.task, update=update
        ),
        save=lambda form, submit: services.task_update_save(
            user=request.user, task=update.task, update=update, **_task_values(form, submit)
        ),
        detail="reporting:task_update",
        initial=_update_initial(update),
    )


@require_http_methods(["GET", "POST"])
@login_required
def task_update_correct(request: HttpRequest, pk: int) -> HttpResponse:
    original = _update(request, pk)
    access.require(
        services.may_update_task(request.user, original.task)
        and original.review_status == ReviewStatus.APPROVED
    )
    return _entry_form(
        request,
        TaskUpdateCorrectionForm,
        show=_task_form_page(
            request, title=gettext("更正已审核的任务进展"), task=original.task, update=original
        ),
        save=lambda form, submit: services.task_update_correct(
            user=request.user,
            original=original,
            correction_reason=form.cleaned_data["correction_reason"],
            **_task_values(form, submit),
        ),
        detail="reporting:task_update",
        initial=_update_initial(original),
    )


@require_GET
@login_required
def task_update_detail(request: HttpRequest, pk: int) -> HttpResponse:
    update = _update(request, pk)
    context = _entry_context(request, update, update.task.document.province_id)
    context.update(kind="task_update", history=selectors.update_history(update))
    return _page(request, "reporting/entry_detail.html", context)


@require_POST
@login_required
def task_update_submit(request: HttpRequest, pk: int) -> HttpResponse:
    update = _update(request, pk)
    try:
        services.task_update_submit(user=request.user, update=update)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _saved_message(update))
    return redirect("reporting:task_update", pk=update.pk)


# --- review -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def review(request: HttpRequest) -> HttpResponse:
    """The queue of the reviewer's units; approve or return one or many at once."""
    access.require(access.has_role(request.user, *access.REVIEW_ROLES))
    reports = selectors.reports_of(request.user)
    updates = selectors.updates_of(request.user)
    if request.method == "POST":
        form = ReviewForm(
            request.POST,
            report_ids=[int(v) for v in request.POST.getlist("report") if v.isdigit()],
            update_ids=[int(v) for v in request.POST.getlist("update") if v.isdigit()],
        )
        if form.is_valid():
            data = form.cleaned_data
            chosen_reports = list(reports.filter(pk__in=data["report"]))
            chosen_updates = list(updates.filter(pk__in=data["update"]))
            if len(chosen_reports) != len(set(data["report"])) or len(chosen_updates) != len(
                set(data["update"])
            ):
                raise Http404
            try:
                count = services.entries_review(
                    reviewer=request.user,
                    reports=chosen_reports,
                    updates=chosen_updates,
                    approve=data["action"] == "approve",
                    reason=data["reason"],
                )
            except ValidationError as error:
                form.add_error(None, "；".join(error.messages))
            else:
                done = (
                    gettext("已审核通过{count}条 (approved {count})")
                    if data["action"] == "approve"
                    else gettext("已退回{count}条 (returned {count})")
                )
                messages.success(request, done.format(count=count))
                return redirect(_safe_next(request) or "reporting:review")
        status = 400
    else:
        form = ReviewForm(report_ids=[], update_ids=[])
        status = 200
    queue_reports, queue_updates = selectors.review_queue(request.user)
    return _page(
        request,
        "reporting/review.html",
        {"form": form, "queue_reports": queue_reports, "queue_updates": queue_updates},
        status=status,
    )


def _safe_next(request: HttpRequest) -> str | None:
    """Back to the page the review came from, never to another site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


# --- evidence and history ---------------------------------------------------------------------


@require_GET
@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """The one way to a stored evidence file: only for those who may read its submission."""
    item = selectors.evidence_file(request.user, pk)
    ext = evidence_rules.extension(item.name)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    inline = ext in evidence_rules.INLINE
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=item.name,
        content_type=evidence_rules.INLINE.get(ext, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def audit_csv(request: HttpRequest, kind: str) -> HttpResponse:
    """The audit trail of one kind of record in the user's units, as CSV for an auditor."""
    access.require(kind in selectors.AUDIT_MODELS)
    access.require(access.has_role(request.user, *access.SUBMISSION_READER_ROLES))
    body = "\ufeff" + selectors.audit_csv(request.user, kind)
    response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="history-{kind}-{stamp}.csv"'
    return response
