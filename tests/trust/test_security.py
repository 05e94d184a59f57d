"""Security headers, cookies, session lifetime, login lockout: each promise of SECURITY.md, asserted."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "TANDEM_ENV": "production",
    "DEBUG": "false",
    "SECRET_KEY": "trust-" + "x7Qp2mZr9K" * 6,
    "DATABASE_URL": "postgres://tandem:secret@db.internal:5432/tandem",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "ALLOWED_HOSTS": "tandem.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://tandem.example.org",
    "TANDEM_BASE_URL": "https://tandem.example.org",
    "DJANGO_SETTINGS_MODULE": "tandem.settings",
}


def _production(code: str) -> subprocess.CompletedProcess[str]:
    # Only what production would have: not the test settings, nor the browser tests' async switch.
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(PRODUCTION_ENV)
    env["TANDEM_VAR_DIR"] = "/tmp/trust-var"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


# --- Production settings ------------------------------------------------------------------------


def test_production_settings_are_strict() -> None:
    code = (
        "import json, tandem.settings as s;"
        "print(json.dumps({k: getattr(s, k) for k in ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_HTTPONLY', "
        "'X_FRAME_OPTIONS', 'SECURE_REFERRER_POLICY', 'SECURE_CONTENT_TYPE_NOSNIFF', 'SESSION_COOKIE_AGE', "
        "'SESSION_EXPIRE_AT_BROWSER_CLOSE', 'ACCOUNT_SESSION_REMEMBER', 'DEBUG']}))"
    )
    result = _production(code)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SESSION_COOKIE_AGE"] == 30 * 60
    assert values["ACCOUNT_SESSION_REMEMBER"] is False
    assert values["DEBUG"] is False


def test_production_refuses_to_start_without_a_secret() -> None:
    env_code = "import os; os.environ.pop('SECRET_KEY'); import tandem.settings"
    result = _production(env_code)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_check_deploy_is_clean() -> None:
    result = _production(
        "import sys, django; django.setup(); from django.core.management import call_command;"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')"
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- Headers on every page -----------------------------------------------------------------------


def _csp(response: Any) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize("url_name", ["account_login", "home", "accounts:profile"])
def test_content_security_policy_forbids_inline_code(cast: Any, url_name: str) -> None:
    client = cast.client_for(None if url_name == "account_login" else cast.peer)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    csp = _csp(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    body = response.content.decode()
    assert "<script>" not in body and ' style="' not in body, "inline code would be blocked by the CSP"


def test_frame_referrer_and_sniffing_headers(cast: Any) -> None:
    response = cast.client_for(cast.peer).get(reverse("home"))
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@override_settings(
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_HSTS_PRELOAD=True,
    SECURE_SSL_REDIRECT=True,
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
)
def test_hsts_https_redirect_and_secure_cookies_in_production_mode(cast: Any, password: str) -> None:
    client = Client()
    insecure = client.get(reverse("account_login"))
    assert insecure.status_code == 301
    assert insecure["Location"].startswith("https://")

    page = client.get(reverse("account_login"), secure=True)
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert page.cookies["csrftoken"]["secure"]

    response = client.post(
        reverse("account_login"), {"login": cast.peer.user.email, "password": password}, secure=True
    )
    assert response.status_code == 302
    session_cookie = response.cookies["sessionid"]
    assert session_cookie["secure"]
    assert session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"


@pytest.mark.parametrize("url", ["/health/", "/health/live/", "/health/ready/"])
def test_health_is_exempt_from_the_https_redirect(url: str) -> None:
    with override_settings(SECURE_SSL_REDIRECT=True):
        response = Client().get(url)
        assert response.status_code in (200, 503)
        assert Client().get("/accounts/login/").status_code == 301  # the redirect is on


# --- No caching of personal data -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/", "/profile/", "/mentoring/irritations/", "/notifications/", "/accounts/login/"],
)
def test_pages_with_personal_data_are_never_stored(cast: Any, url: str) -> None:
    client = cast.client_for(None if url.startswith("/accounts/") else cast.peer)
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_irritation_page_is_never_stored(world: Any) -> None:
    irritation = world.objects["irritation"]
    response = world.cast.client_for(world.cast.peer).get(irritation.get_absolute_url())
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


# --- Sessions --------------------------------------------------------------------------------------


def _signed_in(client: Client) -> bool:
    response = client.get(reverse("accounts:profile"))
    return response.status_code == 200


def _sign_in(client: Client, email: str, password: str) -> None:
    """Sign in as a browser does: post the form and follow the redirect to the start page."""
    response = client.post(reverse("account_login"), {"login": email, "password": password}, follow=True)
    assert response.redirect_chain, response.content.decode()[:500]


def test_session_ends_after_thirty_idle_minutes(cast: Any, password: str) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = Client()
        _sign_in(client, cast.peer.user.email, password)
        assert _signed_in(client)
        traveller.shift(dt.timedelta(minutes=29))
        assert _signed_in(client), "29 idle minutes are still within the session"
        traveller.shift(dt.timedelta(minutes=31))
        assert not _signed_in(client), "31 idle minutes end the session"


def test_session_ends_after_twelve_hours_however_active(cast: Any, password: str) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = Client()
        _sign_in(client, cast.peer.user.email, password)
        for _ in range(11 * 3 + 2):  # a request every 20 minutes for 11 h 40 min
            traveller.shift(dt.timedelta(minutes=20))
            assert _signed_in(client)
        traveller.shift(dt.timedelta(minutes=19))  # 11 h 59 min after sign-in
        assert _signed_in(client)
        traveller.shift(dt.timedelta(minutes=2))  # 12 h 1 min
        assert not _signed_in(client), "an active session still ends 12 hours after sign-in"


# --- Login lockout ---------------------------------------------------------------------------------


def test_login_is_locked_after_repeated_failures(cast: Any, password: str) -> None:
    client = Client()
    email = cast.peer.user.email
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": email, "password": "wrong-password-1"})
        assert response.status_code == 200
    # The sixth attempt fails even with the right password: the account is locked for a while.
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    assert response.status_code == 200  # the form again, not the redirect of a sign-in
    assert not _signed_in(client)
    # Another person from the same office is not locked out by it.
    other = Client()
    _sign_in(other, cast.other_peer.user.email, PASSWORD)
    assert _signed_in(other)


def test_lockout_is_lifted_after_five_minutes(cast: Any, password: str) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = Client()
        for _ in range(5):
            client.post(reverse("account_login"), {"login": cast.peer.user.email, "password": "wrong-password-1"})
        response = client.post(reverse("account_login"), {"login": cast.peer.user.email, "password": password})
        assert not _signed_in(client), response.status_code
        traveller.shift(dt.timedelta(minutes=6))
        _sign_in(client, cast.peer.user.email, password)
        assert _signed_in(client)


# --- CSRF --------------------------------------------------------------------------------------------


def test_post_without_csrf_token_is_refused(cast: Any) -> None:
    """The matrix (test_matrix.py) sends a token-less POST to every URL as every role; this is the
    readable single case: a signed-in peer, a state-changing form, no token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.peer.user)
    response = client.post(reverse("accounts:profile"), {"full_name": "Changed", "preferred_language": "de"})
    assert response.status_code == 403
    cast.peer.user.refresh_from_db()
    assert cast.peer.user.full_name != "Changed"
