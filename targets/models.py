"""Indicators, their targets, the progress reported against them and what the engine computed."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from provinces.models import Department, PolicyDocument, ReviewedEntry, ReviewStatus, Section
from tasks.models import Column, Task


class IndicatorCategory(models.Model):
    """Lines comparable indicators of different provinces up (强检覆盖率, 产业计量测试中心 …)."""

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    note = models.TextField(_("口径说明"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("指标类别")
        verbose_name_plural = pgettext_lazy("plural", "指标类别")

    def __str__(self) -> str:
        return self.name


class MeasureKind(models.TextChoices):
    LEVEL = "level", _("存量/比率")
    CUMULATIVE = "cumulative", _("累计新增")
    MILESTONE = "milestone", _("里程碑")


class Direction(models.TextChoices):
    UP = "up", _("越高越好")
    DOWN = "down", _("越低越好")


class Attribute(models.TextChoices):
    EXPECTED = "预期性", _("预期性")
    BINDING = "约束性", _("约束性")
    UNSPECIFIED = "", _("未注明")


class Indicator(models.Model):
    document = models.ForeignKey(
        PolicyDocument, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("文件")
    )
    code = models.SlugField(_("代码"), max_length=60)
    name = models.CharField(_("指标"), max_length=200)
    area = models.CharField(_("领域"), max_length=40, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    attribute = models.CharField(
        _("属性"), max_length=8, choices=Attribute.choices, blank=True, default=""
    )
    direction = models.CharField(
        _("方向"), max_length=4, choices=Direction.choices, default=Direction.UP
    )
    measure_kind = models.CharField(_("测度类型"), max_length=12, choices=MeasureKind.choices)
    baseline_year = models.PositiveSmallIntegerField(_("基期年"), null=True, blank=True)
    baseline_value = models.DecimalField(
        _("基期值"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    baseline_quote = models.TextField(_("基期原文"), blank=True)
    category = models.ForeignKey(
        IndicatorCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("类别"),
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("章节"),
    )
    task = models.ForeignKey(
        Task,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("所在任务"),
    )
    column = models.ForeignKey(
        Column,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("专栏"),
    )
    quote = models.TextField(_("原文摘录"))
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["document", "sort_order"]
        verbose_name = _("指标")
        verbose_name_plural = pgettext_lazy("plural", "指标")
        constraints = [
            models.UniqueConstraint(fields=["document", "code"], name="indicator_unique_code"),
            models.CheckConstraint(
                condition=Q(measure_kind__in=MeasureKind.values), name="indicator_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="indicator_direction_valid"
            ),
            models.CheckConstraint(
                condition=~Q(measure_kind=MeasureKind.MILESTONE) | Q(baseline_value__isnull=True),
                name="indicator_milestone_has_no_baseline_value",
            ),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True) | Q(baseline_year__isnull=False),
                name="indicator_baseline_value_has_year",
            ),
            models.CheckConstraint(
                condition=~Q(unit="%")
                | Q(baseline_value__isnull=True)
                | Q(baseline_value__gte=0, baseline_value__lte=100),
                name="indicator_percentage_baseline_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.unit})" if self.unit else self.name

    @property
    def is_percentage(self) -> bool:
        return self.unit == "%"

    @property
    def is_milestone(self) -> bool:
        return self.measure_kind == MeasureKind.MILESTONE


class Comparator(models.TextChoices):
    GTE = "gte", _("不低于(以上)")
    APPROX = "approx", _("左右")
    EQ = "eq", _("等于")
    LTE = "lte", _("不高于(以下)")
    RANGE = "range", _("区间")
    DONE = "done", _("完成")


def plain_number(value: Decimal) -> str:
    """A stored Decimal as printed in the document: 95.0000 → 95, 0.5000 → 0.5."""
    return format(value.normalize(), "f")


COMPARATOR_SYMBOLS = {"gte": "≥", "approx": "≈", "eq": "=", "lte": "≤", "range": "∈", "done": "✓"}


class Target(models.Model):
    """A value an indicator should reach by a year; a range keeps its lower bound apart."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("指标")
    )
    year = models.PositiveSmallIntegerField(_("目标年"))
    value = models.DecimalField(_("目标值"), max_digits=14, decimal_places=4, null=True, blank=True)
    comparator = models.CharField(_("比较方式"), max_length=8, choices=Comparator.choices)
    lower_bound = models.DecimalField(
        _("区间下限"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    # Copied from the indicator's unit so the database itself can bound percentages.
    is_percentage = models.BooleanField(_("百分比"), default=False, editable=False)
    quote = models.TextField(_("原文摘录"))
    # Other sentences that state the same target (a goal repeated inside a task), each exact.
    restated_quotes = models.JSONField(_("其他表述"), default=list, blank=True)

    class Meta:
        ordering = ["indicator", "year"]
        verbose_name = _("目标值")
        verbose_name_plural = pgettext_lazy("plural", "目标值")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="target_one_per_year"),
            models.CheckConstraint(
                condition=Q(comparator__in=Comparator.values), name="target_comparator_valid"
            ),
            models.CheckConstraint(
                condition=(Q(comparator="done") & Q(value__isnull=True))
                | (~Q(comparator="done") & Q(value__isnull=False)),
                name="target_value_unless_milestone",
            ),
            models.CheckConstraint(
                condition=(
                    Q(comparator="range")
                    & Q(lower_bound__isnull=False)
                    & Q(lower_bound__lte=F("value"))
                )
                | (~Q(comparator="range") & Q(lower_bound__isnull=True)),
                name="target_range_has_ordered_bounds",
            ),
            models.CheckConstraint(
                condition=Q(is_percentage=False)
                | Q(value__isnull=True)
                | Q(value__gte=0, value__lte=100),
                name="target_percentage_range",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1990, year__lte=2100), name="target_year_plausible"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.year}: {self.display_value}"

    def save(self, *args, **kwargs) -> None:
        self.is_percentage = self.indicator.is_percentage
        super().save(*args, **kwargs)

    @property
    def display_value(self) -> str:
        if self.comparator == Comparator.DONE:
            return gettext("完成")
        unit = self.indicator.unit
        if self.comparator == Comparator.RANGE:
            return f"{plain_number(self.lower_bound)}—{plain_number(self.value)}{unit}"
        return f"{COMPARATOR_SYMBOLS[self.comparator]}{plain_number(self.value)}{unit}"


