from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from freezegun import freeze_time

from techmarket.core.errors import ApplicationError
from techmarket.core.models import StatusChange
from techmarket.core.workflows import available_actions, status_history
from techmarket.disclosure.choices import DisclosureStatus
from techmarket.disclosure.models import DisclosureAccess, DisclosureRequest, DisclosureTerms
from techmarket.disclosure.services import (
    disclosure_accept_terms,
    disclosure_approve,
    disclosure_can_view,
    disclosure_log_access,
    disclosure_reject,
    disclosure_request,
    disclosure_revoke,
    disclosure_terms_make_current,
    disclosure_terms_publish,
    disclosure_withdraw,
)

from techmarket.core.tests import factories

pytestmark = pytest.mark.django_db


def _active_request(record, owner, requester, ip="10.0.0.8"):
    req = disclosure_request(record=record, by=requester, message="拟洽谈技术许可")
    req = disclosure_approve(request=req, by=owner)
    return disclosure_accept_terms(request=req, by=requester, ip=ip)


class TestDisclosureFullFlow:
    def test_request_approve_accept_view_is_logged_and_notified(self, owner_org, owner, requester, colleague,
                                                                 notices, django_capture_on_commit_callbacks):
        # given
        assert not disclosure_can_view(user=requester, record=owner_org)

        # when
        with django_capture_on_commit_callbacks(execute=True):
            req = disclosure_request(record=owner_org, by=requester, message="希望了解合作细节")
        with django_capture_on_commit_callbacks(execute=True):
            req = disclosure_approve(request=req, by=owner, comment="同意")
        refused_before_terms = disclosure_can_view(user=requester, record=owner_org)
        with django_capture_on_commit_callbacks(execute=True):
            req = disclosure_accept_terms(request=req, by=requester, ip="192.0.2.7")
        first = disclosure_log_access(user=requester, record=owner_org, ip="192.0.2.7", what="联系人及内部备注")
        second = disclosure_log_access(user=colleague, record=owner_org, ip="192.0.2.9", what="联系人")

        # then
        assert refused_before_terms is False
        assert req.status == DisclosureStatus.ACTIVE
        assert req.terms == DisclosureTerms.objects.get(is_current=True)
        assert req.accepted_ip == "192.0.2.7"
        assert disclosure_can_view(user=requester, record=owner_org)
        assert disclosure_can_view(user=colleague, record=owner_org)
        assert list(DisclosureAccess.objects.filter(request=req).order_by("pk")) == [first, second]
        assert [c.action for c in status_history(req)] == ["approve", "accept_terms"]
        assert [n["title"] for n in notices] == ["收到保密信息查看申请", "保密信息查看申请已批准", "对方已签署保密协议"]
        assert [u.pk for u in notices[0]["recipients"]] == [owner.pk]
        assert [u.pk for u in notices[1]["recipients"]] == [requester.pk]
        assert all(n["topic"] == "disclosure" and n["about"].pk == req.pk for n in notices)
        assert notices[1]["link"] == f"/disclosures/{req.pk}/"


class TestDisclosureRequest:
    def test_request_starts_as_requested_for_the_requester_organization(self, owner_org, requester, requester_org):
        # when
        req = disclosure_request(record=owner_org, by=requester, message="  拟合作开发  ")

        # then
        assert req.status == DisclosureStatus.REQUESTED
        assert req.requester_organization == requester_org
        assert req.record == owner_org
        assert req.record_repr == owner_org.name
        assert req.message == "拟合作开发"

    def test_duplicate_open_request_of_the_same_organization_is_refused(self, owner_org, requester, colleague):
        # given
        disclosure_request(record=owner_org, by=requester)

        # when
        with pytest.raises(ApplicationError) as exc:
            disclosure_request(record=owner_org, by=colleague)

        # then
        assert exc.value.errors[0].code == "duplicate"
        assert "请勿重复申请" in exc.value.errors[0].message
        assert DisclosureRequest.objects.count() == 1

    def test_new_request_is_allowed_after_rejection(self, owner_org, owner, requester):
        # given
        first = disclosure_request(record=owner_org, by=requester)
        disclosure_reject(request=first, by=owner, reason_code="not_partner")

        # when
        second = disclosure_request(record=owner_org, by=requester)

        # then
        assert second.pk != first.pk and second.status == DisclosureStatus.REQUESTED

    def test_database_refuses_a_second_open_request_of_the_organization(self, owner_org, requester, colleague):
        # given
        first = disclosure_request(record=owner_org, by=requester)

        # when / then
        with pytest.raises(IntegrityError), transaction.atomic():
            DisclosureRequest.objects.create(content_type=first.content_type, object_id=first.object_id,
                                             record_repr="x", requester=colleague,
                                             requester_organization=first.requester_organization)

    def test_person_without_organization_has_one_open_request(self, owner_org, regions):
        # given
        expert = factories.user("expert-1")
        disclosure_request(record=owner_org, by=expert)

        # when / then
        with pytest.raises(ApplicationError):
            disclosure_request(record=owner_org, by=expert)

    def test_owner_cannot_request_own_record(self, owner_org, owner):
        with pytest.raises(ApplicationError) as exc:
            disclosure_request(record=owner_org, by=owner)
        assert exc.value.errors[0].code == "own_record"

    def test_overlong_message_is_refused_on_the_field(self, owner_org, requester):
        with pytest.raises(ApplicationError) as exc:
            disclosure_request(record=owner_org, by=requester, message="长" * 2001)
        assert exc.value.errors[0].field == "message"


