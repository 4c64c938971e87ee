"""Excel exports of the registries (SPEC R6): any filtered list as .xlsx.

The cells come from ``representations.py`` — the same dicts the API returns — so what a reader sees
in the file is exactly what the API would show them, masked in one place (SPEC §3):

* the public export (``managed=False``) writes the public representation of each record;
* the managed export writes ``*_for(record, user)``: managed fields (contacts, notes, personal data)
  only for records the user may manage, personal data masked unless the permissions allow it.

The columns are the import columns (same Chinese headers), so an exported file imports again
(masked personal data excepted: the importer refuses values containing ``*``).
"""
from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.core.errors import ApplicationError
from techmarket.core.xlsx import Column, xlsx_response

from . import selectors
from .choices import Gender
from .importers import OrganizationImporter, PersonImporter, PlatformImporter, qualification_text
from .representations import (
    organization_for,
    organization_public,
    person_for,
    person_public,
    platform_for,
    platform_public,
)

CHUNK = 2000


def _term(t: dict | None) -> str:
    return "" if not t else f"{t['code']} {t['name']}"


def _terms(items: list[dict]) -> list[str]:
    return [_term(t) for t in items]


def _date(text: str | None):
    return datetime.date.fromisoformat(text) if text else None


def _joined(items: list, key: str) -> str:
    values = [str(item.get(key) or "") for item in items]
    return "；".join(values) if any(values) else ""


def _columns(importer, keys: list[str]) -> list[Column]:
    by_key = {c.key: c for c in importer.columns()}
    return [by_key[k] for k in keys]


def _check_size(qs: QuerySet) -> int:
    limit = settings.TECHMARKET_EXPORT_MAX_ROWS
    count = qs.count()
    if count > limit:
        raise ApplicationError(_("符合条件的记录共 {n} 条，超过单次导出 {m} 条的上限，请缩小筛选范围后再导出")
                               .format(n=count, m=limit), field=None, code="export_too_large")
    return count


def _filename(label: str) -> str:
    return "{label}-{d}.xlsx".format(label=label, d=timezone.localdate().strftime("%Y%m%d"))


# Organizations ------------------------------------------------------------------------------------

ORGANIZATION_PUBLIC = ["id", "name", "credit_code", "kind", "region", "region_name", "party_nature", "industry",
                       "tech_fields", "qualifications", "address", "website", "description"]
ORGANIZATION_MANAGED = ORGANIZATION_PUBLIC[:-1] + ["legal_representative", "established_on", "description",
                                                   "contact_name", "contact_title", "contact_phone",
                                                   "contact_email", "notes"]


def organization_cells(d: dict) -> dict:
    contacts = d.get("contacts") or []
    return {
        "id": d["id"], "name": d["name"], "credit_code": d["credit_code"], "kind": d["kind_display"],
        "region": d["region"], "region_name": d["region_name"], "party_nature": _term(d["party_nature"]),
        "industry": _term(d["industry"]), "tech_fields": _terms(d["tech_fields"]),
        "qualifications": "；".join(qualification_text(q) for q in d["qualifications"]),
        "address": d["address"], "website": d["website"], "description": d["description"],
        "legal_representative": d.get("legal_representative", ""), "established_on": _date(d.get("established_on")),
        "contact_name": _joined(contacts, "name"), "contact_title": _joined(contacts, "title"),
        "contact_phone": _joined(contacts, "phone"), "contact_email": _joined(contacts, "email"),
        "notes": d.get("notes", ""),
    }


def organization_export_rows(qs, *, user=None, managed: bool):
    keys = ORGANIZATION_MANAGED if managed else ORGANIZATION_PUBLIC
    qs = qs.select_related("region__parent__parent")
    if managed:
        qs = qs.prefetch_related("contacts")
    for org in qs.iterator(chunk_size=CHUNK):
        d = organization_for(org, user) if managed else organization_public(org)
        cells = organization_cells(d)
        yield [cells[k] for k in keys]


def organization_export(*, user, managed: bool, **filters):
    """The filtered list as an .xlsx download (managed: the user's scope; public: everyone's view)."""
    qs = selectors.organization_list_managed(user, **filters) if managed \
        else selectors.organization_list_public(**filters)
    count = _check_size(qs)
    keys = ORGANIZATION_MANAGED if managed else ORGANIZATION_PUBLIC
    return xlsx_response(_filename(_("单位")), _columns(OrganizationImporter, keys),
                         organization_export_rows(qs, user=user, managed=managed),
                         title=OrganizationImporter.sheet_title, row_count=count)


