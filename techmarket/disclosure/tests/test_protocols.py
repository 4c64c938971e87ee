from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from techmarket.directory.models import Organization
from techmarket.disclosure import protocols

from techmarket.core.tests import factories

pytestmark = pytest.mark.django_db


class UserOwnedRecord:
    """A record implementing the user-ids hook (as a later app's model would)."""

    pk = 7

    def __init__(self, owner_ids):
        self._owner_ids = owner_ids

    def disclosure_owner_user_ids(self):
        return self._owner_ids


class TestIsDisclosable:
    def test_organization_works_out_of_the_box(self):
        assert protocols.is_disclosable(Organization)

    def test_models_without_a_hook_are_not_disclosable(self):
        assert not protocols.is_disclosable(get_user_model())

    def test_a_class_with_the_user_ids_hook_is_disclosable(self):
        assert protocols.is_disclosable(UserOwnedRecord)
        assert isinstance(UserOwnedRecord({1}), protocols.UserOwnedDisclosable)


class TestOwners:
    def test_owners_of_an_organization_are_its_active_users(self, owner_org, owner, requester):
        # given
        retired = factories.user("retired", organization_obj=owner_org, is_active=False)

        # when
        ids = protocols.owner_user_ids(owner_org)

        # then
        assert ids == {owner.pk} and retired.pk not in ids
        assert protocols.is_owner(owner, owner_org) and not protocols.is_owner(requester, owner_org)

    def test_user_ids_hook_wins(self, owner, requester):
        record = UserOwnedRecord({requester.pk})
        assert protocols.is_owner(requester, record) and not protocols.is_owner(owner, record)
        assert protocols.owner_organization_id(record) is None

    def test_records_owned_by_for_organization(self, owner_org, owner, requester):
        assert list(protocols.records_owned_by(Organization, owner)) == [owner_org]
        assert owner_org not in protocols.records_owned_by(Organization, requester)

    def test_region_of_an_organization_record(self, owner_org, regions):
        assert protocols.record_region(owner_org) == regions["jinshui"]
