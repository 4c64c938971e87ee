"""Pages of the registries: the public view (anyone) and the managed view under /manage/ (SPEC §3).

Every managed page fetches its record through ``selectors.*_get_managed`` (404 for "missing" and
"not yours" alike) and every write goes through services.py, which checks permissions again.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from techmarket.accounts.permissions import is_region_staff
from techmarket.core.audit import history_for
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange

from . import permissions, selectors, services
from .forms import (
    OrganizationFilterForm,
    OrganizationForm,
    PersonFilterForm,
    PersonForm,
    PlatformFilterForm,
    PlatformForm,
    QualificationForm,
    add_service_errors,
    contact_formset,
    contacts_from_formset,
    industry_terms,
    permission_message,
    place_contact_errors,
    scoped_region_choices,
)
from .models import Person, Qualification
from .representations import (
    organization_managed,
    organization_public,
    person_managed,
    person_public,
    platform_managed,
    platform_public,
)

PAGE_SIZE = 20


# Shared helpers -----------------------------------------------------------------------------------

def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _forbidden(request, exc: PermissionDenied | None = None):
    return render(request, "directory/403.html", {"message": permission_message(exc or PermissionDenied())},
                  status=403)


def _route_exists(path: str) -> bool:
    """Import/export pages are built by another module: show their buttons only once they exist."""
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _with_valid_qualifications(orgs) -> list:
    today = timezone.localdate()
    orgs = list(orgs)
    for org in orgs:
        org.valid_qualifications = [q for q in org.qualifications.all() if q.is_valid_on(today)]
    return orgs


def _organizations(select, form):
    """Apply the filter form; several kinds (?kind=university&kind=institute, as the portal links) are OR-ed."""
    filters = form.filters()
    kinds = filters.pop("kind", None) or []
    filters["kind"] = kinds[0] if len(kinds) == 1 else None
    qs = select(**filters)
    if len(kinds) > 1:
        qs = qs.filter(kind__in=kinds)
    return qs


def _history(obj, *, related: list | None = None) -> list[dict]:
    """History rows of ``obj`` plus those of related records [(model, rows, label)], newest first."""
    from techmarket.portal.templatetags.portal_ui import history_rows

    rows = list(history_for(obj))
    for row in rows:  # contacts are kept in the snapshot as a list of dicts, not a model field
        for snap in (row.before, row.after):
            if isinstance(snap, dict) and "contacts" in snap:
                snap[str(_("联系人"))] = "；".join(_contact_text(c) for c in snap.pop("contacts") or []) or ""
    items = [(row.created_at, row.pk, item) for row, item in zip(rows, history_rows(obj, rows))]
    for model, related_rows, label in related or []:
        for row, item in zip(related_rows, history_rows(model(), related_rows)):
            item["action"] = "{action}{label}".format(action=item["action"], label=label)
            summary = row.object_repr
            snap = row.after or row.before or {}
            if snap.get("valid_until"):
                summary += _("（有效期至 {d}）").format(d=snap["valid_until"])
            item["comment"] = " ".join(x for x in (summary, row.comment) if x)
            items.append((row.created_at, row.pk, item))
    items.sort(key=lambda t: (t[0], t[1]), reverse=True)
    return [item for _t, _pk, item in items]


def _contact_text(c: dict) -> str:
    parts = [c.get("name") or "", "（{t}）".format(t=c["title"]) if c.get("title") else "",
             " " + c["phone"] if c.get("phone") else "", " " + c["email"] if c.get("email") else ""]
    return "".join(parts)


def _qualification_changes(org) -> list:
    """Audit rows of the organization's qualifications, including removed ones (masked snapshots)."""
    ct = ContentType.objects.get_for_model(Qualification)
    return list(ObjectChange.objects.filter(content_type=ct)
                .filter(Q(after__organization=org.pk) | Q(before__organization=org.pk))
                .select_related("actor"))


# Public view --------------------------------------------------------------------------------------

@require_GET
def organization_list(request):
    form = OrganizationFilterForm(request.GET or None)
    page = _page(request, _organizations(selectors.organization_list_public, form))
    page.object_list = _with_valid_qualifications(page.object_list)
    return render(request, "directory/organization_list.html", {"form": form, "page_obj": page})


@require_GET
def organization_detail(request, pk: int):
    org = selectors.organization_get(pk)
    data = organization_public(org)
    return render(request, "directory/organization_detail.html", {
        "org": data, "object": org, "valid_qualification_count": sum(q["is_valid"] for q in data["qualifications"]),
        "platforms": org.platforms.select_related("region").order_by("name"),
        "people": org.people.select_related("region").order_by("name"),
        "can_manage": permissions.can_manage_organization(request.user, org),
    })


