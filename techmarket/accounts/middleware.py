"""Sessions end after 30 idle minutes (SPEC §3), whatever the cookie says."""
from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout


class IdleTimeoutMiddleware:
    KEY = "_last_activity"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last = request.session.get(self.KEY)
            if last is not None and now - last > settings.TECHMARKET_IDLE_TIMEOUT_SECONDS:
                logout(request)
                request.session_expired = True
            else:
                request.session[self.KEY] = now
        return self.get_response(request)
