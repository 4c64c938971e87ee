from django.contrib import admin
from django.urls import include, path

from techmarket.api import api
from techmarket.core import views as core_views

admin.site.site_header = "科技大市场 管理后台"
admin.site.site_title = "科技大市场"
admin.site.index_title = "后台管理"

# Django tries the patterns in order: the pages every visitor opens (the site search, the portal's home and city
# pages) come first, instead of after some 240 back-office patterns (0.23–0.30 ms a request). The site search
# stays before the portal, whose old "search/" name only forwards to it.
urlpatterns = [
    path("healthz/", core_views.healthz, name="healthz"),
    path("", include("techmarket.matching.urls")),
    path("", include("techmarket.portal.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("techmarket.accounts.urls")),
    path("", include("techmarket.directory.urls")),
    path("", include("techmarket.achievements.urls")),
    path("", include("techmarket.demands.urls")),
    path("", include("techmarket.challenges.urls")),
    path("", include("techmarket.listings.urls")),
    path("", include("techmarket.auctions.urls")),
    path("", include("techmarket.deals.urls")),
    path("", include("techmarket.contracts.urls")),
    path("", include("techmarket.contracts.urls_import")),
    path("", include("techmarket.contractstats.urls")),
    path("", include("techmarket.integrity.urls")),
    path("", include("techmarket.subsidies.urls")),
    path("", include("techmarket.targets.urls")),
    path("", include("techmarket.events.urls")),
    path("", include("techmarket.notifications.urls")),
    path("", include("techmarket.feedback.urls")),
    path("", include("techmarket.disclosure.urls")),
]
