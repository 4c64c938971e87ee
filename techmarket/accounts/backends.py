"""Login with lockout: 5 failures lock an account for 15 minutes (SPEC §3)."""
from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.utils import timezone


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.is_locked():
            if request is not None:
                request.login_locked_until = user.locked_until
            return None
        if user.is_demo and not settings.TECHMARKET_DEMO:
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            if user.failed_logins or user.locked_until:
                User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
            return user
        self._record_failure(user, request)
        return None

    def _record_failure(self, user, request) -> None:
        User = type(user)
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        if user.failed_logins >= settings.TECHMARKET_LOCKOUT_FAILURES:
            until = timezone.now() + datetime.timedelta(minutes=settings.TECHMARKET_LOCKOUT_MINUTES)
            User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
            if request is not None:
                request.login_locked_until = until

    def get_user(self, user_id):
        user = super().get_user(user_id)
        if user is not None and user.is_demo and not settings.TECHMARKET_DEMO:
            return None
        return user
