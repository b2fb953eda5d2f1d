"""Round pages: the list (and opening a round), one round's completeness, the province-wide
departments × rounds view, reminder settings. Thin: access check, one selector or service
call, render. Every object goes through ``provinces.access`` (another unit's round is a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from provinces import access
from provinces.models import Province
from rounds import imports, jobs, pages, services
from rounds.forms import ReminderSettingsForm, RoundOpenForm, UploadForm
from rounds.models import ReportingRound, RoundStatus
from rounds.selectors import PROVINCE_FIELD, round_completeness, rounds_for

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download(request: HttpRequest, sheets: list[pages.Sheet], name: str) -> HttpResponse:
    fmt = request.GET.get("format", "")
    if fmt not in CONTENT_TYPES:
        return render(
            request,
            "dashboards/bad_request.html",
            {
                "message": (
                    f"下载格式只能是 csv 或 xlsx：“{fmt}” / format must be csv or xlsx: “{fmt}”"
                )
            },
            status=400,
        )
    wanted = request.GET.get("table") or sheets[0].name
    chosen = next((s for s in sheets if s.name == wanted), sheets[0])
    body = pages.sheet_csv(chosen) if fmt == "csv" else pages.sheets_xlsx(sheets)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    part = chosen.name if fmt == "csv" else "all"
    response["Content-Disposition"] = f'attachment; filename="{name}-{part}.{fmt}"'
    return response


def _round_or_404(request: HttpRequest, pk: int) -> ReportingRound:
    found = access.get_scoped_or_404(
        ReportingRound.objects.select_related("document__province", "coordinating_department"),
        request.user,
        PROVINCE_FIELD,
        pk=pk,
    )
    access.require(access.can_read_submissions(request.user, found.document.province_id))
    return found


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Every round the user's units run, newest first, and (for reviewers) the opening form."""
    access.require(access.role(request.user) is not None)
    today = timezone.localdate()
    rounds = list(rounds_for(request.user)[:200])
    data = round_completeness(rounds, today=today)
    totals: dict[int, dict[str, int]] = {}
    for (round_id, _dept), tally in data.tallies.items():
        line = totals.setdefault(round_id, {"due": 0, "handed_in": 0, "missing": 0, "overdue": 0})
        line["due"] += tally.due
        line["handed_in"] += tally.handed_in
        line["missing"] += tally.missing + tally.returned
        line["overdue"] += tally.overdue
    form = RoundOpenForm(user=request.user)
    return render(
        request,
        "rounds/index.html",
        {
            "rows": [(r, totals.get(r.pk)) for r in rounds],
            "form": form if form.fields["document"].queryset.exists() else None,
            "hide_as_of_form": True,
            "today": today,
        },
    )


