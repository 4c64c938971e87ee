"""Demo registered technology contracts (技术合同认定登记) for the five seed cities, 2022 – 2026-11.

About 3,000 contracts whose parties are the demo's organizations, in the state the registration leaves
them (status registered, registration date and number), with payments and their evidence, then the
statistics summary built by ``contractstats.services.stats_rebuild`` (the function of
``techmarket contract_stats_rebuild``). The mix (docs/demo-contracts.md):

* sellers mostly in the contract's city, buyers mostly in the same city or province; cases for the
  subsidy conditions "outside the province / city": 鹤壁 enterprises buying from universities of other
  provinces (石家庄, 巴中), 周口 enterprises buying from outside 周口, 河南 universities and institutes
  (郑州) selling to 鹤壁 / 周口 enterprises, a few buyers abroad; about one in eight brokered by a
  technology-transfer agency (with its broker when the agency has one);
* categories, fields, IP types and plan categories after the real shares (技术服务 and 技术开发 carry
  most of the value, about half involve IP);
* registration numbers: most from the national system, some issued by the platform (郑州, point 01, the
  serial counter moved past them), a few without a national number;
* 1 – 3 payments over the year after signing, most evidenced by a transfer voucher and an invoice, some
  by only one of them (the "evidenced" condition of the subsidy rules has exclusions).

Written with bulk_create; idempotent (the first contract's registration number tells whether it ran).
"""
from __future__ import annotations

import datetime
import random
import struct
import zlib
from collections import defaultdict

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

CITY_CONTRACTS = {"410100": 1200, "410600": 450, "411600": 500, "130100": 550, "511900": 300}
YEARS = {2022: 14, 2023: 17, 2024: 21, 2025: 25, 2026: 27}  # about +20 % a year (seed 000), 2026 to date
CATEGORY = {"51": 34, "52": 3, "53": 5, "11": 22, "12": 10, "41": 10, "21": 4, "22": 1, "23": 3, "24": 2,
            "31": 3, "32": 2, "39": 1}
MEDIAN_YUAN = {"5": 180_000, "1": 350_000, "4": 60_000, "2": 600_000, "3": 450_000}
FIELD = {"11": 22, "01": 20, "02": 16, "07": 8, "08": 8, "05": 7, "06": 7, "10": 6, "04": 4, "03": 1, "09": 1}
IP_TYPE = {"00": 50, "08": 15, "01": 13, "04": 9, "02": 7, "03": 1, "06": 1, "09": 4}
PLAN = {"0": 86, "1": 2, "2": 4, "3": 6, "4": 2}
SUBJECTS = {
    "01": ["工业互联网平台", "智能终端软件", "大数据分析系统", "5G 通信模块"],
    "02": ["数控机床改造", "智能产线集成", "工业机器人应用", "精密零部件加工工艺"],
    "03": ["无人机飞控系统", "航空复合材料构件"], "04": ["智能网联汽车", "轨道交通检测装置"],
    "05": ["中药提取工艺", "医疗器械注册检验", "生物制剂纯化"], "06": ["高性能合金", "超硬材料", "高分子改性材料"],
    "07": ["光伏电站运维", "余热回收节能改造", "储能电池管理系统"], "08": ["污水处理工艺", "固废资源化利用"],
    "09": ["辐照灭菌工艺"], "10": ["小麦良种选育", "食用菌栽培技术", "畜禽疫病防控"],
    "11": ["智慧城市管理平台", "建筑节能设计", "文旅数字化服务"],
}
KIND_WORD = {"11": "委托开发", "12": "合作开发", "21": "专利权转让", "22": "专利申请权转让", "23": "技术秘密转让",
             "24": "软件著作权转让", "31": "专利实施许可", "32": "技术秘密使用许可", "39": "技术许可",
             "41": "技术咨询", "51": "技术服务", "52": "技术培训", "53": "技术中介服务"}


def _weighted(rng: random.Random, table: dict):
    return rng.choices(list(table), weights=list(table.values()))[0]


def _png(text: str) -> bytes:
    """A small valid PNG (a grey 48×32 image whose pixels vary with ``text``)."""
    width, height = 48, 32
    shade = zlib.crc32(text.encode()) & 0x7F
    raw = b"".join(b"\x00" + bytes([(shade + x + y) & 0xFF for x in range(width)]) for y in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _pdf(text: str) -> bytes:
    """A one-page PDF with an ASCII line (the voucher or invoice number)."""
    stream = f"BT /F1 12 Tf 40 100 Td ({text}) Tj ET".encode("ascii")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 200] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


