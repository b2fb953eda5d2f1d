"""Forms of the round pages: which document and period to open, reminders on or off."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from provinces import access
from provinces.models import PolicyDocument
from rounds.models import PeriodKind


class RoundOpenForm(forms.Form):
    document = forms.ModelChoiceField(queryset=PolicyDocument.objects.none(), label=_("文件"))
    period_kind = forms.ChoiceField(choices=PeriodKind.choices, label=_("周期类型"))
    year = forms.IntegerField(min_value=1990, max_value=2100, label=_("年份"))
    number = forms.IntegerField(
        min_value=1,
        max_value=4,
        initial=1,
        label=_("第几期"),
        help_text=_("季度1—4，半年1—2，年度填1"),
    )
    opens_on = forms.DateField(
        required=False, label=_("开始填报日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline = forms.DateField(
        required=False, label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        documents = access.scope(
            PolicyDocument.objects.select_related("province"), user, "province"
        )
        allowed = [d.pk for d in documents if access.can_review(user, d.province_id)]
        self.fields["document"].queryset = PolicyDocument.objects.filter(
            pk__in=allowed
        ).select_related("province")


class ReminderSettingsForm(forms.Form):
    reminders_enabled = forms.BooleanField(required=False, label=_("接收填报提醒和待审核汇总邮件"))


class UploadForm(forms.Form):
    # An empty file is let through: the import itself says so, as the command line does.
    file = forms.FileField(
        allow_empty_file=True,
        label=_("填好的表格(.xlsx 或 .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        from django.conf import settings

        sheet = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_BYTES
        if sheet.size > limit:
            raise forms.ValidationError(
                _("文件超过%(size)sMB，请分成几个文件上传 (the file is larger than %(size)s MB)")
                % {"size": round(limit / 1_000_000, 1)}
            )
        return sheet
