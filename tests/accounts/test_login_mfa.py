"""Signing in and out through allauth, and the second factor (TOTP) from enrolment to login."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation
from tests.factories import PASSWORD

from .conftest import sign_in, totp_code


def test_login_with_password_signs_in(cast):
    client = Client()
    response = sign_in(client, cast.peer.user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == str(cast.peer.user.pk)


def test_wrong_password_does_not_sign_in(cast):
    client = Client()
    response = sign_in(client, cast.peer.user.email, "wrong-password-123")
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert "errorlist" in response.content.decode()


def test_login_page_does_not_offer_sign_up(client, db):
    page = client.get(reverse("account_login")).content.decode()
    assert reverse("account_signup") not in page
    assert reverse("account_reset_password") in page


def test_sign_up_is_closed(client, db):
    from accounts.models import User

    response = client.post(
        reverse("account_signup"),
        {"email": "self@example.org", "password1": "a-long-passphrase-1", "password2": "a-long-passphrase-1"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="self@example.org").exists()


def test_logout_needs_post_and_ends_the_session(cast):
    client = Client()
    sign_in(client, cast.peer.user.email)
    assert client.get(reverse("account_logout")).status_code == 200  # a confirmation page only
    assert SESSION_KEY in client.session
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGOUT_REDIRECT_URL)
    assert SESSION_KEY not in client.session
    assert client.get(reverse("home")).status_code == 302


def _enrol(client: Client) -> str:
    """Go through allauth's TOTP activation like a person with an authenticator app would."""
    page = client.get(reverse("mfa_activate_totp"))
    # allauth asks for the password again before a second factor is added.
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("account_reauthenticate"))
    assert client.post(page["Location"], {"password": PASSWORD}).status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    assert secret in page.content.decode()  # shown so it can be typed into the app
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    return secret


def test_totp_enrolment_and_a_login_that_requires_the_second_factor(cast):
    user = cast.mentor.user
    client = Client()
    sign_in(client, user.email)
    secret = _enrol(client)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()
    codes = client.get(reverse("mfa_view_recovery_codes"))
    assert codes.status_code == 200
    assert "style=" not in codes.content.decode()
    assert "<script>" not in codes.content.decode()
    client.post(reverse("account_logout"))

    fresh = Client()
    response = sign_in(fresh, user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert SESSION_KEY not in fresh.session  # the password alone does not sign in
    assert fresh.get(reverse("home")).status_code == 302

    wrong = fresh.post(reverse("mfa_authenticate"), {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert SESSION_KEY not in fresh.session

    done = fresh.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert done.status_code == 302
    assert fresh.session[SESSION_KEY] == str(user.pk)
    assert fresh.get(reverse("home")).status_code == 200


def test_mfa_pages_render_in_the_layout_without_inline_script(cast):
    client = Client()
    sign_in(client, cast.mentor.user.email)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    for name in ("mfa_index", "mfa_activate_totp", "account_email", "account_change_password", "account_reauthenticate"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        body = response.content.decode()
        assert 'id="main"' in body
        assert "style=" not in body
        assert "<script>" not in body
        assert "Content-Security-Policy" in response.headers


def _require_mfa(organisation: Organisation) -> None:
    organisation.mfa_required = True
    organisation.save()


def test_mandatory_mfa_sends_confidential_roles_to_set_up(cast):
    _require_mfa(cast.organisation)
    for who in (cast.mentor, cast.supervisor, cast.org_admin):
        response = cast.client_for(who).get(reverse("home"))
        assert response.status_code == 302, who
        assert response["Location"] == reverse("accounts:mfa_required")
        page = cast.client_for(who).get(reverse("accounts:mfa_required"))
        assert page.status_code == 200
        assert reverse("mfa_activate_totp") in page.content.decode()
    # Peers, professionals and team leads are not asked for it.
    for who in (cast.peer, cast.professional, cast.team_lead):
        assert cast.client_for(who).get(reverse("home")).status_code == 200


def test_mandatory_mfa_lets_people_with_a_second_factor_through(cast):
    _require_mfa(cast.organisation)
    client = Client()
    sign_in(client, cast.mentor.user.email)
    assert client.get(reverse("home"))["Location"] == reverse("accounts:mfa_required")
    _enrol(client)
    assert client.get(reverse("home")).status_code == 200


def test_org_admin_switches_mandatory_mfa_on(cast):
    client = cast.client_for(cast.org_admin)
    response = client.post(reverse("accounts:organisation"), {"name": cast.organisation.name, "mfa_required": "on"})
    assert response.status_code == 302
    cast.organisation.refresh_from_db()
    assert cast.organisation.mfa_required
    assert cast.client_for(cast.supervisor).get(reverse("home")).status_code == 302


def test_production_default_makes_new_organisations_require_mfa(db, settings):
    settings.TANDEM_MFA_REQUIRED_BY_DEFAULT = True
    assert Organisation.objects.create(name="Neu", slug="neu").mfa_required
    settings.TANDEM_MFA_REQUIRED_BY_DEFAULT = False
    assert not Organisation.objects.create(name="Alt", slug="alt").mfa_required