@require_GET
def person_list(request):
    form = PersonFilterForm(request.GET or None)
    page = _page(request, selectors.person_list_public(**form.filters()))
    return render(request, "directory/person_list.html", {"form": form, "page_obj": page})


@require_GET
def person_detail(request, pk: int):
    person = selectors.person_get(pk)
    return render(request, "directory/person_detail.html", {
        "person": person_public(person), "object": person,
        "can_manage": permissions.can_manage_person(request.user, person),
    })


@require_GET
def platform_list(request):
    form = PlatformFilterForm(request.GET or None)
    page = _page(request, selectors.platform_list_public(**form.filters()))
    return render(request, "directory/platform_list.html", {"form": form, "page_obj": page,
                                                            "today": timezone.localdate()})


@require_GET
def platform_detail(request, pk: int):
    platform = selectors.platform_get(pk)
    return render(request, "directory/platform_detail.html", {
        "platform": platform_public(platform), "object": platform,
        "can_manage": permissions.can_manage_platform(request.user, platform),
    })


# Managed view: organizations ----------------------------------------------------------------------

def _registry_buttons(request, collection: str, *, can_create: bool) -> dict:
    user = request.user
    base = "/manage/{c}/".format(c=collection)
    query = _query_without_page(request)
    return {
        "can_create": can_create,
        "import_url": base + "import/" if permissions.can_import_registry(user) and _route_exists(base + "import/")
        else None,
        "export_url": (base + "export.xlsx" + ("?" + query if query else ""))
        if permissions.can_export_registry(user) and _route_exists(base + "export.xlsx") else None,
    }


@login_required
@require_GET
def manage_organization_list(request):
    user = request.user
    if not (is_region_staff(user) or user.organization_id):
        raise Http404
    form = OrganizationFilterForm(request.GET or None, region_choices=scoped_region_choices(user))
    page = _page(request, _organizations(lambda **f: selectors.organization_list_managed(user, **f), form))
    page.object_list = _with_valid_qualifications(page.object_list)
    can_create = is_region_staff(user) and user.has_perm("directory.add_organization")
    return render(request, "directory/manage/organization_list.html", {
        "form": form, "page_obj": page, **_registry_buttons(request, "organizations", can_create=can_create),
    })


