"""core.audit.record_bulk_import stores, per imported record, exactly what record_change would."""
from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from techmarket.accounts.models import User
from techmarket.core.audit import record_bulk_import, record_change, snapshot
from techmarket.core.models import ObjectChange
from techmarket.directory.models import Contact, Organization, Person, Qualification
from techmarket.taxonomies.models import Term

from .factories import make_organization, make_person

pytestmark = pytest.mark.django_db

COMMENT = "Excel 批量导入（导入任务 #7）"
COMPARED = ("content_type_id", "object_id", "object_repr", "action", "actor_id", "before", "after", "comment")


def stored(model, objs) -> dict[str, dict]:
    ct = ContentType.objects.get_for_model(model)
    rows = ObjectChange.objects.filter(content_type=ct, object_id__in=[str(o.pk) for o in objs])
    return {row.object_id: {k: getattr(row, k) for k in COMPARED} for row in rows}


def slow_path(objs, by) -> dict[str, dict]:
    """What record_change(obj=…, action=IMPORT) stores for each record, read back, then removed."""
    with transaction.atomic():
        changes = [record_change(obj=o, action=ObjectChange.Action.IMPORT, by=by, comment=COMMENT) for o in objs]
        rows = {row.object_id: {k: getattr(row, k) for k in COMPARED}
                for row in ObjectChange.objects.filter(pk__in=[c.pk for c in changes])}
        ObjectChange.objects.filter(pk__in=[c.pk for c in changes]).delete()
    return rows


@pytest.fixture
def records(make_user):
    """Records of every kind an import writes, with personal data, dates, many-to-many links."""
    bureau = make_user("bureau-4101", "bureau_admin", region_code="410100")
    fields = list(Term.objects.filter(scheme__code="hitech_domains", level=3).order_by("-pk")[:3])
    org = make_organization("郑州测试智能科技有限公司", established_on=datetime.date(2019, 5, 6),
                            legal_representative="王伟", contacts=[("李娜", "13812345678", "lina@example.cn")])
    org.tech_fields.set(fields)
    bare = make_organization("无领域单位")
    quals = [Qualification.objects.create(organization=org, kind="hitech", level="national",
                                          recognised_on=datetime.date(2023, 12, 1),
                                          valid_until=datetime.date(2026, 11, 30), certificate_no="GR2023410001"),
             Qualification.objects.create(organization=org, kind="hitech", level="national",
                                          recognised_on=datetime.date(2024, 1, 1))]
    person = make_person("张伟", id_number="410105199001011234", phone="13800138000", email="zhangwei@example.cn",
                         programmes=["leading"])
    person.tech_fields.set(fields[:2])
    return {"by": bureau, Organization: [org, bare], Qualification: quals, Contact: list(org.contacts.all()),
            Person: [person, make_person("李四")], User: [bureau]}


class TestRecordBulkImport:
    @pytest.mark.parametrize("model", [Organization, Qualification, Contact, Person, User])
    def test_each_entry_equals_what_record_change_stores(self, records, model):
        # given the records, and what the slow path stores for them
        objs = records[model]
        expected = slow_path(objs, records["by"])

        # when
        record_bulk_import(model=model, objs=objs, by=records["by"], comment=COMMENT)

        # then
        assert stored(model, objs) == expected
        assert len(expected) == len(objs)

    def test_personal_data_is_masked_and_excluded_fields_left_out(self, records):
        # given
        person, user = records[Person][0], records[User][0]

        # when
        record_bulk_import(model=Person, objs=[person], by=None, comment=COMMENT)
        record_bulk_import(model=User, objs=[user], by=None, comment=COMMENT)

        # then
        after = stored(Person, [person])[str(person.pk)]["after"]
        assert after["id_number"] == "4101**********1234"
        assert after["phone"] == "138****8000"
        assert after["email"] == "zh***@example.cn"
        assert after["tech_fields"] == sorted(t.pk for t in person.tech_fields.all())
        assert after == snapshot(person)
        assert "password" not in stored(User, [user])[str(user.pk)]["after"]
        assert stored(Person, [person])[str(person.pk)]["actor_id"] is None

    def test_nothing_is_written_when_the_transaction_fails(self, records):
        # given
        orgs = records[Organization]

        # when
        with pytest.raises(RuntimeError), transaction.atomic():
            record_bulk_import(model=Organization, objs=orgs, by=records["by"], comment=COMMENT)
            raise RuntimeError("a later row failed")

        # then
        assert stored(Organization, orgs) == {}

    def test_no_records_write_nothing(self, records):
        # when
        record_bulk_import(model=Organization, objs=[], by=records["by"], comment=COMMENT)

        # then
        assert not ObjectChange.objects.filter(action=ObjectChange.Action.IMPORT).exists()


@pytest.mark.postgres
class TestRecordBulkImportOnPostgres:
    @pytest.mark.parametrize("model", [Organization, Qualification, Contact, Person])
    def test_copy_stores_what_record_change_stores(self, records, model):
        # given
        objs = records[model]
        expected = slow_path(objs, records["by"])

        # when
        record_bulk_import(model=model, objs=objs, by=records["by"], comment=COMMENT)

        # then
        assert stored(model, objs) == expected

    def test_a_failed_import_leaves_no_entries(self, records):
        # given
        people = records[Person]

        # when
        with pytest.raises(RuntimeError), transaction.atomic():
            record_bulk_import(model=Person, objs=people, by=records["by"], comment=COMMENT)
            raise RuntimeError("a later row failed")

        # then
        assert stored(Person, people) == {}
