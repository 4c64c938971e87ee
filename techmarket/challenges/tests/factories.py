"""Builders for 揭榜挂帅 tests: challenges and applications are created and moved through the services.

``challenge_in_state(state, setter=, officer=, bureau=, applicant=, expert=)`` brings a fresh challenge (raised
from a fresh published demand of ``setter``'s enterprise) to any state of its workflow. ``reviewing`` and after
need ``applicant`` (a unit user whose application is submitted before the deadline); ``awarded`` and after need
``expert`` (a Person with an account and no conflict of interest: the panel of one that scores it).
"""
from __future__ import annotations

import datetime

from django.utils import timezone
from freezegun import freeze_time

from techmarket.achievements.tests.factories import term
from techmarket.challenges import services
from techmarket.challenges.models import Challenge, ChallengeApplication
from techmarket.demands.tests.factories import demand_in_state
from techmarket.directory.models import Person

DEADLINE_DAYS = 30

PRE_PUBLICATION = ("draft", "submitted", "returned", "rejected", "pre_approved")


def person(name: str, *, organization, kind: str = "researcher", user=None, region=None, expertise: str = "",
           fields=()) -> Person:
    """A person of the talent registry (人才库)."""
    obj = Person.objects.create(name=name, kind=kind, organization=organization,
                                region=region or organization.region, expertise=expertise, user=user,
                                phone="13812345678")
    if fields:
        obj.tech_fields.set([term("hitech_domains", code) for code in fields])
    return obj


def published_demand(*, setter, bureau, **overrides):
    return demand_in_state("published", owner=setter, reviewer=bureau, **overrides)


def deadline(days: int = DEADLINE_DAYS) -> datetime.datetime:
    return timezone.now().replace(microsecond=0) + datetime.timedelta(days=days)


def challenge_data(**overrides) -> dict:
    data = {
        "title": "数控机床主轴热变形补偿揭榜",
        "problem_statement": "主轴温升导致加工精度下降，需在不改变主轴结构的前提下实现热变形实时补偿。",
        "keywords": ["数控机床", "热变形"],
        "indicators": [{"name": "热变形补偿后定位误差", "target": "≤5", "unit": "μm"},
                       {"name": "连续运行时间", "target": "≥8", "unit": "小时"}],
        "budget_min": "300000.00",
        "budget_max": "800000.00",
        "application_deadline": deadline(),
        "duration_months": 12,
        "ip_terms": "shared",
        "confidential_detail": "主轴型号 SP-200，温升曲线见保密附件。",
    }
    data.update(overrides)
    return data


def challenge(*, setter, bureau, demand=None, **overrides) -> Challenge:
    """A draft challenge raised from ``demand`` (a fresh published demand of the setter by default)."""
    demand = demand or published_demand(setter=setter, bureau=bureau)
    return services.challenge_create(by=setter, demand=demand, data=challenge_data(**overrides))


def after_deadline_of(moment: datetime.datetime, seconds: float = 1):
    return freeze_time(moment + datetime.timedelta(seconds=seconds))


def after_deadline(challenge: Challenge, seconds: float = 1):
    """A frozen clock just after the challenge's application deadline."""
    challenge.refresh_from_db()
    return after_deadline_of(challenge.application_deadline, seconds)


def close_applications(challenge: Challenge, *, by) -> Challenge:
    with after_deadline(challenge):
        return services.challenge_act(challenge=challenge, action="close_applications", by=by)


LATER = ("awarded", "in_progress", "acceptance", "accepted", "failed")


def challenge_in_state(state: str, *, setter, officer, bureau, applicant=None, expert=None, demand=None,
                       **overrides) -> Challenge:
    """A challenge brought to ``state`` through the services, as the users would."""
    c = challenge(setter=setter, bureau=bureau, demand=demand, **overrides)
    if state == "draft":
        return c
    c = services.challenge_act(challenge=c, action="submit", by=setter)
    if state == "submitted":
        return c
    if state == "returned":
        return services.challenge_act(challenge=c, action="return", by=officer, comment="请补充技术指标")
    if state == "rejected":
        return services.challenge_act(challenge=c, action="reject", by=bureau, reason_code="other",
                                      comment="不属于技术问题")
    c = services.challenge_act(challenge=c, action="pre_approve", by=officer)
    if state == "pre_approved":
        return c
    c = services.challenge_act(challenge=c, action="publish", by=bureau)
    if state == "published":
        return c
    if state == "withdrawn":
        return services.challenge_act(challenge=c, action="withdraw", by=setter, comment="需求已自行解决")
    if state == "unawarded":
        return close_applications(c, by=bureau)
    if state not in ("reviewing", *LATER):
        raise ValueError(state)
    if applicant is None:
        raise ValueError("a challenge in review needs an applicant")
    winner = submitted_application(challenge=c, by=applicant)
    c = close_applications(c, by=bureau)
    if state == "reviewing":
        return c
    if expert is None:
        raise ValueError("an awarded challenge needs an expert for its panel")
    return _after_review(state, c, winner=winner, setter=setter, bureau=bureau, applicant=applicant, expert=expert)


