"""Demo registration (认定登记): a registration point "01" per seed city with its registrar's certificate,
the cities' registration settings, and the demo trades' draft contracts walked through submission and,
for some, registration, so the registrar inbox shows pending and overdue items. Idempotent.

Demo choice: 郑州 (4101) issues registration numbers on the platform (RegistrationSetting.issues_numbers),
the other cities record the national system's numbers. Everything goes through the services, under the
demo clock the trading demo uses, so histories and due dates are what the product writes.
"""
from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from techmarket.regions.models import Region

from . import registration as reg
from . import services
from .choices import ContractSource, ContractStatus
from .models import RegistrarCertificate, RegistrationPoint, RegistrationSetting, TechContract

__all__ = ["registration_demo_load"]

# city region code → short name (the seed cities, SPEC §3 demo accounts)
CITIES = {"130100": "石家庄", "410100": "郑州", "410600": "鹤壁", "411600": "周口", "511900": "巴中"}
ISSUES_NUMBERS = {"410100"}
CERTIFICATE_VALID = (datetime.date(2024, 1, 1), datetime.date(2030, 12, 31))
DAY = datetime.timedelta(days=1)
# The demo's draft contracts in order: how far each goes and how many days ago it was submitted.
PLAN = (("overdue", 40), ("registered", 25), ("pending", 3), ("pre_examined", 10))


def _points() -> dict[str, RegistrationPoint]:
    User = get_user_model()
    points = {}
    for code, short in CITIES.items():
        city = Region.objects.filter(code=code).first()
        if city is None:
            continue
        point, _created = RegistrationPoint.objects.get_or_create(
            city=city, code="01", defaults={"name": f"{short}市技术合同认定登记站",
                                            "address": f"{short}市科学技术局技术市场科"})
        points[code] = point
        RegistrationSetting.objects.get_or_create(city=city, defaults={"issues_numbers": code in ISSUES_NUMBERS})
        registrar = User.objects.filter(username=f"registrar-{code[:4]}").first()
        if registrar is not None:
            RegistrarCertificate.objects.get_or_create(
                number=f"JSHT-{code[:4]}-0001", defaults={"user": registrar, "point": point,
                                                          "valid_from": CERTIFICATE_VALID[0],
                                                          "valid_to": CERTIFICATE_VALID[1]})
    return points


def _seller_user(contract: TechContract):
    return get_user_model().objects.filter(organization_id=contract.seller_organization_id, is_active=True) \
        .order_by("pk").first()


def _registrar(contract: TechContract):
    city = contract.registration_point.city.code
    return get_user_model().objects.filter(username=f"registrar-{city[:4]}").first()


def _complete(contract: TechContract, seller) -> TechContract:
    """Fill what the deal could not pre-fill (the seller side would)."""
    data = {}
    if contract.category_id is None:
        data["category"] = "29"  # 其他技术转让
    if contract.tech_field_id is None:
        data["tech_field"] = "02"
    if contract.seller_nature_id is None:
        data["seller_nature"] = "21"
    if contract.buyer_nature_id is None:
        data["buyer_nature"] = "45"
    if contract.plan_category_id is None:
        data["plan_category"] = "0"
    if data:
        services.contract_update(contract=contract, by=seller, data=data)
    return TechContract.objects.get(pk=contract.pk)


def contract_walk(contract: TechContract, story: str, days_ago: int, now: datetime.datetime) -> str | None:
    from techmarket.demo.trading import demo_clock

    seller = _seller_user(contract)
    if seller is None or contract.signed_on is None:
        return None
    signed = timezone.make_aware(datetime.datetime.combine(contract.signed_on, datetime.time(10, 0)))
    at = max(now - days_ago * DAY, signed + DAY)
    with demo_clock(at - datetime.timedelta(hours=1)):  # completed just before submission, in the history too
        contract = _complete(contract, seller)
    with demo_clock(at):
        contract = reg.contract_submit(contract=contract, by=seller, comment="请予认定登记")
    if story in ("overdue", "pending"):
        return story
    registrar = _registrar(contract)
    if registrar is None:
        return "pending"
    examined_at = min(at + 2 * DAY, now)
    costs = [{"item": "检测仪器", "amount": f"{contract.total_amount_fen * 8 // 100 / 100:.2f}"}]
    with demo_clock(examined_at):
        contract = reg.contract_pre_examine(contract=contract, by=registrar, non_technical_costs=costs,
                                            comment="审核通过：合同要素齐全；核减检测仪器费用")
    if story == "pre_examined":
        return story
    registered_at = min(examined_at + 3 * DAY, now)
    with demo_clock(registered_at):
        day = timezone.localdate()
        setting = reg.registration_setting_for(contract.registration_point)
        if setting is not None and setting.issues_numbers:
            reg.contract_register(contract=contract, by=registrar, comment="准予登记")
        else:
            point = contract.registration_point
            number = f"{day.year}{point.city.code[:4]}{point.code}{100000 + contract.pk:06d}"
            reg.contract_register(contract=contract, by=registrar, registration_number=number, registered_on=day,
                                  comment="已在全国技术合同登记系统登记")
    return story


def registration_demo_load(loader) -> str:
    """Points, certificates and settings of the five seed cities; the demo trades' drafts submitted and
    some registered. Returns a one-line Chinese summary."""
    points = _points()
    now = timezone.now().replace(second=0, microsecond=0)
    deal_contracts = TechContract.objects.filter(source=ContractSource.DEAL)
    walked: dict[str, int] = {}
    # Idempotent: once any demo trade's contract has left the draft state, the walk has been done.
    already = deal_contracts.exclude(status__in=[ContractStatus.DRAFT, ContractStatus.CANCELLED]).exists()
    drafts = [] if already else list(deal_contracts.filter(status=ContractStatus.DRAFT).order_by("pk"))
    for contract, (story, days_ago) in zip(drafts, PLAN):
        done = contract_walk(contract, story, days_ago, now)
        if done:
            walked[done] = walked.get(done, 0) + 1
    labels = {"overdue": "逾期待决", "pending": "待审查", "pre_examined": "已初审", "registered": "已登记"}
    detail = "、".join(f"{labels[k]} {v} 份" for k, v in walked.items()) or "无新的合同草稿"
    return f"技术合同登记：登记点 {len(points)} 个（郑州由平台发号），演示合同 {detail}。"
