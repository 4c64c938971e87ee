"""Routes of matching, marks and push pages. The lead appends ``urlpatterns`` to ``matching/urls.py``
(namespace ``matching``); the paths sit under the records' managed URLs (``get_manage_url()`` + "matches/")."""
from django.urls import path

from . import views_matching as views

urlpatterns = []
for _ns, _name in (("demands", "demand"), ("achievements", "achievement")):
    urlpatterns += [
        path(f"manage/{_ns}/<int:pk>/matches/", views.matches_page, {"ns": _ns}, name=f"{_name}_matches"),
        path(f"manage/{_ns}/<int:pk>/matches/panel/", views.matches_panel, {"ns": _ns},
             name=f"{_name}_matches_panel"),
        path(f"manage/{_ns}/<int:pk>/matches/mark/", views.match_mark_post, {"ns": _ns},
             name=f"{_name}_match_mark"),
    ]
urlpatterns.append(path("subscriptions/fields/", views.field_subscriptions, name="field_subscriptions"))
