"""`techmarket demo`: the seed cities' accounts, registries and policy documents.

Idempotent: accounts and named organizations are matched by username and credit code, and the
generated bulk is created only once (its first generated credit code tells whether it was).
"""
from __future__ import annotations

import datetime
import random

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from techmarket.accounts.models import User
from techmarket.accounts.roles import Role
from techmarket.core.audit import record_bulk_import
from techmarket.directory.models import Contact, Organization, Person, Platform, Qualification
from techmarket.regions.models import Region
from techmarket.taxonomies.models import Term

from . import generator as g

PASSWORD = "techmarket-demo"

ZHENGZHOU_UNITS = ["410102", "410103", "410104", "410105", "410106", "410108", "410122", "410171", "410172",
                   "410173", "410181", "410182", "410183", "410184", "410185", "410190"]
# Named market accounts for 郑州 and 鹤壁 (SPEC §3): enterprises sit in different districts.
MARKET_CITIES = {
    "4101": {"ent_districts": ["410105", "410172", "410103"], "univ": "郑州大学", "univ_region": "410172", "inst": "郑州机械研究所",
             "inst_region": "410102", "agency": "郑州技术市场服务中心", "agency_region": "410105",
             "investor": "郑州中原科创投资有限公司", "investor_region": "410190"},
    "4106": {"ent_districts": ["410611", "410671", "410622"], "univ": "鹤壁职业技术学院", "univ_region": "410611", "inst": "鹤壁市农业科学院",
             "inst_region": "410611", "agency": "鹤壁市技术转移中心", "agency_region": "410611",
             "investor": "鹤壁淇河创业投资有限公司", "investor_region": "410611"},
}
GENERATED_ORGS_PER_CITY = {"130100": 700, "410100": 900, "410600": 350, "411600": 450, "511900": 300}
GENERATED_PEOPLE = 2000
GENERATED_PLATFORMS = 320