def _organization_form_page(request, *, organization=None):
    user = request.user
    clear = True if organization is None else permissions.can_see_organization_contacts(user, organization)
    data = request.POST if request.method == "POST" else None
    form = OrganizationForm(data, user=user, organization=organization)
    contacts = contact_formset(data, organization=organization, clear=clear)
    if request.method == "POST":
        form_ok, contacts_ok = form.is_valid(), contacts.is_valid()
        if form_ok and contacts_ok:
            rows, row_forms = contacts_from_formset(contacts, organization=organization, clear=clear)
            try:
                if organization is None:
                    organization = services.organization_create(by=user, data=form.service_data(),
                                                                contacts=rows or None)
                    messages.success(request, _("已登记单位“{name}”").format(name=organization.name))
                else:
                    services.organization_update(organization=organization, by=user, data=form.service_data(),
                                                 contacts=rows)
                    messages.success(request, _("已保存"))
            except PermissionDenied as exc:
                return _forbidden(request, exc)
            except ApplicationError as exc:
                place_contact_errors(add_service_errors(form, exc), row_forms, form)
            else:
                return redirect("directory:manage_organization_detail", pk=organization.pk)
    return render(request, "directory/manage/organization_form.html", {
        "form": form, "contacts": contacts, "object": organization, "contacts_clear": clear,
        "industry_terms": industry_terms(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def manage_organization_create(request):
    user = request.user
    if not (is_region_staff(user) and user.has_perm("directory.add_organization")):
        raise Http404
    return _organization_form_page(request)


@login_required
@require_http_methods(["GET", "POST"])
def manage_organization_edit(request, pk: int):
    org = selectors.organization_get_managed(request.user, pk)
    if not permissions.can_edit_organization(request.user, org):
        return _forbidden(request, PermissionDenied(_("无权修改该单位")))
    return _organization_form_page(request, organization=org)


def _organization_detail_page(request, org, *, qualification_form=None):
    user = request.user
    staff = is_region_staff(user)
    return render(request, "directory/manage/organization_detail.html", {
        "object": org,
        "org": organization_managed(org, user),
        "users": org.users.order_by("username").prefetch_related("groups"),
        "platforms": org.platforms.order_by("name"),
        "people": org.people.order_by("name"),
        "history": _history(org, related=[(Qualification, _qualification_changes(org), _("资质"))]),
        "can_edit": permissions.can_edit_organization(user, org),
        "can_delete": permissions.can_delete_organization(user, org),
        "can_manage_qualifications": permissions.can_manage_qualifications(user, org),
        "show_notes": staff,
        "qualification_form": qualification_form or QualificationForm(),
    })


@login_required
@require_GET
def manage_organization_detail(request, pk: int):
    return _organization_detail_page(request, selectors.organization_get_managed(request.user, pk))


@login_required
@require_POST
def manage_organization_confirm(request, pk: int):
    org = selectors.organization_get_managed(request.user, pk)
    try:
        services.organization_confirm(organization=org, by=request.user)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    messages.success(request, _("已确认单位信息无误"))
    return redirect("directory:manage_organization_detail", pk=org.pk)


@login_required
@require_http_methods(["GET", "POST"])
def manage_organization_delete(request, pk: int):
    org = selectors.organization_get_managed(request.user, pk)
    if not permissions.can_delete_organization(request.user, org):
        return _forbidden(request, PermissionDenied(_("只有市科技局管理员可以删除单位")))
    if request.method == "POST":
        try:
            services.organization_delete(organization=org, by=request.user)
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except ApplicationError as exc:
            for item in exc.errors:
                messages.error(request, item.message)
            return redirect("directory:manage_organization_detail", pk=org.pk)
        messages.success(request, _("已删除单位“{name}”").format(name=org.name))
        return redirect("directory:manage_organization_list")
    return render(request, "directory/manage/confirm_delete.html", {
        "object": org, "kind_label": _("单位"), "list_url": reverse("directory:manage_organization_list"),
        "detail_url": reverse("directory:manage_organization_detail", kwargs={"pk": org.pk}),
    })


@login_required
@require_POST
def manage_qualification_add(request, pk: int):
    org = selectors.organization_get_managed(request.user, pk)
    if not permissions.can_manage_qualifications(request.user, org):
        return _forbidden(request, PermissionDenied(_("资质由管理部门登记")))
    form = QualificationForm(request.POST)
    if form.is_valid():
        try:
            q = services.qualification_add(organization=org, by=request.user, **form.cleaned_data)
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记资质“{q}”").format(q=q))
            return redirect(reverse("directory:manage_organization_detail", kwargs={"pk": org.pk}) + "#qualifications")
    return _organization_detail_page(request, org, qualification_form=form)


@login_required
@require_POST
def manage_qualification_remove(request, pk: int, qualification_pk: int):
    org = selectors.organization_get_managed(request.user, pk)
    qualification = Qualification.objects.filter(pk=qualification_pk, organization=org).first()
    if qualification is None:
        raise Http404
    try:
        services.qualification_remove(qualification=qualification, by=request.user)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    messages.success(request, _("已删除资质“{q}”").format(q=qualification))
    return redirect(reverse("directory:manage_organization_detail", kwargs={"pk": org.pk}) + "#qualifications")


# Managed view: people -----------------------------------------------------------------------------

@login_required
@require_GET
def manage_person_list(request):
    user = request.user
    if not (is_region_staff(user) or Person.objects.filter(user=user).exists()):
        raise Http404
    form = PersonFilterForm(request.GET or None, region_choices=scoped_region_choices(user))
    page = _page(request, selectors.person_list_managed(user, **form.filters()))
    can_create = is_region_staff(user) and user.has_perm("directory.add_person")
    return render(request, "directory/manage/person_list.html", {
        "form": form, "page_obj": page, **_registry_buttons(request, "people", can_create=can_create),
    })


def _record_form_page(request, *, form, record, create, update, created_message: str, detail: str,
                      template: str):
    """Create or edit one registry record through its services; errors go back onto the form."""
    if request.method == "POST" and form.is_valid():
        try:
            if record is None:
                record = create(by=request.user, data=form.service_data())
                messages.success(request, created_message.format(name=record.name))
            else:
                update(record, by=request.user, data=form.service_data())
                messages.success(request, _("已保存"))
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(detail, pk=record.pk)
    return render(request, template, {"form": form, "object": record})


def _person_form_page(request, *, person=None):
    user = request.user
    clear = True if person is None else permissions.can_see_person_personal_data(user, person)
    form = PersonForm(request.POST if request.method == "POST" else None, user=user, person=person, clear=clear)
    return _record_form_page(
        request, form=form, record=person, create=services.person_create,
        update=lambda obj, **kw: services.person_update(person=obj, **kw),
        created_message=_("已登记人才“{name}”"), detail="directory:manage_person_detail",
        template="directory/manage/person_form.html")


@login_required
@require_http_methods(["GET", "POST"])
def manage_person_create(request):
    user = request.user
    if not (is_region_staff(user) and user.has_perm("directory.add_person")):
        raise Http404
    return _person_form_page(request)


@login_required
@require_http_methods(["GET", "POST"])
def manage_person_edit(request, pk: int):
    person = selectors.person_get_managed(request.user, pk)
    if not permissions.can_edit_person(request.user, person):
        return _forbidden(request, PermissionDenied(_("无权修改该人才信息")))
    return _person_form_page(request, person=person)


@login_required
@require_GET
def manage_person_detail(request, pk: int):
    user = request.user
    person = selectors.person_get_managed(user, pk)
    return render(request, "directory/manage/person_detail.html", {
        "object": person,
        "person": person_managed(person, user),
        "personal_clear": permissions.can_see_person_personal_data(user, person),
        "history": _history(person),
        "can_edit": permissions.can_edit_person(user, person),
        "can_delete": permissions.can_delete_person(user, person),
        "show_notes": is_region_staff(user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def manage_person_delete(request, pk: int):
    person = selectors.person_get_managed(request.user, pk)
    if not permissions.can_delete_person(request.user, person):
        return _forbidden(request, PermissionDenied(_("只有市科技局管理员可以删除人才记录")))
    if request.method == "POST":
        try:
            services.person_delete(person=person, by=request.user)
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except ApplicationError as exc:
            for item in exc.errors:
                messages.error(request, item.message)
            return redirect("directory:manage_person_detail", pk=person.pk)
        messages.success(request, _("已删除人才“{name}”").format(name=person.name))
        return redirect("directory:manage_person_list")
    return render(request, "directory/manage/confirm_delete.html", {
        "object": person, "kind_label": _("人才"), "list_url": reverse("directory:manage_person_list"),
        "detail_url": reverse("directory:manage_person_detail", kwargs={"pk": person.pk}),
    })


# Managed view: platforms --------------------------------------------------------------------------

@login_required
@require_GET
def manage_platform_list(request):
    user = request.user
    if not (is_region_staff(user) or user.organization_id):
        raise Http404
    form = PlatformFilterForm(request.GET or None, region_choices=scoped_region_choices(user))
    page = _page(request, selectors.platform_list_managed(user, **form.filters()))
    can_create = is_region_staff(user) and user.has_perm("directory.add_platform")
    return render(request, "directory/manage/platform_list.html", {
        "form": form, "page_obj": page, "today": timezone.localdate(),
        **_registry_buttons(request, "platforms", can_create=can_create),
    })


def _platform_form_page(request, *, platform=None):
    form = PlatformForm(request.POST if request.method == "POST" else None, user=request.user, platform=platform)
    return _record_form_page(
        request, form=form, record=platform, create=services.platform_create,
        update=lambda obj, **kw: services.platform_update(platform=obj, **kw),
        created_message=_("已登记创新平台“{name}”"), detail="directory:manage_platform_detail",
        template="directory/manage/platform_form.html")


@login_required
@require_http_methods(["GET", "POST"])
def manage_platform_create(request):
    user = request.user
    if not (is_region_staff(user) and user.has_perm("directory.add_platform")):
        raise Http404
    return _platform_form_page(request)


@login_required
@require_http_methods(["GET", "POST"])
def manage_platform_edit(request, pk: int):
    platform = selectors.platform_get_managed(request.user, pk)
    if not permissions.can_edit_platform(request.user, platform):
        return _forbidden(request, PermissionDenied(_("创新平台的认定信息由管理部门维护")))
    return _platform_form_page(request, platform=platform)


@login_required
@require_GET
def manage_platform_detail(request, pk: int):
    user = request.user
    platform = selectors.platform_get_managed(user, pk)
    return render(request, "directory/manage/platform_detail.html", {
        "object": platform,
        "platform": platform_managed(platform, user),
        "history": _history(platform),
        "can_edit": permissions.can_edit_platform(user, platform),
        "can_delete": permissions.can_delete_platform(user, platform),
        "show_notes": is_region_staff(user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def manage_platform_delete(request, pk: int):
    platform = selectors.platform_get_managed(request.user, pk)
    if not permissions.can_delete_platform(request.user, platform):
        return _forbidden(request, PermissionDenied(_("只有市科技局管理员可以删除创新平台")))
    if request.method == "POST":
        try:
            services.platform_delete(platform=platform, by=request.user)
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except ApplicationError as exc:
            for item in exc.errors:
                messages.error(request, item.message)
            return redirect("directory:manage_platform_detail", pk=platform.pk)
        messages.success(request, _("已删除创新平台“{name}”").format(name=platform.name))
        return redirect("directory:manage_platform_list")
    return render(request, "directory/manage/confirm_delete.html", {
        "object": platform, "kind_label": _("创新平台"), "list_url": reverse("directory:manage_platform_list"),
        "detail_url": reverse("directory:manage_platform_detail", kwargs={"pk": platform.pk}),
    })