class TestDisclosureApprove:
    def test_non_owner_cannot_approve(self, owner_org, requester, stranger):
        # given
        req = disclosure_request(record=owner_org, by=requester)

        # when / then
        with pytest.raises(PermissionDenied):
            disclosure_approve(request=req, by=stranger)
        req.refresh_from_db()
        assert req.status == DisclosureStatus.REQUESTED

    def test_requester_cannot_approve_own_request(self, owner_org, requester):
        req = disclosure_request(record=owner_org, by=requester)
        with pytest.raises(PermissionDenied):
            disclosure_approve(request=req, by=requester)

    def test_bureau_admin_cannot_approve_for_the_owner(self, owner_org, requester, regions):
        # given
        admin = factories.bureau_admin("bureau-4101", region_obj=regions["city"])
        req = disclosure_request(record=owner_org, by=requester)

        # when / then
        with pytest.raises(PermissionDenied):
            disclosure_approve(request=req, by=admin)

    def test_approve_twice_is_refused_by_state(self, owner_org, owner, requester):
        # given
        req = disclosure_approve(request=disclosure_request(record=owner_org, by=requester), by=owner)

        # when / then
        with pytest.raises(ApplicationError) as exc:
            disclosure_approve(request=req, by=owner)
        assert exc.value.errors[0].code == "invalid_state"

    def test_approve_without_current_terms_is_refused(self, owner_org, owner, requester):
        # given
        DisclosureTerms.objects.update(is_current=False)
        req = disclosure_request(record=owner_org, by=requester)

        # when / then
        with pytest.raises(ApplicationError) as exc:
            disclosure_approve(request=req, by=owner)
        assert exc.value.errors[0].code == "no_terms"
        req.refresh_from_db()
        assert req.status == DisclosureStatus.REQUESTED

    def test_approve_attaches_the_version_current_at_approval(self, owner_org, owner, requester):
        # given
        newer = disclosure_terms_publish(title="保密协议（修订）", version="2099-1", body="条款……", by=owner)
        req = disclosure_request(record=owner_org, by=requester)

        # when
        req = disclosure_approve(request=req, by=owner)

        # then
        assert req.terms == newer


class TestDisclosureReject:
    def test_reason_code_is_required(self, owner_org, owner, requester):
        # given
        req = disclosure_request(record=owner_org, by=requester)

        # when
        with pytest.raises(ApplicationError) as exc:
            disclosure_reject(request=req, by=owner, reason_code=None)

        # then
        assert exc.value.errors[0].field == "reason_code"
        assert exc.value.errors[0].message == "请选择原因"
        req.refresh_from_db()
        assert req.status == DisclosureStatus.REQUESTED

    def test_reason_code_of_another_context_is_refused(self, owner_org, owner, requester):
        req = disclosure_request(record=owner_org, by=requester)
        with pytest.raises(ApplicationError) as exc:
            disclosure_reject(request=req, by=owner, reason_code="too_early")
        assert exc.value.errors[0].field == "reason_code"

    def test_reject_records_the_reason_and_tells_the_requester(self, owner_org, owner, requester, notices,
                                                                 django_capture_on_commit_callbacks):
        # given
        req = disclosure_request(record=owner_org, by=requester)

        # when
        with django_capture_on_commit_callbacks(execute=True):
            req = disclosure_reject(request=req, by=owner, reason_code="not_partner", comment="暂无合作计划")

        # then
        change = StatusChange.objects.get(action="reject")
        assert req.status == DisclosureStatus.REJECTED
        assert change.reason_code == "not_partner" and change.comment == "暂无合作计划"
        assert notices[-1]["recipients"] == [requester]
        assert "非合作对象" in notices[-1]["body"] and "暂无合作计划" in notices[-1]["body"]