# People -------------------------------------------------------------------------------------------

PERSON_PUBLIC = ["id", "name", "gender", "kind", "programmes", "title", "organization", "region", "region_name",
                 "tech_fields", "disciplines", "expertise", "bio"]
PERSON_MANAGED = PERSON_PUBLIC + ["broker_certificate_no", "id_number", "phone", "email", "notes"]
_GENDERS = {value: str(label) for value, label in Gender.choices}


def person_cells(d: dict) -> dict:
    return {
        "id": d["id"], "name": d["name"], "gender": _GENDERS.get(d["gender"] or "", ""), "kind": d["kind_display"],
        "programmes": d["programme_labels"], "title": d["title"],
        "organization": d["organization"]["name"] if d["organization"] else "",
        "region": d["region"], "region_name": d["region_name"], "tech_fields": _terms(d["tech_fields"]),
        "disciplines": _terms(d["disciplines"]), "expertise": d["expertise"], "bio": d["bio"],
        "broker_certificate_no": d.get("broker_certificate_no", ""), "id_number": d.get("id_number", ""),
        "phone": d.get("phone", ""), "email": d.get("email", ""), "notes": d.get("notes", ""),
    }


def person_export_rows(qs, *, user=None, managed: bool):
    keys = PERSON_MANAGED if managed else PERSON_PUBLIC
    qs = qs.select_related("region__parent__parent")
    if managed:
        qs = qs.select_related("user")
    for person in qs.iterator(chunk_size=CHUNK):
        d = person_for(person, user) if managed else person_public(person)
        cells = person_cells(d)
        yield [cells[k] for k in keys]


def person_export(*, user, managed: bool, **filters):
    qs = selectors.person_list_managed(user, **filters) if managed else selectors.person_list_public(**filters)
    count = _check_size(qs)
    keys = PERSON_MANAGED if managed else PERSON_PUBLIC
    return xlsx_response(_filename(_("人才")), _columns(PersonImporter, keys),
                         person_export_rows(qs, user=user, managed=managed),
                         title=PersonImporter.sheet_title, row_count=count)


# Platforms ----------------------------------------------------------------------------------------

PLATFORM_PUBLIC = ["id", "name", "kind", "level", "organization", "region", "region_name", "tech_fields",
                   "recognised_on", "valid_until", "approval_document", "description"]
PLATFORM_MANAGED = PLATFORM_PUBLIC + ["notes"]


def platform_cells(d: dict) -> dict:
    return {
        "id": d["id"], "name": d["name"], "kind": d["kind_display"], "level": d["level_display"],
        "organization": d["organization"]["name"], "region": d["region"], "region_name": d["region_name"],
        "tech_fields": _terms(d["tech_fields"]), "recognised_on": _date(d["recognised_on"]),
        "valid_until": _date(d["valid_until"]), "approval_document": d["approval_document"],
        "description": d["description"], "notes": d.get("notes", ""),
    }


def platform_export_rows(qs, *, user=None, managed: bool):
    keys = PLATFORM_MANAGED if managed else PLATFORM_PUBLIC
    qs = qs.select_related("region__parent__parent")
    for platform in qs.iterator(chunk_size=CHUNK):
        d = platform_for(platform, user) if managed else platform_public(platform)
        cells = platform_cells(d)
        yield [cells[k] for k in keys]


def platform_export(*, user, managed: bool, **filters):
    qs = selectors.platform_list_managed(user, **filters) if managed \
        else selectors.platform_list_public(**filters)
    count = _check_size(qs)
    keys = PLATFORM_MANAGED if managed else PLATFORM_PUBLIC
    return xlsx_response(_filename(_("创新平台")), _columns(PlatformImporter, keys),
                         platform_export_rows(qs, user=user, managed=managed),
                         title=PlatformImporter.sheet_title, row_count=count)


EXPORTS = {"organizations": organization_export, "people": person_export, "platforms": platform_export}
FILTERS = {
    "organizations": ("region", "kind", "qualification", "field", "q"),
    "people": ("region", "kind", "programme", "field", "q", "organization"),
    "platforms": ("region", "kind", "level", "field", "q", "valid"),
}


def registry_export(registry: str, *, user, managed: bool, params) -> object:
    """``params``: a QueryDict or dict of the list's filters; unknown keys are ignored."""
    filters = {}
    for key in FILTERS[registry]:
        value = params.get(key)
        if value in (None, ""):
            continue
        if key == "valid":
            value = str(value).lower() in ("1", "true", "yes", "on")
        filters[key] = value
    return EXPORTS[registry](user=user, managed=managed, **filters)