@require_POST
@login_required
def open_round(request: HttpRequest) -> HttpResponse:
    form = RoundOpenForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        access.require(access.can_review(request.user, data["document"].province_id))
        try:
            found, created = services.round_create(
                document=data["document"],
                period_kind=data["period_kind"],
                year=data["year"],
                number=data["number"],
                opens_on=data["opens_on"],
                deadline=data["deadline"],
                user=request.user,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(
                request,
                (_("已开启填报周期 %(label)s") if created else _("该周期已存在：%(label)s"))
                % {"label": found},
            )
            return redirect("rounds:round", pk=found.pk)
    return render(request, "rounds/open.html", {"form": form, "hide_as_of_form": True}, status=400)


@require_GET
@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = _round_or_404(request, pk)
    today = timezone.localdate()
    data = round_completeness([found], today=today)
    tallies, items = pages.tally_sheet(data, today=today), pages.item_sheet(data, today=today)
    if "format" in request.GET:
        return _download(request, [tallies, items], f"round-{found.pk}")
    province_id = found.document.province_id
    return render(
        request,
        "rounds/round.html",
        {
            "round": found,
            "lines": data.lines(),
            "items": pages.item_rows(data, today=today),
            "overdue": found.is_overdue(today),
            "can_enter": access.can_enter(request.user, province_id),
            "import_enabled": True,
            "can_review": access.can_review(request.user, province_id),
            "statuses": RoundStatus,
            "hide_as_of_form": True,
            "today": today,
        },
    )


@require_POST
@login_required
def round_status(request: HttpRequest, pk: int) -> HttpResponse:
    found = _round_or_404(request, pk)
    access.require(access.can_review(request.user, found.document.province_id))
    status = request.POST.get("status", "")
    if status not in RoundStatus.values:
        messages.error(request, _("未知状态 (unknown status)"))
    else:
        services.round_set_status(round=found, status=status, user=request.user)
    return redirect("rounds:round", pk=found.pk)


@require_GET
@login_required
def completeness_page(request: HttpRequest) -> HttpResponse:
    """A unit's departments × rounds: who hands in, who is late, over the recent rounds."""
    access.require(access.role(request.user) is not None)
    code = request.GET.get("province", "").strip()
    provinces = access.scope(Province.objects.all(), request.user, "pk")
    province = provinces.filter(code=code).first() if code else None
    if code and province is None:
        from django.http import Http404

        raise Http404
    rounds = rounds_for(request.user)
    if province is not None:
        rounds = rounds.filter(document__province=province)
    rounds = list(rounds.exclude(status=RoundStatus.DRAFT)[:24])
    today = timezone.localdate()
    data = round_completeness(rounds, today=today)
    tallies = pages.tally_sheet(data, today=today)
    if "format" in request.GET:
        return _download(request, [tallies, pages.item_sheet(data, today=today)], "completeness")
    chart = pages.chart(data)
    return render(
        request,
        "rounds/completeness.html",
        {
            "province": province,
            "provinces": list(provinces),
            "lines": data.lines(),
            "chart": chart,
            "charts": {"completeness": chart} if chart else {},
            "hide_as_of_form": True,
            "download_prefix": f"?province={province.code}&" if province else "?",
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def reminder_settings(request: HttpRequest) -> HttpResponse:
    found = access.profile(request.user)
    if request.method == "POST" and found is not None:
        form = ReminderSettingsForm(request.POST)
        if form.is_valid():
            services.reminders_toggle(
                user=request.user, enabled=form.cleaned_data["reminders_enabled"]
            )
            messages.success(
                request,
                _("已开启提醒邮件 (reminders on)")
                if form.cleaned_data["reminders_enabled"]
                else _("已关闭提醒邮件 (reminders off)"),
            )
            return redirect("rounds:reminder_settings")
    enabled = found.reminders_enabled if found else False
    return render(
        request,
        "rounds/reminders.html",
        {
            "form": ReminderSettingsForm(initial={"reminders_enabled": enabled}),
            "profile": found,
            "email": request.user.email,
            "hide_as_of_form": True,
        },
    )


# --- the web import ---------------------------------------------------------------------------


def _entry_round(request: HttpRequest, pk: int) -> ReportingRound:
    found = _round_or_404(request, pk)
    access.require(access.can_enter(request.user, found.document.province_id))
    return found


@require_GET
@login_required
def template_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's sheet to fill: one row per indicator the user's department owes."""
    found = _entry_round(request, pk)
    body = imports.template_xlsx(round=found, user=request.user)
    response = HttpResponse(body, content_type=CONTENT_TYPES["xlsx"])
    name = f"{found.document.slug}-{found.year}-{found.period_kind}{found.number}-template.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    found = _entry_round(request, pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        sheet = form.cleaned_data["file"]
        started = imports.upload_start(
            round=found, user=request.user, filename=sheet.name, data=sheet.read()
        )
        if imports.checked_elsewhere():
            jobs.check_upload.delay(started.token)
        else:
            imports.upload_check(token=started.token)
        return redirect("rounds:preview", token=started.token)
    return render(
        request,
        "rounds/upload.html",
        {"round": found, "form": form, "hide_as_of_form": True},
        status=400 if request.method == "POST" else 200,
    )


def _own_upload(request: HttpRequest, token: str) -> imports.Upload:
    found = imports.upload_get(token)
    access.require(found is not None and found.user_id == request.user.pk)
    return found


@require_GET
@login_required
def preview(request: HttpRequest, token: str) -> HttpResponse:
    """Every row and what confirming will do, or every problem with its row and column."""
    found = _own_upload(request, token)
    round_ = _round_or_404(request, found.round_id)
    file_problems = [p for p in found.problems if not p.row]
    return render(
        request,
        "rounds/preview.html",
        {
            "upload": found,
            "round": round_,
            "file_problems": file_problems,
            "row_problems": [p for p in found.problems if p.row],
            "form": UploadForm(),
            "hide_as_of_form": True,
        },
    )


@require_GET
@login_required
def upload_status(request: HttpRequest, token: str) -> JsonResponse:
    """For a page that polls: ``{"state": "checking"|"ready"|"stored", "checked": rows}``."""
    found = _own_upload(request, token)
    return JsonResponse(
        {"state": found.state, "checked": found.checked, "problems": len(found.problems)}
    )


@require_POST
@login_required
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    found = _own_upload(request, token)
    round_ = _entry_round(request, found.round_id)
    _upload, outcome, stored = imports.upload_confirm(token=token, user=request.user)
    if stored:
        messages.success(request, outcome.summary())
        return redirect("rounds:round", pk=round_.pk)
    if outcome is not None and outcome.ok:
        messages.info(
            request,
            _("这份表格已经导入，没有重复保存 (already imported: nothing stored twice)"),
        )
        return redirect("rounds:round", pk=round_.pk)
    if outcome is not None:
        for error in outcome.errors:
            messages.error(request, str(error))
    return redirect("rounds:preview", token=token)
