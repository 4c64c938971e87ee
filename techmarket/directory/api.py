"""Registry API: organizations, people, platforms (SPEC §3 conventions; names integrators rely on)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router, Schema, Status

from techmarket.core.api import ApiAuth, caller, paginate
from techmarket.core.audit import history_for

from . import permissions, selectors, services
from .models import Qualification
from .representations import organization_for, person_for, platform_for

router = Router(tags=["资源库"])
public = ApiAuth(optional=True)


class ContactIn(Schema):
    name: str
    title: str = ""
    phone: str = ""
    email: str = ""


class OrganizationIn(Schema):
    name: str
    credit_code: str
    kind: str
    region: str
    party_nature: str | None = None
    industry: str | None = None
    tech_fields: list[str] = []
    address: str = ""
    website: str = ""
    legal_representative: str = ""
    established_on: str | None = None
    description: str = ""
    notes: str = ""
    contacts: list[ContactIn] | None = None


class OrganizationPatch(Schema):
    name: str | None = None
    credit_code: str | None = None
    kind: str | None = None
    region: str | None = None
    party_nature: str | None = None
    industry: str | None = None
    tech_fields: list[str] | None = None
    address: str | None = None
    website: str | None = None
    legal_representative: str | None = None
    established_on: str | None = None
    description: str | None = None
    notes: str | None = None
    contacts: list[ContactIn] | None = None


class QualificationIn(Schema):
    kind: str
    level: str = ""
    certificate_no: str = ""
    recognised_on: str
    valid_until: str | None = None


def _split_contacts(data: dict):
    contacts = data.pop("contacts", None)
    return data, contacts


def history_out(rows) -> list[dict]:
    from techmarket.core.api import iso
    from techmarket.core.models import StatusChange

    out = []
    for row in rows:
        base = {"at": iso(row.created_at), "actor": str(row.actor) if row.actor else None}
        if isinstance(row, StatusChange):
            base.update({"type": "status", "action": row.action, "action_display": row.action_label,
                         "from": row.from_status, "to": row.to_status, "comment": row.comment,
                         "reason_code": row.reason_code or None})
        else:
            base.update({"type": "change", "action": row.action, "action_display": row.get_action_display(),
                         "changes": [{"field": f, "before": b, "after": a} for f, b, a in row.changed_fields],
                         "comment": row.comment})
        out.append(base)
    return out


# Organizations ------------------------------------------------------------------------------------

@router.get("/organizations", auth=public, summary="单位列表（?region= 含下级区域）")
def organization_list(request, region: str | None = None, kind: str | None = None,
                      qualification: str | None = None, field: str | None = None, q: str | None = None,
                      page: int = 1, page_size: int = 20):
    user = caller(request)
    qs = selectors.organization_list_public(region=region, kind=kind, qualification=qualification, field=field, q=q)
    return paginate(request, qs.prefetch_related("contacts"), lambda o: organization_for(o, user),
                    page=page, page_size=page_size)


@router.get("/organizations/{int:org_id}", auth=public, summary="单位详情（管理视图含联系人）")
def organization_detail(request, org_id: int):
    return organization_for(selectors.organization_get(org_id), caller(request))


@router.post("/organizations", response={201: dict}, summary="登记单位")
def organization_create(request, payload: OrganizationIn):
    data, contacts = _split_contacts(payload.dict())
    contacts = [c for c in contacts] if contacts else None
    org = services.organization_create(by=request.auth, data=data, contacts=contacts)
    return Status(201, organization_for(selectors.organization_get(org.pk), request.auth))


@router.patch("/organizations/{int:org_id}", summary="修改单位")
def organization_update(request, org_id: int, payload: OrganizationPatch):
    org = selectors.organization_get_managed(request.auth, org_id)
    data, contacts = _split_contacts(payload.dict(exclude_unset=True))
    services.organization_update(organization=org, by=request.auth, data=data, contacts=contacts)
    return organization_for(selectors.organization_get(org.pk), request.auth)


@router.delete("/organizations/{int:org_id}", response={204: None}, summary="删除单位")
def organization_delete(request, org_id: int):
    org = selectors.organization_get_managed(request.auth, org_id)
    services.organization_delete(organization=org, by=request.auth)
    return Status(204, None)


@router.get("/organizations/{int:org_id}/history", summary="单位变更记录")
def organization_history(request, org_id: int):
    org = selectors.organization_get_managed(request.auth, org_id)
    rows = list(history_for(org))
    for q in org.qualifications.all():
        rows.extend(history_for(q))
    rows.sort(key=lambda r: (r.created_at, r.pk))
    return {"items": history_out(rows)}


@router.post("/organizations/{int:org_id}/qualifications", response={201: dict}, summary="登记资质")
def qualification_add(request, org_id: int, payload: QualificationIn):
    org = selectors.organization_get_managed(request.auth, org_id)
    services.qualification_add(organization=org, by=request.auth, **payload.dict())
    return Status(201, organization_for(selectors.organization_get(org.pk), request.auth))


@router.delete("/organizations/{int:org_id}/qualifications/{int:qualification_id}", response={204: None},
               summary="删除资质")
def qualification_remove(request, org_id: int, qualification_id: int):
    org = selectors.organization_get_managed(request.auth, org_id)
    q = Qualification.objects.filter(organization=org, pk=qualification_id).first()
    if q is None:
        raise Http404
    services.qualification_remove(qualification=q, by=request.auth)
    return Status(204, None)


# People -------------------------------------------------------------------------------------------

class PersonIn(Schema):
    name: str
    kind: str
    region: str
    gender: str = ""
    programmes: list[str] = []
    title: str = ""
    organization: str | None = None
    tech_fields: list[str] = []
    disciplines: list[str] = []
    expertise: str = ""
    bio: str = ""
    broker_certificate_no: str = ""
    id_number: str = ""
    phone: str = ""
    email: str = ""
    notes: str = ""


class PersonPatch(Schema):
    name: str | None = None
    kind: str | None = None
    region: str | None = None
    gender: str | None = None
    programmes: list[str] | None = None
    title: str | None = None
    organization: str | None = None
    tech_fields: list[str] | None = None
    disciplines: list[str] | None = None
    expertise: str | None = None
    bio: str | None = None
    broker_certificate_no: str | None = None
    id_number: str | None = None
    phone: str | None = None
    email: str | None = None
    notes: str | None = None


@router.get("/people", auth=public, summary="人才列表")
def person_list(request, region: str | None = None, kind: str | None = None, programme: str | None = None,
                field: str | None = None, q: str | None = None, page: int = 1, page_size: int = 20):
    user = caller(request)
    qs = selectors.person_list_public(region=region, kind=kind, programme=programme, field=field, q=q)
    return paginate(request, qs, lambda p: person_for(p, user), page=page, page_size=page_size)


@router.get("/people/{int:person_id}", auth=public, summary="人才详情")
def person_detail(request, person_id: int):
    return person_for(selectors.person_get(person_id), caller(request))


@router.post("/people", response={201: dict}, summary="登记人才")
def person_create(request, payload: PersonIn):
    person = services.person_create(by=request.auth, data=payload.dict())
    return Status(201, person_for(selectors.person_get(person.pk), request.auth))


@router.patch("/people/{int:person_id}", summary="修改人才信息")
def person_update(request, person_id: int, payload: PersonPatch):
    person = selectors.person_get_managed(request.auth, person_id)
    services.person_update(person=person, by=request.auth, data=payload.dict(exclude_unset=True))
    return person_for(selectors.person_get(person.pk), request.auth)


@router.delete("/people/{int:person_id}", response={204: None}, summary="删除人才记录")
def person_delete(request, person_id: int):
    person = selectors.person_get_managed(request.auth, person_id)
    services.person_delete(person=person, by=request.auth)
    return Status(204, None)


@router.get("/people/{int:person_id}/history", summary="人才变更记录")
def person_history(request, person_id: int):
    return {"items": history_out(history_for(selectors.person_get_managed(request.auth, person_id)))}


# Platforms ----------------------------------------------------------------------------------------

class PlatformIn(Schema):
    name: str
    kind: str
    level: str
    organization: str
    recognised_on: str
    region: str | None = None
    valid_until: str | None = None
    tech_fields: list[str] = []
    approval_document: str = ""
    description: str = ""
    notes: str = ""


class PlatformPatch(Schema):
    name: str | None = None
    kind: str | None = None
    level: str | None = None
    organization: str | None = None
    recognised_on: str | None = None
    region: str | None = None
    valid_until: str | None = None
    tech_fields: list[str] | None = None
    approval_document: str | None = None
    description: str | None = None
    notes: str | None = None


@router.get("/platforms", auth=public, summary="创新平台列表")
def platform_list(request, region: str | None = None, kind: str | None = None, level: str | None = None,
                  field: str | None = None, q: str | None = None, valid: bool | None = None,
                  page: int = 1, page_size: int = 20):
    user = caller(request)
    qs = selectors.platform_list_public(region=region, kind=kind, level=level, field=field, q=q, valid=valid)
    return paginate(request, qs, lambda p: platform_for(p, user), page=page, page_size=page_size)


@router.get("/platforms/{int:platform_id}", auth=public, summary="创新平台详情")
def platform_detail(request, platform_id: int):
    return platform_for(selectors.platform_get(platform_id), caller(request))


@router.post("/platforms", response={201: dict}, summary="登记创新平台")
def platform_create(request, payload: PlatformIn):
    data = {k: v for k, v in payload.dict().items() if not (k == "region" and v is None)}
    platform = services.platform_create(by=request.auth, data=data)
    return Status(201, platform_for(selectors.platform_get(platform.pk), request.auth))


@router.patch("/platforms/{int:platform_id}", summary="修改创新平台")
def platform_update(request, platform_id: int, payload: PlatformPatch):
    platform = selectors.platform_get_managed(request.auth, platform_id)
    if not permissions.can_edit_platform(request.auth, platform):
        raise PermissionDenied("平台认定信息只能由管理部门修改")
    services.platform_update(platform=platform, by=request.auth, data=payload.dict(exclude_unset=True))
    return platform_for(selectors.platform_get(platform.pk), request.auth)


@router.delete("/platforms/{int:platform_id}", response={204: None}, summary="删除创新平台")
def platform_delete(request, platform_id: int):
    platform = selectors.platform_get_managed(request.auth, platform_id)
    services.platform_delete(platform=platform, by=request.auth)
    return Status(204, None)


@router.get("/platforms/{int:platform_id}/history", summary="创新平台变更记录")
def platform_history(request, platform_id: int):
    return {"items": history_out(history_for(selectors.platform_get_managed(request.auth, platform_id)))}


from . import api_excel  # noqa: E402,F401  (Excel import/export routes, SPEC R6)
