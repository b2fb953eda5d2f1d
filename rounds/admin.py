"""Rounds in the admin, scoped through ``provinces.access`` like every other admin page: a
province admin sees, creates and changes its own unit's rounds only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from provinces import access
from provinces.models import Department, PolicyDocument
from rounds.models import Reminder, ReportingRound, RoundSchedule
from targets.models import Indicator
from tasks.models import Task


class ScopedAdmin(admin.ModelAdmin):
    province_field = "document__province"

    def get_queryset(self, request: HttpRequest):
        return access.scope(super().get_queryset(request), request.user, self.province_field)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = {
            "document": (PolicyDocument.objects.all(), "province"),
            "coordinating_department": (Department.objects.all(), "province"),
        }
        if db_field.name in choices:
            queryset, field = choices[db_field.name]
            kwargs["queryset"] = access.scope(queryset, request.user, field)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        choices = {"indicators": Indicator.objects.all(), "tasks": Task.objects.all()}
        if db_field.name in choices:
            kwargs["queryset"] = access.scope(
                choices[db_field.name].select_related("document"),
                request.user,
                "document__province",
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _may(self, request: HttpRequest, obj) -> bool:
        if obj is None:
            return True
        return access.can_manage(request.user, obj.document.province_id)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may(request, obj)


@admin.register(ReportingRound)
class ReportingRoundAdmin(ScopedAdmin):
    list_display = ("__str__", "document", "period_kind", "opens_on", "deadline", "status")
    list_filter = ("status", "period_kind")
    search_fields = ("document__title", "document__slug")
    filter_horizontal = ("indicators", "tasks")
    readonly_fields = ("period_start", "as_of", "opened_by", "created_at")
    list_select_related = ("document__province",)

    def save_model(self, request, obj, form, change):
        if not change and obj.opened_by_id is None:
            obj.opened_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A new round asking for nothing asks for the document's open items, as opened ones do.
        obj = form.instance
        if not change and not obj.indicators.exists() and not obj.tasks.exists():
            from rounds.services import _open_items

            indicators, tasks = _open_items(obj.document, obj.period)
            obj.indicators.set(indicators)
            obj.tasks.set(tasks)


@admin.register(RoundSchedule)
class RoundScheduleAdmin(ScopedAdmin):
    list_display = (
        "document",
        "period_kind",
        "opens_days_before_end",
        "deadline_days_after_end",
        "active",
    )


@admin.register(Reminder)
class ReminderAdmin(ScopedAdmin):
    """The record of what was sent: read only."""

    province_field = "user__profile__province"
    list_display = ("user", "round", "kind", "sent_on", "status", "items", "sent_at")
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in Reminder._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def _may(self, request, obj):
        return True
