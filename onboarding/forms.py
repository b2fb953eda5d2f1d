"""The start form: the document (pasted or uploaded) and the unit it belongs to."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onboarding.extract import UnreadableDocument, extract_text

MAX_UPLOAD = 10 * 1024 * 1024


class StartForm(forms.Form):
    unit = forms.ChoiceField(label=_("单位"), required=False)
    new_code = forms.CharField(label=_("新市级单位代码"), max_length=8, required=False)
    new_name = forms.CharField(label=_("新市级单位简称"), max_length=20, required=False)
    new_full_name = forms.CharField(label=_("新市级单位全称"), max_length=40, required=False)
    parent = forms.ChoiceField(label=_("所属省份"), required=False)
    slug = forms.SlugField(label=_("文件标识(可选)"), max_length=40, required=False)
    text = forms.CharField(
        label=_("粘贴全文"), widget=forms.Textarea(attrs={"rows": 12}), required=False
    )
    upload = forms.FileField(label=_("或上传文件(.txt / .docx / 文字版 PDF)"), required=False)

    def __init__(self, *args, units=(), provinces=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("— 新的市级单位 —"))] + [
            (p.code, f"{p.name} ({p.code})") for p in units
        ]
        self.fields["parent"].choices = [("", "—")] + [(p.code, p.name) for p in provinces]

    def clean(self) -> dict:
        data = super().clean()
        upload = data.get("upload")
        text = data.get("text") or ""
        if upload is not None:
            if upload.size > MAX_UPLOAD:
                raise forms.ValidationError(_("文件超过 10 MB"))
            try:
                text = extract_text(upload.name, upload.read())
            except UnreadableDocument as error:
                raise forms.ValidationError(str(error)) from error
        if len(text.strip()) < 20:
            raise forms.ValidationError(_("请粘贴文件全文或上传文件"))
        data["document_text"] = text
        if not data.get("unit"):
            if not (data.get("new_code") and data.get("new_name") and data.get("parent")):
                raise forms.ValidationError(
                    _("请选择已有单位，或填写新市级单位的代码、简称和所属省份")
                )
            data["new_code"] = data["new_code"].strip().upper()
        return data
