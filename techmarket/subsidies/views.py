"""Pages of 补助政策 / 补助批次 / 惠企政策预评估.

Public: policy list and detail, the round's 公示 list. Units: open rounds, declaration form and detail,
pre-check. Managed (/manage/subsidies/…): rounds with declarations, lines, explanation, exclusions and
diff, the workflow panel, exports, payment; the 初审 inbox. 404 outside scope, 403 page for refusals.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from techmarket.achievements.api_common import attachment_response
from techmarket.core.errors import ApplicationError
from techmarket.core.forms import add_service_errors
from techmarket.core.views import forbidden, workflow_action_panel, workflow_action_post

from . import permissions, selectors, services
from .exporters import recommendation_xlsx_response, round_xlsx_response
from .forms import AssessForm, DeclarationForm, EvidenceForm, LinePaymentForm, PolicyForm, RoundForm
from .choices import EvidenceKind
from .models import SubsidyLine, SubsidyPolicy
from .precheck import precheck_for
from .selectors import PUBLIC_ROUND_STATES

# Service fields whose form field has another name (money in yuan on the form).
POLICY_FIELD_ALIASES = {"min_amount_fen": "min_amount", "max_amount_fen": "max_amount",
                        "cap_per_unit_year_fen": "cap_per_unit_year"}


def _ctx(request) -> dict:
    user = request.user
    return {"may_manage": selectors.may_manage_subsidies(user), "is_unit": permissions.is_unit_user(user)}


# --- policies ----------------------------------------------------------------------------------------

@require_GET
def policy_list(request):
    city = request.GET.get("city") or ""
    qs = selectors.policy_list(city=city or None).order_by("city__code", "-year", "code")
    return render(request, "subsidies/policy_list.html", {**_ctx(request), "policies": qs, "city": city})


@require_GET
def policy_detail(request, pk: int):
    policy = selectors.policy_get(pk=pk)
    versions = SubsidyPolicy.objects.filter(city=policy.city, year=policy.year, code=policy.code).order_by("-version")
    return render(request, "subsidies/policy_detail.html", {
        **_ctx(request), "object": policy, "versions": versions,
        "can_edit": policy.is_current and permissions.can_edit_policy(request.user, policy)})


def _bureau_city(user):
    """The city whose bureau administrator ``user`` is, else None."""
    city = permissions.city_of(user.region) if getattr(user, "region", None) else None
    return city if city is not None and permissions.is_city_bureau(user, city) else None


@login_required
@require_GET
def policy_manage_list(request):
    """Staff: the policies of their city, every version (district officers read only)."""
    user = request.user
    if not selectors.may_manage_subsidies(user):
        raise Http404
    policies = selectors.policies_for_staff(user)
    return render(request, "subsidies/policy_manage_list.html", {
        **_ctx(request), "policies": policies, "can_create": _bureau_city(user) is not None})


@login_required
@require_http_methods(["GET", "POST"])
def policy_create(request):
    user = request.user
    city = _bureau_city(user)
    if city is None:
        raise Http404
    form = PolicyForm(request.POST if request.method == "POST" else None,
                      initial={"year": timezone.localdate().year, "requires_national_number": True,
                               "unit_location": "in_city"})
    if request.method == "POST" and form.is_valid():
        try:
            policy = services.policy_create(by=user, city=city, data=form.service_data())
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ApplicationError as exc:
            add_service_errors(form, exc, aliases=POLICY_FIELD_ALIASES)
        else:
            messages.success(request, _("已新建补助政策“{n}”").format(n=policy.name))
            return redirect("subsidies:policy_detail", pk=policy.pk)
    return render(request, "subsidies/form.html", {**_ctx(request), "form": form,
                                                    "title": _("新建补助政策（{c}）").format(c=city.name),
                                                    "back": reverse("subsidies:policy_manage_list")})


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request, pk: int):
    policy = selectors.policy_get(pk=pk)
    if not permissions.can_edit_policy(request.user, policy):
        raise Http404
    form = PolicyForm.for_policy(policy, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.policy_update(policy=policy, by=request.user, data=form.service_data())
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ApplicationError as exc:
            add_service_errors(form, exc, aliases=POLICY_FIELD_ALIASES)
        else:
            messages.success(request, _("已保存（第{v}版）").format(v=saved.version))
            return redirect("subsidies:policy_detail", pk=saved.pk)
    return render(request, "subsidies/form.html", {
        **_ctx(request), "form": form, "title": _("修改补助政策：{n}（第{v}版）").format(n=policy.name, v=policy.version),
        "back": reverse("subsidies:policy_detail", kwargs={"pk": pk})})


# --- rounds (managed) --------------------------------------------------------------------------------

@login_required
@require_GET
def round_list(request):
    if not selectors.may_manage_subsidies(request.user):
        raise Http404
    rounds = [r for r in selectors.round_list_visible(request.user) if permissions.can_view_round(request.user, r)]
    city = permissions.city_of(request.user.region) if request.user.region else None
    return render(request, "subsidies/round_list.html", {
        **_ctx(request), "rounds": rounds, "can_create": city is not None and permissions.is_city_bureau(request.user, city)})


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request):
    user = request.user
    city = permissions.city_of(user.region) if getattr(user, "region", None) else None
    if city is None or not permissions.is_city_bureau(user, city):
        raise Http404
    policies = SubsidyPolicy.objects.filter(city=city, is_current=True).order_by("-year", "code")
    form = RoundForm(request.POST if request.method == "POST" else None, policies=policies)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.round_create(by=user, city=city, data=form.service_data())
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已设立补助批次“{n}”").format(n=round_.name))
            return redirect("subsidies:round_detail", pk=round_.pk)
    return render(request, "subsidies/form.html", {**_ctx(request), "form": form, "title": _("设立补助批次"),
                                                    "back": reverse("subsidies:round_list")})


def _round_page(request, round_, *, bound=None):
    user = request.user
    computation = round_.current_computation
    computations = list(round_.computations.select_related("computed_by"))
    return render(request, "subsidies/round_detail.html", {
        **_ctx(request), "object": round_, "actions": workflow_action_panel(round_, user, bound=bound),
        "declarations": selectors.declarations_for(user=user, round_=round_),
        "computation": computation, "computations": computations,
        "lines": computation.lines.select_related("organization", "policy") if computation else [],
        "exclusions": computation.exclusions.select_related("organization") if computation else [],
        "maker_checker": services.maker_checker_refusal(round_, user) if round_.status == "notice" else None,
        "can_manage": permissions.can_manage_round(user, round_), "payment_form": LinePaymentForm(),
    })


@login_required
@require_GET
def round_detail(request, pk: int):
    return _round_page(request, selectors.round_get_managed(user=request.user, pk=pk))


@login_required
@require_POST
def round_action(request, pk: int, action: str):
    user = request.user
    return workflow_action_post(
        request, record=selectors.round_get_managed(user=user, pk=pk), action=action,
        act=lambda *, record, action, by, comment, reason_code: services.round_act(
            round_=record, action=action, by=by, comment=comment),
        page=lambda bound: _round_page(request, selectors.round_get_managed(user=user, pk=pk), bound=bound),
        done=lambda round_, action: reverse("subsidies:round_detail", kwargs={"pk": round_.pk}))


@login_required
@require_GET
def round_export(request, pk: int):
    round_ = selectors.round_get_managed(user=request.user, pk=pk)
    version = request.GET.get("version")
    computation = (round_.computations.filter(version=int(version)) if version and version.isdigit()
                   else round_.computations.filter(is_current=True)).first()
    if computation is None:
        raise Http404
    return round_xlsx_response(computation)


@login_required
@require_GET
def round_recommendation(request, pk: int):
    round_ = selectors.round_get_managed(user=request.user, pk=pk)
    computation = round_.current_computation
    if computation is None or round_.status not in ("approved", "closed"):
        raise Http404
    return recommendation_xlsx_response(computation)


@login_required
@require_POST
def line_payment(request, pk: int):
    line = SubsidyLine.objects.select_related("computation__round__city").filter(pk=pk).first()
    if line is None or not permissions.can_view_round(request.user, line.computation.round):
        raise Http404
    form = LinePaymentForm(request.POST)
    if form.is_valid():
        try:
            services.line_record_payment(line=line, by=request.user, paid_on=form.cleaned_data["paid_on"],
                                         reference=form.cleaned_data["reference"])
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ApplicationError as exc:
            for item in exc.errors:
                messages.error(request, item.message)
        else:
            messages.success(request, _("已登记拨付"))
    else:
        messages.error(request, _("请填写拨付日期和拨付凭证号"))
    return redirect(reverse("subsidies:round_detail", kwargs={"pk": line.computation.round_id}) + "#lines")


@login_required
@require_GET
def pre_review_inbox(request):
    if not selectors.may_manage_subsidies(request.user):
        raise Http404
    return render(request, "subsidies/pre_review_inbox.html", {
        **_ctx(request), "declarations": selectors.pre_review_inbox(request.user)})


# --- public notice -----------------------------------------------------------------------------------

@require_GET
def round_notice(request, pk: int):
    round_ = selectors.round_get_for_user(user=request.user, pk=pk)
    if round_.status not in PUBLIC_ROUND_STATES:
        raise Http404
    computation = round_.current_computation
    return render(request, "subsidies/notice.html", {
        **_ctx(request), "object": round_, "computation": computation,
        "lines": computation.lines.select_related("organization", "policy").order_by("policy__code", "pk")
        if computation else []})


# --- units -------------------------------------------------------------------------------------------

@login_required
@require_GET
def unit_rounds(request):
    user = request.user
    if not permissions.is_unit_user(user):
        raise Http404
    rounds = selectors.round_list_visible(user)
    from .models import SubsidyDeclaration

    mine = SubsidyDeclaration.objects.filter(organization_id=user.organization_id).select_related("round", "policy")
    return render(request, "subsidies/unit_rounds.html", {**_ctx(request), "rounds": rounds, "mine": mine})


@login_required
@require_http_methods(["GET", "POST"])
def declare(request, pk: int):
    user = request.user
    round_ = selectors.round_get_for_user(user=user, pk=pk)
    if not permissions.can_declare_in(user, round_):
        raise Http404
    form = DeclarationForm(request.POST if request.method == "POST" else None, round_=round_)
    if request.method == "POST" and form.is_valid():
        try:
            d = services.declaration_create(round_=round_, by=user, data=form.service_data())
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存申报草稿，合同和付款已按平台数据预填，请核对后提交"))
            return redirect("subsidies:declaration_detail", pk=d.pk)
    return render(request, "subsidies/form.html", {**_ctx(request), "form": form,
                                                    "title": _("申报：{n}").format(n=round_.name),
                                                    "back": reverse("subsidies:unit_rounds")})


def _declaration_page(request, d, *, bound=None, evidence_form=None, status: int = 200):
    user = request.user
    return render(request, "subsidies/declaration_detail.html", {
        **_ctx(request), "object": d, "actions": workflow_action_panel(d, user, bound=bound),
        "contracts": d.contracts.all(), "payments": d.payments.select_related("contract").prefetch_related("attachments"),
        "can_assess": permissions.can_assess_declaration(user, d),
        "assess_form": AssessForm(initial={"grade": d.grade}),
        "evidence": d.attachments.select_related("uploaded_by").order_by("pk"),
        "missing_evidence": [EvidenceKind(k).label for k in services.missing_evidence(d)],
        "can_edit_evidence": permissions.can_edit_declaration(user, d),
        "evidence_form": evidence_form or EvidenceForm(),
    }, status=status)


@login_required
@require_GET
def declaration_detail(request, pk: int):
    return _declaration_page(request, selectors.declaration_get_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def declaration_action(request, pk: int, action: str):
    user = request.user
    return workflow_action_post(
        request, record=selectors.declaration_get_for_user(user=user, pk=pk), action=action,
        act=lambda *, record, action, by, comment, reason_code: services.declaration_act(
            declaration=record, action=action, by=by, comment=comment),
        page=lambda bound: _declaration_page(request, selectors.declaration_get_for_user(user=user, pk=pk),
                                             bound=bound),
        done=lambda d, action: reverse("subsidies:declaration_detail", kwargs={"pk": d.pk}))


@login_required
@require_POST
def declaration_evidence_add(request, pk: int):
    d = selectors.declaration_get_for_user(user=request.user, pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            row = services.declaration_evidence_add(declaration=d, by=request.user, upload=form.cleaned_data["file"],
                                                    kind=form.cleaned_data["kind"])
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已上传申报材料“{n}”").format(n=row.original_name))
            return redirect(reverse("subsidies:declaration_detail", kwargs={"pk": pk}) + "#evidence")
    return _declaration_page(request, d, evidence_form=form, status=422)


@login_required
@require_POST
def declaration_evidence_delete(request, pk: int, evidence_pk: int):
    d = selectors.declaration_get_for_user(user=request.user, pk=pk)
    row = selectors.declaration_evidence_get(declaration=d, pk=evidence_pk)
    try:
        services.declaration_evidence_delete(evidence=row, by=request.user)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    messages.success(request, _("已删除申报材料“{n}”").format(n=row.original_name))
    return redirect(reverse("subsidies:declaration_detail", kwargs={"pk": pk}) + "#evidence")


@login_required
@require_GET
def declaration_evidence_download(request, pk: int, evidence_pk: int):
    """Declarant, 初审 staff of the unit's district and the city bureau; everyone else 404."""
    d = selectors.declaration_get_for_user(user=request.user, pk=pk)
    return attachment_response(selectors.declaration_evidence_get(declaration=d, pk=evidence_pk), public=False)


@login_required
@require_POST
def declaration_assess(request, pk: int):
    d = selectors.declaration_get_for_user(user=request.user, pk=pk)
    form = AssessForm(request.POST)
    if form.is_valid():
        try:
            services.declaration_assess(
                declaration=d, by=request.user, grade=form.cleaned_data["grade"] or None,
                assessed_amount=(str(form.cleaned_data["assessed_amount"])
                                 if form.cleaned_data["assessed_amount"] is not None else None))
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ApplicationError as exc:
            for item in exc.errors:
                messages.error(request, item.message)
        else:
            messages.success(request, _("已录入"))
    return redirect("subsidies:declaration_detail", pk=pk)


@login_required
@require_GET
def precheck(request):
    user = request.user
    if not permissions.is_unit_user(user):
        raise Http404
    return render(request, "subsidies/precheck.html", {**_ctx(request),
                                                        "data": precheck_for(organization=user.organization)})
