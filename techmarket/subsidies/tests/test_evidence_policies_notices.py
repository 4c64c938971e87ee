"""申报材料 (upload, list, download, delete; proof of local commercialisation before submission), the policy
create/edit/list pages, notifications to the declaring unit, and the independent check of one-time awards
(once per unit per qualification)."""
from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.test import Client

from techmarket.core.errors import ApplicationError
from techmarket.notifications.models import Notification
from techmarket.subsidies import services
from techmarket.subsidies.check import side_by_side
from techmarket.subsidies.models import DeclarationEvidence, SubsidyPolicy
from techmarket.subsidies.seed_rules import LOCAL_TRANSFER_EVIDENCE_CODES

from . import factories as f

D = datetime.date


def _open_round(bureau, policies, name="材料批次"):
    round_ = services.round_create(by=bureau, city=f.region("410600"), data={
        "name": name, "year": 2026, "declaration_deadline": D(2099, 1, 1), "policies": [p.pk for p in policies]})
    services.round_act(round_=round_, action="open", by=bureau)
    round_.refresh_from_db()
    return round_


@pytest.fixture
def draft(bureau_hebi, hebi_policies):
    """A 鹤壁 enterprise's draft under hb-ent-buy-outside-province (needs 在本市实施转化证明)."""
    policy = hebi_policies["hb-ent-buy-outside-province"]
    ent = f.org("鹤壁淇滨材料企业", "410611")
    c = f.contract(seller_region="110108", buyer=ent, total=20_000_000)
    f.payment(c, D(2025, 5, 5), 10_000_000)
    user = f.unit_user(ent)
    round_ = _open_round(bureau_hebi, [policy])
    return services.declaration_create(round_=round_, by=user, data={"policy": policy.pk}), user


def _api(d, suffix=""):
    return f"/api/v1/subsidy-rounds/{d.round_id}/declarations/{d.pk}/evidence{suffix}"


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
class TestLocalTransferProof:
    def test_seed_rules_that_name_commercialisation_in_the_city_require_it(self, hebi_policies, zhoukou_policies):
        flagged = set(SubsidyPolicy.objects.filter(local_transfer_evidence_required=True)
                      .values_list("code", flat=True))
        assert flagged == set(LOCAL_TRANSFER_EVIDENCE_CODES)
        assert "hb-agency-band" not in flagged and "zk-challenge-share" not in flagged

    def test_submission_refused_until_a_proof_is_uploaded(self, draft):
        d, user = draft
        with pytest.raises(ApplicationError) as exc:
            services.declaration_act(declaration=d, action="submit", by=user)
        item = exc.value.errors[0]
        assert item.field == "evidence" and item.code == "evidence_required"
        assert "申报材料" in item.message and "在本市实施转化证明" in item.message
        f.evidence(d, user, kind="invoice", name="发票.pdf")  # another kind does not count
        with pytest.raises(ApplicationError):
            services.declaration_act(declaration=d, action="submit", by=user)
        f.evidence(d, user)
        assert services.declaration_act(declaration=d, action="submit", by=user).status == "submitted"

    def test_rule_without_the_condition_submits_without_files(self, bureau_hebi, hebi_policies):
        policy = hebi_policies["hb-agency-band"]
        agency = f.org("鹤壁技术转移中心", "410611", kind="agency")
        f.qualification(agency, "transfer_demo", "municipal")
        user = f.unit_user(agency)
        d = services.declaration_create(round_=_open_round(bureau_hebi, [policy]), by=user, data={"policy": policy.pk})
        assert services.missing_evidence(d) == []
        assert services.declaration_act(declaration=d, action="submit", by=user).status == "submitted"

    def test_page_shows_the_refusal_on_the_action_panel(self, draft):
        d, user = draft
        response = _client(user).post(f"/subsidies/declarations/{d.pk}/actions/submit/", {"comment": ""})
        assert response.status_code == 200
        assert "在本市实施转化证明" in response.content.decode()
        d.refresh_from_db()
        assert d.status == "draft"


