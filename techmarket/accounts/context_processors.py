"""Links the page frame (base.html) shows in its account menu: login, register, profile, logout."""
from __future__ import annotations

from django.urls import reverse


def account_links(request) -> dict:
    return {
        "login_url": reverse("accounts:login"),
        "logout_url": reverse("accounts:logout"),
        "register_url": reverse("accounts:register"),
        "profile_url": reverse("accounts:profile"),
    }
