from .pages import market_urlpatterns
from .views import KIND

app_name = "achievements"
# /achievements/ (public: published and not expired), /manage/achievements/ (owners and reviewers).
urlpatterns = market_urlpatterns(KIND)
