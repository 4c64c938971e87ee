"""User-dependent reads of disclosure requests and access logs."""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404

from techmarket.accounts.permissions import is_authenticated

from . import protocols
from .models import DisclosureAccess, DisclosureRequest, DisclosureTerms
from .permissions import can_see_request, is_record_owner

BOX_SENT = "sent"
BOX_RECEIVED = "received"


def disclosure_terms_current() -> DisclosureTerms | None:
    return DisclosureTerms.objects.filter(is_current=True).first()


def _sent_query(user) -> Q:
    query = Q(requester=user)
    if user.organization_id:
        query |= Q(requester_organization_id=user.organization_id)
    return query


def _received_query(user) -> Q:
    """Requests whose record ``user`` owns, one subquery per record type."""
    query = Q(pk__in=[])
    type_ids = DisclosureRequest.objects.values_list("content_type_id", flat=True).distinct()
    for ct in ContentType.objects.filter(pk__in=list(type_ids)):
        model = ct.model_class()
        if model is None:
            continue
        owned = protocols.records_owned_by(model, user)
        if owned is not None:
            ids = owned.annotate(_pk_text=Cast("pk", output_field=CharField())).values("_pk_text")
            query |= Q(content_type=ct, object_id__in=ids)
        else:
            rows = DisclosureRequest.objects.filter(content_type=ct).prefetch_related("record")
            mine = [r.pk for r in rows if is_record_owner(user, r.record)]
            query |= Q(pk__in=mine)
    return query


def disclosure_requests_visible_to(user, *, box: str | None = None, status: str | None = None) -> QuerySet:
    """Requests ``user`` made (or their organization made) and requests addressed to them."""
    if not is_authenticated(user):
        return DisclosureRequest.objects.none()
    if box == BOX_SENT:
        query = _sent_query(user)
    elif box == BOX_RECEIVED:
        query = _received_query(user)
    else:
        query = _sent_query(user) | _received_query(user)
    qs = DisclosureRequest.objects.filter(query)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("content_type", "requester", "requester_organization", "terms").order_by(
        "-created_at", "-pk")


def disclosure_request_get_for_user(*, user, pk) -> DisclosureRequest:
    """The request if ``user`` may see it; Http404 for missing and not-yours alike."""
    try:
        request = DisclosureRequest.objects.select_related(
            "content_type", "requester", "requester_organization", "terms").get(pk=int(pk))
    except (DisclosureRequest.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if not can_see_request(user, request):
        raise Http404
    return request


def disclosure_requests_for_record(record) -> QuerySet:
    return DisclosureRequest.objects.filter(
        content_type=ContentType.objects.get_for_model(record, for_concrete_model=True),
        object_id=str(record.pk)).select_related("requester", "requester_organization")


def disclosure_accesses_for_request(request: DisclosureRequest) -> QuerySet:
    return DisclosureAccess.objects.filter(request=request).select_related("user", "organization")


def disclosure_accesses_for_record(record) -> QuerySet:
    """Every logged view of a record's confidential detail, newest first."""
    return DisclosureAccess.objects.filter(
        content_type=ContentType.objects.get_for_model(record, for_concrete_model=True),
        object_id=str(record.pk)).select_related("user", "organization", "request")
