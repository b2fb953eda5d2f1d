"""Key tasks (重点任务), who carries them, the 专栏 boxes that follow them, and their progress."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from provinces.models import Department, PolicyDocument, ReviewedEntry, ReviewStatus, Section
from tasks.numbering import part_of, task_label


class Task(models.Model):
    document = models.ForeignKey(
        PolicyDocument, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("文件")
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("章节")
    )
    number = models.CharField(_("序号"), max_length=20, help_text=_("按原文，如“1”或“(三)”"))
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("正文"), blank=True)
    quote = models.TextField(_("原文摘录"))
    departments_quote = models.TextField(_("责任单位原文"), blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    responsible_departments = models.ManyToManyField(
        Department, through="Assignment", related_name="tasks", verbose_name=_("责任单位")
    )

    class Meta:
        ordering = ["document", "sort_order"]
        verbose_name = _("重点任务")
        verbose_name_plural = pgettext_lazy("plural", "重点任务")
        constraints = [
            # 江苏 and 山东 restart (一)(二)… in every part: unique within the section only.
            models.UniqueConstraint(fields=["section", "number"], name="task_unique_number"),
        ]

    def __str__(self) -> str:
        """ "三(一) 服务先进制造业" when the section is loaded (admin lists and searches load it):
        (一) alone names a task in every part of 江苏's and 山东's plans."""
        section = self._state.fields_cache.get("section")
        if section is None:
            return f"{self.number} {self.title}"
        parent = section._state.fields_cache.get("parent")
        part = part_of(section.number, parent.number if parent is not None else None)
        if parent is None and section.parent_id is not None:
            part = ""  # the part is not loaded: do not guess it from the subsection
        return f"{task_label(self.number, part)} {self.title}"


class Role(models.TextChoices):
    LEAD = "lead", _("牵头")
    SUPPORT = "support", _("配合")
    RESPONSIBLE = "responsible", _("责任单位")  # listed without lead/support, as 山西 prints it


class Assignment(models.Model):
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("任务")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("单位")
    )
    role = models.CharField(_("角色"), max_length=12, choices=Role.choices)
    sort_order = models.PositiveSmallIntegerField(_("列出顺序"), default=0)

    class Meta:
        ordering = ["task", "sort_order"]
        verbose_name = _("任务分工")
        verbose_name_plural = pgettext_lazy("plural", "任务分工")
        constraints = [
            models.UniqueConstraint(fields=["task", "department"], name="assignment_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="assignment_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.get_role_display()}"


class Column(models.Model):
    """A numbered box (专栏) after a task; 专栏1 of the 山西 documents is the indicator table."""

    document = models.ForeignKey(
        PolicyDocument, on_delete=models.CASCADE, related_name="columns", verbose_name=_("文件")
    )
    task = models.ForeignKey(
        Task,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="columns",
        verbose_name=_("所附任务"),
    )
    number = models.PositiveSmallIntegerField(_("专栏号"))
    title = models.CharField(_("标题"), max_length=200)
    quote = models.TextField(_("原文摘录"))

    class Meta:
        ordering = ["document", "number"]
        verbose_name = _("专栏")
        verbose_name_plural = pgettext_lazy("plural", "专栏")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="column_unique_number"),
        ]

    def __str__(self) -> str:
        return gettext("专栏%(number)s %(title)s") % {"number": self.number, "title": self.title}


class ColumnItem(models.Model):
    column = models.ForeignKey(
        Column, on_delete=models.CASCADE, related_name="items", verbose_name=_("专栏")
    )
    number = models.CharField(_("序号"), max_length=20, blank=True)
    title = models.CharField(_("标题"), max_length=300)
    text = models.TextField(_("正文"), blank=True)
    quote = models.TextField(_("原文摘录"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["column", "sort_order"]
        verbose_name = _("专栏条目")
        verbose_name_plural = pgettext_lazy("plural", "专栏条目")
        constraints = [
            models.UniqueConstraint(fields=["column", "sort_order"], name="column_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    IN_PROGRESS = "in_progress", _("推进中")
    COMPLETED = "completed", _("已完成")
    DELAYED = "delayed", pgettext_lazy("task status", "滞后")
    SUSPENDED = "suspended", _("暂停")


class TaskUpdate(ReviewedEntry):
    """A task's status as of a date, reported by a department and reviewed before it counts."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="updates", verbose_name=_("任务")
    )
    as_of = models.DateField(_("截至日期"))
    status = models.CharField(_("状态"), max_length=12, choices=TaskStatus.choices)
    percent = models.PositiveSmallIntegerField(_("完成百分比"), null=True, blank=True)
    narrative = models.TextField(_("进展说明"), blank=True)
    reporting_department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="task_updates",
        verbose_name=_("填报单位"),
    )
    evidence = models.FileField(_("佐证材料"), upload_to="evidence/tasks/%Y/", blank=True)
    note = models.TextField(_("备注"), blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="task_updates",
        verbose_name=_("填报人"),
    )
    is_demo = models.BooleanField(_("示例数据"), default=False, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["task", "-as_of", "-reviewed_at"]
        verbose_name = _("任务进展")
        verbose_name_plural = pgettext_lazy("plural", "任务进展")
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gte=0, percent__lte=100),
                name="task_update_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TaskStatus.values), name="task_update_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(review_status__in=ReviewStatus.values),
                name="task_update_review_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=TaskStatus.COMPLETED)
                | Q(percent__isnull=True)
                | Q(percent=100),
                name="task_update_completed_is_100",
            ),
            models.CheckConstraint(
                condition=~Q(review_status=ReviewStatus.APPROVED) | Q(reviewed_at__isnull=False),
                name="task_update_approved_has_time",
            ),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(correction_reason=""),
                name="task_update_correction_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(supersedes=F("id")), name="task_update_does_not_supersede_itself"
            ),
        ]
        indexes = [models.Index(fields=["task", "review_status", "as_of"])]

    def __str__(self) -> str:
        return f"{self.task} · {self.as_of} · {self.get_status_display()}"
