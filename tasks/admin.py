"""Admin for key tasks, who carries them, their 专栏 and their progress updates."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from provinces.admin import (
    DepartmentListFilter,
    DocumentListFilter,
    EntryAdminMixin,
    ImportExportAdmin,
    SameDocumentForm,
    ask_return_reason,
    department_label,
    document_label,
    report_review,
)
from provinces.models import Department
from tasks.models import Assignment, Column, ColumnItem, Role, Task, TaskStatus, TaskUpdate
from tasks.resources import (
    AssignmentResource,
    ColumnItemResource,
    ColumnResource,
    TaskResource,
    TaskUpdateResource,
)

LEAD_ROLES = (Role.LEAD, Role.RESPONSIBLE)


class AssignmentInline(admin.TabularInline):
    """Departments of the task's own province only, listed once for all rows of the formset."""

    model = Assignment
    extra = 0
    fields = ("department", "role", "sort_order")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assignment]:
        # Each row's title is its str(), which names the department.
        return super().get_queryset(request).select_related("department")

    def get_formset(self, request: HttpRequest, obj: Task | None = None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        departments = Department.objects.select_related("province")
        if obj is not None:
            departments = departments.filter(province_id=obj.document.province_id)
        field = formset.form.base_fields["department"]
        field.queryset = departments
        # Evaluated here once; every inline row reuses the list instead of querying again.
        field.choices = [("", "---------")] + [(d.pk, department_label(d)) for d in departments]
        return formset


class ColumnItemInline(admin.TabularInline):
    model = ColumnItem
    extra = 0
    fields = ("sort_order", "number", "title", "text", "quote")


@admin.register(Task)
class TaskAdmin(ImportExportAdmin):
    province_field = "document__province"

    class Form(SameDocumentForm):
        same_document_fields = ("section",)

    form = Form
    resource_classes = [TaskResource]
    list_display = (
        "province",
        "document_column",
        "section",
        "number",
        "title",
        "lead_departments",
        "support_departments",
    )
    list_display_links = ("number", "title")
    list_filter = (
        "document__province",
        ("document", DocumentListFilter),
        ("responsible_departments", DepartmentListFilter),
    )
    list_select_related = ("document__province", "section")
    search_fields = ("number", "title", "text", "quote", "responsible_departments__name")
    autocomplete_fields = ("section",)
    inlines = (AssignmentInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Task]:
        assignments = Assignment.objects.select_related("department")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("assignments", queryset=assignments))
        )

    @admin.display(description=_("省份"), ordering="document__province__sort_order")
    def province(self, task: Task) -> str:
        return task.document.province.name

    @admin.display(description=_("文件"), ordering="document")
    def document_column(self, task: Task) -> str:
        return document_label(task.document)

    @admin.display(description=_("牵头/责任单位"))
    def lead_departments(self, task: Task) -> str:
        return "、".join(a.department.name for a in task.assignments.all() if a.role in LEAD_ROLES)

    @admin.display(description=_("配合单位"))
    def support_departments(self, task: Task) -> str:
        return "、".join(
            a.department.name for a in task.assignments.all() if a.role == Role.SUPPORT
        )


@admin.register(Assignment)
class AssignmentAdmin(ImportExportAdmin, SimpleHistoryAdmin):
    province_field = "task__document__province"
    resource_classes = [AssignmentResource]
    list_display = ("task", "department", "role", "sort_order", "document_column")
    list_filter = (
        "task__document__province",
        ("task__document", DocumentListFilter),
        "role",
        ("department", DepartmentListFilter),
    )
    list_select_related = ("task__document__province", "department")
    search_fields = ("task__title", "task__number", "department__name")
    autocomplete_fields = ("task",)

    @admin.display(description=_("文件"), ordering="task__document")
    def document_column(self, assignment: Assignment) -> str:
        return document_label(assignment.task.document)


