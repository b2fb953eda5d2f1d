"""Excel/CSV import and export for indicator categories, indicators, targets and computed results.

Progress reports export here and import through ``targets.progress_import`` (its own reading and
validation rules, one bulk write), never through import-export's row-by-row machinery; results
and runs are computed, so they export only. See ``provinces.resources`` for the shared rules.
"""

import copy
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop
from import_export import fields

from provinces.resources import (
    BaseResource,
    ExportOnlyResource,
    LookupWidget,
    document_widget,
    key_field,
    section_widget,
)
from targets.models import (
    Indicator,
    IndicatorCategory,
    ProgressReport,
    ProgressResult,
    ProgressRun,
    Target,
)
from tasks.resources import column_widget, task_widget


def _plain(number: Decimal | None) -> Decimal | None:
    """95.0000 → 95 and 95.5000 → 95.5 (but 900 stays 900, not 9E+2)."""
    if number is None:
        return None
    return (
        number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
    )


def readable_target(target: Target) -> str:
    """The target as printed (≥95%, 1—3个, 完成), without the column's four decimal places."""
    shown = copy.copy(target)
    shown.value, shown.lower_bound = _plain(target.value), _plain(target.lower_bound)
    try:
        return shown.display_value
    except (TypeError, ValueError, KeyError):  # a half-filled row in an import preview
        return ""


def category_widget() -> LookupWidget:
    return LookupWidget(
        IndicatorCategory,
        "code",
        not_found=gettext_noop("指标类别“{value}”不存在 (no indicator category “{value}”)"),
    )


def indicator_widget() -> LookupWidget:
    """An indicator by code, within the row's document."""
    return LookupWidget(
        Indicator,
        "code",
        scope={"document__slug": "document"},
        not_found=gettext_noop(
            "文件“{document}”中没有代码为“{value}”的指标 "
            "(no indicator with code “{value}” in document “{document}”)"
        ),
    )


class IndicatorCategoryResource(BaseResource):
    natural_key = ("code",)

    class Meta:
        model = IndicatorCategory
        fields = ("id", "code", "name", "note")


class IndicatorResource(BaseResource):
    natural_key = ("document", "code")
    id_scope = ("document",)
    export_select_related = ("document", "category", "section", "task__section", "column")

    document = fields.Field(attribute="document", column_name="document", widget=document_widget())
    category = fields.Field(attribute="category", column_name="category", widget=category_widget())
    section = fields.Field(attribute="section", column_name="section", widget=section_widget())
    task_section = key_field("task__section__key", column_name="task_section")
    task = fields.Field(attribute="task", column_name="task", widget=task_widget())
    column = fields.Field(attribute="column", column_name="column", widget=column_widget())

    class Meta:
        model = Indicator
        fields = (
            "id",
            "document",
            "code",
            "name",
            "area",
            "unit",
            "attribute",
            "direction",
            "measure_kind",
            "baseline_year",
            "baseline_value",
            "baseline_quote",
            "category",
            "section",
            "task_section",
            "task",
            "column",
            "quote",
            "sort_order",
        )


class TargetResource(BaseResource):
    """Targets by document slug, indicator code and year; ``display_value`` is for reading only."""

    natural_key = ("indicator", "year")
    id_scope = ("indicator",)
    export_select_related = ("indicator__document",)

    document = key_field("indicator__document__slug", column_name="document")
    indicator = fields.Field(
        attribute="indicator", column_name="indicator", widget=indicator_widget()
    )
    display_value = fields.Field(column_name="display_value", readonly=True)

    class Meta:
        model = Target
        fields = (
            "id",
            "document",
            "indicator",
            "year",
            "value",
            "comparator",
            "lower_bound",
            "display_value",
            "quote",
            "restated_quotes",
        )

    def dehydrate_display_value(self, target: Target) -> str:
        return readable_target(target)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # Target.save() copies the unit's percentage flag; copy it first so that full_clean()
        # checks target_percentage_range, and say in words what the constraint means.
        errors = dict(import_validation_errors or {})
        if instance.indicator_id is not None:
            instance.is_percentage = instance.indicator.is_percentage
            value = instance.value
            if instance.is_percentage and value is not None and not 0 <= value <= 100:
                errors.setdefault(
                    "value",
                    ValidationError(
                        gettext(
                            "百分比指标的目标值须在0–100之间，而不是{value} "
                            "(a percentage target must lie within 0–100, not {value})"
                        ).format(value=value)
                    ),
                )
        super().validate_instance(instance, errors, validate_unique)


class ProgressReportResource(ExportOnlyResource):
    """Reports as a sheet that ``import_progress`` reads back (its ``id`` is for reference only).

    ``province`` (a code) limits the export to that province's reports.
    """

    refusal = gettext_noop(
        "进展填报请用“导入进展填报”页面或 import_progress 命令导入 "
        "(import progress reports with the progress import page or the import_progress command)"
    )
    export_select_related = ("indicator__document__province", "reporting_department")

    province = key_field("indicator__document__province__code", column_name="province")
    document = key_field("indicator__document__slug", column_name="document")
    indicator = key_field("indicator__code", column_name="indicator")
    department = key_field("reporting_department__name", column_name="department")
    done = fields.Field(column_name="done", readonly=True)

    class Meta:
        model = ProgressReport
        fields = (
            "id",
            "province",
            "document",
            "indicator",
            "as_of",
            "value",
            "done",
            "note",
            "department",
            "review_status",
            "source",
        )
        export_order = fields

    def __init__(self, *, province: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.limit_province = province

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.limit_province:
            queryset = queryset.filter(indicator__document__province__code=self.limit_province)
        return queryset

    def dehydrate_done(self, report: ProgressReport) -> str:
        return {True: "是", False: "否"}.get(report.done, "")


class ProgressRunResource(ExportOnlyResource):
    class Meta:
        model = ProgressRun
        fields = (
            "id",
            "as_of",
            "scope",
            "status",
            "started_at",
            "finished_at",
            "targets_count",
            "error",
        )


class ProgressResultResource(ExportOnlyResource):
    export_select_related = ("target__indicator__document",)

    document = key_field("target__indicator__document__slug", column_name="document")
    indicator = key_field("target__indicator__code", column_name="indicator")
    indicator_name = key_field("target__indicator__name", column_name="indicator_name")
    target_year = key_field("target__year", column_name="target_year")

    class Meta:
        model = ProgressResult
        fields = (
            "id",
            "document",
            "indicator",
            "indicator_name",
            "target_year",
            "as_of",
            "computed_at",
            "latest_value",
            "latest_date",
            "baseline_value",
            "baseline_date",
            "baseline_source",
            "achieved",
            "completion",
            "completion_display",
            "time_elapsed",
            "pace_status",
            "outlook",
            "outlook_ratio",
            "projection",
            "method",
            "n_points",
            "score",
            "inputs",
        )
