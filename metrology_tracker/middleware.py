"""Chinese first: the interface language is the user's explicit choice, else Chinese."""

import time

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Like Django's, but the browser's Accept-Language is not consulted.

    Bureau staff on an English-language browser still get the Chinese interface; English is
    one click away (the language switch sets the cookie this reads).
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else None
        except LookupError:
            language = None
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


class PermissionsPolicyMiddleware:
    """Sends ``Permissions-Policy`` (settings.PERMISSIONS_POLICY) on every response."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response


class IdleSessionMiddleware:
    """Sessions end after ``SESSION_IDLE_SECONDS`` without a request.

    The session's expiry (``SESSION_COOKIE_AGE`` = the idle time) is pushed forward by saving
    it, but at most once a minute: saving on every request would cost every page two queries.
    An expired session is refused by Django's session store, so the user logs in again.
    """

    REFRESH_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated:
            now = int(time.time())
            if now - int(session.get("_last_seen", 0)) >= self.REFRESH_SECONDS:
                session["_last_seen"] = now
        return self.get_response(request)


def mark_seen(sender, request, user, **kwargs) -> None:
    """At login the session is saved anyway: start the idle clock there, not one request later."""
    if getattr(request, "session", None) is not None:
        request.session["_last_seen"] = int(time.time())
