"""Assessments (评估): a document's results frozen as of a date, rated, concluded, published.

An assessment is one version of an evaluation round (document, kind, as-of date). Creating it
copies every target's computed result and every task's latest approved update into its own
rows, so later reports never change it. Once published nothing in it changes: the service
refuses, ``save()``/``delete()`` refuse, the admin is read-only, and database triggers
(migration 0002) refuse what bypasses the ORM (``QuerySet.update``, raw SQL). A correction is a
new version that names the one it supersedes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from provinces.models import PolicyDocument
from targets.models import Indicator, Target
from tasks.models import Task


class AssessmentKind(models.TextChoices):
    MID_TERM = "mid_term", _("中期评估")
    FINAL = "final", _("总结评估")
    SPECIAL = "special", _("专项评估")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("起草中")
    IN_REVIEW = "in_review", _("审议中")
    PUBLISHED = "published", _("已发布")


class TargetRating(models.TextChoices):
    ACHIEVED = "achieved", _("达成")
    BASICALLY_ACHIEVED = "basically_achieved", _("基本达成")
    MISSED = "missed", pgettext_lazy("rating", "未达成")
    CANNOT_ASSESS = "cannot_assess", pgettext_lazy("rating", "无法评估")


class TaskRating(models.TextChoices):
    COMPLETED = "completed", _("完成")
    BASICALLY_COMPLETED = "basically_completed", _("基本完成")
    IN_PROGRESS = "in_progress", pgettext_lazy("rating", "推进中")
    DELAYED = "delayed", pgettext_lazy("rating", "滞后")
    NOT_STARTED = "not_started", pgettext_lazy("rating", "未启动")


class OverallRating(models.TextChoices):
    GOOD = "good", _("好")
    FAIRLY_GOOD = "fairly_good", _("较好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("较差")


def published_refusal() -> str:
    return gettext(
        "评估已发布，不能再修改；如需更正，请重新冻结生成新版本 "
        "(the assessment is published and cannot change; re-freeze it to make a corrected version)"
    )


class Assessment(models.Model):
    """One version of an evaluation round of a document as of a date."""

    document = models.ForeignKey(
        PolicyDocument,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("文件"),
    )
    kind = models.CharField(_("评估类型"), max_length=12, choices=AssessmentKind.choices)
    as_of = models.DateField(_("评估基准日"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("替代的版本"),
    )
    version_reason = models.TextField(_("新版本说明"), blank=True)
    title = models.CharField(_("标题"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    evaluators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="assessments_evaluated",
        blank=True,
        verbose_name=_("评估员"),
    )
    frozen_at = models.DateTimeField(_("冻结时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments_created",
        verbose_name=_("创建人"),
    )
    submitted_at = models.DateTimeField(_("提交审议时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments_published",
        verbose_name=_("发布人"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    overall_rating = models.CharField(
        _("总体评价"), max_length=12, choices=OverallRating.choices, blank=True
    )
    achievements = models.TextField(_("主要成效"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    recommendations = models.TextField(_("下一步建议"), blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["document__province__sort_order", "document__period_start", "-as_of", "kind"]
        verbose_name = _("评估")
        verbose_name_plural = pgettext_lazy("plural", "评估")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "kind", "as_of", "version"], name="assessment_unique_version"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AssessmentKind.values), name="assessment_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AssessmentStatus.values), name="assessment_status_valid"
            ),
            models.CheckConstraint(
                condition=(Q(version=1) & Q(supersedes__isnull=True))
                | (Q(version__gt=1) & Q(supersedes__isnull=False)),
                name="assessment_version_states_predecessor",
            ),
            models.CheckConstraint(
                condition=~Q(status=AssessmentStatus.PUBLISHED)
                | (Q(published_by__isnull=False) & Q(published_at__isnull=False)),
                name="assessment_published_says_by_whom",
            ),
            models.CheckConstraint(
                condition=Q(overall_rating="") | Q(overall_rating__in=OverallRating.values),
                name="assessment_overall_rating_valid",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.document.province.name} {self.get_kind_display()} {self.as_of} v{self.version}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The stored row decides, not this instance: a stale copy cannot unpublish it.
        stored = Assessment.objects.filter(pk=self.pk, status=AssessmentStatus.PUBLISHED)
        if self.pk is not None and stored.exists():
            raise ValidationError(published_refusal())
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        stored = Assessment.objects.filter(pk=self.pk, status=AssessmentStatus.PUBLISHED)
        if stored.filter(is_demo=False).exists():
            raise ValidationError(published_refusal())
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == AssessmentStatus.PUBLISHED

    @property
    def heading(self) -> str:
        return self.title or (
            f"{self.document.province.name}{self.document.title}{self.get_kind_display()}"
        )


class _FrozenRow(models.Model):
    """A row of an assessment: changes only while its assessment is not published. The
    evaluator's judgement besides the rating itself (whose choices differ) is the same for
    targets and tasks."""

    rating_reason = models.TextField(_("调整理由"), blank=True)
    comment = models.TextField(_("评估意见"), blank=True)
    carry_over = models.BooleanField(_("结转下一阶段"), default=False)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评价人"),
    )
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._guard()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self._guard()
        return super().delete(*args, **kwargs)

    def _guard(self) -> None:
        status = Assessment.objects.filter(pk=self.assessment_id).values_list("status", flat=True)
        if status.first() == AssessmentStatus.PUBLISHED:
            raise ValidationError(published_refusal())


def _rating_constraints(prefix: str, choices: type[models.TextChoices]) -> list[Any]:
    return [
        models.CheckConstraint(
            condition=Q(rating="") | Q(rating__in=choices.values), name=f"{prefix}_rating_valid"
        ),
        models.CheckConstraint(
            condition=Q(proposed_rating__in=choices.values), name=f"{prefix}_proposal_valid"
        ),
        # A change from the engine's proposal states why.
        models.CheckConstraint(
            condition=Q(rating="") | Q(rating=F("proposed_rating")) | ~Q(rating_reason=""),
            name=f"{prefix}_change_has_reason",
        ),
    ]


class AssessmentTarget(_FrozenRow):
    """A target's result as of the assessment's date, copied, with the evaluator's rating.

    The references to the target, indicator and report are kept without a database constraint:
    the row must read the same even if the catalogue or a report later changes or goes.
    """

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="target_rows", verbose_name=_("评估")
    )
    target = models.ForeignKey(
        Target,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("目标"),
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("指标"),
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    # The catalogue as it stood.
    indicator_name = models.CharField(_("指标"), max_length=200)
    area = models.CharField(_("领域"), max_length=40, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    measure_kind = models.CharField(_("测度类型"), max_length=12)
    attribute = models.CharField(_("属性"), max_length=8, blank=True)
    target_year = models.PositiveSmallIntegerField(_("目标年"))
    target_value = models.FloatField(_("目标值"), null=True, blank=True)
    target_display = models.CharField(_("目标"), max_length=60)
    comparator = models.CharField(_("比较方式"), max_length=8)
    # What the engine computed as of the date.
    baseline_value = models.FloatField(_("基期值"), null=True, blank=True)
    baseline_date = models.DateField(_("基期日期"), null=True, blank=True)
    baseline_source = models.CharField(_("基期来源"), max_length=20, blank=True)
    value = models.FloatField(_("评估值"), null=True, blank=True)
    value_date = models.DateField(_("评估值日期"), null=True, blank=True)
    value_done = models.BooleanField(_("已完成"), null=True, blank=True)
    report_id = models.PositiveBigIntegerField(_("所用填报"), null=True, blank=True)
    report_evidence = models.TextField(_("佐证"), blank=True)
    report_evidence_file = models.CharField(_("佐证材料"), max_length=255, blank=True)
    report_approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
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
    # The evaluator's judgement.
    proposed_rating = models.CharField(_("建议评价"), max_length=20, choices=TargetRating.choices)
    rating = models.CharField(_("评价"), max_length=20, choices=TargetRating.choices, blank=True)

    class Meta:
        ordering = ["assessment", "sort_order", "id"]
        verbose_name = _("评估目标")
        verbose_name_plural = pgettext_lazy("plural", "评估目标")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "target"], name="assessment_target_unique"
            ),
            *_rating_constraints("assessment_target", TargetRating),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_name} {self.target_year}: {self.target_display}"


class AssessmentTask(_FrozenRow):
    """A task's latest approved update as of the assessment's date, copied, with its rating."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="task_rows", verbose_name=_("评估")
    )
    task = models.ForeignKey(
        Task,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("任务"),
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    part = models.CharField(_("部分"), max_length=220, blank=True)
    task_number = models.CharField(_("序号"), max_length=20)
    task_title = models.CharField(_("任务"), max_length=200)
    # [{"name": "省市场监管局", "role": "lead"}, …] as assigned when frozen.
    departments = models.JSONField(_("责任单位"), default=list, blank=True)
    update_id = models.PositiveBigIntegerField(_("所用进展"), null=True, blank=True)
    update_status = models.CharField(_("进展状态"), max_length=12, blank=True)
    update_percent = models.PositiveSmallIntegerField(_("完成百分比"), null=True, blank=True)
    update_as_of = models.DateField(_("进展日期"), null=True, blank=True)
    update_narrative = models.TextField(_("进展说明"), blank=True)
    update_department = models.CharField(_("填报单位"), max_length=100, blank=True)
    update_approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    proposed_rating = models.CharField(_("建议评价"), max_length=20, choices=TaskRating.choices)
    rating = models.CharField(_("评价"), max_length=20, choices=TaskRating.choices, blank=True)

    class Meta:
        ordering = ["assessment", "sort_order", "id"]
        verbose_name = _("评估任务")
        verbose_name_plural = pgettext_lazy("plural", "评估任务")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "task"], name="assessment_task_unique"),
            *_rating_constraints("assessment_task", TaskRating),
        ]

    def __str__(self) -> str:
        return f"{self.task_number} {self.task_title}"

    @property
    def department_names(self) -> str:
        return "、".join(d["name"] for d in self.departments)
