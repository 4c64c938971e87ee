"""What each reader sees of a registry record: the public view, or the managed view (SPEC §3).

The API, the pages and the Excel exports all take their fields from here, so masking is
decided in one place.
"""
from __future__ import annotations

from django.utils import timezone

from techmarket.core.api import iso
from techmarket.core.masking import mask

from . import permissions
from .models import Organization, Person, Platform


def _region(region) -> dict:
    return {"code": region.code, "name": region.name, "full_name": region.full_name}


def _term(term) -> dict | None:
    return None if term is None else {"code": term.code, "name": term.name}


def _terms(manager) -> list[dict]:
    return [_term(t) for t in manager.all()]


def qualification_out(q, today=None) -> dict:
    today = today or timezone.localdate()
    return {
        "id": q.pk, "kind": q.kind, "kind_display": q.get_kind_display(), "level": q.level or None,
        "level_display": q.get_level_display() if q.level else None, "certificate_no": q.certificate_no,
        "recognised_on": iso(q.recognised_on), "valid_until": iso(q.valid_until), "is_valid": q.is_valid_on(today),
    }


def organization_public(org: Organization) -> dict:
    today = timezone.localdate()
    return {
        "id": org.pk,
        "name": org.name,
        "credit_code": org.credit_code,
        "kind": org.kind,
        "kind_display": org.get_kind_display(),
        "region": org.region.code,
        "region_name": org.region.full_name,
        "party_nature": _term(org.party_nature),
        "industry": _term(org.industry),
        "tech_fields": _terms(org.tech_fields),
        "qualifications": [qualification_out(q, today) for q in org.qualifications.all()],
        "address": org.address,
        "website": org.website,
        "description": org.description,
        "representation": "public",
    }


def contact_out(contact, clear: bool) -> dict:
    return {
        "name": contact.name, "title": contact.title,
        "phone": contact.phone if clear else mask("phone", contact.phone),
        "email": contact.email if clear else mask("email", contact.email),
    }


def organization_managed(org: Organization, user) -> dict:
    clear = permissions.can_see_organization_contacts(user, org)
    data = organization_public(org)
    data.update({
        "representation": "managed",
        "legal_representative": org.legal_representative,
        "established_on": iso(org.established_on),
        "contacts": [contact_out(c, clear) for c in org.contacts.all()],
        "notes": org.notes,
        "last_confirmed_at": iso(org.last_confirmed_at),
        "created_at": iso(org.created_at),
        "updated_at": iso(org.updated_at),
    })
    return data


def organization_for(org: Organization, user) -> dict:
    return organization_managed(org, user) if permissions.can_manage_organization(user, org) \
        else organization_public(org)


def person_public(p: Person) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "gender": p.gender or None,
        "kind": p.kind,
        "kind_display": p.get_kind_display(),
        "programmes": p.programmes,
        "programme_labels": p.programme_labels,
        "title": p.title,
        "organization": {"id": p.organization_id, "name": p.organization.name} if p.organization_id else None,
        "region": p.region.code,
        "region_name": p.region.full_name,
        "tech_fields": _terms(p.tech_fields),
        "disciplines": _terms(p.disciplines),
        "expertise": p.expertise,
        "bio": p.bio,
        "representation": "public",
    }


def person_managed(p: Person, user) -> dict:
    clear = permissions.can_see_person_personal_data(user, p)
    data = person_public(p)
    data.update({
        "representation": "managed",
        "id_number": p.id_number if clear else mask("id_number", p.id_number),
        "phone": p.phone if clear else mask("phone", p.phone),
        "email": p.email if clear else mask("email", p.email),
        "broker_certificate_no": p.broker_certificate_no,
        "notes": p.notes,
        "user": p.user.username if p.user_id else None,
        "last_confirmed_at": iso(p.last_confirmed_at),
        "created_at": iso(p.created_at),
        "updated_at": iso(p.updated_at),
    })
    return data


def person_for(p: Person, user) -> dict:
    return person_managed(p, user) if permissions.can_manage_person(user, p) else person_public(p)


def platform_public(p: Platform) -> dict:
    today = timezone.localdate()
    return {
        "id": p.pk,
        "name": p.name,
        "kind": p.kind,
        "kind_display": p.get_kind_display(),
        "level": p.level,
        "level_display": p.get_level_display(),
        "organization": {"id": p.organization_id, "name": p.organization.name},
        "region": p.region.code,
        "region_name": p.region.full_name,
        "tech_fields": _terms(p.tech_fields),
        "recognised_on": iso(p.recognised_on),
        "valid_until": iso(p.valid_until),
        "is_valid": p.recognised_on <= today and (p.valid_until is None or p.valid_until >= today),
        "approval_document": p.approval_document,
        "description": p.description,
        "representation": "public",
    }


def platform_managed(p: Platform, user) -> dict:
    data = platform_public(p)
    data.update({"representation": "managed", "notes": p.notes, "created_at": iso(p.created_at),
                 "updated_at": iso(p.updated_at)})
    return data


def platform_for(p: Platform, user) -> dict:
    return platform_managed(p, user) if permissions.can_manage_platform(user, p) else platform_public(p)
