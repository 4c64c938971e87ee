"""Every write to the registries: organizations, contacts, qualifications, people, platforms.

Entry points (pages, API, admin, importers) pass plain values — codes for regions and
taxonomy terms — and get an ApplicationError naming the field when something is wrong.
Each write is audited with masked before/after snapshots.
"""
from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from techmarket.core.audit import record_change, snapshot
from techmarket.core.errors import ApplicationError, ErrorItem
from techmarket.core.models import ObjectChange
from techmarket.regions.models import Region
from techmarket.regions.selectors import region_resolve
from techmarket.taxonomies.selectors import TermResolver

from . import permissions
from .choices import Level, OrganizationKind, PersonKind, PlatformKind, QualificationKind, TalentProgramme
from .credit_code import normalize
from .models import Contact, Organization, Person, Platform, Qualification

ORGANIZATION_FIELDS = ["name", "credit_code", "kind", "party_nature", "region", "address", "website",
                       "legal_representative", "established_on", "industry", "tech_fields", "description", "notes"]
ORGANIZATION_IDENTITY_FIELDS = {"credit_code", "kind", "region"}
PERSON_FIELDS = ["name", "gender", "kind", "programmes", "title", "organization", "region", "tech_fields",
                 "disciplines", "expertise", "bio", "broker_certificate_no", "id_number", "phone", "email", "notes"]
PLATFORM_FIELDS = ["name", "kind", "level", "organization", "region", "tech_fields", "recognised_on", "valid_until",
                   "approval_document", "description", "notes"]


def _django_errors(exc: ValidationError) -> ApplicationError:
    return ApplicationError.from_django(exc)


def _choice(value, choices, field: str):
    """Accept the stored value or its Chinese label."""
    if value in (None, ""):
        return ""
    value = str(value).strip()
    for key, label in choices:
        if value == key or value == str(label):
            return key
    allowed = "、".join(str(label) for _k, label in choices)
    raise ApplicationError(_("“{v}”不是有效的选项（可选：{a}）").format(v=value, a=allowed), field=field,
                           code="invalid_choice")


def _date(value, field: str):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ApplicationError(_("“{v}”不是有效的日期（格式 YYYY-MM-DD）").format(v=value), field=field,
                               code="invalid_date")


def _region(value, field: str = "region", resolve=None) -> Region:
    """``resolve``: a memoizing resolver (regions.selectors.RegionResolver) for bulk imports."""
    if isinstance(value, Region):
        return value
    if value in (None, ""):
        raise ApplicationError(_("请填写所在区域"), field=field, code="required")
    if resolve is not None:
        return resolve(str(value))
    return region_resolve(str(value), field=field)


def _collect(fn_by_field: dict, data: dict) -> dict:
    """Run each converter, gathering every field error before raising (so a form shows them all)."""
    out, errors = {}, []
    for key, value in data.items():
        fn = fn_by_field.get(key)
        try:
            out[key] = fn(value, key) if fn else value
        except ApplicationError as exc:
            errors.extend(exc.errors)
    if errors:
        raise ApplicationError(errors=errors)
    return out


def _organization_converters(*, regions=None):
    """Field converters shared by the forms, the API and the Excel importer.

    ``regions``: a memoizing region resolver for bulk imports (default: one lookup per call).
    """
    party, industry, fields = TermResolver("party_nature"), TermResolver("gbt4754"), TermResolver("hitech_domains")
    return {
        "credit_code": lambda v, f: normalize(v),
        "kind": lambda v, f: _choice(v, OrganizationKind.choices, f),
        "region": lambda v, f: _region(v, f, regions),
        "party_nature": lambda v, f: party(v, field=f) if v not in (None, "") else None,
        "industry": lambda v, f: industry(v, field=f) if v not in (None, "") else None,
        "tech_fields": lambda v, f: fields.many(v or [], field=f),
        "established_on": lambda v, f: _date(v, f),
        "name": lambda v, f: str(v or "").strip(),
    }


def _apply(instance, values: dict, m2m: tuple[str, ...]) -> dict:
    pending = {}
    for key, value in values.items():
        if key in m2m:
            pending[key] = value
        else:
            setattr(instance, key, "" if value is None and _is_char(instance, key) else value)
    return pending


def _write(instance, values: dict, m2m_fields: tuple[str, ...]) -> None:
    """Apply values, validate the whole record, save it, then set its many-to-many fields."""
    pending = _apply(instance, values, m2m_fields)
    _full_clean(instance)
    _save(instance)
    for key, value in pending.items():
        getattr(instance, key).set(value)