@pytest.mark.django_db
class TestEvidenceUploads:
    def test_upload_checks_type_by_content_and_names_the_file(self, draft):
        d, user = draft
        with pytest.raises(ApplicationError) as exc:
            services.declaration_evidence_add(declaration=d, by=user, kind="local_transfer",
                                              upload=f.upload("假证明.pdf", b"not a pdf at all"))
        assert exc.value.errors[0].field == "file" and "假证明.pdf" in exc.value.errors[0].message
        with pytest.raises(ApplicationError) as exc:
            services.declaration_evidence_add(declaration=d, by=user, kind="local_transfer",
                                              upload=f.upload("run.exe", b"MZ\x90\x00"))
        assert "run.exe" in exc.value.errors[0].message
        with pytest.raises(ApplicationError) as exc:
            services.declaration_evidence_add(declaration=d, by=user, kind="nonsense", upload=f.upload())
        assert exc.value.errors[0].field == "kind"
        assert not DeclarationEvidence.objects.exists()

    def test_only_while_editable(self, draft, bureau_hebi):
        d, user = draft
        row = f.evidence(d, user)
        services.declaration_act(declaration=d, action="submit", by=user)
        d.refresh_from_db()
        with pytest.raises(PermissionDenied):
            f.evidence(d, user)
        with pytest.raises(PermissionDenied):
            services.declaration_evidence_delete(evidence=row, by=user)
        with pytest.raises(PermissionDenied):  # reviewers read, never write
            services.declaration_evidence_add(declaration=d, by=bureau_hebi, kind="other", upload=f.upload())
        services.declaration_act(declaration=d, action="pre_return", by=bureau_hebi, comment="请补充产业化证明")
        d.refresh_from_db()
        assert f.evidence(d, user, name="补充证明.pdf").record_id == d.pk  # returned: editable again
        services.declaration_evidence_delete(evidence=row, by=user)
        assert list(d.attachments.values_list("original_name", flat=True)) == ["补充证明.pdf"]

    def test_api_upload_list_download_delete(self, draft, officer_qibin, officer_qixian, bureau_hebi):
        d, user = draft
        client = _client(user)
        response = client.post(_api(d), {"kind": "local_transfer",
                                         "file": f.upload("转化证明.pdf")})
        assert response.status_code == 201, response.content
        body = response.json()
        assert set(body) == {"id", "kind", "kind_display", "name", "size", "created_at", "url"}
        assert body["kind_display"] == "在本市实施转化证明" and body["url"] == _api(d, f"/{body['id']}")
        bad = client.post(_api(d), {"kind": "local_transfer", "file": f.upload("x.pdf", b"plain text")})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "file"
        listing = client.get(_api(d)).json()
        assert listing["count"] == 1 and set(listing) == {"count", "page", "page_size", "items"}
        detail = client.get(f"/api/v1/subsidy-rounds/{d.round_id}/declarations/{d.pk}").json()
        assert detail["evidence"][0]["name"] == "转化证明.pdf" and detail["missing_evidence"] == []
        # reviewers of the unit's district and the city see and download; others 404; anonymous 401
        for reviewer in (user, officer_qibin, bureau_hebi):
            download = _client(reviewer).get(body["url"])
            assert download.status_code == 200
            assert b"".join(download.streaming_content).startswith(b"%PDF")
            assert download["Cache-Control"] == "private, no-store"
        other_unit = f.unit_user(f.org("另一家企业", "410611"))
        for outsider in (officer_qixian, other_unit):
            assert _client(outsider).get(body["url"]).status_code == 404
            assert _client(outsider).get(_api(d)).status_code == 404
        assert _client().get(body["url"]).status_code == 401
        # reviewers may not delete; the declarant may while the declaration is a draft
        assert _client(bureau_hebi).delete(body["url"]).status_code == 403
        assert client.delete(body["url"]).status_code == 204
        assert client.get(_api(d)).json()["count"] == 0

    def test_pages_upload_download_delete(self, draft, officer_qibin, officer_qixian):
        d, user = draft
        client = _client(user)
        page = client.get(f"/subsidies/declarations/{d.pk}/").content.decode()
        assert "申报材料" in page and 'enctype="multipart/form-data"' in page and "提交前请至少上传" in page
        response = client.post(f"/subsidies/declarations/{d.pk}/evidence/",
                               {"kind": "local_transfer", "file": f.upload("转化说明.pdf")})
        assert response.status_code == 302
        row = d.attachments.get()
        url = f"/subsidies/declarations/{d.pk}/evidence/{row.pk}/"
        assert "转化说明.pdf" in client.get(f"/subsidies/declarations/{d.pk}/").content.decode()
        assert _client(officer_qibin).get(url).status_code == 200
        assert _client(officer_qixian).get(url).status_code == 404
        refused = client.post(f"/subsidies/declarations/{d.pk}/evidence/",
                              {"kind": "local_transfer", "file": f.upload("空.pdf", b"")})
        assert refused.status_code == 422
        assert _client(officer_qibin).post(url + "delete/").status_code == 403
        assert client.post(url + "delete/").status_code == 302
        assert not d.attachments.exists()


