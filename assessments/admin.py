"""Admin for assessments: a read-only record, scoped like the pages.

Freezing, rating, concluding and publishing happen on the assessment pages through the
services; the admin shows what is stored. Only a draft's title and evaluators may be changed
here, and only a draft nothing supersedes may be deleted; a published assessment is read-only
down to its rows (the database refuses the rest anyway).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from assessments import selectors
from assessments.models import Assessment, AssessmentStatus, AssessmentTarget, AssessmentTask

EDITABLE_WHILE_DRAFT = ("title", "evaluators")


class _ReadOnlyRows(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AssessmentTargetInline(_ReadOnlyRows):
    model = AssessmentTarget
    fields = (
        "indicator_name",
        "target_year",
        "target_display",
        "baseline_value",
        "value",
        "value_date",
        "report_id",
        "completion",
        "time_elapsed",
        "pace_status",
        "proposed_rating",
        "rating",
        "rating_reason",
        "comment",
    )
    readonly_fields = fields


class AssessmentTaskInline(_ReadOnlyRows):
    model = AssessmentTask
    fields = (
        "task_number",
        "task_title",
        "update_status",
        "update_percent",
        "update_as_of",
        "proposed_rating",
        "rating",
        "rating_reason",
        "comment",
    )
    readonly_fields = fields


def _current_draft(obj: Assessment | None) -> bool:
    return (
        obj is not None
        and obj.status == AssessmentStatus.DRAFT
        and not Assessment.objects.filter(supersedes=obj).exists()
    )


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "document",
        "kind",
        "as_of",
        "version",
        "status",
        "published_by",
        "published_at",
    )
    list_filter = ("status", "kind", "document__province", "is_demo")
    search_fields = ("document__title", "title", "achievements", "problems", "recommendations")
    inlines = [AssessmentTargetInline, AssessmentTaskInline]
    filter_horizontal = ("evaluators",)
    fieldsets = (
        (None, {"fields": ("document", "kind", "as_of", "version", "supersedes", "title")}),
        (
            _("流程"),
            {
                "fields": (
                    "status",
                    "evaluators",
                    "created_by",
                    "frozen_at",
                    "submitted_at",
                    "published_by",
                    "published_at",
                    "version_reason",
                )
            },
        ),
        (
            _("评估结论"),
            {
                "fields": (
                    "overall_rating",
                    "achievements",
                    "problems",
                    "recommendations",
                    "is_demo",
                )
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assessment]:
        return selectors.visible_assessments(request.user).select_related(
            "document__province", "published_by"
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        every = [f for fields in (fs[1]["fields"] for fs in self.fieldsets) for f in fields]
        if _current_draft(obj):
            return [f for f in every if f not in EDITABLE_WHILE_DRAFT]
        return every

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # an assessment is created by freezing it, on the assessment pages

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return super().has_change_permission(request)
        return (
            _current_draft(obj)
            and selectors.is_evaluator(request.user, obj)
            and super().has_change_permission(request, obj)
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not selectors.can_view(request.user, obj):
            return False
        return super().has_view_permission(request, obj) or self.has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return False  # no bulk delete: each draft is deleted on its own page
        return (
            _current_draft(obj)
            and selectors.is_evaluator(request.user, obj)
            and super().has_delete_permission(request, obj)
        )

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "evaluators":
            from assessments.forms import eligible_evaluators

            kwargs["queryset"] = eligible_evaluators(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
