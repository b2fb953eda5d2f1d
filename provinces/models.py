"""Provinces, their policy documents (实施意见) with the heading tree, and responsible units."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UnitLevel(models.TextChoices):
    """A province implements the national plan; a city (市) implements its province's."""

    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")


class Province(models.Model):
    """A unit that issues an implementing opinion: a province, or a city under its province.

    Pages and scoping treat a city exactly as a province; ``parent`` ties it to its province,
    whose users see it too. The national level is not a row: a user without a unit sees all.
    """

    code = models.CharField(_("代码"), max_length=8, unique=True)
    name = models.CharField(_("简称"), max_length=20, unique=True)
    full_name = models.CharField(_("全称"), max_length=40)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    level = models.CharField(
        _("层级"), max_length=10, choices=UnitLevel.choices, default=UnitLevel.PROVINCE
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cities",
        verbose_name=_("所属省份"),
    )

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("省份")
        verbose_name_plural = pgettext_lazy("plural", "省份")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=UnitLevel.values), name="province_level_valid"
            ),
            # A city sits under a province; a province under nothing.
            models.CheckConstraint(
                condition=(Q(level="city") & Q(parent__isnull=False))
                | (Q(level="province") & Q(parent__isnull=True)),
                name="province_city_has_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A responsible unit (责任单位) as printed; one unit printed in many tasks is one record."""

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="departments", verbose_name=_("省份")
    )
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        ordering = ["province__sort_order", "name"]
        verbose_name = _("责任单位")
        verbose_name_plural = pgettext_lazy("plural", "责任单位")
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="department_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class PolicyDocument(models.Model):
    """A province's implementing opinion on the national metrology plan, with its full text."""

    slug = models.SlugField(_("标识"), max_length=40, unique=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="documents", verbose_name=_("省份")
    )
    title = models.CharField(_("标题"), max_length=200)
    issuer = models.CharField(_("发文机关"), max_length=100)
    number = models.CharField(_("文号"), max_length=60, blank=True)
    signed_on = models.DateField(_("成文日期"), null=True, blank=True)
    period_start = models.PositiveSmallIntegerField(_("规划起始年"))
    period_end = models.PositiveSmallIntegerField(_("规划终止年"))
    base_year = models.PositiveSmallIntegerField(
        _("基期年"), help_text=_("规划起始前一年，如2020年")
    )
    milestone_years = models.JSONField(_("目标年份"), default=list, blank=True)
    source_file = models.CharField(_("原文文件"), max_length=100, blank=True)
    source_text = models.TextField(_("原文"), blank=True)
    quote = models.TextField(_("原文摘录"), blank=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("替代的文件"),
    )

    class Meta:
        ordering = ["province__sort_order", "period_start", "slug"]
        verbose_name = _("实施意见")
        verbose_name_plural = pgettext_lazy("plural", "实施意见")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period_end")), name="document_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(base_year__lt=F("period_start")), name="document_base_year_before_start"
            ),
            models.CheckConstraint(
                condition=~Q(supersedes=F("id")), name="document_does_not_supersede_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.province.name} {self.title}"

    @property
    def period_label(self) -> str:
        return f"{self.period_start}—{self.period_end}"


class Section(models.Model):
    """A heading of the document as printed (一、… / (一)…), nested."""

    document = models.ForeignKey(
        PolicyDocument, on_delete=models.CASCADE, related_name="sections", verbose_name=_("文件")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级标题"),
    )
    key = models.CharField(_("路径"), max_length=40, help_text=_("如“二/一”"))
    number = models.CharField(_("序号"), max_length=20)
    title = models.CharField(_("标题"), max_length=200)
    level = models.PositiveSmallIntegerField(_("层级"), default=1)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    quote = models.TextField(_("原文摘录"), blank=True)

    class Meta:
        ordering = ["document", "sort_order"]
        verbose_name = _("章节")
        verbose_name_plural = pgettext_lazy("plural", "章节")
        constraints = [
            models.UniqueConstraint(fields=["document", "key"], name="section_unique_key"),
            models.UniqueConstraint(
                fields=["document", "parent", "number"], name="section_unique_number_in_parent"
            ),
            models.UniqueConstraint(
                fields=["document", "number"],
                condition=Q(parent__isnull=True),
                name="section_unique_top_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}{self.title}"


class ReviewStatus(models.TextChoices):
    """Reports move draft → submitted → approved / returned; only approved ones count."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")


class ReviewedEntry(models.Model):
    """What an entry staff submit carries through review and correction (a progress report,
    a task update): one definition, so the two trails cannot drift apart.

    An approved entry is never edited in place: a correction is a new entry that names it.
    """

    review_status = models.CharField(
        _("审核状态"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_%(class)ss",
        verbose_name=_("审核人"),
    )
    review_comment = models.TextField(_("审核意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    last_modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="modified_%(class)ss",
        verbose_name=_("最后修改人"),
    )
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("更正的填报"),
    )
    correction_reason = models.TextField(_("更正原因"), blank=True)

    class Meta:
        abstract = True


class Role(models.TextChoices):
    """What a user does; ``provinces.access`` turns it into what the user may see and do."""

    REPORTER = "reporter", _("填报员")
    REVIEWER = "reviewer", _("审核员")
    LEADER = "leader", _("领导")
    EVALUATOR = "evaluator", _("评估员")
    PROVINCE_ADMIN = "province_admin", _("省级管理员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")


class UserProfile(models.Model):
    """Where a user belongs: one unit (or the national level, no unit) and, for staff, one of
    its departments. ``provinces.access`` reads it; nothing else decides permissions."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("用户"),
    )
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("所属省份"),
        help_text=_("留空表示国家级，可查看全部省份"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("所属单位"),
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    reminders_enabled = models.BooleanField(_("接收提醒邮件"), default=True)

    class Meta:
        ordering = ["province__sort_order", "user__username"]
        verbose_name = _("用户资料")
        verbose_name_plural = pgettext_lazy("plural", "用户资料")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="profile_role_valid"),
            # A department belongs to a province, so a department needs a province.
            models.CheckConstraint(
                condition=Q(department__isnull=True) | Q(province__isnull=False),
                name="profile_department_needs_province",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"
