"""Forms of the 揭榜挂帅 pages: the challenge (榜单) with its indicators and criteria, the application (揭榜)
with its consortium, team and planned milestones, the panel's scores, the award, delivery and acceptance,
the demand pool and its collection rounds.

The forms only shape input (万元 → yuan strings, credit codes → units, ids → people); every rule lives in the
services, whose ApplicationError items go back onto the fields of the same name, or onto the row of a
formset for ``indicators.0.target``-style names (``place_service_errors``).
"""
from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.achievements.forms import WanField, fen_to_wan, wan_to_yuan
from techmarket.directory.choices import OrganizationKind, QualificationKind
from techmarket.directory.credit_code import normalize
from techmarket.directory.forms import DateInput, RegistryFilterForm, region_choices_keeping, seed_region_choices
from techmarket.directory.models import Organization
from techmarket.regions.models import Region

from .choices import APPLICANT_KINDS, PUBLIC_CHALLENGE_STATUSES, AcceptanceOutcome, ChallengeStatus, IpTerms

KEYWORD_SPLIT = re.compile(r"[,，、;；\s]+")
# Rows a formset shows beyond the filled ones; "添加一行" posts the form back with one more.
EXTRA_ROWS = 1
MAX_ROWS = 30


def _small(**attrs):
    return forms.TextInput(attrs={"class": "form-control form-control-sm", **attrs})


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


# Formsets whose rows the services name as ``<prefix>.<i>.<field>`` ----------------------------------------

class RowsFormSet(forms.BaseFormSet):
    """A formset of plain rows; empty rows are skipped, errors of the service can be added afterwards."""

    row_keys: tuple = ()

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"
            form.fields["DELETE"].label = _("删除")

    def filled(self) -> tuple[list[dict], list]:
        """(the rows for the service, the form of each row), skipping empty and deleted rows."""
        rows, row_forms = [], []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            if not any(data.get(k) not in (None, "", False) for k in self.row_keys):
                continue
            rows.append({k: data.get(k) for k in self.row_keys})
            row_forms.append(form)
        return rows, row_forms

    def add_error(self, message) -> None:
        self.non_form_errors()  # runs full_clean first
        if self._non_form_errors is None:
            self._non_form_errors = self.error_class(error_class="nonform")
        self._non_form_errors.append(message)


def rows_formset(form_class, *, row_keys, can_delete=True):
    formset = formset_factory(form_class, formset=RowsFormSet, extra=EXTRA_ROWS, can_delete=can_delete,
                              max_num=MAX_ROWS, validate_max=True)
    formset.row_keys = tuple(row_keys)
    return formset


def bound_rows(formset_class, request_data, *, prefix: str, initial=None, **form_kwargs):
    """A formset of ``formset_class``; posting ``add_row=<prefix>`` re-renders with one more empty row."""
    formset = formset_class(request_data, initial=initial, prefix=prefix, form_kwargs=form_kwargs)
    if request_data is not None and request_data.get("add_row") == prefix:
        data = request_data.copy()
        total = int(data.get(f"{prefix}-TOTAL_FORMS") or 0)
        data[f"{prefix}-TOTAL_FORMS"] = str(min(total + 1, MAX_ROWS))
        formset = formset_class(data, initial=initial, prefix=prefix, form_kwargs=form_kwargs)
    return formset


def place_service_errors(exc, form, formsets: dict) -> None:
    """Each ApplicationError item onto its field: ``name`` on the form (or a formset named ``name``),
    ``name.i.field`` on row i of that formset (``formsets`` maps name → (formset, row forms))."""
    for item in exc.errors:
        field = item.field or ""
        name, _sep, tail = field.partition(".")
        if name in formsets:
            formset, row_forms = formsets[name]
            index, _sep, sub = tail.partition(".")
            if index.isdigit() and int(index) < len(row_forms):
                row = row_forms[int(index)]
                row.add_error(sub if sub in row.fields else None, item.message)
            else:
                formset.add_error(item.message)
        elif field in form.fields:
            form.add_error(field, item.message)
        else:
            form.add_error(None, item.message)


# The challenge (榜单) --------------------------------------------------------------------------------

def _kind_choices():
    labels = dict(OrganizationKind.choices)
    return [(k, labels[k]) for k in APPLICANT_KINDS]


def split_keywords(value: str) -> list[str]:
    return [k for k in KEYWORD_SPLIT.split(value or "") if k]