class TestDisclosureAcceptTerms:
    @freeze_time("2025-03-01 10:00:00+08:00")
    def test_accept_sets_time_and_ip(self, owner_org, owner, requester):
        # given
        req = disclosure_approve(request=disclosure_request(record=owner_org, by=requester), by=owner)

        # when
        req = disclosure_accept_terms(request=req, by=requester, ip="2001:db8::1")

        # then
        assert req.status == DisclosureStatus.ACTIVE
        assert req.accepted_at == datetime.datetime(2025, 3, 1, 2, 0, tzinfo=datetime.UTC)
        assert req.accepted_ip == "2001:db8::1"

    def test_colleague_cannot_accept_for_the_requester(self, owner_org, owner, requester, colleague):
        req = disclosure_approve(request=disclosure_request(record=owner_org, by=requester), by=owner)
        with pytest.raises(PermissionDenied):
            disclosure_accept_terms(request=req, by=colleague)

    def test_accept_before_approval_is_refused(self, owner_org, requester):
        req = disclosure_request(record=owner_org, by=requester)
        with pytest.raises(ApplicationError) as exc:
            disclosure_accept_terms(request=req, by=requester)
        assert exc.value.errors[0].code == "invalid_state"


class TestDisclosureCanView:
    def test_owner_sees_own_detail(self, owner_org, owner):
        assert disclosure_can_view(user=owner, record=owner_org)

    def test_approved_but_unsigned_request_does_not_open_the_detail(self, owner_org, owner, requester):
        # given
        disclosure_approve(request=disclosure_request(record=owner_org, by=requester), by=owner)

        # when / then
        assert not disclosure_can_view(user=requester, record=owner_org)

    def test_other_organization_does_not_see_detail_of_an_active_request(self, owner_org, owner, requester,
                                                                          stranger):
        _active_request(owner_org, owner, requester)
        assert not disclosure_can_view(user=stranger, record=owner_org)

    def test_bureau_admin_sees_records_in_scope_only(self, owner_org, regions):
        # given
        in_scope = factories.bureau_admin("bureau-4101", region_obj=regions["city"])
        out_of_scope = factories.bureau_admin("bureau-4106", region_obj=regions["hebi"])

        # when / then
        assert disclosure_can_view(user=in_scope, record=owner_org)
        assert not disclosure_can_view(user=out_of_scope, record=owner_org)

    def test_district_officer_has_no_confidential_access(self, owner_org, regions):
        officer = factories.district_officer("officer-410105", region_obj=regions["jinshui"])
        assert not disclosure_can_view(user=officer, record=owner_org)

    def test_anonymous_sees_nothing(self, owner_org):
        from django.contrib.auth.models import AnonymousUser

        assert not disclosure_can_view(user=AnonymousUser(), record=owner_org)

    def test_revoked_request_closes_the_detail(self, owner_org, owner, requester):
        # given
        req = _active_request(owner_org, owner, requester)

        # when
        disclosure_revoke(request=req, by=owner, comment="合作终止")

        # then
        assert not disclosure_can_view(user=requester, record=owner_org)


class TestDisclosureLogAccess:
    def test_access_before_terms_is_refused_and_not_logged(self, owner_org, owner, requester):
        # given
        disclosure_approve(request=disclosure_request(record=owner_org, by=requester), by=owner)

        # when / then
        with pytest.raises(PermissionDenied):
            disclosure_log_access(user=requester, record=owner_org, what="联系人")
        assert DisclosureAccess.objects.count() == 0

    def test_each_access_is_logged_with_its_grant(self, owner_org, owner, requester, requester_org):
        # given
        req = _active_request(owner_org, owner, requester)

        # when
        with freeze_time("2025-05-01 09:00:00+08:00"):
            disclosure_log_access(user=requester, record=owner_org, ip="192.0.2.1", what="联系人")
        with freeze_time("2025-05-02 09:00:00+08:00"):
            disclosure_log_access(user=requester, record=owner_org, ip="192.0.2.1", what="内部备注")

        # then
        rows = list(DisclosureAccess.objects.order_by("accessed_at"))
        assert [(r.request_id, r.user_id, r.organization_id, r.what) for r in rows] == [
            (req.pk, requester.pk, requester_org.pk, "联系人"),
            (req.pk, requester.pk, requester_org.pk, "内部备注"),
        ]
        assert rows[1].accessed_at - rows[0].accessed_at == datetime.timedelta(days=1)
        assert rows[0].record == owner_org

    def test_owner_access_is_logged_without_a_grant(self, owner_org, owner):
        access = disclosure_log_access(user=owner, record=owner_org, what="联系人")
        assert access.request is None and access.user == owner


