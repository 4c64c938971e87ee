"""The admin pages of listings and deals render for a superuser (read-mostly, status read-only)."""
from __future__ import annotations

from techmarket.core.tests import factories
from techmarket.deals import services
from techmarket.listings.tests import factories as listings

from . import factories as f


def test_admin_changelists_and_change_pages_render(client, owner, bureau, buyer, other_enterprise):
    # given a listing with an interest, a deal in notice with an objection
    deal = f.noticed_deal(owner=owner, reviewer=bureau, buyer=buyer)
    services.objection_create(notice=deal.notice, by=other_enterprise, text="异议")
    listing = listings.open_listing(owner=owner, reviewer=bureau, interested=[buyer])
    client.force_login(factories.user("root", is_superuser=True, is_staff=True))
    # when / then
    for url in ("/admin/listings/listing/", f"/admin/listings/listing/{listing.pk}/change/",
                "/admin/listings/interest/", "/admin/deals/deal/", f"/admin/deals/deal/{deal.pk}/change/",
                "/admin/deals/publicnotice/", f"/admin/deals/publicnotice/{deal.notice.pk}/change/",
                "/admin/deals/objection/"):
        assert client.get(url).status_code == 200, url