class _Parties:
    """The demo's organizations by city and kind."""

    def __init__(self):
        from techmarket.directory.models import Organization, Person

        self.by_city: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for org in Organization.objects.select_related("region", "party_nature").exclude(kind="government"):
            path = org.region.path if org.region_id else ""
            parts = [p for p in path.split("/") if p]
            if len(parts) >= 2:
                self.by_city[parts[1]][org.kind].append(org)
        self.brokers = {p.organization_id: p for p in Person.objects.filter(kind="broker").order_by("pk")}

    def pick(self, rng, city: str, kinds: tuple[str, ...]):
        pool = [o for k in kinds for o in self.by_city[city].get(k, [])]
        return rng.choice(pool) if pool else None


def _plan(rng: random.Random, parties: _Parties, city: str):
    """(seller, buyer, buyer_abroad_name) for one contract registered in ``city`` (the seller's city mostly)."""
    draw = rng.random()
    henan = [c for c in CITY_CONTRACTS if c.startswith("41")]
    if city == "410600" and draw < 0.09:  # 鹤壁 enterprise buys from a university of another province
        return (parties.pick(rng, rng.choice(["130100", "511900"]), ("university",)),
                parties.pick(rng, city, ("enterprise",)), None)
    if city == "411600" and draw < 0.16:  # 周口 enterprise buys from outside 周口
        return (parties.pick(rng, rng.choice(["410100", "410100", "410600", "130100"]),
                             ("enterprise", "university", "institute")),
                parties.pick(rng, city, ("enterprise",)), None)
    if city == "410100" and draw < 0.07:  # 郑州 universities / institutes sell to 鹤壁 / 周口 enterprises
        return (parties.pick(rng, city, ("university", "institute")),
                parties.pick(rng, rng.choice(["410600", "411600"]), ("enterprise",)), None)
    seller_kinds = ("enterprise",) * 8 + ("university", "institute")
    seller = parties.pick(rng, city, (rng.choice(seller_kinds),)) or parties.pick(rng, city, ("enterprise",))
    if draw > 0.97:  # a buyer abroad
        return seller, None, rng.choice(["德国慕尼黑精密机械有限公司", "新加坡华信科技私人有限公司",
                                         "香港瑞丰国际贸易有限公司", "日本大阪电子株式会社"])
    buyer_city = city if draw < 0.75 else rng.choice([c for c in CITY_CONTRACTS if c != city] + henan)
    buyer = parties.pick(rng, buyer_city, ("enterprise",) * 6 + ("institute", "university"))
    if buyer is not None and seller is not None and buyer.pk == seller.pk:
        buyer = parties.pick(rng, buyer_city, ("enterprise",))
    return seller, buyer, None


def _named_cases(rng: random.Random, parties: _Parties) -> dict[str, list]:
    """Contracts of the organizations behind the demo's unit accounts, so that each subsidy rule of 鹤壁 and
    周口 has a case to show: ent-4106-1/2 buy from universities of other provinces, the first 周口 enterprise
    (ent-4116-1) buys from 郑州, the first 周口 university or institute (univ-4116-1) sells in 周口."""
    from techmarket.accounts.models import User
    from techmarket.directory.models import Organization

    def org_of(username):
        user = User.objects.filter(username=username).select_related("organization__region").first()
        return user.organization if user is not None else None

    cases: dict[str, list] = defaultdict(list)
    for username in ("ent-4106-1", "ent-4106-2"):
        buyer = org_of(username)
        seller = parties.pick(rng, rng.choice(["130100", "511900"]), ("university", "institute"))
        if buyer is not None and seller is not None:
            cases["410600"].append((seller, buyer, None))
    zk_enterprise = org_of("ent-4116-1") or Organization.objects.filter(
        region__code__startswith="4116", kind="enterprise").order_by("pk").first()
    zk_university = org_of("univ-4116-1") or Organization.objects.filter(
        region__code__startswith="4116", kind__in=["university", "institute"]).order_by("pk").first()
    seller = parties.pick(rng, "410100", ("enterprise", "university"))
    if zk_enterprise is not None and seller is not None:
        cases["411600"].append((seller, zk_enterprise, None))
    buyer = parties.pick(rng, "411600", ("enterprise",))
    if zk_university is not None and buyer is not None:
        cases["411600"].append((zk_university, buyer, None))
    return cases


