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
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportExportModelAdmin

from provinces import access
from provinces.accounts import assign_role
from provinces.models import (
    Department,
    PolicyDocument,
    Province,
    ReviewStatus,
    Role,
    Section,
    UserProfile,
)
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


# How each model reaches its unit, for scoping related-field choices.
UNIT_PATHS: dict[str, str] = {
    "provinces.province": "id",
    "provinces.department": "province",
    "provinces.policydocument": "province",
    "provinces.section": "document__province",
    "provinces.userprofile": "province",
    "tasks.task": "document__province",
    "tasks.column": "document__province",
    "tasks.columnitem": "column__document__province",
    "tasks.assignment": "task__document__province",
    "tasks.taskupdate": "task__document__province",
    "targets.indicator": "document__province",
    "targets.target": "indicator__document__province",
    "targets.progressreport": "indicator__document__province",
    "targets.progressresult": "target__indicator__document__province",
    "auth.user": "profile__province",
}


class ScopedAdminMixin:
    """Every changelist, change page, import and export cut to the user's units
    (``provinces.access``): another unit's row is a 404, its id in a sheet a refused row.

    ``province_field`` None means shared rows (categories, runs) that every unit reads.
    """

    province_field: str | None = None

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if self.province_field is None:
            return queryset
        return access.scope(queryset, request.user, self.province_field)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Missing and another unit's look the same: not found.
        raise Http404

    def history_view(self, request, object_id, extra_context=None):
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def _scope_choices(self, db_field, request, field):
        if field is None or not hasattr(field, "queryset"):
            return field
        path = UNIT_PATHS.get(db_field.related_model._meta.label_lower)
        if path is not None:
            field.queryset = access.scope(field.queryset, request.user, path)
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return self._scope_choices(db_field, request, field)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return self._scope_choices(db_field, request, field)

    def get_import_resource_classes(self, request):
        from provinces.scoped_import import scoped_resource

        classes = super().get_import_resource_classes(request)
        if self.province_field is None:
            return classes
        return [scoped_resource(cls, self.province_field) for cls in classes]


class ImportExportAdmin(ScopedAdminMixin, ReadableChoicesMixin, ImportExportModelAdmin):
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


class ExportOnlyAdmin(ScopedAdminMixin, ReadableChoicesMixin, ExportMixin, admin.ModelAdmin):
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
    province_field = "id"
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
    province_field = "province"
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
    province_field = "province"
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
    province_field = "document__province"

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


def ask_return_reason(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset):
    """The return action's second step: the reason is required, so ask for it first.

    Returns the reason once given, or the page that asks for it (a TemplateResponse).
    """
    from django.template.response import TemplateResponse

    reason = request.POST.get("reason", "").strip()
    if "apply" in request.POST and reason:
        return reason
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": gettext("退回原因"),
        "opts": modeladmin.model._meta,
        "queryset": queryset,
        "action": request.POST.get("action", ""),
        "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        "missing": "apply" in request.POST,
    }
    return TemplateResponse(request, "admin/return_reason.html", context)


# --- users: a profile (unit, department, role) on every user, managed within one's units -----


class UserProfileForm(forms.ModelForm):
    class Meta:
        model = UserProfile
        fields = ("province", "department", "role", "reminders_enabled")

    def __init__(self, *args, request_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request_user = request_user

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        province = cleaned.get("province")
        department = cleaned.get("department")
        if role == Role.SYSTEM_ADMIN and access.role(self.request_user) != Role.SYSTEM_ADMIN:
            self.add_error(
                "role", gettext("只有系统管理员能授予系统管理员角色 (only a system admin can)")
            )
        if department is not None and (province is None or department.province_id != province.pk):
            self.add_error(
                "department",
                gettext("单位不属于该省份 (the department does not belong to that province)"),
            )
        if province is None and not access.is_national(self.request_user):
            self.add_error("province", gettext("请选择省份 (choose a province)"))
        return cleaned


class UserProfileInline(admin.StackedInline):
    model = UserProfile
    form = UserProfileForm
    can_delete = False
    min_num = 1
    max_num = 1
    verbose_name_plural = _("用户资料")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class Scoped(formset):
            def get_form_kwargs(self, index):
                return {**super().get_form_kwargs(index), "request_user": request.user}

        return Scoped

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "province":
            field.queryset = access.scope(Province.objects.all(), request.user, "id")
        elif db_field.name == "department":
            field.queryset = access.scope(
                Department.objects.select_related("province"), request.user
            )
            field.label_from_instance = department_label
        return field


admin.site.unregister(User)


@admin.register(User)
class ScopedUserAdmin(UserAdmin):
    """A province admin manages its units' users only; roles come from the profile (the groups
    follow it), and only a system admin grants superuser rights or raw permissions."""

    inlines = (UserProfileInline,)
    list_display = ("username", "unit", "role", "is_active", "last_login")
    list_select_related = ("profile__province",)
    list_filter = ("is_active", "profile__role", "profile__province")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return access.scope(queryset, request.user, "profile__province")

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404

    @admin.display(description=_("所属省份"))
    def unit(self, user) -> str:
        profile = getattr(user, "profile", None)
        return str(profile.province) if profile and profile.province else "—"

    @admin.display(description=_("角色"))
    def role(self, user) -> str:
        profile = getattr(user, "profile", None)
        return profile.get_role_display() if profile else "—"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        hidden = {"is_superuser", "groups", "user_permissions", "is_staff"}
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]})
            for name, opts in fieldsets
        ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        profile = UserProfile.objects.filter(user=form.instance).first()
        if profile is not None:
            # The role's group and the staff flag follow the profile.
            assign_role(
                user=form.instance,
                role=profile.role,
                province=profile.province,
                department=profile.department,
            )


class EntryAdminMixin:
    """Progress reports and task updates in the admin: who changed them is recorded (four eyes
    reads it), and an approved entry is shown read-only: a correction is a new entry."""

    exclude = ("evidence",)  # files go through reporting's checked evidence, never /media/

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and obj.review_status == ReviewStatus.APPROVED:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        if not change and obj.reporter_id is None:
            obj.reporter = request.user
        obj.last_modified_by = request.user
        super().save_model(request, obj, form, change)
