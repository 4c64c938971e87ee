"""Headline figures on a city's home page and the city selector, computed live.

Each figure is registered under a key; a city's ``headline_figures`` lists the keys it shows,
in order. Other apps add their own (e.g. the contracts app registers 技术合同成交额)::

    from techmarket.portal.headlines import register_headline

    @register_headline("contract_amount", label=_("技术合同成交额"), unit=_("万元"), icon="file-earmark-text")
    def contract_amount(city) -> Decimal: ...
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.directory.choices import OrganizationKind, QualificationKind
from techmarket.directory.models import Organization, Person, Platform, Qualification


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    unit: str
    icon: str
    compute: Callable[[object], object]
    link: Callable[[object], str] | None = None


HEADLINES: dict[str, Headline] = {}


def register_headline(key: str, *, label, unit, icon: str = "bar-chart", link=None):
    """Register ``func(city) -> number`` as the figure ``key``; ``link(city) -> url`` is optional."""
    def decorator(func):
        HEADLINES[key] = Headline(key=key, label=label, unit=unit, icon=icon, compute=func, link=link)
        return func
    return decorator


def registry_url(path: str, city, **params) -> str:
    """A registry list filtered to the city: /organizations/?region=410100."""
    return path + "?" + urlencode({"region": city.region.code, **params}, doseq=True)


def _subtree(city) -> str:
    return city.region.path


def organizations_in(city):
    return Organization.objects.filter(region__path__startswith=_subtree(city))


@register_headline("organizations", label=_("入库单位"), unit=_("家"), icon="building",
                   link=lambda city: registry_url("/organizations/", city))
def count_organizations(city) -> int:
    return organizations_in(city).count()


@register_headline("enterprises", label=_("入库企业"), unit=_("家"), icon="briefcase",
                   link=lambda city: registry_url("/organizations/", city, kind=OrganizationKind.ENTERPRISE))
def count_enterprises(city) -> int:
    return organizations_in(city).filter(kind=OrganizationKind.ENTERPRISE).count()


@register_headline("universities_institutes", label=_("高校院所"), unit=_("家"), icon="mortarboard",
                   link=lambda city: registry_url("/organizations/", city, kind=[OrganizationKind.UNIVERSITY,
                                                                                 OrganizationKind.INSTITUTE]))
def count_universities_institutes(city) -> int:
    return organizations_in(city).filter(
        kind__in=[OrganizationKind.UNIVERSITY, OrganizationKind.INSTITUTE]).count()


def valid_qualifications(city, kind: str, *, day=None):
    day = day or timezone.localdate()
    return Qualification.objects.filter(
        kind=kind, organization__region__path__startswith=_subtree(city), recognised_on__lte=day,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))


@register_headline("hitech_enterprises", label=_("有效高新技术企业"), unit=_("家"), icon="award",
                   link=lambda city: registry_url("/organizations/", city, qualification=QualificationKind.HITECH))
def count_hitech_enterprises(city) -> int:
    """Enterprises holding a 高新技术企业 certificate valid today (one per enterprise)."""
    return valid_qualifications(city, QualificationKind.HITECH).values("organization").distinct().count()


@register_headline("tech_smes", label=_("科技型中小企业"), unit=_("家"), icon="rocket-takeoff",
                   link=lambda city: registry_url("/organizations/", city, qualification=QualificationKind.SME))
def count_tech_smes(city) -> int:
    return valid_qualifications(city, QualificationKind.SME).values("organization").distinct().count()


@register_headline("people", label=_("入库人才"), unit=_("人"), icon="people",
                   link=lambda city: registry_url("/people/", city))
def count_people(city) -> int:
    return Person.objects.filter(region__path__startswith=_subtree(city)).count()


@register_headline("platforms", label=_("创新平台"), unit=_("个"), icon="diagram-3",
                   link=lambda city: registry_url("/platforms/", city))
def count_platforms(city) -> int:
    return Platform.objects.filter(region__path__startswith=_subtree(city)).count()
