"""Reporting rounds (填报周期): what a document asks for in a period, by when, and the
reminders sent about it.

A report or task update belongs to a round when it reports on one of the round's indicators or
tasks with an as-of date inside the round's period: derived, not stored, so entries made on any
page (the workbench, the admin, an import) count without each having to name a round.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from provinces.models import Department, PolicyDocument
from rounds import periods
from targets.models import Indicator
from tasks.models import Task

DEADLINE_BEFORE_OPENING = (
    "截止日期不能早于开始填报日期 (the deadline cannot precede the opening date)"
)


class PeriodKind(models.TextChoices):
    QUARTER = periods.QUARTER, _("季度")
    HALF = periods.HALF, _("半年")
    YEAR = periods.YEAR, _("年度")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("未开启")
    OPEN = "open", _("填报中")
    CLOSED = "closed", _("已结束")


class ReportingRound(models.Model):
    document = models.ForeignKey(
        PolicyDocument, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("文件")
    )
    period_kind = models.CharField(_("周期类型"), max_length=8, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("年份"))
    number = models.PositiveSmallIntegerField(_("序号"), help_text=_("季度1—4，半年1—2，年度1"))
    # Derived from the three fields above on save, stored so queries can compare dates.
    period_start = models.DateField(_("周期开始"), editable=False)
    as_of = models.DateField(_("截至日期"), editable=False, help_text=_("周期最后一天"))
    opens_on = models.DateField(_("开始填报日期"))
    deadline = models.DateField(_("截止日期"))
    status = models.CharField(
        _("状态"), max_length=8, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    indicators = models.ManyToManyField(
        Indicator, related_name="rounds", blank=True, verbose_name=_("应报指标")
    )
    tasks = models.ManyToManyField(
        Task, related_name="rounds", blank=True, verbose_name=_("应报任务")
    )
    # Who owes the items whose task names no unit (most indicators of the 专栏 tables).
    coordinating_department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coordinated_rounds",
        verbose_name=_("牵头汇总单位"),
        help_text=_("没有责任单位的指标和任务由该单位填报"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opened_rounds",
        verbose_name=_("开启人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["document__province__sort_order", "document", "-as_of"]
        verbose_name = _("填报周期")
        verbose_name_plural = pgettext_lazy("plural", "填报周期")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "period_kind", "year", "number"], name="round_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_kind__in=PeriodKind.values), name="round_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RoundStatus.values), name="round_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(opens_on__lte=F("deadline")), name="round_opens_before_deadline"
            ),
            models.CheckConstraint(
                condition=(Q(period_kind="quarter") & Q(number__gte=1, number__lte=4))
                | (Q(period_kind="half") & Q(number__gte=1, number__lte=2))
                | (Q(period_kind="year") & Q(number=1)),
                name="round_number_in_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document.province.name} {self.label}"

    def save(self, *args, **kwargs) -> None:
        period = self.period
        self.period_start, self.as_of = period.start, period.end
        super().save(*args, **kwargs)

    def clean(self) -> None:
        try:
            period = self.period
        except ValueError:
            raise ValidationError(
                {"number": "没有这个周期：季度填1—4，半年填1—2，年度填1 (no such period)"}
            ) from None
        document = getattr(self, "document", None)
        if document is not None and not document.period_start <= period.year <= document.period_end:
            raise ValidationError(
                {
                    "year": f"{period.year}年不在规划期{document.period_label}内 "
                    f"({period.year} lies outside the plan period)"
                }
            )
        if self.opens_on and self.deadline and self.deadline < self.opens_on:
            raise ValidationError({"deadline": DEADLINE_BEFORE_OPENING})

    @property
    def period(self) -> periods.Period:
        return periods.Period(self.period_kind, self.year, self.number)

    @property
    def label(self) -> str:
        """2026年第四季度, or Q4 2026 for a reader who chose English."""
        language = translation.get_language() or ""
        return self.period.label_en if language.startswith("en") else self.period.label

    @property
    def label_zh(self) -> str:
        return self.period.label

    @property
    def label_en(self) -> str:
        return self.period.label_en

    def is_overdue(self, today: dt.date) -> bool:
        return today > self.deadline


class RoundSchedule(models.Model):
    """How often a document collects progress; ``open_rounds`` makes its rounds from it."""

    document = models.OneToOneField(
        PolicyDocument,
        on_delete=models.CASCADE,
        related_name="round_schedule",
        verbose_name=_("文件"),
    )
    period_kind = models.CharField(_("周期类型"), max_length=8, choices=PeriodKind.choices)
    opens_days_before_end = models.PositiveSmallIntegerField(
        _("周期结束前几天开始填报"), default=15
    )
    deadline_days_after_end = models.PositiveSmallIntegerField(_("周期结束后几天截止"), default=15)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["document"]
        verbose_name = _("填报计划")
        verbose_name_plural = pgettext_lazy("plural", "填报计划")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_kind__in=PeriodKind.values), name="round_schedule_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} · {self.get_period_kind_display()}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("截止前提醒")
    OVERDUE = "overdue", _("逾期提醒")
    DIGEST = "digest", _("待审核汇总")


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Reminder(models.Model):
    """One reminder to one user, written BEFORE the mail is sent: the unique constraints make a
    second claim fail, so a restarted beat or a redelivered job cannot send the same one twice.

    A round's reminders (due soon, overdue) are one per user and round; the reviewers' digest
    is one per user and day.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("收件人"),
    )
    round = models.ForeignKey(
        ReportingRound,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("填报周期"),
    )
    kind = models.CharField(_("类型"), max_length=10, choices=ReminderKind.choices)
    sent_on = models.DateField(_("日期"))
    email = models.EmailField(_("邮箱"))
    status = models.CharField(
        _("状态"), max_length=8, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    items = models.PositiveIntegerField(_("事项数"), default=0)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("提醒记录")
        verbose_name_plural = pgettext_lazy("plural", "提醒记录")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "round", "kind"],
                condition=Q(round__isnull=False),
                name="reminder_one_per_round",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "sent_on"],
                condition=Q(round__isnull=True),
                name="reminder_one_digest_per_day",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReminderKind.values), name="reminder_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(round__isnull=True, kind="digest")
                | (Q(round__isnull=False) & ~Q(kind="digest")),
                name="reminder_round_unless_digest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} · {self.sent_on}"
