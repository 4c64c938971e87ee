"""The participant list as .xlsx (openpyxl, streaming); phones masked unless the viewer may see them."""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.core.xlsx import Column, xlsx_response

from .representations import registration_out
from .selectors import event_registrations_for

PARTICIPANT_COLUMNS = [
    Column("no", _("序号"), width=6),
    Column("attendee_name", _("参会人"), width=14),
    Column("organization", _("单位"), width=30),
    Column("phone", _("联系电话"), width=16, text=True),
    Column("attendee_count", _("人数"), width=8),
    Column("note", _("备注"), width=30),
    Column("created_at", _("报名时间"), width=20),
]


def participant_rows(*, user, event):
    for n, registration in enumerate(event_registrations_for(user=user, event=event), start=1):
        row = registration_out(registration, user)
        yield [n, row["attendee_name"], (row["organization"] or {}).get("name", ""), row["phone"],
               row["attendee_count"], row["note"],
               timezone.localtime(registration.created_at).strftime("%Y-%m-%d %H:%M")]


def participants_xlsx_response(*, user, event):
    """报名名单.xlsx for the organizer and staff in scope (PermissionDenied for others)."""
    rows = list(participant_rows(user=user, event=event))
    filename = _("报名名单-{id}.xlsx").format(id=event.pk)
    return xlsx_response(filename, PARTICIPANT_COLUMNS, rows, title=_("报名名单"))
