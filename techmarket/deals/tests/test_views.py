"""Pages of 成交与公示: public notices with the objection form, the deal pages, the agreement form."""
from __future__ import annotations

from techmarket.deals import services
from techmarket.deals.models import Deal, Objection
from techmarket.listings.tests.factories import as_user

from . import factories as f


class TestNoticePages:
    def test_public_list_and_detail_show_the_notice_without_objectors(self, client, owner, bureau, buyer,
                                                                       other_enterprise):
        deal = f.noticed_deal(owner=owner, reviewer=bureau, buyer=buyer)
        services.objection_create(notice=deal.notice, by=other_enterprise, text="价格偏低")
        text = client.get("/deal-notices/").content.decode()
        assert f"/deal-notices/{deal.notice.pk}/" in text and "公示中" in text
        text = client.get(f"/deal-notices/{deal.notice.pk}/").content.decode()
        assert deal.achievement.title in text and "30.00 万元" in text and "1 件" in text
        assert other_enterprise.display_name not in text and "登录后提出异议" in text

    def test_logged_in_user_objects_through_the_page(self, client, owner, bureau, buyer, other_enterprise):
        deal = f.noticed_deal(owner=owner, reviewer=bureau, buyer=buyer)
        as_user(client, other_enterprise)
        response = client.post(f"/deal-notices/{deal.notice.pk}/objections/", {"text": ""})
        assert response.status_code == 200 and not Objection.objects.exists()
        response = client.post(f"/deal-notices/{deal.notice.pk}/objections/", {"text": "存在权属争议"})
        assert response.status_code == 302 and Objection.objects.get().text == "存在权属争议"


class TestDealPages:
    def test_buyer_signs_and_the_page_links_the_contract(self, client, owner, bureau, buyer):
        deal = f.listing_deal(owner=owner, reviewer=bureau, buyer=buyer)
        as_user(client, buyer)
        assert "确认签约" in client.get(f"/manage/deals/{deal.pk}/").content.decode()
        response = client.post(f"/manage/deals/{deal.pk}/actions/sign/", {"sign-comment": ""})
        assert response.status_code == 302
        deal.refresh_from_db()
        assert deal.status == "closed" and deal.contract_id
        text = client.get(f"/manage/deals/{deal.pk}/").content.decode()
        assert "已成交" in text and f"#{deal.contract_id}" in text

    def test_bureau_resolves_an_objection_on_the_deal_page(self, client, owner, bureau, buyer, other_enterprise):
        deal = f.noticed_deal(owner=owner, reviewer=bureau, buyer=buyer)
        objection = services.objection_create(notice=deal.notice, by=other_enterprise, text="异议")
        as_user(client, bureau)
        text = client.get(f"/manage/deals/{deal.pk}/").content.decode()
        assert other_enterprise.display_name in text and "异议成立" in text
        url = f"/manage/deals/{deal.pk}/objections/{objection.pk}/uphold/"
        response = client.post(url, {f"uphold-{objection.pk}-comment": ""})
        assert response.status_code == 200
        response = client.post(url, {f"uphold-{objection.pk}-comment": "异议属实"})
        assert response.status_code == 302
        deal.refresh_from_db()
        assert deal.status == "cancelled"

    def test_seller_sees_objection_text_but_not_the_objector(self, client, owner, bureau, buyer, other_enterprise):
        deal = f.noticed_deal(owner=owner, reviewer=bureau, buyer=buyer)
        services.objection_create(notice=deal.notice, by=other_enterprise, text="应当重新评估")
        text = as_user(client, owner).get(f"/manage/deals/{deal.pk}/").content.decode()
        assert "应当重新评估" in text and other_enterprise.display_name not in text

    def test_outsiders_get_404(self, client, owner, bureau, buyer_org, other_enterprise, officer_out):
        deal = f.agreement_deal(owner=owner, reviewer=bureau, buyer_org=buyer_org)
        assert as_user(client, other_enterprise).get(f"/manage/deals/{deal.pk}/").status_code == 404
        assert as_user(client, officer_out).get(f"/manage/deals/{deal.pk}/").status_code == 404
        assert client.post(f"/manage/deals/{deal.pk}/actions/cancel/", {"cancel-comment": "x"}).status_code == 404

    def test_agreement_form_by_credit_code(self, client, owner, bureau, buyer_org):
        achievement = f.listing_factories.published(owner=owner, reviewer=bureau)
        as_user(client, owner)
        url = f"/manage/deals/new/?achievement={achievement.pk}"
        response = client.post(url, {"buyer": "91410100XXXXXXXXXX", "transfer_mode": "transfer", "price": "30"})
        assert response.status_code == 200 and "未找到" in response.content.decode()
        response = client.post(url, {"buyer": buyer_org.credit_code, "transfer_mode": "transfer", "price": "30",
                                     "broker": ""})
        deal = Deal.objects.get()
        assert response.status_code == 302 and deal.buyer_id == buyer_org.pk and deal.price_fen == 30_000_000
        assert "我的成交" in client.get("/manage/deals/").content.decode()

    def test_agreement_form_is_404_for_non_owners(self, client, owner, bureau, buyer):
        achievement = f.listing_factories.published(owner=owner, reviewer=bureau)
        assert as_user(client, buyer).get(f"/manage/deals/new/?achievement={achievement.pk}").status_code == 404
