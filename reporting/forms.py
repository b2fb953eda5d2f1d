"""Entry and review forms. Validation messages come from the services' rules (the same as the
command-line import's), shown beside the field, Chinese with English."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reporting.services import EvidenceInput, evidence_problems
from targets.models import Indicator
from tasks.models import TaskStatus

NOT_A_NUMBER = _("请输入数字，如 95 或 12.5 (enter a number, such as 95 or 12.5)")
NOT_A_DATE = _("请输入有效日期，如 2025-12-31 (enter a date such as 2025-12-31)")
AS_OF_REQUIRED = _("请填写截至日期 (the as-of date is required)")
NOT_A_WHOLE_NUMBER = _("请输入0–100的整数 (enter a whole number from 0 to 100)")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def indicator_label(indicator: Indicator) -> str:
    """Names repeat across provinces and documents: say whose, which plan, the unit and target."""
    document = indicator.document
    targets = "；".join(t.display_value for t in indicator.targets.all())
    unit = f"({indicator.unit})" if indicator.unit else ""
    return f"{document.province.name} {document.period_label} · {indicator.name}{unit}" + (
        f" · {gettext('目标')} {targets}" if targets else ""
    )


class EvidenceFields(forms.Form):
    files = MultipleFileField(
        label=_("佐证文件"),
        required=False,
        help_text=_("PDF、图片、Office 文档或压缩包，可多选"),
    )
    links = forms.CharField(
        label=_("佐证链接"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一个网址"),
    )

    def clean_files(self) -> list[Any]:
        files = self.cleaned_data.get("files") or []
        problems = evidence_problems(EvidenceInput(files=files))
        if problems:
            raise forms.ValidationError(problems)
        return files

    def clean_links(self) -> list[str]:
        links = [line.strip() for line in self.cleaned_data.get("links", "").splitlines()]
        links = [link for link in links if link]
        problems = evidence_problems(EvidenceInput(links=links))
        if problems:
            raise forms.ValidationError(problems)
        return links

    def evidence(self) -> EvidenceInput:
        return EvidenceInput(
            files=self.cleaned_data.get("files") or [], links=self.cleaned_data.get("links") or []
        )


class ReportForm(EvidenceFields):
    indicator = forms.ModelChoiceField(
        label=_("指标"),
        queryset=Indicator.objects.none(),
        empty_label=_("请选择指标"),
        error_messages={"required": _("请选择指标 (choose an indicator)")},
    )
    as_of = forms.DateField(
        label=_("截至日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": NOT_A_DATE, "required": AS_OF_REQUIRED},
    )
    value = forms.DecimalField(
        label=_("数值"),
        required=False,
        max_digits=14,
        decimal_places=4,
        error_messages={"invalid": NOT_A_NUMBER},
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    done = forms.TypedChoiceField(
        label=_("是否完成(里程碑指标)"),
        required=False,
        choices=[("", "—"), ("yes", _("已完成")), ("no", _("未完成"))],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
    )
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    field_order = ["indicator", "as_of", "value", "done", "note", "files", "links"]

    def __init__(self, *args: Any, indicators: Any, fixed_indicator: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["indicator"]
        field.queryset = indicators
        field.label_from_instance = indicator_label
        if fixed_indicator:
            field.disabled = True

    def clean(self) -> dict[str, Any]:
        from targets.services import report_value_problems

        cleaned = super().clean()
        indicator = cleaned.get("indicator")
        if indicator is None or "as_of" in self.errors or "value" in self.errors:
            return cleaned
        problems = report_value_problems(
            indicator=indicator,
            as_of=cleaned.get("as_of"),
            value=cleaned.get("value"),
            done=cleaned.get("done"),
            today=timezone.localdate(),
        )
        for name, messages in problems.items():
            for message in messages:
                self.add_error(name, message)
        return cleaned


class CorrectionFields(forms.Form):
    correction_reason = forms.CharField(
        label=_("更正原因"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写更正原因 (a reason for the correction is required)")},
    )


class ReportCorrectionForm(ReportForm, CorrectionFields):
    field_order = ["indicator", "as_of", "value", "done", "correction_reason", "note", "files"]


class TaskUpdateForm(EvidenceFields):
    as_of = forms.DateField(
        label=_("截至日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": NOT_A_DATE, "required": AS_OF_REQUIRED},
    )
    status = forms.ChoiceField(label=_("状态"), choices=TaskStatus.choices)
    percent = forms.IntegerField(
        label=_("完成百分比"),
        required=False,
        error_messages={"invalid": NOT_A_WHOLE_NUMBER},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    narrative = forms.CharField(
        label=_("进展说明"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    field_order = ["as_of", "status", "percent", "narrative", "files", "links"]

    def clean(self) -> dict[str, Any]:
        from reporting.services import task_values_problems

        cleaned = super().clean()
        if {"as_of", "percent", "status"} & set(self.errors):
            return cleaned
        problems = task_values_problems(
            cleaned.get("status", ""), cleaned.get("percent"), cleaned.get("as_of")
        )
        for name, messages in problems.items():
            for message in messages:
                self.add_error(name, message)
        return cleaned


class TaskUpdateCorrectionForm(TaskUpdateForm, CorrectionFields):
    field_order = ["as_of", "status", "percent", "correction_reason", "narrative", "files"]


class ReviewForm(forms.Form):
    """One or many entries at once: approve, or return with a reason."""

    report = forms.TypedMultipleChoiceField(required=False, coerce=int, choices=())
    update = forms.TypedMultipleChoiceField(required=False, coerce=int, choices=())
    action = forms.ChoiceField(choices=[("approve", _("审核通过")), ("return", _("退回"))])
    reason = forms.CharField(
        label=_("退回原因"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, report_ids: list[int], update_ids: list[int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["report"].choices = [(pk, pk) for pk in report_ids]
        self.fields["update"].choices = [(pk, pk) for pk in update_ids]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("report") and not cleaned.get("update") and not self.errors:
            raise forms.ValidationError(
                gettext("请先选择要审核的记录 (select the entries to review first)")
            )
        if cleaned.get("action") == "return" and not (cleaned.get("reason") or "").strip():
            self.add_error(
                "reason", gettext("退回须填写原因 (a reason is required to return an entry)")
            )
        return cleaned
