"""Forms of the assessment pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from assessments.models import AssessmentKind, OverallRating, TargetRating, TaskRating
from provinces import access
from provinces.models import PolicyDocument, Role


def eligible_evaluators(user: Any) -> QuerySet:
    """Evaluators of the user's units or national ones: who may be put on an assessment."""
    users = get_user_model().objects.filter(is_active=True, profile__role=Role.EVALUATOR)
    provinces = access.province_ids(user)
    if provinces is not None:
        users = users.filter(
            Q(profile__province__isnull=True) | Q(profile__province_id__in=provinces)
        )
    return users.order_by("username")


class AssessmentCreateForm(forms.Form):
    document = forms.ModelChoiceField(
        label=_("文件"), queryset=PolicyDocument.objects.none(), empty_label=None
    )
    kind = forms.ChoiceField(label=_("评估类型"), choices=AssessmentKind.choices)
    as_of = forms.DateField(
        label=_("评估基准日"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("中期评估通常为2025-12-31"),
    )
    title = forms.CharField(label=_("标题"), max_length=200, required=False)
    evaluators = forms.ModelMultipleChoiceField(
        label=_("评估员"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = access.scope(
            PolicyDocument.objects.select_related("province"), user
        ).order_by("province__sort_order", "period_start")
        self.fields["evaluators"].queryset = eligible_evaluators(user)


class _RatingRowForm(forms.Form):
    rating = forms.ChoiceField(label=_("评价"), required=False)
    reason = forms.CharField(
        label=_("调整理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    comment = forms.CharField(
        label=_("评估意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    carry_over = forms.BooleanField(label=_("结转下一阶段"), required=False)
    choices: Any = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = [("", _("— 未评价 —")), *self.choices]


class TargetRatingForm(_RatingRowForm):
    choices = TargetRating.choices


class TaskRatingForm(_RatingRowForm):
    choices = TaskRating.choices


def row_forms(form_class: type[_RatingRowForm], rows: list, data: Any = None) -> list:
    """One form per frozen row, prefixed by its id, filled from the row or the POST."""
    return [
        form_class(
            data,
            prefix=f"r{row.pk}",
            initial={
                "rating": row.rating,
                "reason": row.rating_reason,
                "comment": row.comment,
                "carry_over": row.carry_over,
            },
        )
        for row in rows
    ]


class ConclusionForm(forms.Form):
    overall_rating = forms.ChoiceField(
        label=_("总体评价"), choices=[("", "—"), *OverallRating.choices], required=False
    )
    achievements = forms.CharField(
        label=_("主要成效"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    problems = forms.CharField(
        label=_("存在问题"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    recommendations = forms.CharField(
        label=_("下一步建议"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CompareForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("评估类型"), choices=AssessmentKind.choices, initial=AssessmentKind.MID_TERM
    )