@transaction.atomic
def contracts_demo_load(loader) -> str:
    """Create the demo's registered contracts once; a one-line Chinese summary."""
    from techmarket.accounts.models import User
    from techmarket.contracts.choices import (ContractSource, ContractStatus, PaymentEvidenceKind,
                                              RegistrationNumberSource)
    from techmarket.contracts.models import (ContractPayment, PaymentEvidence, RegistrationPoint, RegistrationSerial,
                                             TechContract)
    from techmarket.contractstats.services import stats_rebuild
    from techmarket.regions.models import Region
    from techmarket.taxonomies.models import Term

    today = timezone.localdate()
    rng = random.Random(20251231)
    first_number = "2022410102000001"  # 郑州's first national number of 2022: present means the demo ran
    if TechContract.objects.filter(registration_number=first_number).exists():
        return "技术合同登记演示数据已存在，跳过。"
    parties = _Parties()
    if not parties.by_city.get("410100"):
        return "没有演示单位，跳过技术合同登记演示数据。"
    terms = {(s, c): pk for s, c, pk in Term.objects.filter(scheme__code__in=[
        "contract_category", "contract_field", "ip_type", "plan_category"]).values_list("scheme__code", "code", "pk")}
    cities = {r.code: r for r in Region.objects.filter(code__in=CITY_CONTRACTS)}
    registrars = {u.username[-4:]: u for u in User.objects.filter(username__startswith="registrar-")}
    zz_point, _created = RegistrationPoint.objects.get_or_create(
        city=cities["410100"], code="01", defaults={"name": "郑州市技术合同认定登记站"})
    serials: dict[str, int] = defaultdict(int)     # national numbers per (year, city): point 02 of the national system
    issued: dict[int, int] = defaultdict(int)       # the platform's numbers (郑州, point 01)
    for year, last_serial in RegistrationSerial.objects.filter(point=zz_point).values_list("year", "last_serial"):
        issued[year] = last_serial

    contracts: list[TechContract] = []
    plans: list[tuple[int, int]] = []  # (payments, evidence mode) per contract
    named = _named_cases(rng, parties)
    for city, count in CITY_CONTRACTS.items():
        for _i in range(count + len(named.get(city, ()))):
            if _i >= count:  # the demo accounts' own cases, registered in the subsidy base year
                seller, buyer, abroad = named[city][_i - count]
                year = today.year - 1
            else:
                seller, buyer, abroad = _plan(rng, parties, city)
                year = None
            if seller is None or (buyer is None and abroad is None):
                continue
            year = year or _weighted(rng, YEARS)
            last = (today - datetime.timedelta(days=3)) if year == today.year else datetime.date(year, 12, 31)
            registered_on = datetime.date(year, 1, 1) + datetime.timedelta(
                days=rng.randrange((last - datetime.date(year, 1, 1)).days + 1))
            if _i >= count:  # early in the base year, so that its payments fall in that year
                registered_on = datetime.date(year, 2, 1) + datetime.timedelta(days=rng.randrange(45))
            signed_on = registered_on - datetime.timedelta(days=rng.randrange(7, 60))
            category = _weighted(rng, CATEGORY)
            field = _weighted(rng, FIELD)
            total = min(int(rng.lognormvariate(0, 1.1) * MEDIAN_YUAN[category[0]]), 80_000_000) // 100 * 100 + 100
            tech = total if category[0] in "24" else int(total * rng.uniform(0.6, 1.0)) // 100 * 100
            ip = "00" if category[0] == "4" else ("01" if category[0] in "23" and rng.random() < 0.6
                                                   else _weighted(rng, IP_TYPE))
            seller_city = seller.region.path.split("/")[1]
            draw = rng.random() if _i < count else 0.5  # named cases carry a national number
            if draw < 0.07:
                number, number_source, source = None, "", ContractSource.ENTERED
            elif seller_city == "410100" and draw < 0.30:
                issued[year] += 1
                number = f"{year}410101{issued[year]:06d}"
                number_source, source = RegistrationNumberSource.ISSUED, ContractSource.ENTERED
            else:
                serials[(year, seller_city)] = serials[(year, seller_city)] + 1
                number = f"{year}{seller_city[:4]}02{serials[(year, seller_city)]:06d}"
                number_source, source = RegistrationNumberSource.NATIONAL, ContractSource.NATIONAL
            agency = None
            if rng.random() < 0.13:
                agency = parties.pick(rng, seller_city, ("agency",)) or parties.pick(rng, "410100", ("agency",))
            subject = rng.choice(SUBJECTS[field])
            at = timezone.make_aware(datetime.datetime.combine(registered_on, datetime.time(10, rng.randrange(60))))
            contracts.append(TechContract(
                status=ContractStatus.REGISTERED, source=source, name=f"{subject}{KIND_WORD[category]}合同",
                category_id=terms[("contract_category", category)],
                seller_organization=seller, seller_name=seller.name, seller_credit_code=seller.credit_code,
                seller_region=seller.region, seller_nature=seller.party_nature,
                buyer_organization=buyer, buyer_name=buyer.name if buyer else abroad,
                buyer_credit_code=buyer.credit_code if buyer else "", buyer_region=buyer.region if buyer else None,
                buyer_nature=buyer.party_nature if buyer else None,
                total_amount_fen=total * 100, tech_amount_fen=tech * 100,
                tech_field_id=terms[("contract_field", field)], ip_type_id=terms[("ip_type", ip)],
                plan_category_id=terms[("plan_category", _weighted(rng, PLAN))],
                signed_on=signed_on, valid_from=signed_on,
                valid_to=signed_on + datetime.timedelta(days=365 * rng.choice([1, 1, 2, 3])),
                broker_agency=agency, broker=parties.brokers.get(agency.pk) if agency else None,
                registration_point=zz_point if number_source == RegistrationNumberSource.ISSUED else None,
                submitted_at=at - datetime.timedelta(days=rng.randrange(2, 20)),
                examined_by=registrars.get(seller_city[:4]),
                registration_number=number, registration_number_source=number_source, registered_on=registered_on,
                created_at=at, updated_at=at))
            plans.append((rng.choice([1, 1, 2, 2, 3]), rng.random() if _i < count else 0.0))
    contracts = TechContract.objects.bulk_create(contracts, batch_size=1000)
    for year, last in issued.items():
        serial, _c = RegistrationSerial.objects.get_or_create(point=zz_point, year=year)
        if serial.last_serial < last:
            serial.last_serial = last
            serial.save(update_fields=["last_serial"])

    payments, pay_plans = [], []
    for contract, (n, mode) in zip(contracts, plans):
        remaining = contract.total_amount_fen
        for k in range(n):
            paid_on = contract.signed_on + datetime.timedelta(days=rng.randrange(5, 365))
            if paid_on > today:
                continue
            amount = remaining if k == n - 1 else remaining // (n - k) // 100 * 100
            if amount <= 0:
                continue
            remaining -= amount
            payments.append(ContractPayment(contract=contract, paid_on=paid_on, amount_fen=amount,
                                            note=f"第{k + 1}笔合同款"))
            pay_plans.append(mode)
    payments = ContractPayment.objects.bulk_create(payments, batch_size=1000)
    evidence = []
    for payment, mode in zip(payments, pay_plans):
        kinds = ([PaymentEvidenceKind.VOUCHER, PaymentEvidenceKind.INVOICE] if mode < 0.82
                 else [PaymentEvidenceKind.VOUCHER] if mode < 0.91 else [PaymentEvidenceKind.INVOICE])
        for kind in kinds:
            label = f"{kind}-{payment.pk}"
            if kind == PaymentEvidenceKind.INVOICE:
                name, data = f"发票{payment.pk}.pdf", _pdf(f"Invoice No. {payment.paid_on:%Y%m%d}{payment.pk:06d}")
            else:
                name, data = f"转账凭证{payment.pk}.png", _png(label)
            item = PaymentEvidence(record=payment, kind=kind, original_name=name, size=len(data))
            item.file.name = default_storage.save(item.file.field.upload_to(item, name), ContentFile(data))
            evidence.append(item)
    PaymentEvidence.objects.bulk_create(evidence, batch_size=1000)
    cells = stats_rebuild()
    loader.say(f"技术合同统计汇总：{cells} 个单元格。\n")
    national = sum(1 for c in contracts if c.registration_number_source == RegistrationNumberSource.NATIONAL)
    return (f"已登记技术合同 {len(contracts)} 份（全国系统登记号 {national} 份），付款记录 {len(payments)} 笔，"
            f"付款凭证 {len(evidence)} 份。")
