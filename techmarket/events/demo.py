"""Demo events for 郑州 (4101) and 鹤壁 (4106): per city an upcoming 对接会 organised by the bureau, an
upcoming 路演 organised by the city's technology-transfer agency (submitted, then published by the bureau)
showcasing published achievements of the city, and a past 对接会 with registrations by the demo enterprise
users ``ent-<city>-1`` … ``ent-<city>-3`` (when they exist).

Everything goes through the services, as users would; the past event is created and filled at the
moments it would have been (``services._event_create`` / ``_register`` take that moment). Idempotent:
events are matched by title and region. The demo loader (techmarket/demo) calls ``events_demo_load``.
"""
from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from techmarket.accounts.models import User
from techmarket.core.workflows import transition

from . import services
from .choices import EventKind
from .models import Event, EventRegistration

CITIES = {
    "4101": {"name": "郑州", "region": "410105", "venue": "郑州国际会展中心 2 号馆", "roadshow_region": "410172",
             "roadshow_venue": "郑州高新区科学大道 100 号 创新创业综合体路演厅",
             "past_venue": "郑州技术市场服务中心 一楼报告厅", "fields": "新材料、智能制造"},
    "4106": {"name": "鹤壁", "region": "410611", "venue": "鹤壁市淇滨区 科技会展中心", "roadshow_region": "410611",
             "roadshow_venue": "鹤壁市技术转移中心 路演大厅", "past_venue": "鹤壁职业技术学院 图书馆报告厅",
             "fields": "电子信息、现代农业"},
}
SHOWCASE_LIMIT = 5


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).select_related("organization", "region").first()


def _published_achievements(city4: str) -> list[int]:
    from techmarket.achievements.models import Achievement
    from techmarket.achievements.selectors import public_filter

    qs = public_filter(Achievement.objects.filter(region__code__startswith=city4)).order_by("-published_at", "pk")
    return list(qs.values_list("pk", flat=True)[:SHOWCASE_LIMIT])


def _exists(title: str) -> bool:
    return Event.objects.filter(title=title).exists()


@transaction.atomic
def events_demo_load(*, now: datetime.datetime | None = None) -> int:
    """Create the demo events that do not exist yet; returns how many events were created."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    rng = random.Random(20261125)
    created = 0
    for city4, spec in CITIES.items():
        bureau = _user(f"bureau-{city4}")
        if bureau is None:
            continue
        name = spec["name"]
        # 1. the bureau's upcoming 对接会, published at once
        title = f"{name}市科技成果供需对接会（{spec['fields']}专场）"
        if not _exists(title):
            day = today + datetime.timedelta(days=12)
            event = services.event_create(by=bureau, data={
                "title": title, "kind": EventKind.MATCHMAKING, "region": spec["region"], "venue": spec["venue"],
                "summary": f"面向{name}市企业发布技术需求，高校院所、科研机构现场对接成果。",
                "description": ("议程：\n09:00 签到\n09:30 主办方致辞、政策解读（技术合同登记与后补助）\n"
                                "10:00 企业技术需求发布\n11:00 高校院所成果推介\n14:00 分组洽谈对接\n"
                                "参会对象：企业技术负责人、高校院所科研人员、技术经纪人。"),
                "starts_at": _at(day, 9), "ends_at": _at(day, 17), "capacity": 200,
                "registration_deadline": _at(day - datetime.timedelta(days=1), 18)})
            services.event_act(event=event, action="publish", by=bureau)
            created += 1
        # 2. the agency's upcoming 路演, submitted by the agency and published by the bureau
        title = f"{name}市科技成果路演（{spec['fields']}）"
        agency_user = _user(f"agency-{city4}-1")
        if not _exists(title):
            day = today + datetime.timedelta(days=20)
            organizer = agency_user if agency_user is not None and agency_user.organization_id else bureau
            event = services.event_create(by=organizer, data={
                "title": title, "kind": EventKind.ROADSHOW, "region": spec["roadshow_region"],
                "venue": spec["roadshow_venue"],
                "summary": "高校院所项目团队现场路演，投资机构和企业点评、洽谈合作与投资。",
                "description": "每个项目路演 8 分钟、问答 7 分钟；投资机构和企业可会后预约一对一洽谈。",
                "starts_at": _at(day, 14), "ends_at": _at(day, 17, 30), "capacity": 80,
                "achievements": _published_achievements(city4)})
            if organizer is not bureau:
                services.event_act(event=event, action="submit", by=organizer)
            services.event_act(event=event, action="publish", by=bureau)
            created += 1
        # 3. a past 对接会 with the demo enterprises' registrations
        title = f"{name}市技术转移服务对接会（往期）"
        if not _exists(title):
            day = today - datetime.timedelta(days=30)
            planned = _at(day - datetime.timedelta(days=21), 10)
            event = services._event_create(by=bureau, now=planned, data={
                "title": title, "kind": EventKind.MATCHMAKING, "region": spec["region"], "venue": spec["past_venue"],
                "summary": "技术经纪人与企业面对面，解读技术合同认定登记和成果转化支持政策。",
                "starts_at": _at(day, 9, 30), "ends_at": _at(day, 12), "capacity": 60})
            transition(event, action="publish", by=bureau)
            Event.objects.filter(pk=event.pk).update(published_at=planned)
            event.refresh_from_db()
            for i in range(1, 4):
                user = _user(f"ent-{city4}-{i}")
                if user is None:
                    continue
                moment = planned + datetime.timedelta(days=i)
                registration = services._register(event=event, by=user, now=moment, data={
                    "attendee_name": user.name or user.username,
                    "phone": rng.choice(["139", "138", "186"]) + f"{rng.randrange(10 ** 8):08d}",
                    "attendee_count": 1 + i % 2, "note": "希望对接高校院所的检测与中试资源" if i == 1 else ""})
                EventRegistration.objects.filter(pk=registration.pk).update(created_at=moment)
            created += 1
    return created
