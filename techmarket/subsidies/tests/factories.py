"""Builders for subsidy tests: organizations of the seed cities, registered contracts with payments and
evidence, and a round taken through declaration → 初审 → 复审 → 测算 by the services."""
from __future__ import annotations

import datetime
import itertools

from techmarket.accounts.roles import Role
from techmarket.contracts.models import ContractPayment, PaymentEvidence, TechContract
from techmarket.core.tests import factories as core
from techmarket.directory.models import Organization, Platform, Qualification
from techmarket.regions.models import Region

from .. import services
from ..models import SubsidyPolicy
from ..seed_rules import subsidy_policies_load

_serial = itertools.count(1)
ROLE_BY_KIND = {"enterprise": Role.ENTERPRISE, "university": Role.INSTITUTION, "institute": Role.INSTITUTION,
                "rd_institution": Role.INSTITUTION, "agency": Role.BROKER, "service_provider": Role.SERVICE_PROVIDER}


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def org(name: str, region_code: str, kind: str = "enterprise") -> Organization:
    n = next(_serial)
    return Organization.objects.create(name=name, credit_code=core.credit_code(5000 + n), kind=kind,
                                       region=region(region_code))


def unit_user(organization: Organization):
    n = next(_serial)
    return core.user(f"unit-{n}", organization_obj=organization,
                     roles=[ROLE_BY_KIND.get(organization.kind, Role.ENTERPRISE)])


def qualification(organization, kind: str, level: str, recognised_on=datetime.date(2020, 1, 1), valid_until=None):
    return Qualification.objects.create(organization=organization, kind=kind, level=level,
                                        recognised_on=recognised_on, valid_until=valid_until)


def platform(organization, kind: str, level: str, recognised_on=datetime.date(2020, 1, 1), name: str = ""):
    return Platform.objects.create(name=name or f"{organization.name}{kind}", kind=kind, level=level,
                                   organization=organization, region=organization.region,
                                   recognised_on=recognised_on)


def contract(*, seller=None, buyer=None, seller_region: str | None = None, buyer_region: str | None = None,
             total: int, tech: int | None = None, registered_on=datetime.date(2025, 5, 10), national: bool = True,
             status: str = "registered", broker=None, name: str = "") -> TechContract:
    """A contract as the registrar left it: amounts in fen."""
    n = next(_serial)
    return TechContract.objects.create(
        name=name or f"技术合同{n}", status=status,
        seller_organization=seller, seller_name=seller.name if seller else f"卖方{n}",
        seller_region=region(seller_region or seller.region.code),
        buyer_organization=buyer, buyer_name=buyer.name if buyer else f"买方{n}",
        buyer_region=region(buyer_region or buyer.region.code),
        total_amount_fen=total, tech_amount_fen=total if tech is None else tech, broker_agency=broker,
        registered_on=registered_on if status == "registered" else None,
        registration_number=(f"2025410601{n:06d}" if status == "registered" else None),
        registration_number_source=("national" if national else "issued") if status == "registered" else "")


def payment(contract_obj, paid_on, amount: int, evidence=("voucher", "invoice")) -> ContractPayment:
    p = ContractPayment.objects.create(contract=contract_obj, paid_on=paid_on, amount_fen=amount)
    for kind in evidence:
        PaymentEvidence.objects.create(record=p, kind=kind, file=f"evidence/{p.pk}-{kind}.pdf",
                                       original_name=f"{kind}.pdf", size=100)
    return p


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload(name: str = "在本市实施转化证明.pdf", data: bytes = PDF):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def evidence(declaration, user, kind: str = "local_transfer", name: str = "在本市实施转化证明.pdf"):
    return services.declaration_evidence_add(declaration=declaration, by=user, kind=kind, upload=upload(name))


def policies(city: str, year: int = 2026) -> dict[str, SubsidyPolicy]:
    subsidy_policies_load(city=city, year=year)
    return {p.code: p for p in SubsidyPolicy.objects.filter(city__code=f"{city}00", year=year, is_current=True)}


def round_through_review(*, bureau, city: str, policy_list, declarations: list[dict], year: int = 2026,
                         budget=None, name: str = "测试批次"):
    """Create, open, declare (each ``{"org", "policy", ...data}``), pre-review and city-review by
    ``bureau``, close declarations. Returns the round (status reviewing)."""
    round_ = services.round_create(by=bureau, city=region(f"{city}00"), data={
        "name": name, "year": year, "declaration_deadline": datetime.date(2099, 12, 31),
        "policies": [p.pk for p in policy_list], "budget": budget})
    services.round_act(round_=round_, action="open", by=bureau)
    round_.refresh_from_db()
    for spec in declarations:
        spec = dict(spec)
        organization, policy = spec.pop("org"), spec.pop("policy")
        grade, amount = spec.pop("grade", None), spec.pop("assessed_amount", None)
        user = unit_user(organization)
        d = services.declaration_create(round_=round_, by=user, data={"policy": policy.pk, **spec})
        if services.missing_evidence(d):
            evidence(d, user)
        services.declaration_act(declaration=d, action="submit", by=user)
        services.declaration_act(declaration=d, action="pre_approve", by=bureau)
        d.refresh_from_db()
        if grade is not None or amount is not None:
            services.declaration_assess(declaration=d, by=bureau, grade=grade, assessed_amount=amount)
        services.declaration_act(declaration=d, action="accept", by=bureau)
    services.round_act(round_=round_, action="close_declarations", by=bureau)
    round_.refresh_from_db()
    return round_


def compute(round_, bureau, today=datetime.date(2026, 3, 2)):
    services.round_act(round_=round_, action="compute", by=bureau, today=today)
    round_.refresh_from_db()
    return round_.current_computation
