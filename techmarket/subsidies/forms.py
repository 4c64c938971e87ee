"""Forms of the subsidy pages; services validate again and name the field of every refusal."""
from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.core.errors import ApplicationError
from techmarket.core.money import yuan_str, yuan_to_fen
from techmarket.directory.choices import Level, PlatformKind, QualificationKind

from .choices import (
    Base,
    CounterpartyLocation,
    EvidenceKind,
    Payer,
    RecipientRole,
    RuleKind,
    UnitKind,
    UnitLocation,
)


def _blank(choices) -> list:
    return [("", "—")] + list(choices)


class PolicyForm(forms.Form):
    """Every field of a rule (create and edit). Money in yuan; 档次金额 one ``档次=金额`` per line; 分期节点 one
    ``代码 名称 比例`` per line. The service validates the combination and names the field of each refusal."""

    code = forms.SlugField(label=_("规则代码"), max_length=60,
                           help_text=_("小写字母、数字和连字符；同一规则各版本共用，跨批次封顶按此代码"))
    year = forms.IntegerField(label=_("政策年度"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("规则名称"), max_length=200)
    rule_kind = forms.ChoiceField(label=_("规则类型"), choices=RuleKind.choices)
    recipient_role = forms.ChoiceField(label=_("受助方"), choices=RecipientRole.choices)
    unit_kind = forms.ChoiceField(label=_("单位类型"), choices=UnitKind.choices)
    platform_kinds = forms.MultipleChoiceField(label=_("载体类型（创新创业载体规则）"), required=False,
                                               choices=PlatformKind.choices, widget=forms.CheckboxSelectMultiple)
    base = forms.ChoiceField(label=_("计算基数（按基数比例规则）"), required=False, choices=_blank(Base.choices))
    payment_evidence_required = forms.BooleanField(label=_("付款需转账凭证和发票"), required=False)
    counterparty_location = forms.ChoiceField(label=_("交易对方所在地"), choices=CounterpartyLocation.choices)
    unit_location = forms.ChoiceField(label=_("单位所在地"), choices=UnitLocation.choices)
    transfer_in_city = forms.BooleanField(label=_("须在本市转化（买方在本市）"), required=False)
    local_transfer_evidence_required = forms.BooleanField(
        label=_("申报须附在本市转化证明"), required=False,
        help_text=_("政策原文以在本市实施转化、产业化为条件时勾选：单位提交申报前须上传至少一份“在本市实施转化证明”"))
    qualification_kind = forms.ChoiceField(label=_("资质条件"), required=False,
                                           choices=_blank(QualificationKind.choices))
    min_level = forms.ChoiceField(label=_("最低级别"), required=False, choices=_blank(Level.choices))
    requires_national_number = forms.BooleanField(label=_("须有全国技术合同登记编号"), required=False)
    payer = forms.ChoiceField(label=_("资金来源"), choices=Payer.choices)
    rate_percent = forms.DecimalField(label=_("比例上限（%）"), required=False, max_digits=6, decimal_places=3)
    min_amount = forms.DecimalField(label=_("最低金额（元）"), required=False, decimal_places=2, max_digits=14)
    max_amount = forms.DecimalField(label=_("最高金额（元）"), required=False, decimal_places=2, max_digits=14)
    cap_per_unit_year = forms.DecimalField(label=_("每单位每年上限（元）"), required=False, decimal_places=2, max_digits=14)
    grade_amounts = forms.CharField(
        label=_("档次金额（按绩效档次规则）"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个档次：档次=金额（元），如“优秀=300000”"))
    instalments = forms.CharField(
        label=_("分期节点（按合同额比例规则）"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个节点：代码 名称 比例，如“signing 签约 50”；比例合计 100"))
    citation = forms.CharField(label=_("政策依据"), widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("文件名称、段落与原文"))
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, creating: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:  # code and year identify the rule: a new version keeps them
            del self.fields["code"]
            del self.fields["year"]

    @classmethod
    def for_policy(cls, policy, data=None):
        from .services import POLICY_EDITABLE

        initial = {name: getattr(policy, name) for name in POLICY_EDITABLE
                   if name not in ("grade_amounts", "instalments") and not name.endswith("_fen")}
        for key in ("cap_per_unit_year", "min_amount", "max_amount"):
            fen = getattr(policy, f"{key}_fen")
            initial[key] = None if fen is None else yuan_str(fen)
        initial["grade_amounts"] = "\n".join(f"{r['grade']}={yuan_str(r['amount_fen'])}" for r in policy.grade_amounts)
        initial["instalments"] = "\n".join(f"{r['code']} {r['label']} {r['percent']}" for r in policy.instalments)
        return cls(data, initial=initial, creating=False)

    def clean_grade_amounts(self) -> list[dict]:
        rows, label = [], self.fields["grade_amounts"].label
        for n, line in enumerate(_lines(self.cleaned_data.get("grade_amounts")), start=1):
            grade, sep, amount = line.replace("＝", "=").partition("=")
            if not sep or not grade.strip() or not amount.strip():
                raise forms.ValidationError(_("{f}第{n}行应为“档次=金额（元）”").format(f=label, n=n))
            try:
                fen = yuan_to_fen(amount.strip(), field="grade_amounts")
            except ApplicationError as exc:
                raise forms.ValidationError(_("{f}第{n}行：{m}").format(f=label, n=n, m=exc.errors[0].message))
            rows.append({"grade": grade.strip(), "amount_fen": fen})
        return rows

    def clean_instalments(self) -> list[dict]:
        rows, label = [], self.fields["instalments"].label
        for n, line in enumerate(_lines(self.cleaned_data.get("instalments")), start=1):
            parts = re.split(r"[\s,，]+", line)
            if len(parts) != 3 or not parts[2].rstrip("%％").isdigit():
                raise forms.ValidationError(_("{f}第{n}行应为“代码 名称 比例”，如“signing 签约 50”").format(f=label, n=n))
            rows.append({"code": parts[0], "label": parts[1], "percent": int(parts[2].rstrip("%％"))})
        return rows

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        for key in ("cap_per_unit_year", "min_amount", "max_amount"):
            data[key] = "" if data[key] is None else str(data[key])
        data["rate_percent"] = "" if data["rate_percent"] is None else str(data["rate_percent"])
        data["platform_kinds"] = list(data.get("platform_kinds") or [])
        return data


def _lines(text) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


class RoundForm(forms.Form):
    name = forms.CharField(label=_("批次名称"), max_length=200)
    year = forms.IntegerField(label=_("补助年度"), min_value=2000, max_value=2100)
    base_year = forms.IntegerField(label=_("基数年度"), required=False, help_text=_("为空则为补助年度的上一年"))
    declaration_deadline = forms.DateField(label=_("申报截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
    budget = forms.DecimalField(label=_("预算（元）"), required=False, decimal_places=2, max_digits=14)
    notice_working_days = forms.IntegerField(label=_("公示工作日数"), initial=5, min_value=1, max_value=30)
    policies = forms.MultipleChoiceField(label=_("适用政策"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, policies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policies"].choices = [(str(p.pk), f"{p.year} {p.name}（第{p.version}版）") for p in policies]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["policies"] = [int(x) for x in data["policies"]]
        data["budget"] = "" if data["budget"] is None else str(data["budget"])
        return data


class DeclarationForm(forms.Form):
    policy = forms.ChoiceField(label=_("申报政策"))
    platform = forms.IntegerField(label=_("载体编号（载体类政策）"), required=False)
    qualification = forms.IntegerField(label=_("资质编号（一次性奖励）"), required=False)
    contract = forms.IntegerField(label=_("揭榜合同编号（揭榜挂帅）"), required=False)
    instalment = forms.CharField(label=_("分期节点代码（揭榜挂帅：signing / acceptance）"), required=False)
    statement = forms.CharField(label=_("申报说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, round_=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].choices = [(str(p.pk), p.name) for p in round_.policies.all()]

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        data["policy"] = int(data["policy"])
        return data


class AssessForm(forms.Form):
    grade = forms.CharField(label=_("绩效档次"), required=False)
    assessed_amount = forms.DecimalField(label=_("核定金额（元）"), required=False, decimal_places=2, max_digits=14)


class LinePaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("拨付日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("拨付凭证号"), max_length=64)


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=EvidenceKind.choices, initial=EvidenceKind.LOCAL_TRANSFER)
    file = forms.FileField(label=_("文件"), help_text=_("PDF、OFD、JPG、PNG、Word、Excel 或 ZIP，按文件内容校验类型"))