class DemoLoader:
    def __init__(self, stdout=None, *, bulk: bool = True, market: bool = True):
        self.out = stdout
        self.bulk = bulk
        # The 成果库 and 需求库 need the generated universities, institutes and enterprises.
        self.market = market and bulk
        self.rng = random.Random(20261122)
        self.regions = {r.code: r for r in Region.objects.filter(code__in=self._region_codes())}
        self.terms = {(t.scheme.code, t.code): t for t in Term.objects.filter(
            scheme__code__in=["party_nature", "gbt4754", "hitech_domains", "gbt13745"]).select_related("scheme")}
        self.accounts: list[tuple[str, str, str]] = []
        self.named: set[str] = set()  # names of the accounts' organizations, the same on every run

    def say(self, text: str) -> None:
        if self.out is not None:
            self.out.write(text)

    def _region_codes(self) -> list[str]:
        codes = set(g.SEED_CITIES)
        for city in g.SEED_CITIES:
            codes |= set(Region.objects.filter(parent__code=city).values_list("code", flat=True))
        return sorted(codes)

    def district_units(self, city_code: str) -> list[Region]:
        return sorted((r for r in self.regions.values() if r.parent_id and r.parent.code == city_code),
                      key=lambda r: r.code)

    # -- accounts ---------------------------------------------------------------------------------

    def user(self, username: str, *, name: str, roles: list[str], organization: Organization | None,
             region: Region | None, superuser: bool = False, email: str = "") -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, is_demo=True)
            user.set_password(PASSWORD)
        user.name = name
        user.email = email or f"{username}@demo.techmarket.local"
        user.organization = organization
        user.region = region
        user.is_superuser = superuser
        user.is_staff = superuser or Role.BUREAU_ADMIN in roles
        user.is_active = True
        user.save()
        user.groups.set([Group.objects.get_or_create(name=r)[0] for r in roles])
        label = "、".join(str(dict(Role.choices).get(r, r)) for r in roles) or ("超级管理员" if superuser else "")
        self.accounts.append((username, label, organization.name if organization else ""))
        return user

    def organization(self, *, name: str, kind: str, region: str, nature: str, prefix: str = "91",
                     fields: list[str] | None = None, description: str = "") -> Organization:
        self.named.add(name)
        org = Organization.objects.filter(name=name).first()
        if org is not None:
            return org
        org = Organization.objects.create(
            name=name, credit_code=g.credit_code(self.rng, region, prefix), kind=kind, region=self.regions[region],
            party_nature=self.terms[("party_nature", nature)], description=description)
        if fields:
            org.tech_fields.set([self.terms[("hitech_domains", c)] for c in fields])
        return org

    def load_accounts(self) -> None:
        self.user("admin", name="系统管理员", roles=[], organization=None, region=None, superuser=True)
        for city, (short, bureau) in g.SEED_CITIES.items():
            gov = self.organization(name=bureau, kind="government", region=city, nature="10", prefix="11",
                                    description=f"{short}市科技创新主管部门，负责全市科技大市场的运营管理。")
            self.user(f"bureau-{city[:4]}", name=f"{short}市科技局管理员", roles=[Role.BUREAU_ADMIN],
                      organization=gov, region=self.regions[city])
        for code in ZHENGZHOU_UNITS:
            unit = self.regions[code]
            office = self.organization(name=f"{unit.name}科技管理部门" if unit.is_zone else f"{unit.name}科学技术局",
                                       kind="government", region=code, nature="10", prefix="11")
            self.user(f"officer-{code}", name=f"{unit.name}科技管理员", roles=[Role.DISTRICT_OFFICER],
                      organization=office, region=unit)
        for city, (short, _bureau) in g.SEED_CITIES.items():
            station = self.organization(name=f"{short}市技术合同认定登记站", kind="government", region=city,
                                        nature="29", prefix="12",
                                        description="技术合同认定登记点（01 号登记点）。")
            self.user(f"registrar-{city[:4]}", name=f"{short}市技术合同登记员", roles=[Role.REGISTRAR],
                      organization=station, region=self.regions[city])
        for city4, spec in MARKET_CITIES.items():
            self._market_accounts(city4, spec)

    def _market_accounts(self, city4: str, spec: dict) -> None:
        short = g.SEED_CITIES[city4 + "00"][0]
        for i, district in enumerate(spec["ent_districts"], 1):
            word, fields, industry = g.INDUSTRIES[(i * 5 + len(city4)) % len(g.INDUSTRIES)]
            ent = self.organization(name=f"{short}{'华创 中宇 博远'.split()[i - 1]}{word}有限公司", kind="enterprise",
                                    region=district, nature="45", fields=fields,
                                    description=f"{self.regions[district].name}的{word}企业，面向市场开展技术研发。")
            self.user(f"ent-{city4}-{i}", name=f"{g.person_name(self.rng)}", roles=[Role.ENTERPRISE],
                      organization=ent, region=ent.region)
        univ = self.organization(name=spec["univ"], kind="university", region=spec["univ_region"],
                                 nature="22", prefix="12", fields=["101", "401"])
        self.user(f"univ-{city4}-1", name=g.person_name(self.rng), roles=[Role.INSTITUTION], organization=univ,
                  region=univ.region)
        inst = self.organization(name=spec["inst"], kind="institute", region=spec["inst_region"], nature="21",
                                 prefix="12", fields=["804", "207"])
        self.user(f"inst-{city4}-1", name=g.person_name(self.rng), roles=[Role.INSTITUTION], organization=inst,
                  region=inst.region)
        agency = self.organization(name=spec["agency"], kind="agency", region=spec["agency_region"], nature="29",
                                   prefix="12", fields=["505"])
        self.user(f"agency-{city4}-1", name=g.person_name(self.rng), roles=[Role.BROKER], organization=agency,
                  region=agency.region)
        broker = self.user(f"broker-{city4}-1", name=g.person_name(self.rng), roles=[Role.BROKER],
                           organization=agency, region=agency.region)
        self._person_for(broker, kind="broker", org=agency, title="技术经纪人", fields=["505"])
        investor = self.organization(name=spec["investor"], kind="investor", region=spec["investor_region"],
                                     nature="45")
        self.user(f"investor-{city4}-1", name=g.person_name(self.rng), roles=[Role.INVESTOR], organization=investor,
                  region=investor.region)
        for i in range(1, 7):
            org = univ if i % 2 else inst
            expert = self.user(f"expert-{city4}-{i}", name=g.person_name(self.rng), roles=[Role.EXPERT],
                               organization=org, region=org.region)
            field_code = sorted(g.EXPERTISE)[(i * 3 + len(city4)) % len(g.EXPERTISE)]
            self._person_for(expert, kind="expert", org=org, title=g.TITLES[i % 3], fields=[field_code])

    def _person_for(self, user: User, *, kind: str, org: Organization, title: str, fields: list[str]) -> Person:
        person = Person.objects.filter(user=user).first()
        if person is None:
            person = Person.objects.create(
                name=user.name, kind=kind, title=title, organization=org, region=org.region, user=user,
                expertise=g.EXPERTISE.get(fields[0], "技术转移与成果转化服务"), phone=g.demo_phone(self.rng),
                email=user.email, gender=self.rng.choice(["M", "F"]))
            person.tech_fields.set([self.terms[("hitech_domains", c)] for c in fields])
        return person

    # -- the generated bulk ---------------------------------------------------------------------

    def load_bulk(self) -> None:
        # A generator of its own, so the bulk is the same whatever the accounts step drew; its first
        # credit code then tells whether the bulk was loaded before.
        self.rng = random.Random(20261123)
        used = set(self.named)
        orgs: list[Organization] = []
        quals: list[tuple[int, tuple]] = []
        fields: list[tuple[int, list[str]]] = []
        contacts: list[tuple[int, tuple]] = []
        for city, count in GENERATED_ORGS_PER_CITY.items():
            short = g.SEED_CITIES[city][0]
            units = self.district_units(city)
            for _i in range(count):
                unit = self.rng.choice(units)
                spec = g.enterprise_spec(self.rng, short, unit.code, unit.name, used)
                orgs.append(Organization(
                    name=spec.name, credit_code=spec.credit_code, kind=spec.kind, region=unit,
                    party_nature=self.terms[("party_nature", spec.party_nature)],
                    industry=self.terms.get(("gbt4754", spec.industry)), description=spec.description,
                    address=spec.address))
                quals.append((len(orgs) - 1, spec.qualifications))
                fields.append((len(orgs) - 1, spec.tech_fields))
                contacts.append((len(orgs) - 1, spec.contact))
            for fld in g.INSTITUTE_FIELDS[: 4 + len(units) // 4]:
                name = f"{short}市{fld}研究所"
                if name in used:
                    continue
                used.add(name)
                orgs.append(Organization(name=name, credit_code=g.credit_code(self.rng, city, "12"), kind="institute",
                                         region=self.regions[city], party_nature=self.terms[("party_nature", "21")],
                                         description=f"{short}市属{fld}领域公益性科研机构。"))
                fields.append((len(orgs) - 1, [self.rng.choice(sorted(g.EXPERTISE))]))
        for row in g.universities():
            if row["name"] in used:
                continue
            used.add(row["name"])
            orgs.append(Organization(name=row["name"], credit_code=g.credit_code(self.rng, row["city_code"], "12"),
                                     kind="university", region=self.regions[row["city_code"]],
                                     party_nature=self.terms[("party_nature", "22")],
                                     description=f"{row['level']}院校，主管部门：{row['authority']}。"))
            fields.append((len(orgs) - 1, self.rng.sample(sorted(g.EXPERTISE), 2)))
        if Organization.objects.filter(credit_code=orgs[0].credit_code).exists():
            self.say("生成的资源库记录已存在，跳过。\n")
            return
        orgs = Organization.objects.bulk_create(orgs, batch_size=1000)  # primary keys come back
        through = Organization.tech_fields.through
        through.objects.bulk_create([through(organization_id=orgs[i].pk, term_id=self.terms[("hitech_domains", c)].pk)
                                     for i, codes in fields for c in codes], batch_size=2000)
        Qualification.objects.bulk_create([
            Qualification(organization=orgs[i], kind=k, level=lvl, recognised_on=start, valid_until=end,
                          certificate_no=f"GR{start.year}{41 if orgs[i].region.code.startswith('41') else 13}{n:05d}")
            for n, (i, specs) in enumerate(quals) for (k, lvl, start, end) in specs], batch_size=2000)
        Contact.objects.bulk_create([Contact(organization=orgs[i], name=c[0], title=c[1], phone=c[2])
                                     for i, c in contacts if c], batch_size=2000)
        self._bulk_people(orgs)
        self._bulk_platforms(orgs)
        record_bulk_import(model=Organization, objs=orgs, by=None, comment="演示数据")
        self.say(f"生成单位 {len(orgs)} 家。\n")

    def _bulk_people(self, orgs: list[Organization]) -> None:
        hosts = [o for o in orgs if o.kind in ("university", "institute")] or orgs
        ents = [o for o in orgs if o.kind == "enterprise"]
        people, field_rows, disc_rows = [], [], []
        programmes = ["leading", "high_level", "commissioner", "academician"]
        for n in range(GENERATED_PEOPLE):
            org = self.rng.choice(hosts if self.rng.random() < 0.7 else ents)
            field_code = self.rng.choice(sorted(g.EXPERTISE))
            kind = self.rng.choices(["expert", "researcher", "talent", "broker"], [45, 35, 15, 5])[0]
            progs = [p for p in programmes if self.rng.random() < {"academician": 0.005}.get(p, 0.06)]
            people.append(Person(
                name=g.person_name(self.rng), gender=self.rng.choice(["M", "F"]), kind=kind, programmes=progs,
                title=self.rng.choice(g.TITLES), organization=org, region=org.region,
                expertise=g.EXPERTISE[field_code], phone=g.demo_phone(self.rng),
                email=f"user{n:05d}@demo.techmarket.local",
                bio=f"长期从事{g.EXPERTISE[field_code]}方面的研究与成果转化工作。"))
            field_rows.append(field_code)
            # in the expertise's own discipline; picked without the shared random stream, which the rest draws from
            options = g.EXPERTISE_DISCIPLINES[field_code]
            disc_rows.append(self.terms[("gbt13745", options[n % len(options)])])
        saved = Person.objects.bulk_create(people, batch_size=1000)
        through = Person.tech_fields.through
        through.objects.bulk_create([through(person_id=p.pk, term_id=self.terms[("hitech_domains", c)].pk)
                                     for p, c in zip(saved, field_rows)], batch_size=2000)
        dthrough = Person.disciplines.through
        dthrough.objects.bulk_create([dthrough(person_id=p.pk, term_id=t.pk) for p, t in zip(saved, disc_rows)],
                                     batch_size=2000)
        self.say(f"生成人才 {len(saved)} 名。\n")

    def _bulk_platforms(self, orgs: list[Organization]) -> None:
        platforms = []
        today = timezone.localdate()
        for _n in range(GENERATED_PLATFORMS):
            org = self.rng.choice(orgs)
            kind, label = self.rng.choice(g.PLATFORM_KINDS)
            level = self.rng.choices(["national", "provincial", "municipal"], [8, 37, 55])[0]
            start = today - datetime.timedelta(days=self.rng.randrange(30, 2400))
            short = org.name.replace("有限公司", "").replace("股份", "").replace("有限责任公司", "")
            field_label = self.rng.choice(sorted(set(g.EXPERTISE.values()))).split("、")[0].split("与")[0]
            name = f"{dict(national='国家', provincial='河南省' if org.region.code.startswith('41') else '省', municipal='市')[level]}" \
                   f"{field_label}{label}（{short}）"
            platforms.append(Platform(name=name[:200], kind=kind, level=level, organization=org, region=org.region,
                                      recognised_on=start, valid_until=start + datetime.timedelta(days=5 * 365),
                                      description=f"依托{org.name}建设的{label}。"))
        Platform.objects.bulk_create(platforms, batch_size=1000)
        self.say(f"生成创新平台 {len(platforms)} 个。\n")

    @transaction.atomic
    def run(self) -> None:
        self.load_accounts()
        if self.bulk:
            self.load_bulk()
        from .articles import load_articles

        load_articles(self)
        if self.market:
            from .market import load_market

            load_market(self)
            from techmarket.events.demo import events_demo_load

            from .trading import load_trading

            load_trading(self)
            self.say(f"对接活动：新建 {events_demo_load()} 场。\n")
            self.load_contracts_and_policies()

    def load_contracts_and_policies(self) -> None:
        """Registration points and registrars, registered contracts with payments, integrity records, the
        seed subsidy policies with one computed round each for 鹤壁 and 周口, the seed targets, and the 揭榜挂帅
        challenges (in that order: each step reads what the one before wrote; the challenges need the
        registration points, the 周口 units and the 周口 policy)."""
        from techmarket.challenges.demo import challenges_demo_load
        from techmarket.contracts.demo import contracts_demo_load
        from techmarket.contracts.demo_registration import registration_demo_load
        from techmarket.integrity.demo import integrity_demo_load
        from techmarket.subsidies.demo import subsidies_demo_load
        from techmarket.targets.demo import targets_demo_load

        self.say(registration_demo_load(self) + "\n")
        self.say(contracts_demo_load(self) + "\n")
        self.say(integrity_demo_load(self) + "\n")
        self.say(subsidies_demo_load(self) + "\n")
        targets_demo_load(self)  # says its own summary
        self.say(challenges_demo_load(self) + "\n")