class ChallengeForm(forms.Form):
    title = forms.CharField(label=_("榜单名称"), max_length=200)
    keywords = forms.CharField(label=_("关键词"), required=False, max_length=600,
                               help_text=_("用逗号或顿号分隔"))
    problem_statement = forms.CharField(label=_("需求描述"), widget=forms.Textarea(attrs={"rows": 5}),
                                        help_text=_("公开：要解决的技术问题、现状和难点"))
    budget_min = WanField(label=_("合同金额下限（万元）"), required=True)
    budget_max = WanField(label=_("合同金额上限（万元）"), required=True,
                          help_text=_("揭榜方报价不得超过上限"))
    application_deadline = forms.DateTimeField(
        label=_("揭榜截止时间"), widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    duration_months = forms.IntegerField(label=_("实施周期（月）"), min_value=1, max_value=120)
    ip_terms = forms.ChoiceField(label=_("知识产权归属"), choices=IpTerms.choices)
    ip_terms_note = forms.CharField(label=_("知识产权约定说明"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    eligible_region = forms.ChoiceField(label=_("揭榜方所在区域"), required=False,
                                        help_text=_("不选表示不限地域"))
    eligible_kinds = forms.MultipleChoiceField(
        label=_("揭榜单位类型"), required=False, choices=_kind_choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "tm-checks-inline"}),
        help_text=_("不选表示高校、科研院所、新型研发机构和企业均可"))
    eligible_qualifications = forms.MultipleChoiceField(
        label=_("资质要求"), required=False, choices=QualificationKind.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "tm-checks-inline"}),
        help_text=_("揭榜单位须持有的有效资质"))
    eligibility_note = forms.CharField(label=_("其他条件"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    agreement_text = forms.CharField(label=_("揭榜协议"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
                                     help_text=_("揭榜前须接受；留空则使用平台默认协议文本"))
    confidential_detail = forms.CharField(
        label=_("保密信息"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("仅发榜企业、管理人员、评审专家和已接受揭榜协议的单位可见，每次查看均有记录"))

    def __init__(self, *args, challenge=None, demand=None, **kwargs):
        initial = kwargs.pop("initial", None) or {}
        if challenge is not None:
            initial = {**self.initial_for(challenge), **initial}
        elif demand is not None:
            initial = {**self.initial_from_demand(demand), **initial}
        super().__init__(*args, initial=initial, **kwargs)
        current = challenge.eligible_region if challenge is not None else None
        self.fields["eligible_region"].choices = [("", _("不限地域"))] + region_choices_keeping(
            seed_region_choices(), current)

    @staticmethod
    def initial_from_demand(demand) -> dict:
        return {"title": demand.title, "keywords": "、".join(demand.keywords or []),
                "problem_statement": demand.description,
                "budget_min": fen_to_wan(demand.budget_min_fen), "budget_max": fen_to_wan(demand.budget_max_fen),
                "ip_terms": IpTerms.AGREED}

    @staticmethod
    def initial_for(challenge) -> dict:
        return {
            "title": challenge.title, "keywords": "、".join(challenge.keywords or []),
            "problem_statement": challenge.problem_statement,
            "budget_min": fen_to_wan(challenge.budget_min_fen), "budget_max": fen_to_wan(challenge.budget_max_fen),
            "application_deadline": timezone.localtime(challenge.application_deadline)
            if challenge.application_deadline else None,
            "duration_months": challenge.duration_months, "ip_terms": challenge.ip_terms,
            "ip_terms_note": challenge.ip_terms_note,
            "eligible_region": challenge.eligible_region.code if challenge.eligible_region_id else "",
            "eligible_kinds": list(challenge.eligible_kinds or []),
            "eligible_qualifications": list(challenge.eligible_qualifications or []),
            "eligibility_note": challenge.eligibility_note, "agreement_text": challenge.agreement_text,
            "confidential_detail": challenge.confidential_detail,
        }

    def clean_eligible_region(self):
        code = self.cleaned_data["eligible_region"]
        if not code:
            return None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("区域代码无效：{c}").format(c=code))
        return region

    def service_data(self, *, indicators: list[dict], criteria: list[dict]) -> dict:
        data = self.cleaned_data
        out = {
            "title": data["title"], "keywords": split_keywords(data["keywords"]),
            "problem_statement": data["problem_statement"], "indicators": indicators,
            "budget_min": wan_to_yuan(data["budget_min"]), "budget_max": wan_to_yuan(data["budget_max"]),
            "application_deadline": data["application_deadline"], "duration_months": data["duration_months"],
            "ip_terms": data["ip_terms"], "ip_terms_note": data["ip_terms_note"],
            "eligible_region": data["eligible_region"], "eligible_kinds": list(data["eligible_kinds"]),
            "eligible_qualifications": list(data["eligible_qualifications"]),
            "eligibility_note": data["eligibility_note"], "confidential_detail": data["confidential_detail"],
        }
        if data["agreement_text"].strip():
            out["agreement_text"] = data["agreement_text"]
        if criteria:
            out["criteria"] = criteria
        return out


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("指标名称"), required=False, max_length=100,
                           widget=_small(**{"aria-label": _("指标名称")}))
    target = forms.CharField(label=_("目标值"), required=False, max_length=100,
                             widget=_small(**{"aria-label": _("目标值")}))
    unit = forms.CharField(label=_("单位"), required=False, max_length=30, widget=_small(**{"aria-label": _("单位")}))


class CriterionForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("评审指标"), required=False, max_length=100,
                           widget=_small(**{"aria-label": _("评审指标")}))
    weight = forms.IntegerField(label=_("权重（%）"), required=False, min_value=1, max_value=100,
                                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm",
                                                                "aria-label": _("权重（%）")}))