def _is_char(instance, key) -> bool:
    from django.db import models

    field = instance._meta.get_field(key)
    return isinstance(field, (models.CharField, models.TextField)) and not field.null


def _full_clean(instance, exclude=None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise _django_errors(exc)


def _save(instance) -> None:
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise ApplicationError(_("保存失败：与已有记录冲突（如统一社会信用代码重复）"), code="conflict")


def _unknown_fields(data: dict, allowed) -> None:
    extra = sorted(set(data) - set(allowed))
    if extra:
        raise ApplicationError(errors=[ErrorItem(k, "unknown_field", _("不支持的字段")) for k in extra])


# Organizations ------------------------------------------------------------------------------------

@transaction.atomic
def organization_create(*, by, data: dict, contacts: list[dict] | None = None, check_permission=True) -> Organization:
    _unknown_fields(data, ORGANIZATION_FIELDS)
    values = _collect(_organization_converters(), data)
    if check_permission and "region" in values and not permissions.can_create_organization_in(by, values["region"]):
        raise PermissionDenied(_("无权在该区域登记单位"))
    org = Organization()
    _write(org, values, ("tech_fields",))
    if contacts:
        _contacts_replace(org, contacts)
    record_change(obj=org, action=ObjectChange.Action.CREATE, by=by)
    return org


@transaction.atomic
def organization_update(*, organization: Organization, by, data: dict,
                        contacts: list[dict] | None = None) -> Organization:
    _unknown_fields(data, ORGANIZATION_FIELDS)
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    if not permissions.can_edit_organization(by, org):
        raise PermissionDenied(_("无权修改该单位"))
    values = _collect(_organization_converters(), data)
    touched = {k for k, v in values.items() if getattr(org, k, None) != v and k not in ("tech_fields",)}
    if touched & ORGANIZATION_IDENTITY_FIELDS and not permissions.can_edit_organization_identity(by, org):
        raise PermissionDenied(_("统一社会信用代码、单位类型和所在区域只能由管理部门修改"))
    if "region" in values and not permissions.region_in_staff_scope(by, values["region"]) \
            and values["region"].pk != org.region_id:
        raise PermissionDenied(_("不能把单位移到您管辖范围以外的区域"))
    before = snapshot(org)
    if contacts is not None:
        before["contacts"] = _contact_snapshot(org)
    _write(org, values, ("tech_fields",))
    after = snapshot(org)
    if contacts is not None:
        _contacts_replace(org, contacts)
        after["contacts"] = _contact_snapshot(org)
    record_change(obj=org, action=ObjectChange.Action.UPDATE, by=by, before=before, after=after)
    return org


def _contact_snapshot(org) -> list:
    from techmarket.core.audit import snapshot_flat

    return [{k: v for k, v in snapshot_flat(c).items() if k not in ("id", "organization")}
            for c in org.contacts.all()]


def _contacts_replace(org: Organization, contacts: list[dict]) -> None:
    rows, errors = [], []
    for i, item in enumerate(contacts):
        contact = Contact(organization=org, name=str(item.get("name") or "").strip(),
                          title=str(item.get("title") or "").strip(), phone=str(item.get("phone") or "").strip(),
                          email=str(item.get("email") or "").strip())
        try:
            contact.full_clean(exclude=["organization"])
        except ValidationError as exc:
            for err in ApplicationError.from_django(exc).errors:
                errors.append(ErrorItem(f"contacts.{i}.{err.field}", err.code, err.message))
        rows.append(contact)
    if errors:
        raise ApplicationError(errors=errors)
    org.contacts.all().delete()
    Contact.objects.bulk_create(rows)


@transaction.atomic
def organization_delete(*, organization: Organization, by) -> None:
    if not permissions.can_delete_organization(by, organization):
        raise PermissionDenied(_("只有市科技局管理员可以删除单位"))
    if organization.users.exists():
        raise ApplicationError(_("该单位下还有用户账号，不能删除"), code="in_use")
    record_change(obj=organization, action=ObjectChange.Action.DELETE, by=by, before=snapshot(organization),
                  after=None)
    try:
        organization.delete()
    except Exception as exc:  # ProtectedError: platforms or other records still refer to it
        raise ApplicationError(_("该单位仍被其他记录引用（如创新平台），不能删除"), code="in_use") from exc


@transaction.atomic
def organization_confirm(*, organization: Organization, by) -> Organization:
    """'Information still correct' (SPEC B1 freshness)."""
    from django.utils import timezone

    if not permissions.can_edit_organization(by, organization):
        raise PermissionDenied(_("无权确认该单位信息"))
    Organization.objects.filter(pk=organization.pk).update(last_confirmed_at=timezone.now())
    organization.refresh_from_db()
    return organization


@transaction.atomic
def qualification_add(*, organization: Organization, by, kind, recognised_on, level="", certificate_no="",
                      valid_until=None) -> Qualification:
    if not permissions.can_manage_qualifications(by, organization):
        raise PermissionDenied(_("资质由管理部门登记"))
    values = _collect({
        "kind": lambda v, f: _choice(v, QualificationKind.choices, f),
        "level": lambda v, f: _choice(v, Level.choices, f),
        "recognised_on": lambda v, f: _date(v, f),
        "valid_until": lambda v, f: _date(v, f),
    }, {"kind": kind, "level": level, "recognised_on": recognised_on, "valid_until": valid_until})
    if values["recognised_on"] is None:
        raise ApplicationError(_("请填写认定日期"), field="recognised_on", code="required")
    q = Qualification(organization=organization, certificate_no=str(certificate_no or "").strip(), **values)
    _full_clean(q)
    q.save()
    record_change(obj=q, action=ObjectChange.Action.CREATE, by=by)
    return q


@transaction.atomic
def qualification_remove(*, qualification: Qualification, by) -> None:
    if not permissions.can_manage_qualifications(by, qualification.organization):
        raise PermissionDenied(_("资质由管理部门登记"))
    record_change(obj=qualification, action=ObjectChange.Action.DELETE, by=by, before=snapshot(qualification),
                  after=None)
    qualification.delete()


# People -------------------------------------------------------------------------------------------

def _programmes(value, field):
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").replace("、", ",").split(",") if v.strip()]
    return [_choice(v, TalentProgramme.choices, field) for v in value]


def _organization_ref(value, field):
    if value in (None, ""):
        return None
    if isinstance(value, Organization):
        return value
    text = str(value).strip()
    org = Organization.objects.filter(credit_code=normalize(text)).first()
    if org is None and text.isdigit():
        org = Organization.objects.filter(pk=int(text)).first()
    if org is None:
        org = Organization.objects.filter(name=text).first()
    if org is None:
        raise ApplicationError(_("未找到单位“{v}”（请填写已登记单位的名称或统一社会信用代码）").format(v=value),
                               field=field, code="unknown_organization")
    return org


def _person_converters(*, regions=None):
    """``regions``: a memoizing region resolver for bulk imports (see _organization_converters)."""
    fields, disciplines = TermResolver("hitech_domains"), TermResolver("gbt13745")
    from .choices import Gender

    return {
        "kind": lambda v, f: _choice(v, PersonKind.choices, f),
        "gender": lambda v, f: _choice(v, Gender.choices, f),
        "programmes": _programmes,
        "organization": _organization_ref,
        "region": lambda v, f: _region(v, f, regions),
        "tech_fields": lambda v, f: fields.many(v or [], field=f),
        "disciplines": lambda v, f: disciplines.many(v or [], field=f),
        "id_number": lambda v, f: _id_number(v, f),
        "phone": lambda v, f: str(v or "").strip(),
        "name": lambda v, f: str(v or "").strip(),
    }


_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def _id_number(value, field):
    """Resident ID number (GB 11643): 18 characters with a mod-11 check character."""
    text = str(value or "").strip().upper()
    if not text:
        return ""
    if len(text) != 18 or not text[:17].isdigit():
        raise ApplicationError(_("身份证号应为 18 位"), field=field, code="invalid_id_number")
    check = "10X98765432"[sum(int(c) * w for c, w in zip(text[:17], _ID_WEIGHTS)) % 11]
    if text[17] != check:
        raise ApplicationError(_("身份证号校验位错误"), field=field, code="invalid_id_number")
    return text


@transaction.atomic
def person_create(*, by, data: dict, user=None, check_permission=True) -> Person:
    _unknown_fields(data, PERSON_FIELDS)
    values = _collect(_person_converters(), data)
    if check_permission and "region" in values and not permissions.can_create_person_in(by, values["region"]):
        raise PermissionDenied(_("无权在该区域登记人才"))
    person = Person(user=user)
    _write(person, values, ("tech_fields", "disciplines"))
    record_change(obj=person, action=ObjectChange.Action.CREATE, by=by)
    return person


@transaction.atomic
def person_update(*, person: Person, by, data: dict) -> Person:
    _unknown_fields(data, PERSON_FIELDS)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not permissions.can_edit_person(by, person):
        raise PermissionDenied(_("无权修改该人才信息"))
    values = _collect(_person_converters(), data)
    recognised = {k for k in ("kind", "programmes", "broker_certificate_no") if k in values
                  and values[k] != getattr(person, k)}
    if recognised and not permissions.region_in_staff_scope(by, person.region):
        # Categories, talent programmes (院士, 领军人才 …) and broker certificates are recognised by
        # government, like an organization's qualifications: a person cannot award them to themself.
        raise PermissionDenied(_("人才类别、人才计划和经纪人证书只能由管理部门登记"))
    if "region" in values and values["region"].pk != person.region_id \
            and not permissions.region_in_staff_scope(by, values["region"]) \
            and not permissions.region_in_staff_scope(by, person.region) and by.pk != person.user_id:
        raise PermissionDenied(_("不能把人才移到您管辖范围以外的区域"))
    before = snapshot(person)
    _write(person, values, ("tech_fields", "disciplines"))
    record_change(obj=person, action=ObjectChange.Action.UPDATE, by=by, before=before)
    return person


@transaction.atomic
def person_delete(*, person: Person, by) -> None:
    if not permissions.can_delete_person(by, person):
        raise PermissionDenied(_("只有市科技局管理员可以删除人才记录"))
    record_change(obj=person, action=ObjectChange.Action.DELETE, by=by, before=snapshot(person), after=None)
    person.delete()


# Platforms ----------------------------------------------------------------------------------------

def _platform_converters(*, regions=None):
    """``regions``: a memoizing region resolver for bulk imports (see _organization_converters)."""
    fields = TermResolver("hitech_domains")

    def organization(v, f):
        org = _organization_ref(v, f)
        if org is None:
            raise ApplicationError(_("请填写依托单位"), field=f, code="required")
        return org

    return {
        "kind": lambda v, f: _choice(v, PlatformKind.choices, f),
        "level": lambda v, f: _choice(v, Level.choices, f),
        "organization": organization,
        "region": lambda v, f: _region(v, f, regions),
        "tech_fields": lambda v, f: fields.many(v or [], field=f),
        "recognised_on": lambda v, f: _date(v, f),
        "valid_until": lambda v, f: _date(v, f),
        "name": lambda v, f: str(v or "").strip(),
    }


def _platform_region_default(values: dict) -> None:
    """A platform sits where its organization sits unless a region is given."""
    if values.get("region") is None and values.get("organization") is not None:
        values["region"] = values["organization"].region


@transaction.atomic
def platform_create(*, by, data: dict, check_permission=True) -> Platform:
    _unknown_fields(data, PLATFORM_FIELDS)
    values = _collect(_platform_converters(), data)
    _platform_region_default(values)
    if check_permission and "region" in values and not permissions.can_create_platform_in(by, values["region"]):
        raise PermissionDenied(_("无权在该区域登记创新平台"))
    platform = Platform()
    _write(platform, values, ("tech_fields",))
    record_change(obj=platform, action=ObjectChange.Action.CREATE, by=by)
    return platform


@transaction.atomic
def platform_update(*, platform: Platform, by, data: dict) -> Platform:
    _unknown_fields(data, PLATFORM_FIELDS)
    platform = Platform.objects.select_for_update().get(pk=platform.pk)
    if not permissions.can_edit_platform(by, platform):
        raise PermissionDenied(_("无权修改该创新平台"))
    values = _collect(_platform_converters(), data)
    if "region" in values and values["region"].pk != platform.region_id \
            and not permissions.region_in_staff_scope(by, values["region"]):
        raise PermissionDenied(_("不能把平台移到您管辖范围以外的区域"))
    before = snapshot(platform)
    _write(platform, values, ("tech_fields",))
    record_change(obj=platform, action=ObjectChange.Action.UPDATE, by=by, before=before)
    return platform


@transaction.atomic
def platform_delete(*, platform: Platform, by) -> None:
    if not permissions.can_delete_platform(by, platform):
        raise PermissionDenied(_("只有市科技局管理员可以删除创新平台"))
    record_change(obj=platform, action=ObjectChange.Action.DELETE, by=by, before=snapshot(platform), after=None)
    platform.delete()
