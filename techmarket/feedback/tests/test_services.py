from __future__ import annotations

import datetime

import pytest
from freezegun import freeze_time

from techmarket.core.errors import ApplicationError
from techmarket.core.models import StatusChange
from techmarket.disclosure.models import DisclosureRequest
from techmarket.disclosure.services import disclosure_reject, disclosure_request
from techmarket.feedback.models import ReasonCode, ReasonContext
from techmarket.feedback.selectors import reason_context_for, reason_transitions
from techmarket.feedback.services import (
    reason_code_create,
    reason_code_delete,
    reason_code_is_used,
    reason_code_require,
    reason_code_update,
    reason_codes_for,
    reason_display,
    reason_label,
    reason_statistics,
)

pytestmark = pytest.mark.django_db

# SPEC §2 B2 and the issue: the contexts and codes every deployment starts with.
SHIPPED = {
    "review_reject": ["信息不完整", "描述不清", "领域不符", "知识产权不清", "重复提交", "不属于本平台范围", "其他"],
    "review_return": ["材料不全", "信息有误", "描述不清", "其他"],
    "match_decline": ["技术成熟度过早", "效益不明确", "描述不清", "价格不合适", "知识产权不清", "领域不符", "地域不便",
                      "其他"],
    "bid_lost": ["出价低于保留价", "被更高出价超过", "保证金未确认", "其他"],
    "registration_refuse": ["不属于技术合同", "合同要素不全", "重复登记", "当事人信息不实", "其他"],
    "account_registration_reject": ["单位信息不符", "授权书无效", "重复注册", "其他"],
    "disclosure_reject": ["非合作对象", "信息不完整", "其他"],
}


def reject(record, *, requester, owner, code):
    req = disclosure_request(record=record, by=requester)
    return disclosure_reject(request=req, by=owner, reason_code=code)


class TestShippedReasonCodes:
    @pytest.mark.parametrize("context", sorted(SHIPPED))
    def test_context_ships_its_codes_in_order(self, context):
        assert [r.label for r in reason_codes_for(context)] == SHIPPED[context]

    def test_every_context_has_a_chinese_label(self):
        assert set(ReasonContext.objects.values_list("slug", flat=True)) >= set(SHIPPED)
        assert ReasonContext.objects.get(slug="match_decline").label == "匹配不适用"


class TestReasonCodeRequire:
    def test_returns_the_active_code(self):
        reason = reason_code_require(context="match_decline", code="too_early")
        assert reason.label == "技术成熟度过早"

    @pytest.mark.parametrize("code", [None, "", "  "])
    def test_missing_code_is_refused_on_reason_code(self, code):
        with pytest.raises(ApplicationError) as exc:
            reason_code_require(context="review_reject", code=code)
        assert (exc.value.errors[0].field, exc.value.errors[0].code) == ("reason_code", "required")
        assert exc.value.errors[0].message == "请选择原因"

    def test_unknown_code_is_refused(self):
        with pytest.raises(ApplicationError) as exc:
            reason_code_require(context="review_reject", code="no_such_code")
        assert (exc.value.errors[0].field, exc.value.errors[0].code) == ("reason_code", "invalid_choice")
        assert "no_such_code" in exc.value.errors[0].message

    def test_code_of_another_context_is_refused(self):
        with pytest.raises(ApplicationError):
            reason_code_require(context="bid_lost", code="too_early")

    def test_inactive_code_is_refused(self):
        # given
        ReasonCode.objects.filter(context_id="bid_lost", code="outbid").update(is_active=False)

        # when / then
        with pytest.raises(ApplicationError) as exc:
            reason_code_require(context="bid_lost", code="outbid")
        assert exc.value.errors[0].code == "inactive"
        assert "被更高出价超过" in exc.value.errors[0].message


class TestReasonCodesFor:
    def test_inactive_codes_are_left_out_unless_asked(self):
        # given
        ReasonCode.objects.filter(context_id="bid_lost", code="outbid").update(is_active=False)

        # when
        active = [r.code for r in reason_codes_for("bid_lost")]
        every = [r.code for r in reason_codes_for("bid_lost", include_inactive=True)]

        # then
        assert "outbid" not in active and "outbid" in every


class TestReasonLabel:
    def test_label_of_a_known_code(self):
        assert reason_label("review_return", "incorrect_info") == "信息有误"

    def test_unknown_code_falls_back_to_the_code(self):
        assert reason_label("review_return", "gone") == "gone"

    def test_no_code_gives_empty_text(self):
        assert reason_label("review_return", None) == ""

    def test_deactivated_code_keeps_its_label_in_history(self, org_a, user_b, user_a):
        # given
        reject(org_a, requester=user_b, owner=user_a, code="not_partner")
        ReasonCode.objects.filter(context_id="disclosure_reject", code="not_partner").update(is_active=False)

        # when
        label = reason_display(StatusChange.objects.get(action="reject"))

        # then
        assert label == "非合作对象"


class TestReasonTransitions:
    def test_context_is_derived_from_the_transition_table(self):
        assert reason_context_for(DisclosureRequest, "reject") == "disclosure_reject"
        assert reason_context_for(DisclosureRequest, "approve") is None
        assert any(t.model is DisclosureRequest and t.action == "reject"
                   for t in reason_transitions(context="disclosure_reject"))


