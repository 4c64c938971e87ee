"""Push (精准推送, SPEC §2 X3): a published demand (later also a 揭榜挂帅 challenge) goes to the inboxes of
its top-matched experts and institutions and of the users who follow its technology field.

Built on the notification service: ``notify`` honours each user's topic switches (a user who turned the
topic off gets nothing), the daily digest (``digest_send_daily``) sends at most one e-mail a day with a
one-click unsubscribe per topic, and ``Notification.opened_at`` tells the owner who opened it.

A record is pushed once: users already notified about it under the topic are skipped, so running the push
again (a renewal, a retried task) notifies only newcomers. Publication stays fast: ``push_on_publish``
enqueues ``push_matches_task`` after the transaction commits and the worker does the matching.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from techmarket.notifications.models import Notification
from techmarket.notifications.services import notify

from . import topics
from .documents import _field_codes
from .matching import INSTITUTION_KINDS, Match, record_matches
from .models import DocType, FieldSubscription

log = logging.getLogger(__name__)

PUSH_TOPIC = topics.PUSH_TOPIC
PUSH_CANDIDATES = 50  # matches looked at to find the top N reachable experts and institutions


def top_n() -> int:
    return max(0, int(getattr(settings, "TECHMARKET_PUSH_TOP_N", 10)))


def _entity_label(record) -> str:
    return str(record._meta.verbose_name)


def _users_of_match(match: Match) -> list:
    """The accounts a match reaches: an expert's own account, an institution's active users."""
    User = get_user_model()
    if match.target_type == DocType.EXPERT:
        user = match.record.user
        return [user] if user is not None and user.is_active else []
    if match.target_type == DocType.ORGANIZATION:
        return list(User.objects.filter(organization_id=match.record.pk, is_active=True).order_by("pk"))
    return []


def push_recipients(record, *, limit: int | None = None) -> list[tuple[Match, list]]:
    """The top ``limit`` (``TECHMARKET_PUSH_TOP_N``) matched experts and institutions that have accounts,
    with their users. A target nobody can be notified at does not use up a place."""
    limit = top_n() if limit is None else limit
    if limit <= 0:
        return []
    matches = record_matches(record, user=None, target_types=(DocType.EXPERT, DocType.ORGANIZATION),
                             limit=PUSH_CANDIDATES)
    out = []
    for match in matches:
        if match.target_type == DocType.ORGANIZATION and match.record.kind not in INSTITUTION_KINDS:
            continue
        users = _users_of_match(match)
        if users:
            out.append((match, users))
            if len(out) >= limit:
                break
    return out


def field_subscribers(record) -> list:
    """Users following the record's technology field or one of its ancestors."""
    tech_field = getattr(record, "tech_field", None)
    if tech_field is None:
        return []
    from techmarket.taxonomies.models import Term

    codes = _field_codes(tech_field)
    term_ids = Term.objects.filter(scheme__code="hitech_domains", code__in=codes).values("pk")
    User = get_user_model()
    return list(User.objects.filter(is_active=True, field_subscriptions__tech_field__in=term_ids)
                .distinct().order_by("pk"))


def already_notified(record, *, topic: str = PUSH_TOPIC) -> set[int]:
    ct = ContentType.objects.get_for_model(type(record))
    return set(Notification.objects.filter(content_type=ct, object_id=str(record.pk), topic=topic)
               .values_list("recipient_id", flat=True))