def _after_review(state: str, c: Challenge, *, winner, setter, bureau, applicant, expert) -> Challenge:
    """A panel of one scores the application, the setter awards it, signs, the winner delivers every milestone
    (confirmed by the setter), the bureau organises acceptance and decides it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from techmarket.challenges import delivery, review

    review.panel_appoint(challenge=c, by=bureau, person=expert)
    scores = {str(criterion.pk): 80 for criterion in c.criteria.all()}
    scored = review.review_save(application=winner, by=expert.user, scores=scores, comment="方案可行，团队较强。")
    review.review_submit(review=scored, by=expert.user)
    c = review.challenge_award(challenge=c, by=setter, winner=winner, comment="综合评分第一")
    if state == "awarded":
        return c
    c = delivery.challenge_start(challenge=c, by=setter, signed_on=timezone.localdate())
    if state == "in_progress":
        return c
    for milestone in c.milestones.order_by("sort_order", "pk"):
        delivery.milestone_evidence_add(milestone=milestone, by=applicant,
                                        upload=SimpleUploadedFile("检测报告.pdf", b"%PDF-1.4 test"))
        delivery.milestone_act(milestone=milestone, action="submit", by=applicant, report="已按计划完成。")
        delivery.milestone_act(milestone=milestone, action="confirm", by=setter)
    delivery.acceptance_organise(challenge=c, by=bureau, held_on=timezone.localdate())
    c.refresh_from_db()
    if state == "acceptance":
        return c
    outcome = "passed" if state == "accepted" else "failed"
    delivery.acceptance_opinion_save(review=delivery.current_acceptance(c), by=expert.user, outcome=outcome,
                                     opinion="各项指标均已测试。")
    return delivery.acceptance_decide(challenge=c, by=bureau, outcome=outcome,
                                      conclusion="验收通过" if outcome == "passed" else "主要指标未达到")


# --- applications -------------------------------------------------------------------------------------------


def application_data(*, lead, leader=None, **overrides) -> dict:
    """An application of ``lead``'s unit: a team of one leader (a new researcher unless given), two
    milestones, a price of 50 万元 within the default budget."""
    leader = leader or person("王研究员", organization=lead.organization)
    data = {
        "technical_plan": "基于温度场实时测量与神经网络模型的主轴热误差补偿方案。",
        "price": "500000.00",
        "duration_months": 10,
        "contact": leader,
        "members": [],
        "team": [{"person": leader, "role": "项目负责人", "is_leader": True}],
        "milestones": [{"title": "补偿模型建立", "deliverable": "热误差模型与测试报告", "month": 4},
                       {"title": "样机验证", "deliverable": "样机及检测报告", "month": 10}],
    }
    data.update(overrides)
    return data


def application(*, challenge: Challenge, by, **overrides) -> ChallengeApplication:
    """A draft application of ``by``'s unit (the agreement accepted first)."""
    services.agreement_accept(challenge=challenge, by=by)
    return services.application_create(challenge=challenge, by=by, data=application_data(lead=by, **overrides))


def submitted_application(*, challenge: Challenge, by, **overrides) -> ChallengeApplication:
    app = application(challenge=challenge, by=by, **overrides)
    return services.application_act(application=app, action="submit", by=by)


def application_in_state(state: str, *, challenge: Challenge, by, bureau=None, **overrides) -> ChallengeApplication:
    """An application of ``by``'s unit to the published ``challenge`` in ``state`` (draft, submitted, withdrawn,
    ineligible — the last needs ``bureau``)."""
    app = application(challenge=challenge, by=by, **overrides)
    if state == "draft":
        return app
    if state == "withdrawn":
        return services.application_act(application=app, action="withdraw", by=by)
    app = services.application_act(application=app, action="submit", by=by)
    if state == "submitted":
        return app
    if state == "ineligible":
        return services.application_act(application=app, action="mark_ineligible", by=bureau,
                                        reason_code="indicators", comment="承诺指标未达到榜单要求")
    raise ValueError(state)


# --- the demand pool ------------------------------------------------------------------------------------------


def round_data(**overrides) -> dict:
    data = {"title": "2026年第四批技术需求征集", "description": "面向全市企业征集揭榜挂帅技术需求。",
            "opens_on": timezone.localdate(), "deadline": deadline(20)}
    data.update(overrides)
    return data


def collection_round(*, bureau, city, state: str = "open", **overrides):
    round_ = services.round_create(by=bureau, city=city, data=round_data(**overrides))
    if state == "draft":
        return round_
    round_ = services.round_act(round_=round_, action="open", by=bureau)
    if state == "open":
        return round_
    if state == "closed":
        return services.round_act(round_=round_, action="close", by=bureau)
    raise ValueError(state)


def pool_entry_in_state(state: str, *, setter, officer, bureau, demand=None, round_=None):
    """A pool entry of a fresh published demand of the setter, brought to ``state`` through the services."""
    demand = demand or published_demand(setter=setter, bureau=bureau)
    entry = services.pool_entry_submit(demand=demand, by=setter, round_=round_, note="拟作为揭榜挂帅榜单")
    if state == "submitted":
        return entry
    if state == "returned":
        return services.pool_entry_act(entry=entry, action="return", by=officer, comment="请补充预算")
    if state == "rejected":
        return services.pool_entry_act(entry=entry, action="reject", by=bureau, reason_code="not_technical")
    entry = services.pool_entry_act(entry=entry, action="pre_approve", by=officer)
    if state == "pre_approved":
        return entry
    entry = services.pool_entry_act(entry=entry, action="admit", by=bureau)
    if state == "admitted":
        return entry
    if state == "raised":
        challenge_in_state("published", setter=setter, officer=officer, bureau=bureau, demand=demand)
        entry.refresh_from_db()
        return entry
    raise ValueError(state)
