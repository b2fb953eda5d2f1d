"""Excel/CSV import and export for key tasks, their assignments, 专栏 and progress updates.

Rows name their task by document slug, section key (``task_section``) and number as printed,
since 江苏 and 山东 restart (一)(二)… in every part. See ``provinces.resources`` for the rules.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_noop
from import_export import fields

from provinces.resources import (
    BaseResource,
    DateTimeWidget,
    LookupWidget,
    department_widget,
    document_widget,
    key_field,
    section_widget,
)
from tasks.models import Assignment, Column, ColumnItem, Task, TaskUpdate


def task_widget() -> LookupWidget:
    """A task by number, within the section ``task_section`` of the row's document."""
    return LookupWidget(
        Task,
        "number",
        scope={"document__slug": "document", "section__key": "task_section"},
        not_found=gettext_noop(
            "文件“{document}”章节“{task_section}”中没有序号为“{value}”的任务 "
            "(no task numbered “{value}” in section “{task_section}” of document “{document}”)"
        ),
    )


def column_widget() -> LookupWidget:
    """A 专栏 by number, within the row's document."""
    return LookupWidget(
        Column,
        "number",
        scope={"document__slug": "document"},
        not_found=gettext_noop(
            "文件“{document}”中没有专栏{value} (no 专栏 number “{value}” in document “{document}”)"
        ),
    )


def user_widget() -> LookupWidget:
    return LookupWidget(
        get_user_model(),
        "username",
        not_found=gettext_noop("用户“{value}”不存在 (no user named “{value}”)"),
    )


class TaskResource(BaseResource):
    natural_key = ("section", "number")
    id_scope = ("document",)
    export_select_related = ("document", "section")

    document = fields.Field(attribute="document", column_name="document", widget=document_widget())
    section = fields.Field(attribute="section", column_name="section", widget=section_widget())

    class Meta:
        model = Task
        fields = (
            "id",
            "document",
            "section",
            "number",
            "title",
            "text",
            "quote",
            "departments_quote",
            "sort_order",
        )


class AssignmentResource(BaseResource):
    """Who carries a task: one row per task and department, with its role (lead / support)."""

    natural_key = ("task", "department")
    id_scope = ("task",)
    export_select_related = ("task__document", "task__section", "department")

    document = key_field("task__document__slug", column_name="document")
    task_section = key_field("task__section__key", column_name="task_section")
    task = fields.Field(attribute="task", column_name="task", widget=task_widget())
    department = fields.Field(
        attribute="department", column_name="department", widget=department_widget()
    )

    class Meta:
        model = Assignment
        fields = ("id", "document", "task_section", "task", "department", "role", "sort_order")


class ColumnResource(BaseResource):
    natural_key = ("document", "number")
    id_scope = ("document",)
    export_select_related = ("document", "task__section")

    document = fields.Field(attribute="document", column_name="document", widget=document_widget())
    task_section = key_field("task__section__key", column_name="task_section")
    task = fields.Field(attribute="task", column_name="task", widget=task_widget())

    class Meta:
        model = Column
        fields = ("id", "document", "number", "title", "task_section", "task", "quote")


class ColumnItemResource(BaseResource):
    natural_key = ("column", "sort_order")
    id_scope = ("column",)
    export_select_related = ("column__document",)

    document = key_field("column__document__slug", column_name="document")
    column = fields.Field(attribute="column", column_name="column", widget=column_widget())

    class Meta:
        model = ColumnItem
        fields = ("id", "document", "column", "number", "title", "text", "quote", "sort_order")


class TaskUpdateResource(BaseResource):
    """Task progress. Updates have no natural key: a row is matched by ``id`` within its task,
    so a sheet re-imported after the rows were deleted creates them afresh (once)."""

    id_scope = ("task",)
    export_select_related = ("task__document", "task__section", "reporting_department", "reporter")

    document = key_field("task__document__slug", column_name="document")
    task_section = key_field("task__section__key", column_name="task_section")
    task = fields.Field(attribute="task", column_name="task", widget=task_widget())
    reporting_department = fields.Field(
        attribute="reporting_department",
        column_name="reporting_department",
        widget=department_widget(),
    )
    reporter = fields.Field(attribute="reporter", column_name="reporter", widget=user_widget())
    created_at = fields.Field(
        attribute="created_at", column_name="created_at", readonly=True, widget=DateTimeWidget()
    )
    updated_at = fields.Field(
        attribute="updated_at", column_name="updated_at", readonly=True, widget=DateTimeWidget()
    )

    class Meta:
        model = TaskUpdate
        fields = (
            "id",
            "document",
            "task_section",
            "task",
            "as_of",
            "status",
            "percent",
            "narrative",
            "reporting_department",
            "evidence",
            "note",
            "reporter",
            "review_status",
            "reviewed_at",
            "is_demo",
            "created_at",
            "updated_at",
        )