@admin.register(Column)
class ColumnAdmin(ImportExportAdmin):
    province_field = "document__province"

    class Form(SameDocumentForm):
        same_document_fields = ("task",)

    form = Form
    resource_classes = [ColumnResource]
    list_display = ("number", "title", "document_column", "task")
    list_display_links = ("number", "title")
    list_filter = ("document__province", ("document", DocumentListFilter))
    list_select_related = ("document__province", "task")
    search_fields = ("title", "quote", "items__title")
    autocomplete_fields = ("task",)
    inlines = (ColumnItemInline,)

    @admin.display(description=_("文件"), ordering="document")
    def document_column(self, column: Column) -> str:
        return document_label(column.document)


@admin.register(ColumnItem)
class ColumnItemAdmin(ImportExportAdmin):
    province_field = "column__document__province"
    resource_classes = [ColumnItemResource]
    list_display = ("column", "number", "title", "sort_order", "document_column")
    list_display_links = ("column", "title")
    list_filter = ("column__document__province", ("column__document", DocumentListFilter))
    list_select_related = ("column__document__province",)
    search_fields = ("title", "text", "quote", "column__title")
    autocomplete_fields = ("column",)

    @admin.display(description=_("文件"), ordering="column__document")
    def document_column(self, item: ColumnItem) -> str:
        return document_label(item.column.document)


class TaskUpdateForm(forms.ModelForm):
    """The task update's constraints said in words (Django's own text names the constraint)."""

    percent = forms.IntegerField(label=_("完成百分比"), required=False)

    class Meta:
        model = TaskUpdate
        fields = ("task", "as_of", "status", "percent")  # the admin adds its other fields

    def clean(self):
        cleaned = super().clean()
        percent, status = cleaned.get("percent"), cleaned.get("status")
        if percent is not None and not 0 <= percent <= 100:
            self.add_error(
                "percent",
                gettext("完成百分比须在0–100之间 (the percent complete must lie within 0–100)"),
            )
        elif percent is not None and status == TaskStatus.COMPLETED and percent != 100:
            self.add_error(
                "percent",
                gettext(
                    "状态为已完成时，完成百分比须为100或留空 "
                    "(a completed task is 100% done: give 100 or leave it blank)"
                ),
            )
        return cleaned


@admin.register(TaskUpdate)
class TaskUpdateAdmin(EntryAdminMixin, ImportExportAdmin, SimpleHistoryAdmin):
    """Review status changes only through the approve / return actions, never in the form."""

    form = TaskUpdateForm

    province_field = "task__document__province"
    resource_classes = [TaskUpdateResource]
    list_display = (
        "task",
        "document_column",
        "as_of",
        "status",
        "percent",
        "reporting_department",
        "review_status",
        "reviewed_at",
    )
    list_filter = (
        "task__document__province",
        ("task__document", DocumentListFilter),
        "status",
        "review_status",
        ("reporting_department", DepartmentListFilter),
        "is_demo",
    )
    list_select_related = ("task__document__province", "reporting_department")
    search_fields = ("task__title", "task__number", "narrative", "note")
    autocomplete_fields = ("task", "reporter")
    readonly_fields = (
        "review_status",
        "reviewed_at",
        "reviewed_by",
        "review_comment",
        "submitted_at",
        "last_modified_by",
        "supersedes",
        "correction_reason",
        "created_at",
        "updated_at",
    )
    date_hierarchy = "as_of"
    actions = ("approve", "return_to_reporter")

    @admin.display(description=_("文件"), ordering="task__document")
    def document_column(self, update: TaskUpdate) -> str:
        return document_label(update.task.document)

    @admin.action(description=_("审核通过"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[TaskUpdate]) -> None:
        from tasks.services import approve_task_updates  # here, so the admin loads without it

        report_review(
            self,
            request,
            approve_task_updates,
            updates=queryset,
            done=gettext("已审核通过{count}条任务进展"),
        )

    @admin.action(description=_("退回"), permissions=["change"])
    def return_to_reporter(self, request: HttpRequest, queryset):
        from tasks.services import return_task_updates

        reason = ask_return_reason(self, request, queryset)
        if not isinstance(reason, str):
            return reason
        report_review(
            self,
            request,
            return_task_updates,
            updates=queryset,
            reason=reason,
            done=gettext("已退回{count}条任务进展"),
        )
        return None