IndicatorFormSet = rows_formset(IndicatorForm, row_keys=("name", "target", "unit"))
CriterionFormSet = rows_formset(CriterionForm, row_keys=("name", "weight"))


def indicator_initial(challenge) -> list[dict]:
    return [{"name": i.get("name", ""), "target": i.get("target", ""), "unit": i.get("unit", "")}
            for i in (challenge.indicators or [])] if challenge is not None else []


def criterion_initial(challenge) -> list[dict]:
    if challenge is None:
        return []
    return [{"id": c.pk, "name": c.name, "weight": c.weight} for c in challenge.criteria.all()]


class ChallengeFilterForm(RegistryFilterForm):
    status = forms.ChoiceField(label=_("状态"), required=False)

    field_order = ["q", "status", "field", "region", "region_code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部状态"))] + [
            (value, label) for value, label in ChallengeStatus.choices if value in PUBLIC_CHALLENGE_STATUSES]

    def extra_filters(self, data) -> dict:
        return {"status": data.get("status") or None}


# The application (揭榜) -----------------------------------------------------------------------------------

class AgreementForm(forms.Form):
    agree = forms.BooleanField(label=_("我已阅读并接受上述揭榜协议（代表本单位）"),
                               error_messages={"required": _("请勾选接受揭榜协议")})


def organization_by_code_or_name(value: str) -> Organization:
    value = (value or "").strip()
    code = normalize(value)
    organization = (Organization.objects.filter(credit_code=code).first()
                    or Organization.objects.filter(name=value).first())
    if organization is None:
        raise forms.ValidationError(_("未找到“{v}”，请填写已在单位库登记的统一社会信用代码或单位全称").format(v=value))
    return organization


