"""The monthly report by e-mail (T4): on the 1st, each city with targets for last month's year gets last month's
定期通报 as .xlsx and PDF, sent to its bureau administrators who opted in (topic ``targets_report`` with e-mail
switched on in 通知设置). ``ReportDispatch`` makes the job idempotent per city and period.
"""
from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts.roles import Role
from techmarket.notifications.models import Subscription
from techmarket.regions.models import Region

from .models import ReportDispatch, Target
from .progress import period_parse
from .reports import file_name, report_build, report_pdf, report_xlsx

TOPIC = "targets_report"


def report_recipients(city: Region) -> list:
    """Active bureau administrators of the city with an e-mail address who switched the topic's e-mail on."""
    opted = set(Subscription.objects.filter(topic=TOPIC, email=True).values_list("user_id", flat=True))
    users = get_user_model().objects.filter(pk__in=opted, is_active=True, region=city).exclude(email="")
    return [u for u in users if u.has_role(Role.BUREAU_ADMIN)]


def previous_month(day: datetime.date) -> str:
    last = day.replace(day=1) - datetime.timedelta(days=1)
    return f"{last.year}-{last.month:02d}"


def monthly_report_send(*, city: Region, period_code: str) -> ReportDispatch | None:
    """Send one city's report for a period once; None if nobody opted in or it was sent already."""
    if ReportDispatch.objects.filter(city=city, period=period_code).exists():
        return None
    recipients = report_recipients(city)
    if not recipients:
        return None
    data = report_build(city=city, period=period_parse(period_code))
    message = EmailMessage(
        subject=_("【定期通报】{t}（{p}）").format(t=data.title, p=data.period.label),
        body=_("{c}科学技术局：\n\n附件为{p}科技创新目标任务完成情况通报（Excel 和 PDF 各一份），{s}。\n"
               "在线查看：{u}/manage/targets/?region={code}\n\n如不需要此邮件，可在“通知设置”中关闭“目标任务定期通报”的邮件。"
               ).format(c=city.name, p=data.period.label, s=data.subtitle, u=settings.TECHMARKET_SITE_URL,
                        code=city.code),
        to=[u.email for u in recipients])
    message.attach(file_name(data, "xlsx"), report_xlsx(data),
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    message.attach(file_name(data, "pdf"), report_pdf(data), "application/pdf")
    try:
        with transaction.atomic():
            dispatch = ReportDispatch.objects.create(city=city, period=period_code,
                                                     recipients=[u.username for u in recipients])
            message.send()
    except IntegrityError:
        return None  # another worker sent it
    return dispatch


def monthly_reports_send(*, day: datetime.date | None = None) -> list[ReportDispatch]:
    day = day or timezone.localdate()
    period_code = previous_month(day)
    year = int(period_code[:4])
    cities = Region.objects.filter(pk__in=Target.objects.filter(year=year).values("indicator__city")).order_by("code")
    sent = []
    for city in cities:
        dispatch = monthly_report_send(city=city, period_code=period_code)
        if dispatch is not None:
            sent.append(dispatch)
    return sent