class TestReasonStatistics:
    def test_counts_per_context_and_code(self, org_a, org_b, user_a, user_b, org_hebi, owner_hebi):
        # given: org_b is refused twice as "not_partner", once as "incomplete"
        reject(org_a, requester=user_b, owner=user_a, code="not_partner")
        reject(org_a, requester=user_b, owner=user_a, code="not_partner")
        reject(org_hebi, requester=user_b, owner=owner_hebi, code="incomplete")

        # when
        rows = reason_statistics(context="disclosure_reject")

        # then
        assert rows == [
            {"context": "disclosure_reject", "context_label": "披露申请不通过", "code": "not_partner",
             "label": "非合作对象", "count": 2},
            {"context": "disclosure_reject", "context_label": "披露申请不通过", "code": "incomplete",
             "label": "信息不完整", "count": 1},
        ]

    def test_organization_filter_uses_the_owner_field(self, org_a, org_b, user_a, user_b):
        # given: disclosure rejections count against the requesting organization
        reject(org_a, requester=user_b, owner=user_a, code="not_partner")
        reject(org_b, requester=user_a, owner=user_b, code="incomplete")

        # when
        of_b = reason_statistics(organization=org_b)
        of_a = reason_statistics(organization=org_a.pk)

        # then
        assert [(r["code"], r["count"]) for r in of_b] == [("not_partner", 1)]
        assert [(r["code"], r["count"]) for r in of_a] == [("incomplete", 1)]

    def test_since_leaves_out_older_reasons(self, org_a, user_a, user_b):
        # given
        with freeze_time("2025-01-10 12:00:00+08:00"):
            reject(org_a, requester=user_b, owner=user_a, code="other")
        with freeze_time("2025-03-10 12:00:00+08:00"):
            reject(org_a, requester=user_b, owner=user_a, code="not_partner")

        # when
        rows = reason_statistics(since=datetime.date(2025, 3, 1))

        # then
        assert [(r["code"], r["count"]) for r in rows] == [("not_partner", 1)]

    def test_other_context_gives_nothing(self, org_a, user_a, user_b):
        reject(org_a, requester=user_b, owner=user_a, code="other")
        assert reason_statistics(context="bid_lost") == []

    def test_transitions_without_reason_are_not_counted(self, org_a, user_a, user_b):
        # given
        from techmarket.disclosure.services import disclosure_approve

        disclosure_approve(request=disclosure_request(record=org_a, by=user_b), by=user_a)

        # when / then
        assert reason_statistics() == []


class TestReasonCodeCreate:
    def test_creates_a_code_with_audit(self, user_a):
        # when
        reason = reason_code_create(context="bid_lost", code="late_bid", label="出价晚于截止时间", by=user_a)

        # then
        from techmarket.core.audit import history_for

        assert reason_code_require(context="bid_lost", code="late_bid") == reason
        assert [row.action for row in history_for(reason)] == ["create"]

    def test_duplicate_code_in_a_context_is_refused(self, user_a):
        with pytest.raises(ApplicationError):
            reason_code_create(context="bid_lost", code="outbid", label="重复", by=user_a)

    def test_unknown_context_is_refused(self, user_a):
        with pytest.raises(ApplicationError) as exc:
            reason_code_create(context="nowhere", code="x", label="x", by=user_a)
        assert exc.value.errors[0].field == "context"


class TestReasonCodeUpdate:
    def test_used_code_cannot_be_renamed_but_can_be_deactivated(self, org_a, user_a, user_b):
        # given
        reject(org_a, requester=user_b, owner=user_a, code="not_partner")
        reason = ReasonCode.objects.get(context_id="disclosure_reject", code="not_partner")

        # when
        with pytest.raises(ApplicationError) as exc:
            reason_code_update(reason_code=reason, by=user_a, code="renamed")
        reason = reason_code_update(reason_code=reason, by=user_a, is_active=False, label="非意向合作对象")

        # then
        assert exc.value.errors[0].code == "in_use"
        assert reason_code_is_used(reason)
        assert (reason.code, reason.is_active, reason.label) == ("not_partner", False, "非意向合作对象")

    def test_unused_code_can_be_renamed(self, user_a):
        reason = ReasonCode.objects.get(context_id="bid_lost", code="other")
        assert reason_code_update(reason_code=reason, by=user_a, code="misc").code == "misc"


class TestReasonCodeDelete:
    def test_used_code_cannot_be_deleted(self, org_a, user_a, user_b):
        # given
        reject(org_a, requester=user_b, owner=user_a, code="other")
        reason = ReasonCode.objects.get(context_id="disclosure_reject", code="other")

        # when / then
        with pytest.raises(ApplicationError):
            reason_code_delete(reason_code=reason, by=user_a)
        assert ReasonCode.objects.filter(pk=reason.pk).exists()

    def test_same_code_used_in_another_context_does_not_block(self, org_a, user_a, user_b):
        # given: "other" is used in disclosure_reject, not in bid_lost
        reject(org_a, requester=user_b, owner=user_a, code="other")
        reason = ReasonCode.objects.get(context_id="bid_lost", code="other")

        # when
        reason_code_delete(reason_code=reason, by=user_a)

        # then
        assert not ReasonCode.objects.filter(pk=reason.pk).exists()
