"""The participant list as .xlsx: phones masked unless the viewer may see personal data."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from . import factories as f


def rows_of(response) -> list[list]:
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


class TestParticipantExport:
    def test_the_organizer_gets_masked_phones_and_notes(self, client, agency, officer_in, enterprise, enterprise2):
        # given an agency's published event with two registrations
        event = f.event_in_state("published", organizer=agency, publisher=officer_in)
        f.register(event, enterprise, phone="13912345678", note="可联系 13800001111 王工")
        f.register(event, enterprise2, phone="0371-67890123", attendee_count=3)
        # when
        client.force_login(agency)
        response = client.get(f"/manage/events/{event.pk}/participants.xlsx")
        # then
        assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
        rows = rows_of(response)
        assert rows[0] == ["序号", "参会人", "单位", "联系电话", "人数", "备注", "报名时间"]
        assert rows[1][:5] == [1, "张明", enterprise.organization.name, "139****5678", 1]
        assert rows[1][5] == "可联系 138****1111 王工"
        assert rows[2][3] == "037****0123" and rows[2][4] == 3
        assert "13912345678" not in str(rows)

    def test_a_bureau_administrator_gets_clear_phones(self, client, published, bureau, enterprise):
        f.register(published, enterprise, phone="13912345678")
        client.force_login(bureau)
        rows = rows_of(client.get(f"/manage/events/{published.pk}/participants.xlsx"))
        assert rows[1][3] == "13912345678"

    def test_others_cannot_export(self, client, published, enterprise, officer_out):
        client.force_login(enterprise)
        assert client.get(f"/manage/events/{published.pk}/participants.xlsx").status_code == 404
        client.force_login(officer_out)
        assert client.get(f"/manage/events/{published.pk}/participants.xlsx").status_code == 404
