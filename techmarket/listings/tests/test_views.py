"""Pages of 挂牌交易: public list and detail with the interest form, the seller's and reviewers' pages."""
from __future__ import annotations

from techmarket.listings.models import Interest, Listing

from . import factories as f
from .factories import as_user


class TestPublicPages:
    def test_list_shows_open_listings_only(self, client, owner, officer_in):
        shown = f.open_listing(owner=owner, reviewer=officer_in)
        hidden = f.draft_listing(owner=owner, reviewer=officer_in,
                                 achievement=f.published(owner=owner, reviewer=officer_in, title="草稿挂牌成果"))
        response = client.get("/listings/")
        text = response.content.decode()
        assert response.status_code == 200
        assert f"/listings/{shown.pk}/" in text and "草稿挂牌成果" not in text
        assert client.get(f"/listings/{hidden.pk}/").status_code == 404

    def test_detail_offers_the_interest_form_and_shows_only_the_count(self, client, owner, officer_in, buyer,
                                                                        other_enterprise):
        listing = f.open_listing(owner=owner, reviewer=officer_in, interested=[other_enterprise])
        text = as_user(client, buyer).get(f"/listings/{listing.pk}/").content.decode()
        assert "登记受让意向" in text and "<strong>1</strong> 家单位" in text
        assert other_enterprise.organization.name not in text

    def test_anonymous_sees_a_login_link(self, client, owner, officer_in):
        listing = f.open_listing(owner=owner, reviewer=officer_in)
        text = client.get(f"/listings/{listing.pk}/").content.decode()
        assert "登录后登记受让意向" in text

    def test_staff_sees_the_refusal_reason_and_the_names(self, client, owner, officer_in, buyer):
        listing = f.open_listing(owner=owner, reviewer=officer_in, interested=[buyer])
        text = as_user(client, officer_in).get(f"/listings/{listing.pk}/").content.decode()
        assert "科技管理部门工作人员不能登记受让意向" in text and buyer.organization.name in text

    def test_register_and_withdraw_through_the_page(self, client, owner, officer_in, buyer):
        listing = f.open_listing(owner=owner, reviewer=officer_in)
        as_user(client, buyer)
        response = client.post(f"/listings/{listing.pk}/interest/", {"note": "扩产需要"})
        assert response.status_code == 302
        assert Interest.objects.get().note == "扩产需要"
        assert "本单位已于" in client.get(f"/listings/{listing.pk}/").content.decode()
        response = client.post(f"/listings/{listing.pk}/interest/withdraw/")
        assert response.status_code == 302 and Interest.objects.get().status == "withdrawn"

    def test_ended_listing_links_its_auction(self, client, owner, officer_in, buyer, other_enterprise):
        listing = f.ended_listing(owner=owner, reviewer=officer_in, interested=[buyer, other_enterprise])
        text = client.get(f"/listings/{listing.pk}/").content.decode()
        assert "转入竞价" in text and f"/auctions/{listing.auction.pk}/" in text

    def test_refused_registration_shows_the_reason(self, client, owner, officer_in):
        listing = f.open_listing(owner=owner, reviewer=officer_in)
        response = as_user(client, owner).post(f"/listings/{listing.pk}/interest/", {"note": ""})
        assert response.status_code == 200 and "转让方本单位不能登记受让意向" in response.content.decode()
        assert not Interest.objects.exists()


class TestManagedPages:
    def test_create_from_an_achievement_and_submit(self, client, owner, officer_in):
        achievement = f.published(owner=owner, reviewer=officer_in)
        as_user(client, owner)
        url = f"/manage/listings/new/?achievement={achievement.pk}"
        assert client.get(url).status_code == 200
        response = client.post(url, {"transfer_mode": "transfer", "price": "", "period_days": "20"})
        assert response.status_code == 200 and not Listing.objects.exists()
        response = client.post(url, {"transfer_mode": "transfer", "price": "50", "period_days": "20",
                                     "broker": "", "conditions": "一次性付款"})
        listing = Listing.objects.get()
        assert response.status_code == 302 and listing.price_fen == 50_000_000
        response = client.post(f"/manage/listings/{listing.pk}/actions/submit/", {"submit-comment": ""})
        assert response.status_code == 302
        listing.refresh_from_db()
        assert listing.status == "submitted"

    def test_create_page_is_404_for_another_organization(self, client, owner, officer_in, buyer):
        achievement = f.published(owner=owner, reviewer=officer_in)
        assert as_user(client, buyer).get(f"/manage/listings/new/?achievement={achievement.pk}").status_code == 404
        assert client.get("/manage/listings/new/").status_code == 404

    def test_review_inbox_and_return_with_reason(self, client, owner, officer_in, officer_out):
        listing = f.listing_in_state("submitted", owner=owner, reviewer=officer_in)
        assert f"/manage/listings/{listing.pk}/" in as_user(client, officer_in).get(
            "/manage/listings/review/").content.decode()
        response = client.post(f"/manage/listings/{listing.pk}/actions/return/",
                               {"return-reason_code": "", "return-comment": "补充"})
        assert response.status_code == 200 and "请选择" in response.content.decode()
        response = client.post(f"/manage/listings/{listing.pk}/actions/return/",
                               {"return-reason_code": "other", "return-comment": "补充交易条件"})
        assert response.status_code == 302
        listing.refresh_from_db()
        assert listing.status == "returned"
        assert as_user(client, officer_out).get(f"/manage/listings/{listing.pk}/").status_code == 404
        assert "退回修改" in as_user(client, owner).get(f"/manage/listings/{listing.pk}/").content.decode()

    def test_managed_page_lists_interest_names_for_the_seller(self, client, owner, officer_in, buyer):
        listing = f.open_listing(owner=owner, reviewer=officer_in, interested=[buyer])
        text = as_user(client, owner).get(f"/manage/listings/{listing.pk}/").content.decode()
        assert buyer.organization.name in text
        assert as_user(client, buyer).get(f"/manage/listings/{listing.pk}/").status_code == 404

    def test_edit_of_an_open_listing_is_403(self, client, owner, officer_in):
        listing = f.open_listing(owner=owner, reviewer=officer_in)
        assert as_user(client, owner).get(f"/manage/listings/{listing.pk}/edit/").status_code == 403

    def test_my_listings(self, client, owner, officer_in, anonymous):
        listing = f.draft_listing(owner=owner, reviewer=officer_in)
        assert f"/manage/listings/{listing.pk}/" in as_user(client, owner).get("/manage/listings/").content.decode()
        client.logout()
        assert client.get("/manage/listings/").status_code == 302
