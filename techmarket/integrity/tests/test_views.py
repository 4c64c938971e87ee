from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from techmarket.directory.models import Person
from techmarket.integrity.models import IntegrityRecord

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def person_with_personal_data(regions):
    return Person.objects.create(name="李某某", kind="expert", region=regions["jinshui"],
                                 id_number="410105199001011234", phone="13812345678", email="li@example.cn")


class TestPublicQuery:
    def test_shows_published_only_and_never_personal_data(self, client, bureau, org, other_org,
                                                         person_with_personal_data):
        # given
        f.org_record(by=bureau, organization=org)
        f.org_record(by=bureau, organization=other_org, is_published=False)
        record = f.person_record(by=bureau, name="李某某",
                                 facts="冒用他人身份证 410105199001011234 并留电话 13812345678 申报项目。")
        IntegrityRecord.objects.filter(pk=record.pk).update(person=person_with_personal_data)
        # when
        page = client.get(reverse("integrity:public_query")).content.decode()
        # then
        assert org.name in page and "李某某" in page
        assert other_org.name not in page
        for secret in ("410105199001011234", "13812345678", "li@example.cn"):
            assert secret not in page

    def test_query_by_credit_code(self, client, bureau, org, other_org):
        f.org_record(by=bureau, organization=org)
        f.org_record(by=bureau, organization=other_org)
        page = client.get(reverse("integrity:public_query"), {"q": org.credit_code}).content.decode()
        assert org.name in page and other_org.name not in page

    def test_public_export_holds_published_rows_masked(self, client, bureau, org, other_org):
        f.org_record(by=bureau, organization=org, facts="联系电话 13812345678")
        f.org_record(by=bureau, organization=other_org, is_published=False)
        response = client.get(reverse("integrity:public_export"))
        wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        rows = list(wb.active.iter_rows(values_only=True))
        assert len(rows) == 2 and rows[1][0] == org.name
        assert "13812345678" not in str(rows) and "138****5678" in str(rows)


class TestManagedPages:
    def test_anonymous_and_enterprise_users_get_404(self, client, member, bureau, org):
        record = f.org_record(by=bureau, organization=org)
        client.force_login(member)
        assert client.get(reverse("integrity:manage_list")).status_code == 404
        assert client.get(reverse("integrity:manage_detail", kwargs={"pk": record.pk})).status_code == 404

    def test_out_of_scope_officer_gets_404_on_record(self, client, officer_other, bureau, org):
        record = f.org_record(by=bureau, organization=org)
        client.force_login(officer_other)
        assert client.get(reverse("integrity:manage_detail", kwargs={"pk": record.pk})).status_code == 404
        response = client.post(reverse("integrity:manage_revoke", kwargs={"pk": record.pk}), {"reason": "x"})
        assert response.status_code == 404

    def test_officer_in_scope_sees_but_gets_403_on_edit_and_revoke(self, client, officer, bureau, org):
        record = f.org_record(by=bureau, organization=org)
        client.force_login(officer)
        assert client.get(reverse("integrity:manage_detail", kwargs={"pk": record.pk})).status_code == 200
        assert client.get(reverse("integrity:manage_edit", kwargs={"pk": record.pk})).status_code == 403
        response = client.post(reverse("integrity:manage_revoke", kwargs={"pk": record.pk}), {"reason": "x"})
        assert response.status_code == 403
        assert IntegrityRecord.objects.get(pk=record.pk).revoked_on is None

    def test_bureau_creates_through_the_form(self, client, bureau, org):
        client.force_login(bureau)
        response = client.post(reverse("integrity:manage_create"), {
            "subject_kind": "organization", "subject_credit_code": org.credit_code,
            "record_type": "fund_misuse", "facts": "挪用项目经费。", "source_document": "郑科〔2025〕3号",
            "source_authority": "郑州市科学技术局", "effective_from": "2025-01-01", "is_published": "on"})
        record = IntegrityRecord.objects.get()
        assert response.status_code == 302 and record.organization == org and record.is_published

    def test_form_errors_are_shown_in_chinese(self, client, bureau):
        client.force_login(bureau)
        response = client.post(reverse("integrity:manage_create"), {
            "subject_kind": "organization", "record_type": "fund_misuse", "facts": "x",
            "source_document": "x", "source_authority": "x", "effective_from": "2025-01-01"})
        assert response.status_code == 422
        assert "请填写主体名称" in response.content.decode()
        assert not IntegrityRecord.objects.exists()

    def test_bureau_revokes(self, client, bureau, org):
        record = f.org_record(by=bureau, organization=org)
        client.force_login(bureau)
        response = client.post(reverse("integrity:manage_revoke", kwargs={"pk": record.pk}),
                               {"reason": "信用修复", "revoked_on": "2025-06-01"})
        assert response.status_code == 302
        assert IntegrityRecord.objects.get(pk=record.pk).revoked_on == datetime.date(2025, 6, 1)

    def test_managed_export_is_scoped(self, client, officer_other, bureau, org, other_org):
        f.org_record(by=bureau, organization=org)
        f.org_record(by=bureau, organization=other_org, is_published=False)
        client.force_login(officer_other)
        response = client.get(reverse("integrity:manage_export"))
        rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
        assert [r[1] for r in rows[1:]] == [other_org.name]