@pytest.mark.django_db
class TestPolicyPages:
    BAND = {"code": "hb-test-band", "year": "2026", "name": "测试绩效奖励", "rule_kind": "band_by_grade",
            "recipient_role": "unit", "unit_kind": "agency", "counterparty_location": "any", "unit_location": "any",
            "qualification_kind": "transfer_demo", "min_level": "municipal", "requires_national_number": "on",
            "payer": "city", "min_amount": "100000", "max_amount": "300000",
            "grade_amounts": "优秀=300000\n良好 ＝ 200000.50\n不合格=0", "citation": "测试文件（五）"}

    def test_bureau_creates_a_policy_with_grades(self, bureau_hebi):
        client = _client(bureau_hebi)
        assert client.get("/manage/subsidies/policies/new/").status_code == 200
        response = client.post("/manage/subsidies/policies/new/", self.BAND)
        assert response.status_code == 302, response.content.decode()[:2000]
        policy = SubsidyPolicy.objects.get(code="hb-test-band")
        assert policy.city.code == "410600" and policy.version == 1
        assert policy.grade_amounts == [{"grade": "优秀", "amount_fen": 30_000_000},
                                        {"grade": "良好", "amount_fen": 20_000_050},
                                        {"grade": "不合格", "amount_fen": 0}]

    @pytest.mark.parametrize("change, message", [
        ({"grade_amounts": "优秀"}, "档次金额（按绩效档次规则）第1行应为“档次=金额（元）”"),
        ({"grade_amounts": "优秀=400000"}, "档次“优秀”的金额超出最低与最高金额区间"),
        ({"grade_amounts": "优秀=abc"}, "档次金额（按绩效档次规则）第1行"),
        ({"instalments": "signing 签约 50"}, "只有按合同额比例分期支持的规则才有分期节点"),
        ({"rule_kind": "share_of_contract", "rate_percent": "30", "grade_amounts": "",
          "instalments": "signing 签约 50\nacceptance 验收 40"}, "分期节点比例合计应为 100%，现为 90%"),
        ({"rule_kind": "share_of_contract", "rate_percent": "30", "grade_amounts": "",
          "instalments": "signing 签约"}, "分期节点（按合同额比例规则）第1行应为“代码 名称 比例”"),
        ({"rule_kind": "rate_of_base", "grade_amounts": ""}, "按比例的规则须填写比例上限"),
        ({"unit_kind": "platform"}, "创新创业载体规则须选择载体类型"),
        ({"rule_kind": "one_time_on_event", "grade_amounts": "", "min_amount": "400000"}, "最低金额不能高于最高金额"),
    ])
    def test_refusals_name_the_field(self, bureau_hebi, change, message):
        response = _client(bureau_hebi).post("/manage/subsidies/policies/new/", {**self.BAND, **change})
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not SubsidyPolicy.objects.filter(code="hb-test-band").exists()

    def test_edit_covers_rule_kind_and_instalments(self, bureau_hebi, hebi_policies):
        policy = hebi_policies["hb-agency-band"]
        client = _client(bureau_hebi)
        page = client.get(f"/manage/subsidies/policies/{policy.pk}/edit/").content.decode()
        assert "优秀=300000.00" in page and 'name="rule_kind"' in page and 'name="code"' not in page
        data = {k: v for k, v in self.BAND.items() if k not in ("code", "year")}
        data.update({"rule_kind": "share_of_contract", "recipient_role": "seller", "unit_kind": "challenge_solver",
                     "qualification_kind": "", "min_level": "", "rate_percent": "25", "grade_amounts": "",
                     "min_amount": "", "max_amount": "", "instalments": "signing 签约 40\nacceptance 验收 60",
                     "local_transfer_evidence_required": "on"})
        response = client.post(f"/manage/subsidies/policies/{policy.pk}/edit/", data)
        assert response.status_code == 302, response.content.decode()[:3000]
        policy.refresh_from_db()
        assert policy.rule_kind == "share_of_contract" and str(policy.rate_percent) == "25.000"
        assert policy.instalments == [{"code": "signing", "label": "签约", "percent": 40},
                                      {"code": "acceptance", "label": "验收", "percent": 60}]
        assert policy.local_transfer_evidence_required and policy.grade_amounts == []

    def test_district_officers_and_units_get_404(self, hebi_policies, officer_qibin):
        policy = hebi_policies["hb-agency-band"]
        unit = f.unit_user(f.org("企业", "410611"))
        for user in (officer_qibin, unit):
            client = _client(user)
            assert client.get("/manage/subsidies/policies/new/").status_code == 404
            assert client.post("/manage/subsidies/policies/new/", self.BAND).status_code == 404
            assert client.get(f"/manage/subsidies/policies/{policy.pk}/edit/").status_code == 404
        assert _client().get("/manage/subsidies/policies/new/").status_code == 302  # to the login page
        assert not SubsidyPolicy.objects.filter(code="hb-test-band").exists()

    def test_manage_list(self, bureau_hebi, bureau_zhoukou, officer_qibin, hebi_policies, zhoukou_policies):
        page = _client(bureau_hebi).get("/manage/subsidies/policies/").content.decode()
        assert "新建补助政策" in page and "hb-agency-band" in page and "zk-agency-brokered" not in page
        officer = _client(officer_qibin).get("/manage/subsidies/policies/")
        assert officer.status_code == 200 and "hb-agency-band" in officer.content.decode()
        assert "新建补助政策" not in officer.content.decode()
        assert _client(f.unit_user(f.org("企业", "410611"))).get("/manage/subsidies/policies/").status_code == 404

    def test_api_instalment_errors(self, bureau_hebi):
        response = _client(bureau_hebi).post("/api/v1/subsidy-policies", data={
            "city": "4106", "year": 2026, "code": "hb-api-share", "name": "揭榜", "rule_kind": "share_of_contract",
            "recipient_role": "seller", "unit_kind": "challenge_solver", "payer": "province", "rate_percent": "30",
            "instalments": [{"code": "signing", "label": "签约", "percent": "half"}], "citation": "测试"},
            content_type="application/json")
        assert response.status_code == 422
        error = response.json()["errors"][0]
        assert error["field"] == "instalments" and "签约" in error["message"]


