from django.urls import path, register_converter

from . import manage_views, views


class CityCodeConverter:
    """The 4-digit city code of /city/4101/."""

    regex = r"\d{4}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(CityCodeConverter, "citycode")

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("city/<citycode:code>/", views.city_home, name="city_home"),
    path("city/<citycode:code>/<slug:kind_slug>/", views.article_list, name="article_list"),
    path("city/<citycode:code>/<slug:kind_slug>/<int:pk>/", views.article_detail, name="article_detail"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    # The site search is matching:search at the same path (included first); this name keeps old links working.
    path("search/", views.search, name="search"),
    path("manage/", manage_views.dashboard, name="manage_dashboard"),
    path("manage/articles/", manage_views.article_list, name="manage_article_list"),
    path("manage/articles/new/", manage_views.article_create_view, name="manage_article_create"),
    path("manage/articles/<int:pk>/", manage_views.article_detail_view, name="manage_article_detail"),
    path("manage/articles/<int:pk>/edit/", manage_views.article_edit_view, name="manage_article_edit"),
    path("manage/articles/<int:pk>/actions/<slug:action>/", manage_views.article_action_view,
         name="manage_article_action"),
    path("manage/articles/<int:pk>/delete/", manage_views.article_delete_view, name="manage_article_delete"),
    path("manage/articles/<int:pk>/attachments/<int:attachment_pk>/delete/", manage_views.attachment_delete_view,
         name="manage_attachment_delete"),
]
