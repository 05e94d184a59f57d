"""Password reset and e-mail change with verification, through allauth, with Tandem's layout."""

from __future__ import annotations

import re

from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User

from .conftest import sign_in

NEW_PASSWORD = "ein-neues-Passwort-2026"


def _link(message, path: str) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s\"<]+)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_by_e_mail(cast):
    client = Client()
    response = client.post(reverse("account_reset_password"), {"email": cast.peer.user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = _link(mail.outbox[0], "/accounts/password/reset/key/")
    page = client.get(link, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert User.objects.get(pk=cast.peer.user.pk).check_password(NEW_PASSWORD)
    assert sign_in(Client(), cast.peer.user.email, NEW_PASSWORD).status_code == 302


def test_password_reset_for_an_unknown_address_reveals_nothing(db):
    client = Client()
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)


def test_e_mail_change_waits_for_verification(cast):
    user = cast.peer.user
    client = Client()
    sign_in(client, user.email)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "paula.neu@example.org"})
    assert response.status_code == 302
    # Nothing changes before the new address is confirmed.
    assert User.objects.get(pk=user.pk).email == "peer@example.org"
    assert EmailAddress.objects.filter(user=user, email="paula.neu@example.org", verified=False).exists()
    assert [m.to for m in mail.outbox] == [["paula.neu@example.org"]]
    pending = client.get(reverse("account_email")).content.decode()
    assert "paula.neu@example.org" in pending
    assert "style=" not in pending

    link = _link(mail.outbox[0], "/accounts/confirm-email/")
    client.post(link)
    assert User.objects.get(pk=user.pk).email == "paula.neu@example.org"
    assert EmailAddress.objects.get(user=user, primary=True).email == "paula.neu@example.org"


def test_change_password_needs_the_current_one(cast):
    client = Client()
    sign_in(client, cast.peer.user.email)
    wrong = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not-my-password-1", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert not User.objects.get(pk=cast.peer.user.pk).check_password(NEW_PASSWORD)