@pytest.mark.django_db
class TestNotifications:
    def _notes(self, user, prefix=""):
        return list(Notification.objects.filter(recipient=user, topic="subsidies", title__startswith=prefix)
                    .order_by("pk").values_list("title", "body"))

    def test_declaration_returned_and_passed(self, draft, bureau_hebi):
        d, user = draft
        f.evidence(d, user)
        services.declaration_act(declaration=d, action="submit", by=user)
        services.declaration_act(declaration=d, action="pre_return", by=bureau_hebi, comment="请补充发票")
        (title, body), = self._notes(user)
        assert title == "补助申报被初审退回修改：企业购买省外技术成果在鹤转化后补助" and "请补充发票" in body
        services.declaration_act(declaration=d, action="submit", by=user)
        services.declaration_act(declaration=d, action="pre_approve", by=bureau_hebi)
        services.declaration_act(declaration=d, action="accept", by=bureau_hebi)
        titles = [t for t, _b in self._notes(user)]
        assert titles[1:] == ["补助申报初审通过：企业购买省外技术成果在鹤转化后补助",
                              "补助申报复审通过：企业购买省外技术成果在鹤转化后补助"]
        assert Notification.objects.filter(topic="subsidies").exclude(recipient=user).count() == 0

    def test_notice_and_approval_tell_each_unit_its_amount(self, bureau_hebi, bureau_hebi_2, hebi_policies):
        policy = hebi_policies["hb-ent-buy-outside-province"]
        ent = f.org("鹤壁获补企业", "410611")
        c = f.contract(seller_region="110108", buyer=ent, total=20_000_000)
        f.payment(c, D(2025, 5, 5), 12_345_600)
        local = f.org("鹤壁未获补企业", "410611")
        f.contract(seller_region="410105", buyer=local, total=1_000_000)
        round_ = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[policy],
                                        declarations=[{"org": ent, "policy": policy}, {"org": local, "policy": policy}])
        f.compute(round_, bureau_hebi)
        services.round_act(round_=round_, action="publish_notice", by=bureau_hebi, today=D(2026, 3, 2))
        winner = get_user_model().objects.get(organization=ent)
        loser = get_user_model().objects.get(organization=local)
        (title, body), = self._notes(winner, "补助批次")
        assert title == "补助批次进入公示：测试批次" and "拟获补助 12345.60 元" in body and "2026-03-09" in body
        assert "未列入本批次拟补助名单" in self._notes(loser, "补助批次")[0][1]
        round_.refresh_from_db()
        services.round_act(round_=round_, action="approve", by=bureau_hebi_2, today=D(2026, 3, 20))
        assert self._notes(winner)[-1] == ("补助批次已批准：测试批次", "本单位获批补助 12345.60 元。")
        link = Notification.objects.get(recipient=winner, title__startswith="补助批次已批准").link
        assert link == f"/subsidies/rounds/{round_.pk}/notice/"


