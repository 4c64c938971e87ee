from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    # The site search (SPEC §2 X1); the header's search box points here.
    path("search/", views.search, name="search"),
]

# Matching pages (demand/achievement matches, marks, field subscriptions).
from .urls_matching import urlpatterns as matching_urlpatterns  # noqa: E402

urlpatterns += matching_urlpatterns
