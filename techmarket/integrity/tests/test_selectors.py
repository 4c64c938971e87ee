from __future__ import annotations

import datetime

import pytest

from techmarket.integrity import services
from techmarket.integrity.models import IntegrityRecord
from techmarket.integrity.selectors import (
    active_on,
    integrity_active_records,
    integrity_block_reason,
    integrity_public_records,
    record_state,
)

from . import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date


class TestActiveOnDate:
    def test_record_blocks_from_effective_from_to_effective_to_inclusive(self, bureau, org):
        f.org_record(by=bureau, organization=org, effective_from=D(2025, 1, 1), effective_to=D(2025, 12, 31))
        assert not integrity_active_records(organization=org, on=D(2024, 12, 31)).exists()
        assert integrity_active_records(organization=org, on=D(2025, 1, 1)).exists()
        assert integrity_active_records(organization=org, on=D(2025, 12, 31)).exists()
        assert not integrity_active_records(organization=org, on=D(2026, 1, 1)).exists()

    def test_open_ended_record_stays_active(self, bureau, org):
        f.org_record(by=bureau, organization=org, effective_to=None)
        assert integrity_active_records(organization=org, on=D(2040, 1, 1)).exists()

    def test_revoked_record_stops_on_its_revocation_day(self, bureau, org):
        record = f.org_record(by=bureau, organization=org, effective_to=None)
        services.integrity_record_revoke(record=record, by=bureau, reason="复核撤销", revoked_on=D(2025, 6, 1))
        assert integrity_active_records(organization=org, on=D(2025, 5, 31)).exists()
        assert not integrity_active_records(organization=org, on=D(2025, 6, 1)).exists()

    def test_found_by_credit_code_without_link(self, bureau, org):
        services.integrity_record_create(by=bureau, data=f.record_data(
            subject_name="旧名称有限公司", subject_credit_code=org.credit_code, region="410105"))
        IntegrityRecord.objects.update(organization=None)
        assert integrity_active_records(organization=org, on=D(2025, 6, 1)).count() == 1

    def test_other_organization_is_not_blocked(self, bureau, org, other_org):
        f.org_record(by=bureau, organization=org)
        assert integrity_block_reason(organization=other_org, on=D(2025, 6, 1)) is None

    def test_database_query_agrees_with_the_model_on_every_day(self, bureau, org):
        # given: records with every shape of period and revocation
        shapes = [(D(2025, 1, 1), D(2025, 1, 31), None), (D(2025, 1, 10), None, None),
                  (D(2025, 1, 5), D(2025, 2, 5), D(2025, 1, 20)), (D(2025, 1, 15), None, D(2025, 1, 15)),
                  (D(2025, 2, 1), D(2025, 2, 1), None)]
        for i, (start, end, revoked) in enumerate(shapes):
            record = f.org_record(by=bureau, organization=org, source_document=f"文件{i}", effective_from=start,
                                  effective_to=end)
            if revoked is not None:
                services.integrity_record_revoke(record=record, by=bureau, reason="复核", revoked_on=revoked)
        records = list(IntegrityRecord.objects.all())
        # then
        for offset in range(0, 50):
            day = D(2024, 12, 30) + datetime.timedelta(days=offset)
            from_db = set(IntegrityRecord.objects.filter(active_on(day)).values_list("pk", flat=True))
            from_model = {r.pk for r in records if r.is_active_on(day)}
            by_state = {r.pk for r in records if record_state(r, day) == "active"}
            assert from_db == from_model == by_state, day


class TestBlockReason:
    def test_reason_names_type_document_and_start(self, bureau, org):
        f.org_record(by=bureau, organization=org, source_document="郑科〔2025〕12号", effective_from=D(2025, 3, 1))
        reason = integrity_block_reason(organization=org, on=D(2025, 6, 1))
        assert reason == "存在生效的科研诚信记录：虚假申报、骗取财政资金（郑科〔2025〕12号，2025-03-01起）"

    def test_person_reason(self, bureau):
        record = f.person_record(by=bureau, effective_from=D(2025, 1, 10))
        from techmarket.directory.models import Person

        person = Person.objects.create(name="张某某", kind="expert", region=record.region)
        IntegrityRecord.objects.filter(pk=record.pk).update(person=person)
        assert integrity_block_reason(person=person, on=D(2025, 2, 1)).startswith("存在生效的科研诚信记录：科研不端行为")

    def test_no_subject_is_never_blocked(self, bureau, org):
        f.org_record(by=bureau, organization=org)
        assert integrity_block_reason(on=D(2025, 6, 1)) is None


class TestPublicRecords:
    def test_only_published_not_revoked_and_started(self, bureau, org, other_org):
        shown = f.org_record(by=bureau, organization=org)
        f.org_record(by=bureau, organization=other_org, is_published=False)
        expired = f.org_record(by=bureau, organization=other_org, source_document="旧文件",
                               effective_from=D(2020, 1, 1), effective_to=D(2021, 1, 1))
        revoked = f.org_record(by=bureau, organization=other_org, source_document="撤销的")
        services.integrity_record_revoke(record=revoked, by=bureau, reason="复核撤销", revoked_on=D(2025, 2, 1))
        f.org_record(by=bureau, organization=other_org, source_document="未来", effective_from=D(2030, 1, 1),
                     effective_to=None)
        ids = set(integrity_public_records(on=D(2025, 6, 1)).values_list("pk", flat=True))
        assert ids == {shown.pk, expired.pk}

    def test_search_by_name_or_credit_code(self, bureau, org, other_org):
        a = f.org_record(by=bureau, organization=org)
        f.org_record(by=bureau, organization=other_org)
        assert list(integrity_public_records(q="金水诚信", on=D(2025, 6, 1))) == [a]
        assert list(integrity_public_records(q=org.credit_code.lower(), on=D(2025, 6, 1))) == [a]
