app_name = "auctions"
urlpatterns: list = []