class TestDisclosureWithdraw:
    def test_requester_withdraws_and_may_ask_again(self, owner_org, requester):
        # given
        req = disclosure_request(record=owner_org, by=requester)

        # when
        req = disclosure_withdraw(request=req, by=requester)

        # then
        assert req.status == DisclosureStatus.WITHDRAWN
        assert disclosure_request(record=owner_org, by=requester).status == DisclosureStatus.REQUESTED

    def test_owner_cannot_withdraw_for_the_requester(self, owner_org, owner, requester):
        req = disclosure_request(record=owner_org, by=requester)
        with pytest.raises(PermissionDenied):
            disclosure_withdraw(request=req, by=owner)


class TestDisclosureRevoke:
    def test_requester_cannot_revoke(self, owner_org, owner, requester):
        req = _active_request(owner_org, owner, requester)
        with pytest.raises(PermissionDenied):
            disclosure_revoke(request=req, by=requester)


class TestDisclosureTerms:
    def test_publish_makes_the_new_version_the_only_current_one(self, owner):
        # given
        old = DisclosureTerms.objects.get(is_current=True)

        # when
        new = disclosure_terms_publish(title="保密协议", version="2099-2", body="……", by=owner)

        # then
        old.refresh_from_db()
        assert new.is_current and not old.is_current

    def test_duplicate_version_is_refused(self, owner):
        with pytest.raises(ApplicationError) as exc:
            disclosure_terms_publish(title="保密协议", version="2025-1", body="……", by=owner)
        assert exc.value.errors[0].field == "version"

    def test_make_current_switches_back(self, owner):
        # given
        old = DisclosureTerms.objects.get(is_current=True)
        disclosure_terms_publish(title="保密协议", version="2099-3", body="……", by=owner)

        # when
        disclosure_terms_make_current(terms=old, by=owner)

        # then
        assert list(DisclosureTerms.objects.filter(is_current=True)) == [old]

    def test_default_terms_ship_with_the_migration(self, db):
        terms = DisclosureTerms.objects.get(is_current=True)
        assert terms.version == "2025-1" and "保密信息" in terms.body


# The permission × transition matrix, generated from TRANSITIONS.
ALLOWED_ROLES = {
    "approve": {"owner"}, "reject": {"owner"}, "revoke": {"owner"},
    "accept_terms": {"requester"}, "withdraw": {"requester"},
}
MATRIX = [(action, status, role)
          for action, spec in DisclosureRequest.TRANSITIONS.items()
          for status in DisclosureStatus.values
          for role in ("owner", "requester", "colleague", "stranger")]


@pytest.mark.parametrize(("action", "status", "role"), MATRIX)
def test_available_actions_matrix(action, status, role, owner_org, owner, requester, colleague, stranger):
    # given
    req = disclosure_request(record=owner_org, by=requester)
    DisclosureRequest.objects.filter(pk=req.pk).update(status=status)  # state fixture for the matrix only
    req.refresh_from_db()
    user = {"owner": owner, "requester": requester, "colleague": colleague, "stranger": stranger}[role]

    # when
    offered = action in available_actions(req, user)

    # then
    spec = DisclosureRequest.TRANSITIONS[action]
    assert offered == (status in spec.sources and role in ALLOWED_ROLES[action])


class TestDisclosureNotificationsDelivered:
    """With the real notifications service: the owner's inbox gets the request after commit."""

    def test_owner_receives_an_inbox_notification(self, owner_org, owner, requester,
                                                  django_capture_on_commit_callbacks):
        from techmarket.notifications.models import Notification

        # when
        with django_capture_on_commit_callbacks(execute=True):
            req = disclosure_request(record=owner_org, by=requester, message="拟合作")

        # then
        notice = Notification.objects.get(recipient=owner)
        assert notice.topic == "disclosure" and notice.title == "收到保密信息查看申请"
        assert notice.link == f"/disclosures/{req.pk}/" and notice.about == req
        assert not Notification.objects.filter(recipient=requester).exists()
