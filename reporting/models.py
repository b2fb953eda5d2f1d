"""Evidence attached to submissions, and the audit trail of what staff enter and review.

The history models of reports, task updates, targets, indicators and assignments are
registered here (django-simple-history) rather than in their own apps, so that every audit
table and its migrations live in one place: who, when, the row before and after, and the
reason (``history_change_reason``). Nothing in the product deletes a history row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history import register

from targets.models import Indicator, ProgressReport, Target
from tasks.models import Assignment, TaskUpdate


class Evidence(models.Model):
    """A file or a link that backs a progress report or a task update (佐证材料).

    Files live under MEDIA_ROOT and are served only by ``reporting.views.evidence_file``,
    which checks that the reader may see the submission; there is no public /media/ URL.
    """

    report = models.ForeignKey(
        ProgressReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence_items",
        verbose_name=_("进展填报"),
    )
    task_update = models.ForeignKey(
        TaskUpdate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence_items",
        verbose_name=_("任务进展"),
    )
    file = models.FileField(_("文件"), upload_to="evidence/%Y/%m/", blank=True, max_length=300)
    link = models.URLField(_("链接"), max_length=500, blank=True)
    name = models.CharField(_("名称"), max_length=200)
    size = models.PositiveBigIntegerField(_("大小(字节)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("佐证材料")
        verbose_name_plural = pgettext_lazy("plural", "佐证材料")
        constraints = [
            models.CheckConstraint(
                condition=(Q(report__isnull=False) & Q(task_update__isnull=True))
                | (Q(report__isnull=True) & Q(task_update__isnull=False)),
                name="evidence_backs_one_submission",
            ),
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(link=""), name="evidence_is_a_file_or_a_link"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_file(self) -> bool:
        return bool(self.file)


# The audit trail. ``app`` puts the history tables (and their migrations) in this app.
for _model in (ProgressReport, TaskUpdate, Target, Indicator, Assignment, Evidence):
    if not hasattr(_model, "history"):
        register(_model, app=__package__, manager_name="history")
