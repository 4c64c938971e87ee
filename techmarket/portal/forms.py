"""Forms of the article management pages. Validation messages are Chinese; services have the last word."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from techmarket.core.errors import ApplicationError

from .attachments import clean_attachments
from .choices import ATTACHMENT_EXTENSIONS, ArticleKind, ArticleStatus
from .models import Article


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ArticleForm(forms.ModelForm):
    attachments = MultipleFileField(
        label=_("附件"), required=False,
        help_text=_("可一次选择多个文件；接受 {exts}；单个文件不超过 {mb} MB").format(
            exts="、".join(ATTACHMENT_EXTENSIONS), mb=settings.TECHMARKET_UPLOAD_MAX_MB),
    )

    class Meta:
        model = Article
        fields = ["city", "kind", "title", "document_number", "issuing_authority", "published_at", "summary",
                  "body"]
        widgets = {
            "published_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 14}),
            "title": forms.TextInput(attrs={"placeholder": _("如：关于组织申报2024年度技术转移示范机构的通知")}),
            "document_number": forms.TextInput(attrs={"placeholder": _("如：鹤政〔2019〕12号")}),
        }

    def __init__(self, *args, cities, existing_attachments: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing_attachments = existing_attachments
        self.fields["city"].queryset = cities
        self.fields["city"].empty_label = None
        self.fields["published_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S",
                                                     "%Y-%m-%d"]
        self.fields["attachments"].widget.attrs["accept"] = ",".join("." + e for e in ATTACHMENT_EXTENSIONS)
        if not self.instance.pk:
            self.fields["kind"].initial = ArticleKind.NOTICE

    def clean_attachments(self):
        uploads = self.cleaned_data.get("attachments") or []
        try:
            return clean_attachments(uploads, existing=self.existing_attachments)
        except ApplicationError as exc:
            raise forms.ValidationError([e.message for e in exc.errors]) from exc


class ActionForm(forms.Form):
    comment = forms.CharField(label=_("说明"), required=False, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ManageArticleFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("标题或文号")}))
    city = forms.ModelChoiceField(label=_("城市"), queryset=None, required=False, empty_label=_("全部城市"))
    kind = forms.ChoiceField(label=_("栏目"), required=False, choices=[("", _("全部栏目"))] + ArticleKind.choices)
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部状态"))] + ArticleStatus.choices)

    def __init__(self, *args, cities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = cities
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css
