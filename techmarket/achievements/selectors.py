"""User-dependent reads of achievements, and the market's freshness settings."""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts.permissions import is_authenticated, restrict_to_staff_scope
from techmarket.core.errors import ApplicationError
from techmarket.core.money import yuan_to_fen


def market_setting_current():
    """The one MarketSetting row (created with the defaults on first use)."""
    from .models import MarketSetting

    setting, _created = MarketSetting.objects.get_or_create(pk=1)
    return setting


# --- filters shared with demands ------------------------------------------------------------------------

def public_filter(queryset) -> QuerySet:
    """Published and not expired: expired records leave public lists the moment they expire (B1)."""
    return queryset.filter(status="published", expires_at__gt=timezone.now())


def filter_common(queryset, *, region: str | None = None, field: str | None = None, q: str | None = None,
                  status: str | None = None, status_choices=None) -> QuerySet:
    from techmarket.regions.models import Region
    from techmarket.taxonomies.models import Term
    from techmarket.taxonomies.selectors import term_descendant_ids

    if region:
        node = Region.objects.filter(code=str(region).strip()).first()
        if node is None:
            raise ApplicationError(_("区域代码无效：{c}").format(c=region), field="region", code="invalid_region")
        queryset = queryset.filter(region__path__startswith=node.path)
    if field:
        term = Term.objects.filter(scheme__code="hitech_domains", code=str(field).strip()).first()
        if term is None:
            raise ApplicationError(_("技术领域代码无效：{c}").format(c=field), field="field", code="unknown_term")
        queryset = queryset.filter(tech_field_id__in=term_descendant_ids(term))
    if q:
        for word in str(q).split()[:5]:
            queryset = queryset.filter(Q(title__icontains=word) | Q(keywords_text__icontains=word)
                                       | Q(**{f"{queryset.model.SEARCH_TEXT_FIELD}__icontains": word}))
    if status:
        if status_choices is not None and status not in status_choices:
            raise ApplicationError(_("状态取值无效：{s}").format(s=status), field="status", code="invalid_choice")
        queryset = queryset.filter(status=status)
    return queryset


def managed_scope(queryset, user, *, mine: bool = False, manage: bool = False) -> QuerySet:
    """``mine``: the caller's organization's records; ``manage``: the reviewer's region subtree."""
    if not is_authenticated(user):
        raise ApplicationError(_("请先登录"), code="not_authenticated")
    if mine:
        if not user.organization_id:
            return queryset.none()
        return queryset.filter(owner_organization_id=user.organization_id)
    return restrict_to_staff_scope(queryset, user)


def yuan_filter_value(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    return yuan_to_fen(value, field=field)


# --- achievements -------------------------------------------------------------------------------------------

def _base():
    from .models import Achievement

    return Achievement.objects.select_related("tech_field", "discipline", "ip_type", "region",
                                              "owner_organization", "contact")


def achievement_list(*, user=None, mine: bool = False, manage: bool = False, region: str | None = None,
                     field: str | None = None, trl_min: int | None = None, trl_max: int | None = None,
                     price_min=None, price_max=None, q: str | None = None, status: str | None = None) -> QuerySet:
    """Public list (published, not expired) or, with ``mine`` / ``manage``, the caller's managed list."""
    from .choices import AchievementStatus

    qs = _base()
    if mine or manage:
        qs = managed_scope(qs, user, mine=mine, manage=manage)
    else:
        qs = public_filter(qs)
        status = None
    qs = filter_common(qs, region=region, field=field, q=q, status=status,
                       status_choices=AchievementStatus.values)
    for value, name in ((trl_min, "trl_min"), (trl_max, "trl_max")):
        if value is not None and not 1 <= value <= 9:
            raise ApplicationError(_("技术就绪水平应在 1–9 之间"), field=name, code="invalid")
    if trl_min is not None:
        qs = qs.filter(trl__gte=trl_min)
    if trl_max is not None:
        qs = qs.filter(trl__lte=trl_max)
    low, high = yuan_filter_value(price_min, "price_min"), yuan_filter_value(price_max, "price_max")
    if low is not None or high is not None:
        # A record's price is its fixed price or its range; it matches when it meets [low, high].
        qs = qs.annotate(_low=Coalesce("price_fen", "price_min_fen"), _high=Coalesce("price_fen", "price_max_fen"))
        if low is not None:
            qs = qs.filter(_high__gte=low)
        if high is not None:
            qs = qs.filter(_low__lte=high)
    order = ["-published_at", "-pk"] if not (mine or manage) else ["-updated_at", "-pk"]
    return qs.order_by(*order)


def achievement_get_for_user(*, user, pk):
    """The achievement if ``user`` may see it (public, owner or reviewer); Http404 otherwise."""
    from .models import Achievement
    from .records import can_view

    try:
        achievement = _base().get(pk=int(pk))
    except (Achievement.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not can_view(user, achievement):
        raise Http404
    return achievement


def achievement_attachments_visible_to(*, user, achievement):
    """Public attachments of a visible achievement; confidential ones only to who may see the detail."""
    return attachments_visible_to(user=user, record=achievement)


def can_see_confidential_attachments(*, user, record) -> bool:
    """Owners, reviewers in scope, and those the disclosure service lets see the detail."""
    from techmarket.disclosure.services import disclosure_can_view

    from .records import can_view_managed

    return can_view_managed(user, record) or disclosure_can_view(user=user, record=record)


def attachments_visible_to(*, user, record):
    qs = record.attachments.all()
    if not can_see_confidential_attachments(user=user, record=record):
        qs = qs.filter(is_confidential=False)
    return qs
