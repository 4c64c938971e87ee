from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from freezegun import freeze_time

import techmarket.urls  # noqa: F401  (before freezing, see common rules)
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange
from techmarket.integrity import services
from techmarket.integrity.models import IntegrityRecord

from . import factories as f

pytestmark = pytest.mark.django_db


def _fields(exc: ApplicationError) -> set:
    return {e.field for e in exc.errors}


class TestIntegrityRecordCreate:
    def test_bureau_admin_records_an_organization_linked_by_credit_code(self, bureau, org):
        # when
        record = services.integrity_record_create(by=bureau, data=f.record_data(
            subject_credit_code=org.credit_code.lower()))
        # then
        assert record.organization == org
        assert record.subject_name == org.name
        assert record.subject_credit_code == org.credit_code
        assert record.region == org.region
        assert ObjectChange.objects.filter(object_id=str(record.pk), action=ObjectChange.Action.CREATE).count() == 1

    def test_district_officer_cannot_record(self, officer, org):
        with pytest.raises(PermissionDenied):
            f.org_record(by=officer, organization=org)
        assert not IntegrityRecord.objects.exists()

    def test_enterprise_user_cannot_record(self, member, org):
        with pytest.raises(PermissionDenied):
            f.org_record(by=member, organization=org)

    def test_bureau_of_another_city_is_refused_naming_the_region(self, bureau_hebi, org):
        with pytest.raises(ApplicationError) as exc:
            f.org_record(by=bureau_hebi, organization=org)
        assert _fields(exc.value) == {"region"}
        assert "管辖范围" in exc.value.errors[0].message

    def test_every_missing_field_is_named_at_once(self, bureau):
        with pytest.raises(ApplicationError) as exc:
            services.integrity_record_create(by=bureau, data={"subject_kind": "organization"})
        assert {"subject_name", "facts", "source_document", "source_authority", "record_type", "effective_from",
                "region"} <= _fields(exc.value)
        assert all(e.message for e in exc.value.errors)

    def test_period_must_be_ordered(self, bureau, org):
        with pytest.raises(ApplicationError) as exc:
            f.org_record(by=bureau, organization=org, effective_to=datetime.date(2024, 1, 1))
        assert _fields(exc.value) == {"effective_to"}

    def test_invalid_credit_code_is_refused(self, bureau):
        with pytest.raises(ApplicationError) as exc:
            services.integrity_record_create(by=bureau, data=f.record_data(
                subject_name="某公司", subject_credit_code="91410100XXXX", region="410105"))
        assert _fields(exc.value) == {"subject_credit_code"}

    def test_person_subject_takes_no_credit_code(self, bureau, org):
        with pytest.raises(ApplicationError) as exc:
            f.person_record(by=bureau, subject_credit_code=org.credit_code)
        assert _fields(exc.value) == {"subject_credit_code"}


class TestIntegrityRecordUpdate:
    def test_update_is_audited_with_before_and_after(self, bureau, org):
        record = f.org_record(by=bureau, organization=org)
        # when
        services.integrity_record_update(record=record, by=bureau, data={"is_published": False})
        # then
        change = ObjectChange.objects.filter(object_id=str(record.pk), action=ObjectChange.Action.UPDATE).get()
        assert change.before["is_published"] is True and change.after["is_published"] is False

    def test_district_officer_in_scope_cannot_update(self, bureau, officer, org):
        record = f.org_record(by=bureau, organization=org)
        with pytest.raises(PermissionDenied):
            services.integrity_record_update(record=record, by=officer, data={"facts": "改"})

    def test_revoked_record_cannot_be_updated(self, bureau, org):
        record = f.org_record(by=bureau, organization=org)
        services.integrity_record_revoke(record=record, by=bureau, reason="复核撤销",
                                         revoked_on=datetime.date(2025, 6, 1))
        with pytest.raises(ApplicationError) as exc:
            services.integrity_record_update(record=record, by=bureau, data={"facts": "改"})
        assert exc.value.errors[0].code == "revoked"


class TestIntegrityRecordRevoke:
    @freeze_time("2025-07-01")
    def test_revoke_sets_date_and_reason_and_is_audited(self, bureau, org):
        record = f.org_record(by=bureau, organization=org)
        # when
        record = services.integrity_record_revoke(record=record, by=bureau, reason="信用修复完成")
        # then
        assert record.revoked_on == datetime.date(2025, 7, 1)
        assert record.revocation_reason == "信用修复完成"
        change = ObjectChange.objects.filter(object_id=str(record.pk)).order_by("-pk").first()
        assert change.after["revoked_on"] == "2025-07-01" and "信用修复完成" in change.comment

    def test_revoke_needs_a_reason(self, bureau, org):
        record = f.org_record(by=bureau, organization=org)
        with pytest.raises(ApplicationError) as exc:
            services.integrity_record_revoke(record=record, by=bureau, reason=" ")
        assert _fields(exc.value) == {"reason"}

    @freeze_time("2025-07-01")
    def test_revoke_in_the_future_is_refused(self, bureau, org):
        record = f.org_record(by=bureau, organization=org)
        with pytest.raises(ApplicationError) as exc:
            services.integrity_record_revoke(record=record, by=bureau, reason="x", revoked_on="2025-08-01")
        assert _fields(exc.value) == {"revoked_on"}

    def test_officer_cannot_revoke(self, bureau, officer, org):
        record = f.org_record(by=bureau, organization=org)
        with pytest.raises(PermissionDenied):
            services.integrity_record_revoke(record=record, by=officer, reason="x")
