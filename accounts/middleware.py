"""Request-wide concerns of accounts: language, time zone, current membership, MFA, sessions."""

from __future__ import annotations

import time
import zoneinfo
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

if TYPE_CHECKING:
    from .http import AuthenticatedHttpRequest
    from .models import Membership

Handler = Callable[[HttpRequest], HttpResponse]
LANGUAGE_SESSION_KEY = "tandem_language"
SESSION_STARTED_KEY = "tandem_session_started"
ORGANISATION_SESSION_KEY = "tandem_organisation"


class SessionLifetimeMiddleware:
    """End a session 12 hours after sign-in, however active it is (idle expiry is the cookie age)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only signed-in sessions are tracked: writing to every anonymous visitor's session
        # (health checks, the login page) would create a session row per request.
        if AUTH_SESSION_KEY in request.session:
            started = request.session.get(SESSION_STARTED_KEY)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - float(started) > settings.TANDEM_SESSION_ABSOLUTE_SECONDS:
                request.session.flush()
        return self.get_response(request)


class PreferredLanguageMiddleware:
    """German first: the language comes from the user's choice, never from the browser.

    Runs before authentication, so it reads the choice stored in the session (or the cookie set
    by the language switch); UserPreferencesMiddleware then applies a signed-in user's profile.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.session.get(LANGUAGE_SESSION_KEY) or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        translation.deactivate()
        return response


class UserPreferencesMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            if user.preferred_language in dict(settings.LANGUAGES):
                translation.activate(user.preferred_language)
                request.LANGUAGE_CODE = user.preferred_language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        response = self.get_response(request)
        timezone.deactivate()
        return response


class MembershipMiddleware:
    """Attach the user's current membership (one organisation at a time) to the request."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen_membership: Membership | None = None
        if request.user.is_authenticated:
            from .models import Membership

            memberships = list(
                Membership.objects.active().filter(user=request.user).select_related("organisation").order_by("id")
            )
            chosen = request.session.get(ORGANISATION_SESSION_KEY)
            chosen_membership = next((m for m in memberships if m.organisation_id == chosen), None) or (
                memberships[0] if memberships else None
            )
        # What AuthenticatedHttpRequest.membership promises the views.
        cast("AuthenticatedHttpRequest", request).membership = chosen_membership
        return self.get_response(request)


class RequireMfaMiddleware:
    """Send people whose organisation requires a second factor to set one up first."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/health/", "/language/", "/security/")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = getattr(request, "membership", None)
        if (
            membership is not None
            and membership.needs_mfa
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and not _has_mfa(request.user)
        ):
            return redirect(reverse("accounts:mfa_required"))
        return self.get_response(request)


def _has_mfa(user: object) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class NoStoreForPersonalDataMiddleware:
    """Pages for signed-in people carry personal data: no browser or proxy may keep them."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated or request.path.startswith("/accounts/") or request.path.startswith("/invitation/"):
            response.headers["Cache-Control"] = "no-store, private"
        return response
