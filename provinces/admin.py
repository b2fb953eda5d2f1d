"""Admin for provinces, departments, documents and sections, and the base every app's admin uses.

The base classes give each changelist an import/export button in CSV (UTF-8 with BOM, GBK read)
and Excel, all-or-nothing imports, and permission codes from settings (import needs "add",
export needs "view"). Every changelist and change page costs a fixed number of queries, whatever
the number of rows: related rows shown in a list are fetched with ``list_select_related``,
related-field choices with their province in one query.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportExportModelAdmin

from provinces.models import Department, PolicyDocument, Province, Section
from provinces.resources import (
    CSV_EXPORT_ENCODING,
    FORMATS,
    DepartmentResource,
    PolicyDocumentResource,
    ProvinceResource,
    SectionResource,
)


def document_label(document: PolicyDocument) -> str:
    """Short enough for a list column: 山西 2021—2035."""
    return f"{document.province.name} {document.period_label}"


def department_label(department: Department) -> str:
    """Department names repeat across provinces (省市场监管局), so choices name the province."""
    return f"{department.province.name} · {department.name}"


class DocumentListFilter(admin.RelatedFieldListFilter):
    """The document filter, labelled 山西 2021—2035, with the provinces in the same query."""

    def field_choices(self, field, request, model_admin):
        documents = PolicyDocument.objects.select_related("province")
        return [(document.pk, document_label(document)) for document in documents]


class DepartmentListFilter(admin.RelatedFieldListFilter):
    def field_choices(self, field, request, model_admin):
        departments = Department.objects.select_related("province")
        return [(department.pk, department_label(department)) for department in departments]


class ReadableChoicesMixin:
    """Document and department drop-downs: labelled with the province, fetched in one query."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is PolicyDocument and db_field.name not in getattr(
            self, "autocomplete_fields", ()
        ):
            kwargs.setdefault("queryset", PolicyDocument.objects.select_related("province"))
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = document_label
            return field
        if db_field.related_model is Department and db_field.name not in getattr(
            self, "autocomplete_fields", ()
        ):
            kwargs.setdefault("queryset", Department.objects.select_related("province"))
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = department_label
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SameDocumentForm(forms.ModelForm):
    """Refuses a section, task or 专栏 taken from another document than the row's own."""

    same_document_fields: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        document = cleaned.get("document")
        for name in self.same_document_fields:
            related = cleaned.get(name)
            if document is not None and related is not None and related.document_id != document.pk:
                self.add_error(
                    name,
                    gettext(
                        "“{related}”属于另一份文件 (“{related}” belongs to another document)"
                    ).format(related=related),
                )
        return cleaned


class ImportExportAdmin(ReadableChoicesMixin, ImportExportModelAdmin):
    """Import and export in CSV and Excel; a file with one bad row imports nothing."""

    formats = FORMATS
    to_encoding = CSV_EXPORT_ENCODING
    import_error_display = ("message", "row")
    list_per_page = 50

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def process_result(self, result, request: HttpRequest):
        # The confirm step imports for real; if the data changed since the preview and a row
        # fails now, everything was rolled back: say so instead of "Import finished".
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                gettext(
                    "导入失败，未写入任何数据；请重新上传文件查看错误 "
                    "(import failed and nothing was saved; upload the file again to see why)"
                ),
            )
            info = self.get_model_info()
            return HttpResponseRedirect(reverse("admin:{}_{}_import".format(*info)))
        return super().process_result(result, request)


class ExportOnlyAdmin(ReadableChoicesMixin, ExportMixin, admin.ModelAdmin):
    """Computed rows: viewable and exportable, never added, changed or imported by hand."""

    formats = FORMATS
    to_encoding = CSV_EXPORT_ENCODING
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


# --------------------------------------------------------------------------------------------


@admin.register(Province)
class ProvinceAdmin(ImportExportAdmin):
    resource_classes = [ProvinceResource]
    list_display = ("code", "name", "full_name", "sort_order", "document_count", "department_count")
    search_fields = ("code", "name", "full_name")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Province]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                documents_count=Count("documents", distinct=True),
                departments_count=Count("departments", distinct=True),
            )
        )

    @admin.display(description=_("实施意见"), ordering="documents_count")
    def document_count(self, province: Province) -> int:
        return province.documents_count

    @admin.display(description=_("责任单位"), ordering="departments_count")
    def department_count(self, province: Province) -> int:
        return province.departments_count


@admin.register(Department)
class DepartmentAdmin(ImportExportAdmin):
    resource_classes = [DepartmentResource]
    list_display = ("name", "province", "task_count")
    list_filter = ("province",)
    list_select_related = ("province",)
    search_fields = ("name", "province__name")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Department]:
        return super().get_queryset(request).annotate(tasks_count=Count("tasks", distinct=True))

    @admin.display(description=_("任务数"), ordering="tasks_count")
    def task_count(self, department: Department) -> int:
        return department.tasks_count


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(ImportExportAdmin):
    resource_classes = [PolicyDocumentResource]
    list_display = ("title", "province", "number", "period", "signed_on", "slug")
    list_filter = ("province",)
    list_select_related = ("province",)
    search_fields = ("title", "number", "issuer", "slug", "quote")

    @admin.display(description=_("规划期"), ordering="period_start")
    def period(self, document: PolicyDocument) -> str:
        return document.period_label


@admin.register(Section)
class SectionAdmin(ImportExportAdmin):
    class Form(SameDocumentForm):
        same_document_fields = ("parent",)

    form = Form
    resource_classes = [SectionResource]
    list_display = ("number", "title", "key", "document_column", "level", "sort_order")
    list_filter = (
        "document__province",
        ("document", DocumentListFilter),
        "level",
    )
    list_select_related = ("document__province",)
    search_fields = ("title", "key", "number", "quote")
    autocomplete_fields = ("parent",)

    @admin.display(description=_("文件"), ordering="document")
    def document_column(self, section: Section) -> str:
        return document_label(section.document)


def report_review(
    modeladmin: admin.ModelAdmin, request: HttpRequest, service, *, done: str, **kwargs
) -> None:
    """Call a review service (approve / return) on the selected rows and tell the reviewer."""
    try:
        count = service(reviewer=request.user, **kwargs)
    except (ValidationError, PermissionDenied) as error:
        reasons = getattr(error, "messages", None) or [str(error)]
        modeladmin.message_user(request, "；".join(str(r) for r in reasons), messages.ERROR)
        return
    modeladmin.message_user(request, done.format(count=count), messages.SUCCESS)