class ApplicationForm(forms.Form):
    technical_plan = forms.CharField(label=_("技术方案"), widget=forms.Textarea(attrs={"rows": 8}),
                                     help_text=_("技术路线、指标实现途径、现有基础"))
    price = forms.DecimalField(label=_("报价（元）"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2,
                               widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
                               help_text=_("不得超过榜单合同金额上限"))
    duration_months = forms.IntegerField(label=_("实施周期（月）"), min_value=1, max_value=120)
    contact = forms.ChoiceField(label=_("联系人"), required=False, help_text=_("本单位在人才库登记的人员"))

    def __init__(self, *args, organization, application=None, **kwargs):
        initial = kwargs.pop("initial", None) or {}
        if application is not None:
            initial = {"technical_plan": application.technical_plan, "price": Decimal(application.price_fen) / 100,
                       "duration_months": application.duration_months,
                       "contact": str(application.contact_id or ""), **initial}
        super().__init__(*args, initial=initial, **kwargs)
        self.organization = organization
        people = organization.people.order_by("name") if organization is not None else []
        self.fields["contact"].choices = [("", "—")] + [(str(p.pk), p.name) for p in people]

    def service_data(self, *, members, team, milestones) -> dict:
        data = self.cleaned_data
        contact = None
        if data["contact"]:
            contact = self.organization.people.filter(pk=data["contact"]).first()
        return {"technical_plan": data["technical_plan"], "price": f"{data['price']:.2f}",
                "duration_months": data["duration_months"], "contact": contact,
                "members": members, "team": team, "milestones": milestones}


class MemberForm(forms.Form):
    organization = forms.CharField(label=_("联合单位"), required=False, max_length=200,
                                   widget=_small(**{"aria-label": _("联合单位统一社会信用代码或全称")}))
    responsibility = forms.CharField(label=_("分工"), required=False, max_length=200,
                                     widget=_small(**{"aria-label": _("分工")}))

    def clean_organization(self):
        value = self.cleaned_data["organization"]
        return organization_by_code_or_name(value) if value.strip() else None


class TeamForm(forms.Form):
    person = forms.ChoiceField(label=_("人员"), required=False)
    role = forms.CharField(label=_("承担工作"), required=False, max_length=100,
                           widget=_small(**{"aria-label": _("承担工作")}))
    is_leader = forms.BooleanField(label=_("项目负责人"), required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        self.fields["person"].choices = [("", "—")] + [
            (str(p.pk), "{name}（{org}）".format(name=p.name, org=p.organization.name if p.organization_id else "—"))
            for p in people]
        self.fields["person"].widget.attrs.update({"class": "form-select form-select-sm", "aria-label": _("人员")})
        self.fields["is_leader"].widget.attrs.update({"class": "form-check-input", "aria-label": _("项目负责人")})

    def clean_person(self):
        value = self.cleaned_data["person"]
        return self.people.get(value) if value else None


class MilestonePlanForm(forms.Form):
    title = forms.CharField(label=_("节点名称"), required=False, max_length=200,
                            widget=_small(**{"aria-label": _("节点名称")}))
    deliverable = forms.CharField(label=_("交付成果"), required=False, max_length=1000,
                                  widget=_small(**{"aria-label": _("交付成果")}))
    month = forms.IntegerField(label=_("完成月份"), required=False, min_value=1, max_value=120,
                               widget=forms.NumberInput(attrs={"class": "form-control form-control-sm",
                                                               "aria-label": _("完成月份")}))


MemberFormSet = rows_formset(MemberForm, row_keys=("organization", "responsibility"))
TeamFormSet = rows_formset(TeamForm, row_keys=("person", "role", "is_leader"))
MilestonePlanFormSet = rows_formset(MilestonePlanForm, row_keys=("title", "deliverable", "month"))


def member_initial(application) -> list[dict]:
    if application is None:
        return []
    return [{"organization": m.organization.credit_code or m.organization.name, "responsibility": m.responsibility}
            for m in application.members.filter(role="member").select_related("organization")]


def team_initial(application) -> list[dict]:
    if application is None:
        return []
    return [{"person": str(t.person_id), "role": t.role, "is_leader": t.is_leader} for t in application.team.all()]


def milestone_initial(application) -> list[dict]:
    if application is None:
        return []
    return [{"title": m.title, "deliverable": m.deliverable, "month": m.month}
            for m in application.planned_milestones.all()]


# The panel, the award, delivery and acceptance -------------------------------------------------------------

class ScoreForm(forms.Form):
    """One panellist's scores of one application: a 0–100 score per criterion and the comment."""

    comment = forms.CharField(label=_("评审意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("提交评分时必填"))

    def __init__(self, *args, criteria, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        scores = (review.scores or {}) if review is not None else {}
        for c in self.criteria:
            name = f"score_{c.pk}"
            self.fields[name] = forms.IntegerField(
                label="{name}（权重 {w}%）".format(name=c.name, w=c.weight), required=False, min_value=0,
                max_value=100, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
            stored = scores.get(str(c.pk), scores.get(c.pk))
            if stored is not None:
                self.initial[name] = stored
        if review is not None:
            self.initial["comment"] = review.comment
        self.order_fields([f"score_{c.pk}" for c in self.criteria] + ["comment"])

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"score_{c.pk}"] for c in self.criteria
                if self.cleaned_data.get(f"score_{c.pk}") is not None}

    def place(self, exc) -> None:
        """Service errors: ``scores.<criterion id>`` → that score's field."""
        for item in exc.errors:
            field = item.field or ""
            name = "score_" + field.split(".", 1)[1] if field.startswith("scores.") else field
            self.add_error(name if name in self.fields else None, item.message)


class PanelAppointForm(forms.Form):
    person = forms.ChoiceField(label=_("评审专家"))
    is_chair = forms.BooleanField(label=_("担任组长"), required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("请选择"))] + [
            (str(p.pk), "{name}（{org}）".format(name=p.name, org=p.organization.name if p.organization_id else "—"))
            for p, conflict in candidates if not conflict]


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("说明"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"required": _("请填写说明")})


class AwardForm(forms.Form):
    """开榜: the winner and, for every other submitted application, a coded reason (B2)."""

    winner = forms.ChoiceField(label=_("中榜单位"))
    comment = forms.CharField(label=_("开榜说明"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, applications, reasons, **kwargs):
        super().__init__(*args, **kwargs)
        self.applications = list(applications)
        self.fields["winner"].choices = [("", _("请选择"))] + [
            (str(a.pk), str(a.organization)) for a in self.applications]
        reason_choices = [(r.code, r.label) for r in reasons]
        for a in self.applications:
            self.fields[f"reason_{a.pk}"] = forms.ChoiceField(
                label=_("{org} 未中榜原因").format(org=a.organization), required=False,
                choices=[("", _("综合评分较低（默认）"))] + reason_choices)
            self.fields[f"feedback_{a.pk}"] = forms.CharField(
                label=_("{org} 反馈意见").format(org=a.organization), required=False, max_length=1000)

    def loser_rows(self):
        for a in self.applications:
            yield {"application": a, "reason": self[f"reason_{a.pk}"], "feedback": self[f"feedback_{a.pk}"]}

    def feedback(self) -> dict:
        winner = self.cleaned_data["winner"]
        out = {}
        for a in self.applications:
            if str(a.pk) == winner:
                continue
            code = self.cleaned_data.get(f"reason_{a.pk}") or ""
            text = self.cleaned_data.get(f"feedback_{a.pk}") or ""
            if code or text:
                out[a.pk] = (code or None, text)
        return out

    def winner_application(self):
        return next((a for a in self.applications if str(a.pk) == self.cleaned_data["winner"]), None)


class StartForm(forms.Form):
    signed_on = forms.DateField(label=_("合同签订日期"), widget=DateInput())


class MilestoneReportForm(forms.Form):
    report = forms.CharField(label=_("完成情况"), widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("请填写完成情况")})
    file = forms.FileField(label=_("佐证材料"), required=False,
                           help_text=_("提交时须至少有一份佐证材料；PDF、Word、Excel、PowerPoint、PNG、JPG 或 ZIP"))


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("佐证材料"), help_text=_("PDF、Word、Excel、PowerPoint、PNG、JPG 或 ZIP"))


class AcceptanceOrganiseForm(forms.Form):
    held_on = forms.DateField(label=_("验收日期"), widget=DateInput())
    comment = forms.CharField(label=_("说明（可选）"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class AcceptanceOpinionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("意见结论"), choices=[("", _("请选择"))] + AcceptanceOutcome.choices)
    opinion = forms.CharField(label=_("专家意见"), widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": _("请填写专家意见")})


class AcceptanceDecideForm(forms.Form):
    outcome = forms.ChoiceField(label=_("验收结论"), choices=[("", _("请选择"))] + AcceptanceOutcome.choices)
    conclusion = forms.CharField(label=_("验收意见"), widget=forms.Textarea(attrs={"rows": 3}),
                                 error_messages={"required": _("请填写验收意见")})
    extended_to = forms.DateField(label=_("延期至"), required=False, widget=DateInput(),
                                  help_text=_("结论为“延期验收”时必填"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == AcceptanceOutcome.EXTENDED and not cleaned.get("extended_to"):
            self.add_error("extended_to", _("延期验收须填写延期至日期"))
        return cleaned


class UploadForm(forms.Form):
    file = forms.FileField(label=_("附件"), help_text=_("PDF、Word、Excel、PowerPoint、PNG、JPG 或 ZIP"))


# The demand pool and its collection rounds --------------------------------------------------------------

class PoolSubmitForm(forms.Form):
    demand = forms.ChoiceField(label=_("技术需求"), help_text=_("本企业已发布、尚未申报入库的需求"))
    round = forms.ChoiceField(label=_("征集批次"), required=False, help_text=_("不选表示常年征集"))
    note = forms.CharField(label=_("申报说明"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, demands=(), rounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.demands = {str(d.pk): d for d in demands}
        self.rounds = {str(r.pk): r for r in rounds}
        self.fields["demand"].choices = [("", _("请选择"))] + [(k, d.title) for k, d in self.demands.items()]
        self.fields["round"].choices = [("", _("常年征集"))] + [(k, r.title) for k, r in self.rounds.items()]

    def clean_demand(self):
        return self.demands[self.cleaned_data["demand"]]

    def clean_round(self):
        value = self.cleaned_data["round"]
        return self.rounds[value] if value else None


class RoundForm(forms.Form):
    title = forms.CharField(label=_("征集名称"), max_length=200)
    description = forms.CharField(label=_("征集说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    opens_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    deadline = forms.DateTimeField(label=_("截止时间"), widget=DateTimeLocalInput(),
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])

    def __init__(self, *args, round_=None, **kwargs):
        if round_ is not None:
            kwargs.setdefault("initial", {"title": round_.title, "description": round_.description,
                                          "opens_on": round_.opens_on,
                                          "deadline": timezone.localtime(round_.deadline)})
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        return dict(self.cleaned_data)

