"""Assessment pages: thin views over ``assessments.services`` and ``assessments.selectors``.

Each view checks access through ``provinces.access`` (another unit's or an unseen draft is a
404), parses a form, calls one service or selector, and renders or redirects. A refusal from a
service shows on the page in Chinese and English; nothing is half-written.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments import report_data, selectors, services
from assessments.forms import (
    AssessmentCreateForm,
    CompareForm,
    ConclusionForm,
    ReasonForm,
    TargetRatingForm,
    TaskRatingForm,
    row_forms,
)
from assessments.models import Assessment, AssessmentKind, AssessmentStatus
from provinces import access


def _visible(request: HttpRequest, pk: int) -> Assessment:
    """The assessment with its rows, or 404 when the user may not see it."""
    try:
        assessment = selectors.assessment_for_page(pk)
    except Assessment.DoesNotExist:
        raise Http404 from None
    access.require(selectors.can_view(request.user, assessment))
    return assessment


def _editable(request: HttpRequest, pk: int) -> Assessment | None:
    """The assessment for a rating or conclusion form: 404 unless the user is one of its
    evaluators (or an admin of its unit); None (after a message) when it can no longer change."""
    assessment = _visible(request, pk)
    access.require(selectors.is_evaluator(request.user, assessment))
    if assessment.status != AssessmentStatus.DRAFT or selectors.successor(assessment):
        messages.error(
            request,
            _(
                "该评估已提交审议、已发布或已被新版本替代，不能再修改 "
                "(in review, published or superseded: it cannot change)"
            ),
        )
        return None
    return assessment


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for errors in error.message_dict.values() for m in errors]
    return list(error.messages)


def _detail(assessment: Assessment) -> HttpResponse:
    return redirect("assessments:detail", pk=assessment.pk)


def _context(request: HttpRequest, assessment: Assessment, **extra: object) -> dict:
    user = request.user
    province_id = assessment.document.province_id
    current = selectors.successor(assessment) is None
    return {
        "assessment": assessment,
        "hide_as_of_form": True,
        "may_edit": current
        and assessment.status == AssessmentStatus.DRAFT
        and selectors.is_evaluator(user, assessment),
        "may_refreeze": current
        and assessment.status != AssessmentStatus.IN_REVIEW
        and selectors.is_evaluator(user, assessment),
        "may_publish": current
        and assessment.status == AssessmentStatus.IN_REVIEW
        and access.can_publish(user, province_id),
        **extra,
    }


@require_GET
@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.list_rows(request.user)
    may_create = access.can_evaluate(request.user) or access.has_role(
        request.user, "province_admin"
    )
    return render(
        request,
        "assessments/list.html",
        {"rows": rows, "may_create": may_create, "hide_as_of_form": True},
    )


@require_http_methods(["GET", "POST"])
@login_required
def assessment_new(request: HttpRequest) -> HttpResponse:
    access.require(
        access.can_evaluate(request.user) or access.has_role(request.user, "province_admin")
    )
    form = AssessmentCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(
                document=form.cleaned_data["document"],
                kind=form.cleaned_data["kind"],
                as_of=form.cleaned_data["as_of"],
                title=form.cleaned_data["title"],
                evaluators=form.cleaned_data["evaluators"],
                created_by=request.user,
            )
        except ValidationError as error:
            for message in _messages_of(error):
                form.add_error(None, message)
        else:
            messages.success(request, _("已冻结评估数据 (frozen)"))
            return _detail(assessment)
    return render(request, "assessments/new.html", {"form": form, "hide_as_of_form": True})


@require_GET
@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _visible(request, pk)
    data = report_data.build(assessment)
    return render(
        request,
        "assessments/detail.html",
        _context(
            request,
            assessment,
            data=data,
            charts=None,
            svg=report_data.charts(data),
            late=selectors.late_reports(assessment),
            versions=selectors.versions(assessment),
            problems=services.submission_problems(assessment)
            if assessment.status == AssessmentStatus.DRAFT
            else [],
            reason_form=ReasonForm(),
        ),
    )


def _rate(
    request: HttpRequest,
    pk: int,
    *,
    rows_of: Callable[[Assessment], list],
    form_class: type,
    service: Callable[..., int],
    template: str,
) -> HttpResponse:
    assessment = _editable(request, pk)
    if assessment is None:
        return redirect("assessments:detail", pk=pk)
    rows = rows_of(assessment)
    forms = row_forms(form_class, rows, request.POST if request.method == "POST" else None)
    if request.method == "POST" and all(f.is_valid() for f in forms):
        ratings = [
            services.RatingInput(
                row_id=row.pk,
                rating=f.cleaned_data["rating"],
                reason=f.cleaned_data["reason"],
                comment=f.cleaned_data["comment"],
                carry_over=f.cleaned_data["carry_over"],
            )
            for row, f in zip(rows, forms, strict=True)
        ]
        try:
            changed = service(assessment=assessment, by=request.user, ratings=ratings)
        except ValidationError as error:
            by_row = {str(row.pk): f for row, f in zip(rows, forms, strict=True)}
            if hasattr(error, "error_dict"):
                for key, errors in error.message_dict.items():
                    target = by_row.get(key)
                    for message in errors:
                        if target is not None:
                            target.add_error("reason", message)
                        else:
                            messages.error(request, message)
            else:
                for message in error.messages:
                    messages.error(request, message)
        else:
            messages.success(request, _("已保存%(n)s行评价 (saved)") % {"n": changed})
            return _detail(assessment)
    data = report_data.build(assessment)
    lines = data.targets if form_class is TargetRatingForm else data.tasks
    return render(
        request,
        template,
        _context(request, assessment, items=list(zip(lines, forms, strict=True))),
    )


@require_http_methods(["GET", "POST"])
@login_required
def rate_targets(request: HttpRequest, pk: int) -> HttpResponse:
    return _rate(
        request,
        pk,
        rows_of=lambda a: list(a.target_rows.all()),
        form_class=TargetRatingForm,
        service=services.assessment_rate_targets,
        template="assessments/rate_targets.html",
    )


@require_http_methods(["GET", "POST"])
@login_required
def rate_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    return _rate(
        request,
        pk,
        rows_of=lambda a: list(a.task_rows.all()),
        form_class=TaskRatingForm,
        service=services.assessment_rate_tasks,
        template="assessments/rate_tasks.html",
    )


@require_http_methods(["GET", "POST"])
@login_required
def conclusion(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _editable(request, pk)
    if assessment is None:
        return redirect("assessments:detail", pk=pk)
    initial = {
        "overall_rating": assessment.overall_rating,
        "achievements": assessment.achievements,
        "problems": assessment.problems,
        "recommendations": assessment.recommendations,
    }
    form = ConclusionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_conclude(
                assessment=assessment, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            for message in _messages_of(error):
                form.add_error(None, message)
        else:
            messages.success(request, _("已保存评估结论 (saved)"))
            return _detail(assessment)
    data = report_data.build(assessment)
    return render(
        request, "assessments/conclusion.html", _context(request, assessment, form=form, data=data)
    )


def _action(request: HttpRequest, pk: int, run: Callable[[Assessment], object], done: str):
    assessment = _visible(request, pk)
    try:
        result = run(assessment)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
        return _detail(assessment)
    messages.success(request, done)
    return _detail(result if isinstance(result, Assessment) else assessment)


def _reason(request: HttpRequest) -> str:
    form = ReasonForm(request.POST)
    return form.cleaned_data["reason"] if form.is_valid() else ""


@require_POST
@login_required
def accept_proposals(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        lambda a: services.assessment_accept_proposals(assessment=a, by=request.user),
        _("未评价的行已按建议评价 (unrated rows now rated as proposed)"),
    )


@require_POST
@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        lambda a: services.assessment_submit(assessment=a, by=request.user),
        _("已提交审议 (submitted for review)"),
    )


@require_POST
@login_required
def send_back(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        lambda a: services.assessment_return(
            assessment=a, by=request.user, reason=_reason(request)
        ),
        _("已退回起草 (returned to draft)"),
    )


@require_POST
@login_required
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        lambda a: services.assessment_publish(assessment=a, by=request.user),
        _("已发布 (published)"),
    )


@require_POST
@login_required
def refreeze(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        lambda a: services.assessment_refreeze(
            assessment=a, by=request.user, reason=_reason(request)
        ),
        _("已重新冻结为新版本 (re-frozen as a new version)"),
    )


@require_GET
@login_required
def export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    from assessments.reports import export as report_export

    assessment = _visible(request, pk)
    body, content_type, filename = report_export.render(assessment, fmt)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def compare(request: HttpRequest) -> HttpResponse:
    form = CompareForm(request.GET or None)
    kind = form.cleaned_data["kind"] if form.is_valid() else AssessmentKind.MID_TERM
    rows = selectors.latest_published(kind)
    for row in rows:
        row.may_open = access.can_see_province(request.user, row.document.province_id)
    return render(
        request,
        "assessments/compare.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": AssessmentKind(kind).label,
            "rows": rows,
            "hide_as_of_form": True,
        },
    )
