"""The demo's 揭榜挂帅 (issue 7): challenges of 郑州 (4101), 鹤壁 (4106) and 周口 (4116) in every state, a demand
collection round per city with pool entries in every state, and a pushed challenge in ``expert-4101-1``'s inbox.

Every challenge is raised from a published demand of an ``ent-*`` enterprise (one the market demo published
before the story starts, or one written here and published through the demand services) and driven through
the real services (services.py, review.py, delivery.py) by the accounts that would act: the enterprise
raises and submits it, the district officer (郑州) or the city bureau pre-reviews, the bureau publishes it,
``univ-*`` / ``inst-*`` / ``ent-*`` units accept the agreement and apply (one as a consortium), the bureau
appoints ``expert-*`` panellists free of conflicts, they score, the enterprise awards, the winner reports
milestones with evidence, the enterprise confirms them, the bureau organises acceptance and decides. Each
step runs under the demo clock at its own time in the past, so histories, deadlines and the statistics'
“days to award” read like a real year. 周口's accepted project has its contract completed by the winner and
registered by ``registrar-4116``, so its support (the 周口 policy ``zk-challenge-share``) is computed.
``expert-4101-1`` follows its own technology field (领域订阅), and 郑州's open challenge in that field is pushed
when it is published (the matched experts get it too once the search index is rebuilt and the task runs).

Deterministic (the loader's generator draws the scores); idempotent (a city that already has challenges is
skipped). Returns a one-line Chinese summary.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from techmarket.accounts.models import User
from techmarket.directory.models import Person

from . import delivery, review, services
from .choices import PoolEntryStatus
from .models import Challenge, ChallengeApplication, CollectionRound, PoolEntry

__all__ = ["challenges_demo_load"]

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
CITIES = {"4101": "郑州", "4106": "鹤壁", "4116": "周口"}
PUSHED_EXPERT = "expert-4101-1"

# (field, title, description, keywords, budget 万元 (low, high), indicators, planned milestones (title, deliverable))
TEMPLATES = [
    ("202", "中药配方颗粒批间质量一致性控制", "配方颗粒不同批次指纹图谱相似度波动较大，需建立从饮片到成品的全过程质量一致性控制方法。",
     ["配方颗粒", "指纹图谱", "质量控制"], (40, 120),
     [("批间指纹图谱相似度", "≥0.95", ""), ("指标成分含量转移率偏差", "≤10", "%")],
     [("关键质量属性识别", "质量属性清单与检测方法"), ("全过程控制方案验证", "三批次工艺验证报告")]),
    ("804", "大型铸件机加工变形在线补偿", "大型箱体铸件精加工后变形超差，需在不改变夹具的前提下实现加工变形的在线测量与补偿。",
     ["机械加工", "变形补偿", "在线测量"], (60, 150),
     [("加工后平面度", "≤0.02", "mm"), ("单件检测时间", "≤15", "分钟")],
     [("变形机理分析与测量方案", "测量系统样机"), ("补偿算法集成与产线验证", "产线试运行报告")]),
    ("801", "注塑车间能耗与良率协同优化", "注塑车间能耗高、良率波动大，需基于生产数据建立工艺参数与能耗、良率的协同优化模型。",
     ["智能制造", "工艺优化", "能耗"], (30, 80),
     [("单位产品能耗下降", "≥12", "%"), ("综合良率", "≥98.5", "%")],
     [("数据采集与建模", "工艺数据平台与模型"), ("优化系统上线", "上线运行报告")]),
    ("403", "耐候型改性聚丙烯户外部件开发", "户外部件使用两年后出现粉化和开裂，需开发兼顾耐候性与成本的改性聚丙烯配方。",
     ["改性塑料", "耐候", "聚丙烯"], (35, 90),
     [("氙灯老化 2000 小时后拉伸强度保持率", "≥80", "%"), ("材料成本增加", "≤8", "%")],
     [("配方筛选", "小试配方与检测报告"), ("中试与部件验证", "中试批次与部件检测报告")]),
    ("603", "储能电池簇一致性在线均衡", "储能电站电池簇运行后单体电压离散度扩大，需研制低损耗的在线主动均衡装置。",
     ["储能", "电池均衡", "电池管理"], (80, 200),
     [("单体电压极差", "≤30", "mV"), ("均衡效率", "≥92", "%")],
     [("均衡拓扑与样机", "均衡装置样机"), ("电站现场运行验证", "三个月运行报告")]),
    ("701", "高盐印染废水近零排放处理", "印染废水含盐量高，现有生化工艺出水难以回用，需开发经济可行的分盐与回用工艺。",
     ["废水处理", "分盐", "回用"], (100, 260),
     [("回用水比例", "≥85", "%"), ("吨水处理成本", "≤18", "元")],
     [("工艺小试", "小试报告"), ("示范线建设运行", "示范线运行报告")]),
    ("207", "小麦赤霉病抗性分子标记辅助育种", "主栽小麦品种赤霉病抗性不足，需开发实用的抗性分子标记并用于育种材料筛选。",
     ["小麦", "赤霉病", "分子育种"], (50, 120),
     [("可用抗性标记数", "≥3", "个"), ("筛选育种材料", "≥500", "份")],
     [("标记开发与验证", "标记验证报告"), ("育种材料筛选", "筛选结果与材料清单")]),
    ("806", "配电网故障快速定位与自愈", "县域配电网线路长、分支多，故障定位耗时，需研制基于行波和终端数据的快速定位与自愈方案。",
     ["配电网", "故障定位", "自愈"], (70, 180),
     [("故障定位误差", "≤200", "m"), ("非故障区段恢复供电时间", "≤60", "秒")],
     [("定位算法与终端", "终端样机与算法软件"), ("试点线路运行", "试点运行报告")]),
    ("101", "工业设备预测性维护软件", "关键设备非计划停机频繁，需开发基于振动和电流数据的预测性维护软件。",
     ["预测性维护", "工业软件", "振动分析"], (30, 70),
     [("故障提前预警时间", "≥72", "小时"), ("误报率", "≤5", "%")],
     [("数据接入与模型训练", "模型与测试报告"), ("软件部署与试运行", "部署试运行报告")]),
    ("205", "便携式超声探头国产化", "便携式超声设备探头依赖进口，需完成高频线阵探头的国产化设计与小批量试制。",
     ["医疗器械", "超声探头", "国产化"], (90, 220),
     [("中心频率", "≥10", "MHz"), ("成本较进口下降", "≥30", "%")],
     [("探头设计与样品", "样品及性能测试报告"), ("小批量试制", "小批量试制报告")]),
    ("401", "轻量化铝合金副车架铸造工艺", "副车架铸件内部缩松导致疲劳性能不稳定，需优化低压铸造工艺并验证疲劳寿命。",
     ["铝合金", "低压铸造", "轻量化"], (60, 160),
     [("铸件内部缺陷等级", "≤2", "级"), ("疲劳寿命", "≥100", "万次")],
     [("工艺仿真与试铸", "试铸件与检测报告"), ("台架疲劳验证", "疲劳试验报告")]),
    ("104", "厂区 5G 专网低时延控制应用", "厂区设备远程控制时延不稳定，需基于 5G 专网实现低时延、高可靠的控制数据传输。",
     ["5G", "工业互联网", "低时延"], (40, 100),
     [("端到端时延", "≤20", "ms"), ("传输可靠性", "≥99.99", "%")],
     [("网络规划与测试", "测试报告"), ("控制应用上线", "上线运行报告")]),
]
FALLBACK_INDICATORS = [("关键性能指标提升", "≥20", "%"), ("成果在企业落地应用", "≥1", "条产线")]
FALLBACK_MILESTONES = [("技术方案验证", "验证报告"), ("工程化应用", "应用报告")]


@dataclass
class Applicant:
    user: str
    members: list[str] = field(default_factory=list)
    submit: bool = True
    withdraw: bool = False
    ineligible: bool = False


@dataclass
class Story:
    city4: str
    setter: str
    state: str
    start: int  # days before today the enterprise raises the challenge
    applicants: list[Applicant] = field(default_factory=list)
    winner: str | None = None
    duration: int = 6
    months: tuple = (2, 4)
    pool: bool = False
    push_to: str | None = None
    register: bool = False


STORIES = [
    Story("4101", "ent-4101-1", "draft", 1),
    Story("4101", "ent-4101-2", "submitted", 3),
    Story("4101", "ent-4101-3", "pre_approved", 8),
    Story("4101", "ent-4101-1", "returned", 20),
    Story("4101", "ent-4101-2", "published", 12, pool=True, push_to=PUSHED_EXPERT,
          applicants=[Applicant("inst-4101-1"), Applicant("univ-4101-1", submit=False)]),
    Story("4101", "ent-4101-1", "reviewing", 45, pool=True,
          applicants=[Applicant("univ-4101-1"), Applicant("ent-4101-3"), Applicant("inst-4101-1", ineligible=True)]),
    Story("4101", "ent-4101-3", "awarded", 75, winner="univ-4101-1",
          applicants=[Applicant("univ-4101-1"), Applicant("inst-4101-1"), Applicant("ent-4101-2", withdraw=True)]),
    Story("4101", "ent-4101-2", "in_progress", 140, winner="inst-4101-1", duration=8, months=(2, 4, 7),
          applicants=[Applicant("inst-4101-1", members=["univ-4101-1"]), Applicant("ent-4101-1")]),
    Story("4101", "ent-4101-3", "unawarded", 80),
    Story("4106", "ent-4106-1", "rejected", 25),
    Story("4106", "ent-4106-2", "withdrawn", 40),
    Story("4106", "ent-4106-3", "published", 10, pool=True,
          applicants=[Applicant("univ-4106-1"), Applicant("inst-4106-1", withdraw=True)]),
    Story("4106", "ent-4106-1", "acceptance", 210, winner="inst-4106-1",
          applicants=[Applicant("inst-4106-1"), Applicant("univ-4106-1")]),
    Story("4106", "ent-4106-2", "failed", 250, winner="univ-4106-1",
          applicants=[Applicant("univ-4106-1"), Applicant("ent-4106-1")]),
    Story("4116", "ent-4116-1", "accepted", 265, winner="univ-4116-1", register=True,
          applicants=[Applicant("univ-4116-1"), Applicant("inst-4101-1")]),
    Story("4116", "ent-4116-1", "published", 9, pool=True, applicants=[Applicant("univ-4116-1")]),
]
# Demands in the pool only (no challenge yet), one per remaining state: (city, enterprise, state).
POOL_ONLY = [("4101", "ent-4101-1", PoolEntryStatus.SUBMITTED), ("4101", "ent-4101-3", PoolEntryStatus.PRE_APPROVED),
             ("4101", "ent-4101-2", PoolEntryStatus.RETURNED), ("4106", "ent-4106-3", PoolEntryStatus.ADMITTED),
             ("4106", "ent-4106-1", PoolEntryStatus.REJECTED)]


def _clock(moment: datetime.datetime):
    from techmarket.demo.trading import demo_clock

    return demo_clock(moment)


class ChallengeDemo:
    def __init__(self, loader):
        self.loader = loader
        self.rng = loader.rng
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.users = {u.username: u for u in User.objects.filter(
            username__regex=r"^(ent|univ|inst|expert|bureau|officer|registrar)-\d+(-\d+)?$")
            .select_related("organization__region", "region")}
        self.used_demands: set[int] = set()
        self.template_uses: dict[str, int] = {}
        self.rounds: dict[str, CollectionRound] = {}
        self.pdf: bytes | None = None
        self.pushed = 0

    # -- small helpers ----------------------------------------------------------------------------

    def user(self, username: str) -> User:
        return self.users[username]

    def bureau(self, city4: str) -> User:
        return self.users[f"bureau-{city4}"]

    def pre_reviewer(self, setter: User) -> User:
        """The district officer of the enterprise's district (郑州 has them), else the city bureau."""
        officer = self.users.get(f"officer-{setter.organization.region.code}")
        return officer or self.bureau(setter.organization.region.code[:4])

    def at(self, moment: datetime.datetime) -> datetime.datetime:
        if moment >= self.now:
            raise RuntimeError(f"demo timeline reaches the future: {moment}")
        return moment

    def evidence(self, name: str) -> SimpleUploadedFile:
        if self.pdf is None:
            from techmarket.core.pdf import Paragraph, render_pdf

            self.pdf = render_pdf(title="实施节点完成情况佐证材料", blocks=[Paragraph(
                "节点交付成果的检测报告、现场照片与用户确认意见（演示数据）。")])
        return SimpleUploadedFile(f"{name}.pdf", self.pdf, content_type="application/pdf")

    def researcher(self, organization) -> Person:
        """A person of the unit's talent registry without an account (a team member, never a panellist)."""
        from techmarket.demo import generator as g

        person = Person.objects.filter(organization=organization, user__isnull=True).order_by("pk").first()
        if person is None:
            person = Person.objects.create(
                name=g.person_name(self.rng), kind="researcher", title=self.rng.choice(g.TITLES),
                organization=organization, region=organization.region, phone=g.demo_phone(self.rng),
                expertise="技术研发与成果转化", bio="长期从事企业技术难题攻关（演示数据）。")
        return person

    # -- demands ----------------------------------------------------------------------------------

    def template(self, field_code: str | None = None, *, strict: bool = False) -> tuple:
        """A template of ``field_code`` (or its domain) among the least used ones — with ``strict``, of that field
        whatever its use; a reused one gets a batch number."""
        def rank(item):
            n, t = item
            exact = bool(field_code) and t[0] == field_code
            domain = bool(field_code) and t[0][0] == field_code[0]
            uses = self.template_uses.get(t[1], 0)
            return (not exact, not domain, uses, n) if strict else (uses, not exact, not domain, n)

        _n, pick = min(enumerate(TEMPLATES), key=rank)
        used = self.template_uses.get(pick[1], 0)
        self.template_uses[pick[1]] = used + 1
        title = pick[1] if used == 0 else f"{pick[1]}（第{used + 1}批）"
        return (pick[0], title, *pick[2:])

    def template_for(self, demand):
        """The template of the demand's own sub-field; none (generic indicators) for other fields, so a
        demand about VOCs never gets a water-treatment template's indicators."""
        code = demand.tech_field.code
        return next((t for t in TEMPLATES if t[0] == code[:3]), None)

    def demand(self, setter: User, *, before: datetime.datetime, field_code: str | None = None):
        """A published demand of the setter's enterprise, published before ``before``, not yet raised nor in
        the pool; written and published here (by the setter and the city bureau) when there is none."""
        from techmarket.demands import services as demand_services
        from techmarket.demands.models import Demand
        from techmarket.taxonomies.models import Term

        if field_code is None:
            found = (Demand.objects.filter(owner_organization=setter.organization, status="published",
                                           published_at__lt=before - DAY)
                     .exclude(pk__in=self.used_demands).filter(challenges__isnull=True, pool_entry__isnull=True)
                     .select_related("tech_field").order_by("published_at", "pk").first())
            if found is not None:
                self.used_demands.add(found.pk)
                return found
        own = setter.organization.tech_fields.order_by("code").values_list("code", flat=True).first()
        code, title, description, keywords, (low, high), _ind, _ms = self.template(field_code or own,
                                                                                 strict=field_code is not None)
        term = Term.objects.get(scheme__code="hitech_domains", code=field_code or code)
        moment = self.at(before - 3 * DAY)
        with _clock(moment):
            demand = demand_services.demand_create(by=setter, data={
                "title": title, "description": description, "keywords": keywords, "tech_field": term,
                "budget_min": f"{low * 10000}.00", "budget_max": f"{high * 10000}.00",
                "deadline": timezone.localdate() + 180 * DAY})
            demand = demand_services.demand_act(demand=demand, action="submit", by=setter)
        with _clock(moment + 20 * HOUR):
            demand = demand_services.demand_approve(demand=demand, by=self.bureau(setter.organization.region.code[:4]))
        self.used_demands.add(demand.pk)
        return demand

    # -- the pool ---------------------------------------------------------------------------------

    def round_for(self, city4: str) -> CollectionRound:
        if city4 not in self.rounds:
            from techmarket.regions.models import Region

            bureau = self.bureau(city4)
            opened = self.now - 60 * DAY
            with _clock(opened):
                row = services.round_create(by=bureau, city=Region.objects.get(code=f"{city4}00"), data={
                    "title": f"{CITIES[city4]}市{opened.year}年度企业技术需求征集（揭榜挂帅项目库）",
                    "description": "面向本市企业征集可通过“揭榜挂帅”方式攻关的技术难题，经县区初审、市科技局入库后择优发榜。",
                    "opens_on": timezone.localdate(), "deadline": self.now + 40 * DAY})
                self.rounds[city4] = services.round_act(round_=row, action="open", by=bureau)
        return self.rounds[city4]

    def pool_entry(self, demand, setter: User, *, at: datetime.datetime, state: str) -> PoolEntry:
        city4 = setter.organization.region.code[:4]
        round_ = self.round_for(city4)
        reviewer, bureau = self.pre_reviewer(setter), self.bureau(city4)
        with _clock(self.at(at)):
            entry = services.pool_entry_submit(demand=demand, by=setter, round_=round_,
                                               note="该问题制约产品升级，愿按“揭榜挂帅”方式出资攻关。")
        steps = {
            PoolEntryStatus.SUBMITTED: [],
            PoolEntryStatus.PRE_APPROVED: [("pre_approve", reviewer, "", None)],
            PoolEntryStatus.ADMITTED: [("pre_approve", reviewer, "", None), ("admit", bureau, "", None)],
            PoolEntryStatus.RETURNED: [("return", reviewer, "请补充现有技术路线和已开展的工作。", None)],
            PoolEntryStatus.REJECTED: [("reject", bureau, "该需求可通过常规技术服务解决。", "not_technical")],
        }[state]
        for n, (action, by, comment, code) in enumerate(steps, 1):
            with _clock(self.at(at + n * DAY)):
                entry = services.pool_entry_act(entry=entry, action=action, by=by, comment=comment, reason_code=code)
        return entry

    # -- a challenge's story ------------------------------------------------------------------------

    def story(self, spec: Story) -> Challenge:
        setter = self.user(spec.setter)
        city4 = spec.city4
        bureau = self.bureau(city4)
        t = self.now - spec.start * DAY
        field_code = None
        if spec.push_to:
            expert = Person.objects.filter(user__username=spec.push_to).prefetch_related("tech_fields").first()
            first = expert.tech_fields.order_by("code").first() if expert is not None else None
            field_code = first.code if first is not None else None
        demand = self.demand(setter, before=t, field_code=field_code)
        if spec.pool:
            self.pool_entry(demand, setter, at=t - 2 * DAY, state=PoolEntryStatus.ADMITTED)
        template = self.template_for(demand)
        indicators = template[5] if template else FALLBACK_INDICATORS
        with _clock(self.at(t)):
            challenge = services.challenge_create(by=setter, demand=demand, data={
                "indicators": [{"name": n, "target": v, "unit": u} for n, v, u in indicators],
                "application_deadline": t + 30 * DAY + 7 * HOUR, "duration_months": spec.duration,
                "ip_terms": "shared" if spec.start % 2 else "setter",
                "ip_terms_note": "背景知识产权归各自所有，项目新产生的知识产权按合同约定。",
                "eligible_kinds": [], "eligibility_note": "具有相关领域研发基础和工程化能力。",
                "confidential_detail": "现有工艺参数、设备型号及历史检测数据，接受揭榜协议后可见。"})
        if spec.state == "draft":
            return challenge
        with _clock(self.at(t + 2 * HOUR)):
            challenge = services.challenge_act(challenge=challenge, action="submit", by=setter)
        if spec.state == "submitted":
            return challenge
        reviewer = self.pre_reviewer(setter)
        with _clock(self.at(t + DAY)):
            if spec.state == "returned":
                return services.challenge_act(challenge=challenge, action="return", by=reviewer,
                                              comment="技术指标需量化，并说明现有技术基础。")
            if spec.state == "rejected":
                return services.challenge_act(challenge=challenge, action="reject", by=bureau,
                                              reason_code="not_technical",
                                              comment="该问题属于设备采购事项，不宜以揭榜挂帅方式组织。")
            challenge = services.challenge_act(challenge=challenge, action="pre_approve", by=reviewer,
                                               comment="初审通过")
        if spec.state == "pre_approved":
            return challenge
        published = t + 2 * DAY
        with _clock(self.at(published)):
            challenge = services.challenge_act(challenge=challenge, action="publish", by=bureau, comment="同意发榜")
            if spec.push_to:
                self.push(challenge, spec.push_to)
        if spec.state == "withdrawn":
            with _clock(self.at(published + 5 * DAY)):
                services.agreement_accept(challenge=challenge, by=self.user(f"univ-{city4}-1"))
            with _clock(self.at(published + 10 * DAY)):
                return services.challenge_act(challenge=challenge, action="withdraw", by=setter,
                                              comment="企业已通过自主研发解决该问题，撤回榜单。")
        applications = self.apply(challenge, spec, at=published + 3 * DAY)
        if spec.state == "published":
            return challenge
        closed = challenge.application_deadline + HOUR
        with _clock(self.at(closed)):
            challenge = services.challenge_act(challenge=challenge, action="close_applications", by=bureau)
        if spec.state == "unawarded":
            return challenge
        panel = self.panel(challenge, at=closed + DAY)
        for name, application in applications.items():
            if any(a.user == name and a.ineligible for a in spec.applicants):
                with _clock(self.at(closed + 12 * HOUR)):
                    applications[name] = services.application_act(
                        application=application, action="mark_ineligible", by=bureau, reason_code="other",
                        comment="未按要求提交联合单位承诺书，形式审查不通过。")
        complete = spec.state != "reviewing"
        self.score(challenge, panel, applications, spec, at=closed + 3 * DAY, complete=complete)
        if not complete:
            return challenge
        awarded = closed + 6 * DAY
        winner = applications[spec.winner]
        current = ChallengeApplication.objects.filter(challenge=challenge, status="submitted").order_by("pk")
        losers = {a.pk: ("price_high" if n % 2 else "lower_score", "综合评分和报价均不及中榜方案。")
                  for n, a in enumerate(a for a in current if a.pk != winner.pk)}
        with _clock(self.at(awarded)):
            challenge = review.challenge_award(challenge=challenge, by=setter, winner=winner,
                                               comment="依据专家评审排名确定中榜单位。", feedback=losers)
        if spec.state == "awarded":
            return challenge
        signed_on = timezone.localtime(awarded + 5 * DAY).date()
        with _clock(self.at(awarded + 5 * DAY)):
            challenge = delivery.challenge_start(challenge=challenge, by=setter, signed_on=signed_on)
        if spec.register:
            self.register(challenge, seller=self.user(spec.winner), at=awarded + 6 * DAY)
        return self.deliver(challenge, spec, signed=awarded + 5 * DAY)

    def push(self, challenge: Challenge, username: str) -> None:
        """The expert follows its own field (领域订阅), so the push of the published challenge reaches it."""
        from techmarket.matching.models import FieldSubscription
        from techmarket.matching.push import field_subscriptions_set, push_matches

        expert = self.users.get(username)
        if expert is None:
            return
        followed = [s.tech_field for s in FieldSubscription.objects.filter(user=expert)
                    .select_related("tech_field__scheme")]
        if challenge.tech_field_id not in {t.pk for t in followed}:
            field_subscriptions_set(user=expert, tech_fields=[*followed, challenge.tech_field])
        self.pushed += sum(1 for n in push_matches(challenge) if n.recipient_id == expert.pk)

    def apply(self, challenge: Challenge, spec: Story, *, at: datetime.datetime) -> dict[str, ChallengeApplication]:
        template = self.template_for(challenge.demand)
        planned = template[6] if template else FALLBACK_MILESTONES
        span = challenge.budget_max_fen - challenge.budget_min_fen
        out = {}
        for n, applicant in enumerate(spec.applicants):
            user = self.user(applicant.user)
            moment = at + n * 7 * HOUR
            lead = self.researcher(user.organization)
            team = [{"person": lead, "role": "项目负责人，总体技术方案", "is_leader": True}]
            members = []
            for username in applicant.members:
                member_org = self.user(username).organization
                members.append({"organization": member_org, "responsibility": "关键技术攻关与测试验证"})
                team.append({"person": self.researcher(member_org), "role": "联合单位技术负责人", "is_leader": False})
            price = challenge.budget_min_fen + span * (3 + 2 * n) // 10
            price -= price % 100_000  # whole thousands of yuan
            months = spec.months if len(spec.months) <= len(planned) + 1 else spec.months[:len(planned)]
            milestones = [{"title": title, "deliverable": deliverable, "month": month}
                          for (title, deliverable), month in zip([*planned, ("项目总结与验收准备", "总结报告")], months)]
            with _clock(self.at(moment)):
                services.agreement_accept(challenge=challenge, by=user)
                application = services.application_create(challenge=challenge, by=user, data={
                    "technical_plan": f"{user.organization.name}拟针对“{challenge.title}”，在已有研究基础上开展关键技术攻关，"
                                      "按节点完成样机研制、工程验证和应用推广。",
                    "price": f"{price // 100}.00", "duration_months": spec.duration, "contact": lead,
                    "members": members, "team": team, "milestones": milestones})
                if applicant.submit:
                    application = services.application_act(application=application, action="submit", by=user)
            if applicant.withdraw:
                with _clock(self.at(moment + 2 * DAY)):
                    application = services.application_act(application=application, action="withdraw", by=user,
                                                           comment="本单位研发力量另有安排，撤回揭榜申请。")
            out[applicant.user] = application
        return out

    def panel(self, challenge: Challenge, *, at: datetime.datetime) -> list:
        """Three experts with accounts and without a conflict of interest, appointed by the city bureau."""
        bureau = self.bureau(challenge.region.code[:4])
        experts = Person.objects.filter(user__username__startswith="expert-", user__is_active=True) \
            .select_related("user").order_by("user__username")
        chosen = []
        for person in experts:
            if review.conflict_reason(challenge=challenge, person=person) is None:
                chosen.append(person)
                if len(chosen) == 3:
                    break
        members = []
        for n, person in enumerate(chosen):
            with _clock(self.at(at + n * HOUR)):
                members.append(review.panel_appoint(challenge=challenge, by=bureau, person=person, is_chair=n == 0))
        return members

    def score(self, challenge: Challenge, panel: list, applications: dict, spec: Story, *,
              at: datetime.datetime, complete: bool) -> None:
        """Each panellist scores each submitted application (the intended winner a little higher); in review,
        the first panellist has submitted all, the second one of them, the third nothing yet."""
        criteria = list(challenge.criteria.all())
        submitted = [(name, a) for name, a in applications.items()
                     if ChallengeApplication.objects.get(pk=a.pk).status == "submitted"]
        for i, member in enumerate(panel):
            expert = member.person.user
            for j, (name, application) in enumerate(submitted):
                if not complete and i == 2:
                    continue
                low = 80 if name == spec.winner else 62
                scores = {c.pk: self.rng.randint(low, low + 15) for c in criteria}
                with _clock(self.at(at + (i * 4 + j) * HOUR)):
                    saved = review.review_save(application=application, by=expert, scores=scores,
                                               comment="方案技术路线清晰，指标承诺基本可行，建议细化进度安排。")
                    if complete or i == 0 or (i == 1 and j == 0):
                        review.review_submit(review=saved, by=expert)

    def register(self, challenge: Challenge, *, seller: User, at: datetime.datetime) -> None:
        """The winner records the signing on the contract draft; then the registration demo's walk completes,
        submits and registers it (its city's registrar), as for the demo trades' contracts."""
        from techmarket.contracts import services as contract_services
        from techmarket.contracts.demo_registration import contract_walk
        from techmarket.contracts.models import TechContract

        signed = challenge.started_on
        with _clock(self.at(at)):
            contract_services.contract_update(contract=challenge.contract, by=seller, data={
                "signed_on": signed, "valid_from": signed,
                "valid_to": signed + datetime.timedelta(days=30 * challenge.winner.duration_months)})
        contract_walk(TechContract.objects.get(pk=challenge.contract_id), "registered", (self.now - at).days - 1, self.now)

    def deliver(self, challenge: Challenge, spec: Story, *, signed: datetime.datetime) -> Challenge:
        """Milestones reported and confirmed (in progress: the first confirmed, the second awaiting
        confirmation, the rest pending), then acceptance organised and, for the ended stories, decided."""
        setter = self.user(spec.setter)
        winner = self.user(spec.winner)
        bureau = self.bureau(spec.city4)
        milestones = list(challenge.milestones.order_by("sort_order", "pk"))
        last = signed
        for n, milestone in enumerate(milestones):
            if spec.state == "in_progress" and n >= 2:
                break
            reported = datetime.datetime.combine(milestone.due_on, datetime.time(9, 30),
                                                 tzinfo=timezone.get_current_timezone()) - 4 * DAY
            if spec.state == "in_progress" and n == 1:
                reported = self.now - 3 * DAY
            with _clock(self.at(reported)):
                delivery.milestone_evidence_add(milestone=milestone, upload=self.evidence(milestone.title),
                                                by=winner)
                milestone = delivery.milestone_act(milestone=milestone, action="submit", by=winner,
                                                   report=f"已完成“{milestone.title}”，交付成果见佐证材料。")
            if spec.state == "failed" and n == 0:  # returned once, reported again
                with _clock(self.at(reported + DAY)):
                    milestone = delivery.milestone_act(milestone=milestone, action="return", by=setter,
                                                       comment="检测报告缺少第三方检测机构盖章，请补充。")
                with _clock(self.at(reported + 2 * DAY)):
                    delivery.milestone_evidence_add(milestone=milestone, upload=self.evidence("补充检测报告"),
                                                    by=winner)
                    milestone = delivery.milestone_act(milestone=milestone, action="submit", by=winner,
                                                       report="已补充第三方检测报告。")
                reported += 2 * DAY
            if spec.state == "in_progress" and n == 1:
                break
            with _clock(self.at(reported + 3 * DAY)):
                delivery.milestone_act(milestone=milestone, action="confirm", by=setter, comment="确认完成")
            last = reported + 3 * DAY
        if spec.state == "in_progress":
            return Challenge.objects.get(pk=challenge.pk)
        organised = last + 7 * DAY
        held_on = timezone.localtime(organised + 5 * DAY).date()
        with _clock(self.at(organised)):
            acceptance = delivery.acceptance_organise(challenge=challenge, by=bureau, held_on=held_on,
                                                      comment="请项目双方准备验收材料。")
        outcome = "failed" if spec.state == "failed" else "passed"
        opinions = {"passed": "各项技术指标均达到榜单要求，同意通过验收。",
                    "failed": "主要技术指标未达到榜单要求，不同意通过验收。"}
        panel = list(challenge.panel.filter(status="active").select_related("person__user").order_by("pk"))
        for n, member in enumerate(panel[:1] if spec.state == "acceptance" else panel):
            with _clock(self.at(organised + 5 * DAY + n * HOUR)):
                delivery.acceptance_opinion_save(review=acceptance, by=member.person.user, outcome=outcome,
                                                 opinion=opinions[outcome])
        if spec.state == "acceptance":
            return Challenge.objects.get(pk=challenge.pk)
        with _clock(self.at(organised + 6 * DAY)):
            return delivery.acceptance_decide(
                challenge=challenge, by=bureau, outcome=outcome,
                conclusion="经专家组现场验收，" + opinions[outcome])


