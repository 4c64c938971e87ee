"""Sessions end after 30 idle minutes (SPEC §3), whatever the cookie says.

Two things end an idle session: the session store (SESSION_COOKIE_AGE, saved on every request)
and this middleware (TECHMARKET_IDLE_TIMEOUT_SECONDS). Either way the next page should say why
the user was signed out, so a small marker cookie remembers "signed in in this browser": a request
that carries the marker but no longer has a signed-in user lost its session without logging out.
An explicit logout drops the marker with the session.
"""
from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout

# Kept in the fresh (anonymous) session after an idle logout, so the login page the user is sent
# to next can say why; the login view pops it.
SESSION_EXPIRED_FLAG = "_session_expired"
SIGNED_IN_COOKIE = "tm_signed_in"


def _signed_in(request) -> bool:
    """Signed in through the session (API calls authenticated by a bearer token do not count)."""
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated and SESSION_KEY in request.session


class IdleTimeoutMiddleware:
    KEY = "_last_activity"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        expired = False
        if _signed_in(request):
            now = time.time()
            last = request.session.get(self.KEY)
            if last is not None and now - last > settings.TECHMARKET_IDLE_TIMEOUT_SECONDS:
                logout(request)
                expired = True
            else:
                request.session[self.KEY] = now
        elif request.COOKIES.get(SIGNED_IN_COOKIE):
            expired = True  # the session store already dropped the idle session
        if expired:
            request.session_expired = True
            request.session[SESSION_EXPIRED_FLAG] = True
        response = self.get_response(request)
        if _signed_in(request):
            if not request.COOKIES.get(SIGNED_IN_COOKIE):
                response.set_cookie(SIGNED_IN_COOKIE, "1", httponly=True, samesite="Lax",
                                    secure=settings.SESSION_COOKIE_SECURE)
        elif request.COOKIES.get(SIGNED_IN_COOKIE):
            response.delete_cookie(SIGNED_IN_COOKIE, samesite="Lax")
        return response
