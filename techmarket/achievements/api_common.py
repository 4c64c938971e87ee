"""API helpers both market routers share: resolving codes to records and streaming attachments."""
from __future__ import annotations

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from techmarket.core.errors import ApplicationError
from techmarket.core.uploads import content_type_for


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def resolve_term(scheme: str, code, *, field: str):
    from techmarket.taxonomies.selectors import TermResolver

    if code in (None, ""):
        return None
    return TermResolver(scheme)(code, field=field)


def resolve_region(code, *, field: str = "region"):
    from techmarket.regions.models import Region

    if code in (None, ""):
        return None
    region = Region.objects.filter(code=str(code).strip()).first()
    if region is None:
        raise ApplicationError(_("区域代码无效：{c}").format(c=code), field=field, code="invalid_region")
    return region


def resolve_organizations(ids, *, field: str) -> list:
    from techmarket.directory.models import Organization

    ids = [int(i) for i in (ids or [])]
    found = {org.pk: org for org in Organization.objects.filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ApplicationError(_("单位不存在：{ids}").format(ids="、".join(map(str, missing))), field=field,
                               code="invalid_choice")
    return [found[i] for i in ids]


def resolve_person(pk, *, field: str = "contact"):
    from techmarket.directory.models import Person

    if pk in (None, ""):
        return None
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise ApplicationError(_("联系人不存在"), field=field, code="invalid_choice")
    return person


def attachment_response(attachment, *, public: bool) -> FileResponse:
    """The file under its original name, always as a download, never sniffed; private ones not cached."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=content_type_for(attachment.original_name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return response


def attachment_visible(record, attachment_id: int, user):
    """One attachment of ``record``; confidential ones read as missing to those who may not see them."""
    from django.http import Http404

    from .selectors import can_see_confidential_attachments

    row = record.attachments.filter(pk=attachment_id).first()
    if row is None or (row.is_confidential and not can_see_confidential_attachments(user=user, record=record)):
        raise Http404
    return row


def attachment_download(request, record, row, user) -> FileResponse:
    """Serve an attachment; a counterparty's read of a confidential one is a logged disclosure."""
    from django.utils.translation import gettext as _

    from techmarket.disclosure.services import disclosure_can_view, disclosure_log_access

    if row.is_confidential and disclosure_can_view(user=user, record=record):
        disclosure_log_access(user=user, record=record, ip=client_ip(request),
                              what=_("保密附件：{name}").format(name=row.original_name))
    return attachment_response(row, public=record.is_public and not row.is_confidential)
