"""Admin for indicator categories, indicators and targets, progress reports and computed results."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from provinces import access
from provinces.admin import (
    DepartmentListFilter,
    DocumentListFilter,
    EntryAdminMixin,
    ExportOnlyAdmin,
    ImportExportAdmin,
    SameDocumentForm,
    ask_return_reason,
    document_label,
    report_review,
)
from targets.models import (
    Indicator,
    IndicatorCategory,
    ProgressReport,
    ProgressResult,
    ProgressRun,
    Target,
)
from targets.progress_import import parse_sheet, store
from targets.resources import (
    IndicatorCategoryResource,
    IndicatorResource,
    ProgressReportResource,
    ProgressResultResource,
    ProgressRunResource,
    TargetResource,
    readable_target,
)


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ("year", "comparator", "lower_bound", "value", "quote")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Target]:
        # Each row's title is its str(), which names the indicator.
        return super().get_queryset(request).select_related("indicator")


@admin.register(IndicatorCategory)
class IndicatorCategoryAdmin(ImportExportAdmin):
    resource_classes = [IndicatorCategoryResource]
    list_display = ("code", "name", "indicator_count")
    list_display_links = ("code", "name")
    search_fields = ("code", "name", "note")

    def get_queryset(self, request: HttpRequest) -> QuerySet[IndicatorCategory]:
        return super().get_queryset(request).annotate(indicators_count=Count("indicators"))

    @admin.display(description=_("指标数"), ordering="indicators_count")
    def indicator_count(self, category: IndicatorCategory) -> int:
        return category.indicators_count


@admin.register(Indicator)
class IndicatorAdmin(ImportExportAdmin, SimpleHistoryAdmin):
    province_field = "document__province"

    class Form(SameDocumentForm):
        same_document_fields = ("section", "task", "column")

    form = Form
    resource_classes = [IndicatorResource]
    list_display = (
        "province",
        "document_column",
        "name",
        "area",
        "unit",
        "measure_kind",
        "attribute",
        "baseline",
        "category",
    )
    list_display_links = ("name",)
    list_filter = (
        "document__province",
        ("document", DocumentListFilter),
        "measure_kind",
        "area",
        "category",
        "attribute",
        "direction",
    )
    list_select_related = ("document__province", "category")
    search_fields = ("name", "code", "area", "quote", "baseline_quote")
    autocomplete_fields = ("category", "section", "task", "column")
    inlines = (TargetInline,)

    @admin.display(description=_("省份"), ordering="document__province__sort_order")
    def province(self, indicator: Indicator) -> str:
        return indicator.document.province.name

    @admin.display(description=_("文件"), ordering="document")
    def document_column(self, indicator: Indicator) -> str:
        return document_label(indicator.document)

    @admin.display(description=_("基期值"), ordering="baseline_value")
    def baseline(self, indicator: Indicator) -> str:
        if indicator.baseline_value is None:
            return "—"
        return (
            f"{indicator.baseline_value.normalize():f}{indicator.unit}({indicator.baseline_year})"
        )


@admin.register(Target)
class TargetAdmin(ImportExportAdmin, SimpleHistoryAdmin):
    province_field = "indicator__document__province"
    resource_classes = [TargetResource]
    list_display = ("indicator", "document_column", "year", "display_value", "comparator")
    list_display_links = ("indicator", "display_value")
    list_filter = (
        "indicator__document__province",
        ("indicator__document", DocumentListFilter),
        "year",
        "comparator",
        "indicator__measure_kind",
    )
    list_select_related = ("indicator__document__province",)
    search_fields = ("indicator__name", "indicator__code", "quote")
    autocomplete_fields = ("indicator",)

    @admin.display(description=_("文件"), ordering="indicator__document")
    def document_column(self, target: Target) -> str:
        return document_label(target.indicator.document)

    @admin.display(description=_("目标值"))
    def display_value(self, target: Target) -> str:
        return readable_target(target)


class ProgressReportForm(forms.ModelForm):
    """The report rules of the entry service and the import, as form errors.

    Without them a percentage of 150 or a milestone with done left unknown reached the
    database's check constraints (the flags they test are copied from the indicator on save).
    """

    class Meta:
        model = ProgressReport
        fields = ("indicator", "as_of", "value", "done")  # the admin adds its other fields

    def clean(self):
        from targets.services import report_value_problems

        cleaned = super().clean()
        indicator = cleaned.get("indicator")
        if indicator is None:
            return cleaned
        self.instance.is_percentage = indicator.is_percentage
        self.instance.is_milestone = indicator.is_milestone
        if indicator.is_milestone:
            cleaned["value"] = None
        problems = report_value_problems(
            indicator=indicator,
            as_of=cleaned.get("as_of"),
            value=cleaned.get("value"),
            done=cleaned.get("done"),
        )
        for name, texts in problems.items():
            if name in self.fields and name not in self.errors:
                for text in texts:
                    self.add_error(name, text)
        return cleaned


class ProgressImportForm(forms.Form):
    import_file = forms.FileField(label=_("进展填报表(.xlsx或.csv)"))

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                gettext(
                    "文件超过{size}MB，请分成几个文件导入 "
                    "(the file is larger than {size} MB: split it into smaller files)"
                ).format(size=round(limit / 1_000_000, 1))
            )
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(
                gettext("只能导入.xlsx或.csv文件 (only .xlsx or .csv files can be imported)")
            )
        return upload


@admin.register(ProgressReport)
class ProgressReportAdmin(EntryAdminMixin, ImportExportAdmin, SimpleHistoryAdmin):
    """Imports go through ``targets.progress_import`` (reports arrive submitted, for review,
    rows and columns numbered as Excel shows them); review status changes only through the
    approve / return actions."""

    form = ProgressReportForm
    province_field = "indicator__document__province"
    resource_classes = [ProgressReportResource]
    list_display = (
        "indicator",
        "document_column",
        "as_of",
        "value",
        "done",
        "review_status",
        "source",
        "reporting_department",
        "reviewed_at",
    )
    list_filter = (
        "indicator__document__province",
        ("indicator__document", DocumentListFilter),
        "review_status",
        "source",
        ("reporting_department", DepartmentListFilter),
        "indicator__measure_kind",
        "is_demo",
    )
    list_select_related = ("indicator__document__province", "reporting_department")
    search_fields = ("indicator__name", "indicator__code", "note", "evidence_quote")
    autocomplete_fields = ("indicator", "reporter")
    readonly_fields = (
        "review_status",
        "reviewed_at",
        "reviewed_by",
        "review_comment",
        "submitted_at",
        "last_modified_by",
        "supersedes",
        "correction_reason",
        "source",
        "created_at",
        "updated_at",
    )
    date_hierarchy = "as_of"
    actions = ("approve", "return_to_reporter")

    @admin.display(description=_("文件"), ordering="indicator__document")
    def document_column(self, report: ProgressReport) -> str:
        return document_label(report.indicator.document)

    def import_action(self, request: HttpRequest, **kwargs) -> HttpResponse:
        """One step: read and check the sheet, store it for review or show every problem."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ProgressImportForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            parsed = parse_sheet(
                form.cleaned_data["import_file"], province_ids=_import_scope(request.user)
            )
            outcome = store(parsed, user=request.user, for_review=True)
            if outcome.ok:
                messages.success(request, outcome.summary())
                return HttpResponseRedirect(reverse("admin:targets_progressreport_changelist"))
            problems = outcome.errors
            messages.error(request, outcome.summary())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "problems": problems,
            "title": gettext("导入进展填报"),
        }
        return TemplateResponse(request, "admin/targets/progressreport/import.html", context)

    @admin.action(description=_("审核通过"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[ProgressReport]) -> None:
        from targets.services import approve_reports  # here, so the admin loads without it

        report_review(
            self,
            request,
            approve_reports,
            reports=queryset,
            done=gettext("已审核通过{count}条进展填报"),
        )

    @admin.action(description=_("退回"), permissions=["change"])
    def return_to_reporter(self, request: HttpRequest, queryset):
        from targets.services import return_reports

        reason = ask_return_reason(self, request, queryset)
        if not isinstance(reason, str):
            return reason
        report_review(
            self,
            request,
            return_reports,
            reports=queryset,
            reason=reason,
            done=gettext("已退回{count}条进展填报"),
        )
        return None


def _import_scope(user) -> frozenset[int] | None:
    """The units a user's import may touch (``provinces.access``); None for all."""
    return access.province_ids(user)


def _import_scope(user) -> frozenset[int] | None:
    """The units a user's import may touch (``provinces.access``); None for all.

    Staff without a profile (no role) keep what their model permissions give them, as in the
    rest of the admin until it is scoped.
    """
    if access.role(user) is None:
        return None
    return access.province_ids(user)


@admin.register(ProgressRun)
class ProgressRunAdmin(ExportOnlyAdmin):
    resource_classes = [ProgressRunResource]
    list_display = ("as_of", "scope", "status", "started_at", "finished_at", "targets_count")
    list_filter = ("status", "scope")
    search_fields = ("scope", "error")
    date_hierarchy = "started_at"


@admin.register(ProgressResult)
class ProgressResultAdmin(ExportOnlyAdmin):
    province_field = "target__indicator__document__province"
    resource_classes = [ProgressResultResource]
    list_display = (
        "indicator",
        "document_column",
        "target_year",
        "as_of",
        "pace_status",
        "outlook",
        "completion_display",
        "latest_value",
        "computed_at",
    )
    list_filter = (
        "target__indicator__document__province",
        ("target__indicator__document", DocumentListFilter),
        "pace_status",
        "outlook",
        "target__year",
        "as_of",
    )
    list_select_related = ("target__indicator__document__province",)
    search_fields = ("target__indicator__name", "target__indicator__code")

    @admin.display(description=_("指标"), ordering="target__indicator")
    def indicator(self, result: ProgressResult) -> str:
        return str(result.target.indicator)

    @admin.display(description=_("文件"), ordering="target__indicator__document")
    def document_column(self, result: ProgressResult) -> str:
        return document_label(result.target.indicator.document)

    @admin.display(description=_("目标年"), ordering="target__year")
    def target_year(self, result: ProgressResult) -> int:
        return result.target.year