class ReportSource(models.TextChoices):
    MANUAL = "manual", _("手工填报")
    IMPORT = "import", _("批量导入")
    DOCUMENT = "document", _("文件载明")
    DEMO = "demo", _("示例数据")


class ProgressReport(ReviewedEntry):
    """An indicator's value as of a date. Only approved reports count towards progress."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="reports", verbose_name=_("指标")
    )
    as_of = models.DateField(_("截至日期"))
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=4, null=True, blank=True)
    done = models.BooleanField(_("已完成"), null=True, blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to="evidence/reports/%Y/", blank=True)
    evidence_quote = models.TextField(_("佐证原文"), blank=True)
    evidence_document = models.ForeignKey(
        PolicyDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stated_reports",
        verbose_name=_("载明文件"),
    )
    note = models.TextField(_("备注"), blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="progress_reports",
        verbose_name=_("填报人"),
    )
    reporting_department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="progress_reports",
        verbose_name=_("填报单位"),
    )
    source = models.CharField(
        _("来源"), max_length=10, choices=ReportSource.choices, default=ReportSource.MANUAL
    )
    is_demo = models.BooleanField(_("示例数据"), default=False, db_index=True)
    # Copied from the indicator so the database can require a value and bound percentages.
    is_percentage = models.BooleanField(default=False, editable=False)
    is_milestone = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["indicator", "-as_of", "-reviewed_at"]
        verbose_name = _("进展填报")
        verbose_name_plural = pgettext_lazy("plural", "进展填报")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_milestone=True) | Q(value__isnull=False),
                name="report_value_unless_milestone",
            ),
            models.CheckConstraint(
                condition=Q(is_milestone=False) | Q(done__isnull=False),
                name="report_milestone_states_done",
            ),
            models.CheckConstraint(
                condition=Q(is_percentage=False)
                | Q(value__isnull=True)
                | Q(value__gte=0, value__lte=100),
                name="report_percentage_range",
            ),
            models.CheckConstraint(
                condition=Q(review_status__in=ReviewStatus.values),
                name="report_review_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(review_status=ReviewStatus.APPROVED) | Q(reviewed_at__isnull=False),
                name="report_approved_has_time",
            ),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(correction_reason=""),
                name="report_correction_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(supersedes=F("id")), name="report_does_not_supersede_itself"
            ),
        ]
        indexes = [models.Index(fields=["indicator", "review_status", "as_of"])]

    def __str__(self) -> str:
        return f"{self.indicator.name} · {self.as_of} · {self.value}"

    def save(self, *args, **kwargs) -> None:
        self.is_percentage = self.indicator.is_percentage
        self.is_milestone = self.indicator.is_milestone
        super().save(*args, **kwargs)


class ProgressRun(models.Model):
    """One recomputation as of a date: STARTED until its results are all written, then DONE."""

    class Status(models.TextChoices):
        STARTED = "started", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    as_of = models.DateField(_("测算基准日"))
    scope = models.CharField(_("范围"), max_length=60, default="all")
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.STARTED
    )
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    targets_count = models.PositiveIntegerField(_("目标数"), default=0)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("测算批次")
        verbose_name_plural = pgettext_lazy("plural", "测算批次")

    def __str__(self) -> str:
        return f"{self.as_of} {self.scope} {self.get_status_display()}"


class ProgressResult(models.Model):
    """What the progress method computed for a target as of a date; kept to chart its history."""

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="results", verbose_name=_("目标")
    )
    as_of = models.DateField(_("测算基准日"))
    computed_at = models.DateTimeField(_("测算时间"))
    latest_value = models.FloatField(_("最新值"), null=True, blank=True)
    latest_date = models.DateField(_("最新值日期"), null=True, blank=True)
    baseline_value = models.FloatField(_("基期值"), null=True, blank=True)
    baseline_date = models.DateField(_("基期日期"), null=True, blank=True)
    baseline_source = models.CharField(_("基期来源"), max_length=20, blank=True)
    achieved = models.BooleanField(_("已达成"), null=True, blank=True)
    completion = models.FloatField(_("完成进度"), null=True, blank=True)
    completion_display = models.FloatField(_("完成进度(显示)"), null=True, blank=True)
    time_elapsed = models.FloatField(_("时间进度"), null=True, blank=True)
    pace_status = models.CharField(_("进度状态"), max_length=20)
    outlook = models.CharField(_("趋势研判"), max_length=20, blank=True)
    outlook_ratio = models.FloatField(_("趋势比值"), null=True, blank=True)
    projection = models.FloatField(_("目标年预测值"), null=True, blank=True)
    method = models.CharField(_("预测方法"), max_length=20, blank=True)
    n_points = models.PositiveSmallIntegerField(_("数据点数"), default=0)
    score = models.FloatField(_("得分"), null=True, blank=True)
    inputs = models.JSONField(_("测算输入"), default=dict, blank=True)

    class Meta:
        ordering = ["target", "-as_of"]
        verbose_name = _("测算结果")
        verbose_name_plural = pgettext_lazy("plural", "测算结果")
        constraints = [
            models.UniqueConstraint(fields=["target", "as_of"], name="result_one_per_target_date"),
        ]
        indexes = [models.Index(fields=["as_of", "pace_status"])]

    def __str__(self) -> str:
        return f"{self.target} @ {self.as_of}: {self.pace_status}"
