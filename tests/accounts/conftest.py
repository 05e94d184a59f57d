"""Helpers for the accounts tests: signing in through the real forms and computing TOTP codes."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal import auth as totp_auth
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for ``secret``."""
    counter = int(time.time()) // 30
    return totp_auth.format_hotp_value(totp_auth.hotp_value(secret, counter))


def sign_in(client: Client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(reverse("account_login"), {"login": email, "password": password})


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    """Rate-limit counters and used TOTP codes live in the cache: every test starts without them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def main_of(response) -> str:  # type: ignore[no-untyped-def]
    """The <main> element of a page: what differs between two pages apart from tokens and URLs."""
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]
