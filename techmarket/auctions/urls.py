from django.urls import path

from . import views

app_name = "auctions"
urlpatterns = [
    path("auctions/", views.auction_list, name="list"),
    path("auctions/<int:pk>/", views.auction_detail, name="detail"),
    path("auctions/<int:pk>/live/", views.auction_live, name="live"),
    path("auctions/<int:pk>/bid/", views.auction_bid, name="bid"),
    path("auctions/<int:pk>/chain.txt", views.auction_chain, name="chain"),
    path("manage/auctions/", views.manage_list, name="manage_list"),
    path("manage/auctions/<int:pk>/", views.manage_detail, name="manage_detail"),
    path("manage/auctions/<int:pk>/terms/", views.manage_terms, name="manage_terms"),
    path("manage/auctions/<int:pk>/bidders/<int:bidder_pk>/<slug:action>/", views.manage_deposit,
         name="manage_deposit"),
    path("manage/auctions/<int:pk>/actions/<slug:action>/", views.manage_action, name="manage_action"),
]
