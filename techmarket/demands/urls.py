from techmarket.achievements.pages import market_urlpatterns

from .views import KIND

app_name = "demands"
# /demands/ (public: published and not expired), /manage/demands/ (owners and reviewers).
urlpatterns = market_urlpatterns(KIND)
