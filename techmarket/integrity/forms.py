"""Forms of the integrity pages. They only shape input: every rule is the services' (errors placed back
on the fields they name)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import RecordType, SubjectKind
from .selectors import RecordState

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RecordForm(forms.Form):
    subject_kind = forms.ChoiceField(label=_("主体类型"), choices=SubjectKind.choices)
    subject_name = forms.CharField(label=_("主体名称"), max_length=200, required=False,
                                   help_text=_("按认定文件填写；单位可只填统一社会信用代码，名称取单位库"))
    subject_credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False,
                                          help_text=_("单位主体填写，单位库中有该单位时自动关联"))
    person = forms.IntegerField(label=_("人才库编号"), required=False, min_value=1,
                                help_text=_("个人主体在人才库中登记时填写其编号，可不填"))
    record_type = forms.ChoiceField(label=_("记录类型"), choices=RecordType.choices)
    facts = forms.CharField(label=_("失信行为"), widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("认定的失信事实，公开时向公众显示；不要填写身份证号、电话等个人信息"))
    source_document = forms.CharField(label=_("认定文件"), max_length=200, help_text=_("文件名称和文号"))
    source_authority = forms.CharField(label=_("认定机关"), max_length=100)
    effective_from = forms.DateField(label=_("生效日期"), widget=DATE)
    effective_to = forms.DateField(label=_("失效日期"), required=False, widget=DATE,
                                   help_text=_("为空表示长期有效"))
    region = forms.CharField(label=_("记录地区"), max_length=40, required=False,
                             help_text=_("6 位行政区划代码或名称；不填时取主体所在地区"))
    is_published = forms.BooleanField(label=_("向公众公开"), required=False)
    note = forms.CharField(label=_("内部备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def initial_for(cls, record) -> dict:
        return {"subject_kind": record.subject_kind, "subject_name": record.subject_name,
                "subject_credit_code": record.subject_credit_code, "person": record.person_id,
                "record_type": record.record_type, "facts": record.facts,
                "source_document": record.source_document, "source_authority": record.source_authority,
                "effective_from": record.effective_from, "effective_to": record.effective_to,
                "region": record.region.code, "is_published": record.is_published, "note": record.note}

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if data["subject_kind"] == SubjectKind.ORGANIZATION:
            data.pop("person")
            data["organization"] = None  # linked again from the credit code
        return data


class RevokeForm(forms.Form):
    revoked_on = forms.DateField(label=_("撤销日期"), required=False, widget=DATE, help_text=_("不填为今天"))
    reason = forms.CharField(label=_("撤销理由"), max_length=200,
                             help_text=_("如：复核撤销决定或信用修复的文件名称和文号"))


class ManagedFilterForm(forms.Form):
    q = forms.CharField(label=_("名称或信用代码"), required=False, max_length=100)
    record_type = forms.ChoiceField(label=_("记录类型"), required=False,
                                    choices=[("", _("全部"))] + list(RecordType.choices))
    state = forms.ChoiceField(label=_("状态"), required=False,
                              choices=[("", _("全部"))] + list(RecordState.LABELS.items()))
    published = forms.ChoiceField(label=_("公开"), required=False,
                                  choices=[("", _("全部")), ("true", _("已公开")), ("false", _("未公开"))])

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        published = self.cleaned_data.get("published")
        return {"q": self.cleaned_data.get("q") or "", "record_type": self.cleaned_data.get("record_type") or "",
                "state": self.cleaned_data.get("state") or "",
                "published": None if not published else published == "true"}


class PublicQueryForm(forms.Form):
    q = forms.CharField(label=_("单位名称、姓名或统一社会信用代码"), required=False, max_length=100)