@pytest.mark.django_db
class TestCheckOneTimePerQualification:
    """hb-new-rd-institution is once per unit per QUALIFICATION: a unit newly recognised twice in the base
    year (provincial and national) may be awarded for each, and the independent check agrees."""

    def _rd(self):
        rd = f.org("鹤壁双认定研究院", "410611", kind="rd_institution")
        provincial = f.qualification(rd, "rd_institution", "provincial", recognised_on=D(2025, 3, 1))
        national = f.qualification(rd, "rd_institution", "national", recognised_on=D(2025, 9, 1))
        return rd, provincial, national

    def test_two_declarations_in_one_round(self, bureau_hebi, hebi_policies):
        policy = hebi_policies["hb-new-rd-institution"]
        rd, provincial, national = self._rd()
        round_ = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[policy], declarations=[
            {"org": rd, "policy": policy, "qualification": provincial.pk, "assessed_amount": "200000"},
            {"org": rd, "policy": policy, "qualification": national.pk, "assessed_amount": "500000"}])
        computation = f.compute(round_, bureau_hebi)
        assert sorted(computation.lines.values_list("amount_fen", flat=True)) == [20_000_000, 50_000_000]
        rows, same = side_by_side(round_)
        assert same and sorted(r["check_fen"] for r in rows) == [20_000_000, 50_000_000]

    def test_later_rounds_award_the_other_recognition_then_none(self, bureau_hebi, hebi_policies):
        policy = hebi_policies["hb-new-rd-institution"]
        rd, provincial, national = self._rd()
        first = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[policy], name="第一批",
                                       declarations=[{"org": rd, "policy": policy, "assessed_amount": "500000"}])
        line = f.compute(first, bureau_hebi).lines.get()
        assert line.explanation["items"][0]["id"] == national.pk  # the higher level first
        assert side_by_side(first)[1]
        second = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[policy], name="第二批",
                                        declarations=[{"org": rd, "policy": policy, "assessed_amount": "300000"}])
        line = f.compute(second, bureau_hebi).lines.get()
        assert line.amount_fen == 30_000_000 and line.explanation["items"][0]["id"] == provincial.pk
        rows, same = side_by_side(second)
        assert same and rows[0]["check_fen"] == 30_000_000
        third = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[policy], name="第三批",
                                       declarations=[{"org": rd, "policy": policy, "assessed_amount": "300000"}])
        computation = f.compute(third, bureau_hebi)
        assert computation.lines.count() == 0
        exclusion = computation.exclusions.get()
        assert exclusion.code == "already_awarded" and "2 项新认定均已获得过" in exclusion.message
        rows, same = side_by_side(third)
        assert same and rows[0]["check_fen"] == 0
