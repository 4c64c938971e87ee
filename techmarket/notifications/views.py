from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from techmarket.core.errors import ApplicationError
from techmarket.core.masking import mask_email

from . import services
from .forms import SubscriptionSettingsForm
from .selectors import notification_get_for_user, notification_list_for, subscription_preferences, unread_count
from .topics import get_topic

PAGE_SIZE = 20


def _back(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("notifications:inbox")


@login_required
@require_GET
def inbox(request):
    only_unread = request.GET.get("unread") in ("1", "true")
    qs = notification_list_for(user=request.user, unread=True if only_unread else None)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {
        "page_obj": page, "only_unread": only_unread, "unread_total": unread_count(user=request.user),
    })


@login_required
@require_POST
def notification_read(request, pk: int):
    notification = notification_get_for_user(user=request.user, pk=pk)
    services.notification_mark_read(notification=notification, by=request.user)
    return redirect(_back(request))


@login_required
@require_POST
def notification_read_all(request):
    n = services.notification_mark_all_read(user=request.user)
    messages.success(request, _("已将 {n} 条消息标为已读").format(n=n))
    return redirect(_back(request))


@login_required
@require_GET
def notification_open(request, pk: int):
    notification = notification_get_for_user(user=request.user, pk=pk)
    return HttpResponseRedirect(services.notification_open(notification=notification, by=request.user))


@login_required
@require_http_methods(["GET", "POST"])
def inbox_settings(request):
    form = SubscriptionSettingsForm(request.POST or None, preferences=subscription_preferences(user=request.user))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            for topic, (in_app, email) in form.choices().items():
                services.subscription_set(user=request.user, topic=topic, in_app=in_app, email=email)
        messages.success(request, _("订阅设置已保存"))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """One click from the e-mail; the signed token stands in for a login."""
    try:
        user, topic = services.unsubscribe_token_read(token)
    except ApplicationError as exc:
        return render(request, "notifications/unsubscribe.html", {"error": exc.errors[0].message}, status=400)
    context = {"topic": get_topic(topic), "email": mask_email(user.email), "done": False}
    if request.method == "POST":
        services.unsubscribe_by_token(token)
        context["done"] = True
    return render(request, "notifications/unsubscribe.html", context)
