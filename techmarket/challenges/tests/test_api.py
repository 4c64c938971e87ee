"""/api/v1/challenges and friends: SPEC §3 shapes (lists, money strings, +08:00, regions by code), the status
codes 401 / 403 / 404 / 422, the same permissions as the pages, masking, hidden reviewer names, and the whole
path from a demand to an accepted project with its contract and support."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from techmarket.challenges.choices import ChallengeStatus
from techmarket.disclosure.models import DisclosureAccess
from techmarket.listings.tests.factories import api_error, as_user

from . import factories as f
from .test_review import awarded, expert_person, reviewing, score

pytestmark = pytest.mark.django_db

BASE = "/api/v1/challenges"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JSON = "application/json"


def post(client, url, data=None):
    return client.post(url, data or {}, content_type=JSON)


def team_body(cast, *, leader=None) -> dict:
    leader = leader or cast.researcher
    return {"technical_plan": "基于温度场实时测量的主轴热误差补偿方案。", "price": "500000.00", "duration_months": 10,
            "contact": leader.pk, "members": [], "team": [{"person": leader.pk, "role": "项目负责人", "is_leader": True}],
            "milestones": [{"title": "补偿模型建立", "deliverable": "模型与测试报告", "month": 4},
                           {"title": "样机验证", "deliverable": "检测报告", "month": 10}]}


class TestChallengeReadApi:
    def test_public_list_and_detail_shapes(self, client, make_challenge):
        challenge = make_challenge("published")
        make_challenge("draft", title="未发榜的草稿")
        body = client.get(BASE).json()
        assert set(body) == {"count", "page", "page_size", "items"} and body["count"] == 1
        item = body["items"][0]
        assert item["id"] == challenge.pk and item["budget_min"] == "300000.00" and item["budget_max"] == "800000.00"
        assert item["application_deadline"].endswith("+08:00") and item["region"]["code"] == "410105"
        assert item["status"] == "published" and item["status_display"] == "揭榜中"
        assert item["available_actions"] == [] and item["managed"] is False
        detail = client.get(f"{BASE}/{challenge.pk}").json()
        assert [c["weight"] for c in detail["criteria"]] == [30, 25, 20, 15, 10]
        assert "history" not in detail and "confidential_detail" not in detail
        assert detail["has_confidential_detail"] is True and detail["can_view_confidential"] is False

    def test_filters_and_page_size(self, client, make_challenge):
        make_challenge("published")
        assert client.get(f"{BASE}?field=10&region=410105&page_size=500").json()["page_size"] == 100
        assert client.get(f"{BASE}?field=20").json()["count"] == 0
        assert client.get(f"{BASE}?status=draft").status_code == 422

    def test_a_draft_is_404_outside_and_managed_for_the_setter(self, client, cast, make_challenge, enterprise,
                                                              officer_out):
        challenge = make_challenge("draft")
        url = f"{BASE}/{challenge.pk}"
        assert client.get(url).status_code == 404
        assert as_user(client, enterprise).get(url).status_code == 404
        assert as_user(client, officer_out).get(url).status_code == 404
        body = as_user(client, cast.setter).get(url).json()
        assert body["managed"] is True and body["can_edit"] is True and "submit" in body["available_actions"]
        assert body["history"] and body["demand"]["id"] == challenge.demand_id

    def test_managed_scope_needs_a_login(self, client, cast, make_challenge):
        make_challenge("draft")
        assert client.get(f"{BASE}?scope=managed").status_code == 401
        assert as_user(client, cast.setter).get(f"{BASE}?scope=managed").json()["count"] == 1


class TestChallengeWriteApi:
    def test_create_prefills_from_the_demand_and_walks_to_publication(self, client, cast, published_demand):
        response = post(as_user(client, cast.setter), BASE, {
            "demand": published_demand.pk, "application_deadline": f.deadline().isoformat(),
            "duration_months": 12, "indicators": [{"name": "定位误差", "target": "≤5", "unit": "μm"}]})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["title"] == published_demand.title and body["status"] == "draft"
        assert body["tech_field"]["code"] == "10" and body["budget_max"] == "500000.00"
        url = f"{BASE}/{body['id']}/actions"
        assert post(client, f"{url}/submit").json()["status"] == "submitted"
        assert post(as_user(client, cast.officer), f"{url}/pre_approve").json()["status"] == "pre_approved"
        published = post(as_user(client, cast.bureau), f"{url}/publish", {"comment": "同意发榜"}).json()
        assert published["status"] == "published" and published["published_at"].endswith("+08:00")

    def test_validation_is_422_naming_the_field(self, client, cast, published_demand):
        response = post(as_user(client, cast.setter), BASE, {
            "demand": published_demand.pk, "application_deadline": f.deadline().isoformat(), "duration_months": 12,
            "budget_min": "900000.00", "budget_max": "100000.00"})
        assert response.status_code == 422
        assert api_error(response)["field"] == "budget_min"
        response = post(client, BASE, {"demand": 999999})
        assert response.status_code == 422 and api_error(response)["field"] == "demand"

    def test_anonymous_is_401_and_another_enterprise_403(self, client, published_demand, enterprise):
        response = post(client, BASE, {"demand": published_demand.pk})
        assert response.status_code == 401 and api_error(response)["code"] == "not_authenticated"
        response = post(as_user(client, enterprise), BASE, {"demand": published_demand.pk})
        assert response.status_code == 403 and api_error(response)["code"] == "permission_denied"

    def test_actions_404_out_of_scope_403_when_visible(self, client, cast, make_challenge, officer_out, enterprise):
        submitted = make_challenge("submitted")
        response = post(as_user(client, officer_out), f"{BASE}/{submitted.pk}/actions/pre_approve")
        assert response.status_code == 404
        published = make_challenge("published")
        response = post(as_user(client, enterprise), f"{BASE}/{published.pk}/actions/withdraw", {"comment": "x"})
        assert response.status_code == 403
        response = post(as_user(client, cast.setter), f"{BASE}/{published.pk}/actions/award")
        assert response.status_code == 422 and api_error(response)["code"] in ("needs_data", "invalid_state")

    def test_patch_only_in_editable_states(self, client, cast, make_challenge):
        draft = make_challenge("draft")
        response = as_user(client, cast.setter).patch(f"{BASE}/{draft.pk}", {"title": "新名称"}, content_type=JSON)
        assert response.status_code == 200 and response.json()["title"] == "新名称"
        submitted = make_challenge("submitted")
        response = client.patch(f"{BASE}/{submitted.pk}", {"title": "再改"}, content_type=JSON)
        assert response.status_code == 403


class TestAgreementAndApplicationsApi:
    def test_confidential_only_after_the_agreement_and_logged(self, client, cast, make_challenge):
        challenge = make_challenge("published")
        as_user(client, cast.applicant)
        assert client.get(f"{BASE}/{challenge.pk}/confidential").status_code == 403
        response = post(client, f"{BASE}/{challenge.pk}/agreement")
        assert response.status_code == 200 and response.json()["organization"]["id"] == cast.applicant.organization_id
        before = DisclosureAccess.objects.count()
        body = client.get(f"{BASE}/{challenge.pk}/confidential").json()
        assert body["confidential_detail"].startswith("主轴型号")
        assert DisclosureAccess.objects.count() == before + 1
        assert client.get(f"{BASE}/{challenge.pk}").json()["agreement_accepted"] is True

    def test_apply_submit_and_one_per_unit(self, client, cast, make_challenge):
        challenge = make_challenge("published")
        url = f"{BASE}/{challenge.pk}/applications"
        as_user(client, cast.applicant)
        response = post(client, url, team_body(cast))
        assert response.status_code == 422 and api_error(response)["code"] == "agreement_required"
        post(client, f"{BASE}/{challenge.pk}/agreement")
        response = post(client, url, team_body(cast))
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["price"] == "500000.00" and body["status"] == "draft" and body["can_edit"] is True
        assert body["team"][0]["person"]["name"] == cast.researcher.name and "phone" not in body["team"][0]["person"]
        submitted = post(client, f"{url}/{body['id']}/actions/submit").json()
        assert submitted["status"] == "submitted" and submitted["submitted_at"].endswith("+08:00")
        response = post(client, url, team_body(cast))
        assert response.status_code == 422
        assert client.get(url).json()["count"] == 1

    def test_applications_are_hidden_from_others_until_review(self, client, cast, make_challenge, enterprise):
        challenge = make_challenge("published")
        application = f.submitted_application(challenge=challenge, by=cast.applicant)
        url = f"{BASE}/{challenge.pk}/applications"
        assert as_user(client, enterprise).get(url).json()["count"] == 0
        assert client.get(f"{url}/{application.pk}").status_code == 404
        assert as_user(client, cast.setter).get(url).json()["count"] == 0  # not before applications close
        assert as_user(client, cast.bureau).get(url).json()["count"] == 1

    def test_the_contact_phone_is_masked_except_for_administrators(self, client, cast, make_challenge):
        challenge = make_challenge("published")
        application = f.submitted_application(challenge=challenge, by=cast.applicant, leader=cast.researcher)
        url = f"{BASE}/{challenge.pk}/applications/{application.pk}"
        assert as_user(client, cast.applicant).get(url).json()["contact"]["phone"] == "138****5678"
        assert as_user(client, cast.bureau).get(url).json()["contact"]["phone"] == "13812345678"
        assert as_user(client, cast.officer).get(url).json()["contact"]["phone"] == "138****5678"


class TestReviewApi:
    def test_panel_names_hidden_from_setter_and_applicant(self, client, cast, make_challenge):
        challenge, (application,) = reviewing(cast, make_challenge, applicants=[cast.applicant], panel=[cast.expert])
        url = f"{BASE}/{challenge.pk}/panel"
        assert as_user(client, cast.bureau).get(url).json()["items"][0]["person"]["name"] == cast.expert.name
        assert as_user(client, cast.setter).get(url).status_code == 403
        assert as_user(client, cast.applicant).get(url).status_code == 403
        own = as_user(client, cast.expert_user).get(url).json()
        assert own["count"] == 1 and own["items"][0]["person"]["id"] == cast.expert.pk

    def test_a_panellist_is_removed_with_a_comment(self, client, cast, make_challenge):
        challenge, _apps = reviewing(cast, make_challenge, applicants=[cast.applicant], panel=[cast.expert])
        member = challenge.panel.get()
        url = f"{BASE}/{challenge.pk}/panel/{member.pk}"
        assert as_user(client, cast.setter).delete(url, {"comment": "回避"}, content_type=JSON).status_code == 403
        response = as_user(client, cast.bureau).delete(url, {"comment": "本人申请回避"}, content_type=JSON)
        assert response.status_code == 200 and response.json()["status"] == "removed"

    def test_scores_saved_submitted_and_ranked(self, client, cast, make_challenge, regions):
        second = expert_person("孙专家", organization=cast.expert.organization, username="expert-2")
        challenge, (application,) = reviewing(cast, make_challenge, applicants=[cast.applicant],
                                              panel=[cast.expert, second])
        criteria = as_user(client, cast.expert_user).get(
            f"{BASE}/{challenge.pk}/applications/{application.pk}/review").json()["criteria"]
        scores = {str(c["id"]): 80 for c in criteria}
        url = f"{BASE}/{challenge.pk}/applications/{application.pk}/review"
        response = client.put(url, {"scores": scores, "comment": "方案可行"}, content_type=JSON)
        assert response.status_code == 200 and response.json()["review"]["status"] == "draft"
        # the other panellist cannot see it before submitting its own
        assert as_user(client, second.user).get(f"{url}s").json()["items"] == []
        submitted = post(as_user(client, cast.expert_user), f"{url}/submit").json()["review"]
        assert submitted["status"] == "submitted" and submitted["total"] == "80.00"
        # the applicant may not score: 403 on a record it can see
        assert as_user(client, cast.applicant).put(url, {"scores": scores}, content_type=JSON).status_code == 403
        # ranking: setter yes (after one more review), applicant no
        score(application, second.user)
        ranking = as_user(client, cast.setter).get(f"{BASE}/{challenge.pk}/ranking").json()["items"]
        assert ranking[0]["application"]["id"] == application.pk and ranking[0]["submitted_reviews"] == 2
        assert as_user(client, cast.applicant).get(f"{BASE}/{challenge.pk}/ranking").status_code == 403

    def test_criteria_set_by_the_bureau_until_scoring(self, client, cast, make_challenge):
        challenge = make_challenge("published")
        url = f"{BASE}/{challenge.pk}/criteria"
        rows = [{"name": "技术方案", "weight": 60}, {"name": "报价", "weight": 40}]
        response = as_user(client, cast.bureau).put(url, {"items": rows}, content_type=JSON)
        assert response.status_code == 200 and response.json()["total_weight"] == 100
        response = client.put(url, {"items": [{"name": "技术方案", "weight": 90}]}, content_type=JSON)
        assert response.status_code == 422 and api_error(response)["code"] == "weights_sum"
        response = as_user(client, cast.setter).put(url, {"items": rows}, content_type=JSON)
        assert response.status_code == 403
        assert [c["name"] for c in client.get(url).json()["items"]] == ["技术方案", "报价"]

    def test_award_gives_coded_feedback_and_no_reviewer_names(self, client, cast, make_challenge):
        challenge, (winner, loser) = reviewing(cast, make_challenge, applicants=[cast.applicant, cast.partner],
                                               panel=[cast.expert])
        for application in (winner, loser):
            score(application, cast.expert_user)
        response = post(as_user(client, cast.setter), f"{BASE}/{challenge.pk}/award", {
            "application": winner.pk, "comment": "综合评分第一",
            "feedback": [{"application": loser.pk, "reason_code": "price_high", "comment": "报价偏高"}]})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "awarded" and body["winner"]["organization"]["id"] == cast.applicant.organization_id
        assert body["contract"]["status"] == "draft"
        mine = as_user(client, cast.partner).get(f"{BASE}/{challenge.pk}/applications/{loser.pk}").json()
        assert mine["status"] == "not_awarded" and mine["feedback"]["reason_code"] == "price_high"
        assert mine["feedback"]["reason_label"] == "报价偏高" and mine["score"] is None
        reviews = client.get(f"{BASE}/{challenge.pk}/applications/{loser.pk}/reviews").json()["items"]
        assert reviews and all(r["reviewer"].startswith("专家") for r in reviews)
        assert cast.expert.name not in str(reviews)


class TestWholePathApi:
    def test_from_award_to_acceptance_with_support(self, client, cast, make_challenge):
        from techmarket.subsidies.seed_rules import SEED_RULES
        from techmarket.subsidies.services import policy_create

        challenge, winner = awarded(cast, make_challenge)
        spec = next(r for r in SEED_RULES["4116"] if r["code"] == "zk-challenge-share")
        policy_create(by=None, city=challenge.region.parent, seed=True,
                      data={**spec, "code": "zz-challenge-share", "year": timezone.localdate().year})
        url = f"{BASE}/{challenge.pk}"
        started = post(as_user(client, cast.setter), f"{url}/start",
                       {"signed_on": timezone.localdate().isoformat()}).json()
        assert started["status"] == "in_progress" and started["started_on"] == timezone.localdate().isoformat()
        milestones = as_user(client, cast.applicant).get(f"{url}/milestones").json()["items"]
        assert [m["status"] for m in milestones] == ["pending", "pending"]
        for milestone in milestones:
            m_url = f"{url}/milestones/{milestone['id']}"
            upload = SimpleUploadedFile("检测报告.pdf", PDF, content_type="application/pdf")
            assert as_user(client, cast.applicant).post(f"{m_url}/evidence", {"file": upload}).status_code == 201
            reported = post(client, f"{m_url}/actions/submit", {"report": "已完成"}).json()
            assert reported["status"] == "submitted" and reported["evidence"][0]["url"].startswith(m_url)
            assert post(as_user(client, cast.setter), f"{m_url}/actions/confirm").json()["status"] == "confirmed"
        response = post(as_user(client, cast.bureau), f"{url}/acceptance",
                        {"held_on": timezone.localdate().isoformat()})
        assert response.status_code == 201
        opinion = post(as_user(client, cast.expert_user), f"{url}/acceptance/opinions",
                       {"outcome": "passed", "opinion": "指标全部达到"}).json()
        assert opinion["opinions"][0]["member"] == "专家1"  # the panellist is not named outside the bureau
        assert as_user(client, cast.bureau).get(f"{url}/acceptance").json()["items"][0]["opinions"][0]["member"] \
            == cast.expert.name
        decided = post(client, f"{url}/acceptance/decision", {"outcome": "passed", "conclusion": "同意通过验收"}).json()
        assert decided["status"] == "accepted"
        support = as_user(client, cast.setter).get(f"{url}/support").json()
        assert support["policy"]["name"] == spec["name"] and support["payer_display"]
        contract_amount = Decimal(support["contract_amount"])
        assert contract_amount == Decimal("500000.00")
        assert Decimal(support["ceiling"]) <= contract_amount * Decimal("0.30")
        assert {row["code"] for row in support["instalments"]} == {"signing", "acceptance"}
        assert as_user(client, cast.partner).get(f"{url}/support").status_code == 403

    def test_push_log_for_the_setter_only(self, client, cast, make_challenge, enterprise):
        challenge = make_challenge("published")
        body = as_user(client, cast.setter).get(f"{BASE}/{challenge.pk}/push-log").json()
        assert set(body) == {"count", "page", "page_size", "items"}
        assert as_user(client, enterprise).get(f"{BASE}/{challenge.pk}/push-log").status_code == 403


class TestPoolAndRoundsApi:
    def test_round_created_opened_and_entry_reviewed(self, client, cast, published_demand, regions):
        response = post(as_user(client, cast.bureau), "/api/v1/challenge-rounds", {
            "title": "2026年第四批技术需求征集", "opens_on": timezone.localdate().isoformat(),
            "deadline": f.deadline(20).isoformat()})
        assert response.status_code == 201, response.content
        round_ = response.json()
        assert round_["city"]["code"] == "410100" and round_["status"] == "draft"
        opened = post(client, f"/api/v1/challenge-rounds/{round_['id']}/actions/open").json()
        assert opened["status"] == "open"
        response = post(as_user(client, cast.setter), "/api/v1/challenge-pool",
                        {"demand": published_demand.pk, "round": round_["id"], "note": "拟发榜"})
        assert response.status_code == 201, response.content
        entry = response.json()
        assert entry["status"] == "submitted" and entry["demand"]["budget_max"] == "500000.00"
        response = post(client, f"/api/v1/challenge-pool/{entry['id']}/actions/pre_approve")
        assert response.status_code == 403
        assert post(as_user(client, cast.officer), f"/api/v1/challenge-pool/{entry['id']}/actions/pre_approve") \
            .json()["status"] == "pre_approved"
        assert post(as_user(client, cast.bureau), f"/api/v1/challenge-pool/{entry['id']}/actions/admit") \
            .json()["status"] == "admitted"

    def test_pool_is_scoped(self, client, cast, enterprise, officer_out):
        entry = f.pool_entry_in_state("submitted", setter=cast.setter, officer=cast.officer, bureau=cast.bureau)
        assert as_user(client, enterprise).get("/api/v1/challenge-pool").json()["count"] == 0
        assert client.get(f"/api/v1/challenge-pool/{entry.pk}").status_code == 404
        assert as_user(client, officer_out).get(f"/api/v1/challenge-pool/{entry.pk}").status_code == 404
        assert as_user(client, cast.officer).get("/api/v1/challenge-pool").json()["count"] == 1


class TestStatsApi:
    URL = "/api/v1/challenge-stats"

    def test_staff_get_rows_and_a_total(self, client, cast, make_challenge):
        make_challenge("published")
        make_challenge("draft")
        body = as_user(client, cast.bureau).get(self.URL).json()
        assert body["region"] == "410100" and body["group_by"] == "field" and body["year"] is None
        total = body["rows"][-1]
        assert total["key"] == "total" and total["published"] == 1 and total["awarded_amount"] == "0.00"
        assert body["rows"][0]["label"] == "电子信息"
        district = as_user(client, cast.officer).get(f"{self.URL}?group_by=district").json()
        assert district["region"] == "410105" and district["rows"][0]["label"] == "金水区"

    def test_refusals(self, client, cast, officer_out, enterprise):
        assert client.get(self.URL).status_code == 401
        assert as_user(client, enterprise).get(self.URL).status_code == 403
        assert as_user(client, officer_out).get(f"{self.URL}?region=410105").status_code == 404
        response = as_user(client, cast.bureau).get(f"{self.URL}?group_by=month")
        assert response.status_code == 422 and api_error(response)["field"] == "group_by"
        response = client.get(f"{self.URL}?year=abc")
        assert response.status_code == 422 and api_error(response)["field"] == "year"

    def test_awarded_amount_and_days(self, client, cast, make_challenge):
        challenge, _winner = awarded(cast, make_challenge)
        assert challenge.status == ChallengeStatus.AWARDED
        total = as_user(client, cast.bureau).get(self.URL).json()["rows"][-1]
        assert total["awarded"] == 1 and total["awarded_amount"] == "500000.00"
        assert total["median_days_to_award"] == "0.0" and total["applications_per_challenge"] == "1.00"
        assert total["acceptance_rate"] is None
