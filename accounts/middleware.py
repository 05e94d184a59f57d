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
MFA_NEXT_SESSION_KEY = "tandem_mfa_next"


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
        memberships: list[Membership] = []
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
        # All of them, for the rules that look across organisations (the second factor), read
        # fresh on every request like the chosen one.
        cast("AuthenticatedHttpRequest", request).active_memberships = memberships
        return self.get_response(request)


class RequireMfaMiddleware:
    """Before anything confidential: a second factor, set up and verified in this session.

    Required when any active membership of the person asks for it for a role she holds
    (``accounts.rules.second_factor_required``), whichever organisation is selected: her access
    spans all of them. Asked on every request, so switching the requirement on applies to sessions
    already open, and switching it off relaxes them at once.
    """

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/health/", "/language/", "/security/")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and second_factor_missing(request)
        ):
            if request.method == "GET":
                # Where she was going: offered again once the second factor is confirmed.
                request.session[MFA_NEXT_SESSION_KEY] = request.get_full_path()
            return redirect(reverse("accounts:mfa_required"))
        return self.get_response(request)


def has_second_factor(user: object) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def verified_in_this_session(request: HttpRequest) -> bool:
    """Whether this session has seen a code of the person's second factor (at sign-in, when she
    set it up here, or when she confirmed it afterwards). A session signed in with the password
    alone, before a factor existed or on another device, has not."""
    from allauth.account.authentication import get_authentication_records

    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


def second_factor_missing(request: HttpRequest) -> bool:
    from .rules import second_factor_required

    if not second_factor_required(request.user, getattr(request, "active_memberships", None)):
        return False
    return not (has_second_factor(request.user) and verified_in_this_session(request))


def record_enrolment(request: HttpRequest, user: object) -> None:
    """Setting up the authenticator app checks a code from it: that verifies this session."""
    from allauth.account.internal.flows.login import record_authentication

    record_authentication(request, user, "mfa", type="totp", enrolled=True)  # type: ignore[arg-type]


class NoStoreForPersonalDataMiddleware:
    """Pages for signed-in people carry personal data: no browser or proxy may keep them."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated or request.path.startswith("/accounts/") or request.path.startswith("/invitation/"):
            response.headers["Cache-Control"] = "no-store, private"
        return response