def challenges_demo_load(loader) -> str:
    """Load the stories of every city whose users are there and that has no challenge yet."""
    demo = ChallengeDemo(loader)
    made: dict[str, int] = {}
    skipped: list[str] = []
    for city4, name in CITIES.items():
        needed = {s.setter for s in STORIES if s.city4 == city4} | {f"bureau-{city4}"} | {
            a.user for s in STORIES if s.city4 == city4 for a in s.applicants}
        if Challenge.objects.filter(region__path__contains=f"/{city4}00/").exists():
            skipped.append(f"{name}已有榜单")
            continue
        missing = sorted(u for u in needed if u not in demo.users)
        if missing:
            skipped.append(f"{name}缺少账号 {'、'.join(missing)}")
            continue
        for spec in (s for s in STORIES if s.city4 == city4):
            demo.story(spec)
            made[name] = made.get(name, 0) + 1
        for _city, username, state in (p for p in POOL_ONLY if p[0] == city4):
            setter = demo.user(username)
            at = demo.now - 30 * DAY
            demand = demo.demand(setter, before=at)
            demo.pool_entry(demand, setter, at=at, state=state)
    if "4116" in demo.rounds:  # 周口's collection has ended
        with _clock(demo.now - HOUR):
            services.round_act(round_=demo.rounds["4116"], action="close", by=demo.bureau("4116"),
                               comment="本批次征集截止")
    parts = [f"{name} {n} 个" for name, n in made.items()]
    text = "揭榜挂帅：新建榜单" + ("、".join(parts) if parts else " 0 个")
    text += f"，需求征集批次 {len(demo.rounds)} 个，项目库条目 {PoolEntry.objects.count()} 条"
    if demo.pushed:
        text += f"，已向 {PUSHED_EXPERT} 推送 {demo.pushed} 条"
    if skipped:
        text += "（跳过：" + "；".join(skipped) + "）"
    return text + "。"
