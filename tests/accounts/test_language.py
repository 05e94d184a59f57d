"""German first, whatever the browser asks for; a person's choice of English sticks to them."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from accounts.models import User


def test_german_regardless_of_accept_language(client, db):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "de"
    body = response.content.decode()
    assert '<html lang="de">' in body
    assert "Anmelden" in body


def test_signed_in_user_switches_to_english_and_it_persists(cast):
    client = cast.client_for(cast.peer)
    assert client.get(reverse("home"))["Content-Language"] == "de"
    response = client.post(reverse("accounts:switch_language"), {"language": "en", "next": reverse("accounts:profile")})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    cast.peer.user.refresh_from_db()
    assert cast.peer.user.preferred_language == User.Language.ENGLISH

    # A new session on another device: still English, from the profile.
    other_device = Client()
    other_device.force_login(cast.peer.user)
    page = other_device.get(reverse("home"))
    assert page["Content-Language"] == "en"
    assert "What needs your attention" in page.content.decode()


def test_anonymous_switch_applies_to_the_login_page(client, db):
    client.post(reverse("accounts:switch_language"), {"language": "en", "next": reverse("account_login")})
    page = client.get(reverse("account_login"))
    assert page["Content-Language"] == "en"
    assert "Sign in" in page.content.decode()


def test_unknown_language_falls_back_to_german(cast):
    client = cast.client_for(cast.peer)
    client.post(reverse("accounts:switch_language"), {"language": "xx"})
    cast.peer.user.refresh_from_db()
    assert cast.peer.user.preferred_language == "de"


def test_switch_does_not_redirect_off_site(client, db):
    response = client.post(reverse("accounts:switch_language"), {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_profile_language_choice_switches_the_interface(cast):
    client = cast.client_for(cast.peer)
    response = client.post(
        reverse("accounts:profile"), {"full_name": "Paula", "preferred_language": "en", "time_zone": "Europe/Berlin"}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile"))["Content-Language"] == "en"