def push_matches(record, *, topic: str = PUSH_TOPIC) -> list[Notification]:
    """Notify the record's top-matched experts and institutions and its field's subscribers, once each.

    Only a public record is pushed (the link must open for them); users of the record's own organization
    are not notified about it. Returns the notifications created by this run.
    """
    if not getattr(record, "is_public", False):
        return []
    model = type(record)
    with transaction.atomic():
        # One push of a record at a time: the row lock makes "who was notified already" reliable.
        record = model.objects.select_for_update().get(pk=record.pk)
        done = already_notified(record, topic=topic)
        owner_org = getattr(record, "owner_organization_id", None)

        def fresh(users):
            out = []
            for user in users:
                if user.pk in done or (owner_org is not None and user.organization_id == owner_org):
                    continue
                done.add(user.pk)
                out.append(user)
            return out

        entity = _entity_label(record)
        link = record.get_absolute_url()
        created: list[Notification] = []
        for match, users in push_recipients(record):
            users = fresh(users)
            if not users:
                continue
            if match.target_type == DocType.EXPERT:
                title = _("新{entity}与您的专长匹配：{title}").format(entity=entity, title=record.title)
            else:
                title = _("新{entity}与{org}的研究方向匹配：{title}").format(entity=entity, org=match.record.name,
                                                                    title=record.title)
            body = _("匹配依据：{why}").format(why=match.explanation)
            created.extend(notify(recipients=users, topic=topic, title=title, body=body, link=link, about=record))
        subscribers = fresh(field_subscribers(record))
        if subscribers:
            field_name = record.tech_field.name
            created.extend(notify(
                recipients=subscribers, topic=topic,
                title=_("您关注的技术领域有新{entity}：{title}").format(entity=entity, title=record.title),
                body=_("技术领域：{field}。可在“领域订阅”中调整关注的领域。").format(field=field_name),
                link=link, about=record))
    return created


@task()
def push_matches_task(model: str, pk: int, topic: str = PUSH_TOPIC) -> int:
    """Worker side of ``push_on_publish``: ``model`` is the record's ``app_label.model_name``."""
    from django.apps import apps

    record = apps.get_model(model).objects.filter(pk=pk).first()
    if record is None:
        return 0
    return len(push_matches(record, topic=topic))


def push_on_publish(record, *, topic: str = PUSH_TOPIC) -> None:
    """Call from a publication service: pushes demands (and challenges) after the transaction commits.
    Other records (achievements) are not pushed; calling it for them is harmless."""
    if record._meta.label_lower == "achievements.achievement":
        return
    label, pk = record._meta.label_lower, record.pk

    def enqueue():
        try:
            push_matches_task.enqueue(model=label, pk=pk, topic=topic)
        except Exception:  # the publication has committed; a failed push must not surface as its error
            log.exception("could not enqueue the push of %s %s", label, pk)

    transaction.on_commit(enqueue)


# --- what the owner sees ---------------------------------------------------------------------------------

@dataclass
class PushRecipient:
    name: str
    organization: str
    sent_at: object
    opened_at: object
    read_at: object


def push_log(record, *, topic: str = PUSH_TOPIC) -> list[PushRecipient]:
    """Who was notified about ``record`` and who opened it (names and organizations only: no phones or
    e-mail addresses). The caller checks that the viewer may manage the record."""
    from techmarket.notifications.selectors import notifications_about

    rows = notifications_about(record).filter(topic=topic).select_related(
        "recipient__organization", "recipient__person__organization")
    out = []
    for n in rows:
        user = n.recipient
        organization = user.organization if user.organization_id else None
        if organization is None:  # an expert's account: the organization of the expert's profile
            person = getattr(user, "person", None) if hasattr(user, "person") else None
            organization = person.organization if person is not None else None
        out.append(PushRecipient(name=getattr(user, "display_name", "") or user.get_username(),
                                 organization=organization.name if organization is not None else "",
                                 sent_at=n.created_at, opened_at=n.opened_at, read_at=n.read_at))
    return out


def push_summary(record, *, topic: str = PUSH_TOPIC) -> dict:
    rows = push_log(record, topic=topic)
    return {"recipients": rows, "count": len(rows), "opened": sum(1 for r in rows if r.opened_at)}


# --- per-field subscriptions -----------------------------------------------------------------------------

def field_subscriptions_set(*, user, tech_fields) -> list[FieldSubscription]:
    """Replace the user's followed technology fields with ``tech_fields`` (Terms of hitech_domains)."""
    from techmarket.core.errors import ApplicationError

    wanted = {}
    for term in tech_fields:
        if term.scheme.code != "hitech_domains":
            raise ApplicationError(_("请选择高新技术领域"), field="tech_fields", code="invalid_choice")
        wanted[term.pk] = term
    with transaction.atomic():
        FieldSubscription.objects.filter(user=user).exclude(tech_field_id__in=wanted).delete()
        existing = set(FieldSubscription.objects.filter(user=user).values_list("tech_field_id", flat=True))
        FieldSubscription.objects.bulk_create(
            [FieldSubscription(user=user, tech_field=t) for pk, t in wanted.items() if pk not in existing],
            ignore_conflicts=True)
    return list(FieldSubscription.objects.filter(user=user).select_related("tech_field"))
