"""Invitations: the only way into Tandem. Single-use, expiring, scoped to the inviting organisation."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Membership, TeamMembership, User
from tandem.audit.models import AuditEvent
from tests.queries import assert_constant_queries

from .conftest import main_of

NEW_PASSWORD = "a-long-new-passphrase-42"


def _invite(client, team, **extra):  # type: ignore[no-untyped-def]
    data = {"email": "neu@example.org", "full_name": "Nele Neu", "roles": ["peer"], "team": team.pk, **extra}
    return client.post(reverse("accounts:invitation_create"), data)


def _link_from_mail() -> str:
    assert len(mail.outbox) == 1
    match = re.search(r"https?://[^\s\"<]+/invitation/([^/\s\"<]+)/", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return reverse("accounts:invitation_accept", args=[match.group(1)])


def _accept(client, link):  # type: ignore[no-untyped-def]
    return client.post(link, {"full_name": "Nele Neu", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})


def test_team_lead_invites_and_the_invitee_lands_in_the_app(cast, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(cast.client_for(cast.team_lead), cast.team)
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="neu@example.org")
    assert invitation.organisation == cast.organisation
    assert mail.outbox[0].to == ["neu@example.org"]
    link = _link_from_mail()

    page = client.get(link)
    assert page.status_code == 200
    assert "neu@example.org" in page.content.decode()

    response = _accept(client, link)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")

    user = User.objects.get(email="neu@example.org")
    assert user.full_name == "Nele Neu"
    assert user.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.filter(user=user, email="neu@example.org", verified=True, primary=True).exists()
    membership = Membership.objects.get(user=user, organisation=cast.organisation)
    assert membership.is_peer and not membership.is_team_lead and not membership.is_org_admin
    assert TeamMembership.objects.current().filter(team=cast.team, membership=membership).exists()
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.ACCEPTED
    assert AuditEvent.objects.filter(action="invitation.accepted").count() == 1
    # Signed in: the start page greets the new person.
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "Nele Neu" in home.content.decode()


def test_invalid_password_re_renders_with_errors_and_creates_nothing(cast, client):
    _invitation, token = services.invite(
        by=cast.team_lead.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"]
    )
    link = reverse("accounts:invitation_accept", args=[token])
    response = client.post(link, {"full_name": "Nele", "password1": "kurz", "password2": "anders"})
    assert response.status_code == 422
    assert "field-errors" in response.content.decode()
    assert not User.objects.filter(email="neu@example.org").exists()


def test_expired_link_gets_a_clear_page(cast, client):
    _invitation, token = services.invite(
        by=cast.team_lead.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"]
    )
    link = reverse("accounts:invitation_accept", args=[token])
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        response = client.get(link)
        assert response.status_code == 410
        assert "abgelaufen" in response.content.decode()
        posted = _accept(client, link)
        assert posted.status_code == 410
    assert not User.objects.filter(email="neu@example.org").exists()


def test_used_link_gets_a_clear_page_and_works_only_once(cast, client):
    _invitation, token = services.invite(
        by=cast.team_lead.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"]
    )
    link = reverse("accounts:invitation_accept", args=[token])
    assert _accept(client, link).status_code == 302

    stranger = cast.client_for(None)
    response = stranger.get(link)
    assert response.status_code == 410
    assert "bereits angenommen" in response.content.decode()
    assert _accept(stranger, link).status_code == 410
    assert User.objects.filter(email="neu@example.org").count() == 1
    assert Membership.objects.filter(user__email="neu@example.org").count() == 1


def test_unknown_link_gets_a_clear_page(client, db):
    response = client.get(reverse("accounts:invitation_accept", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "Link" in response.content.decode()


def test_revoked_link_gets_a_clear_page(cast, client):
    invitation, token = services.invite(
        by=cast.team_lead.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"]
    )
    lead = cast.client_for(cast.team_lead)
    assert lead.post(reverse("accounts:invitation_revoke", args=[invitation.pk])).status_code == 302
    response = client.get(reverse("accounts:invitation_accept", args=[token]))
    assert response.status_code == 410
    assert "zurückgezogen" in response.content.decode()


def test_resend_replaces_the_link(cast, client, django_capture_on_commit_callbacks):
    invitation, old_token = services.invite(
        by=cast.team_lead.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = cast.client_for(cast.team_lead).post(reverse("accounts:invitation_resend", args=[invitation.pk]))
    assert response.status_code == 302
    new_link = _link_from_mail()
    assert client.get(reverse("accounts:invitation_accept", args=[old_token])).status_code == 404
    assert client.get(new_link).status_code == 200


def test_lead_of_another_organisation_gets_404_on_revoke_and_resend(cast):
    invitation, _token = services.invite(
        by=cast.team_lead.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"]
    )
    outsider = cast.client_for(cast.outsider)
    missing = outsider.post(reverse("accounts:invitation_revoke", args=[999999]))
    for name in ("accounts:invitation_revoke", "accounts:invitation_resend"):
        response = outsider.post(reverse(name, args=[invitation.pk]))
        assert response.status_code == 404
        assert main_of(response) == main_of(missing)
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.PENDING
    assert outsider.get(reverse("accounts:invitation_revoke", args=[invitation.pk])).status_code == 404


def test_lead_of_another_organisation_cannot_pick_our_team(cast):
    response = _invite(cast.client_for(cast.outsider), cast.team)
    assert response.status_code == 422
    assert not Invitation.objects.exists()


def test_service_refuses_a_team_of_another_organisation(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.invite(
            by=cast.outsider.user,
            organisation=cast.outsider_organisation,
            email="neu@example.org",
            roles=["peer"],
            team=cast.team,
        )
    assert not Invitation.objects.exists()


def test_team_lead_cannot_grant_admin_rights(cast):
    response = _invite(cast.client_for(cast.team_lead), cast.team, roles=["org_admin"])
    assert response.status_code == 422
    assert not Invitation.objects.exists()


def test_peer_cannot_invite(cast):
    response = _invite(cast.client_for(cast.peer), cast.team)
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_existing_account_joins_after_signing_in(cast):
    """A person already in Tandem (here: the outsider) joins a second organisation."""
    invitation, token = services.invite(
        by=cast.org_admin.user, organisation=cast.organisation, email=cast.outsider.user.email, roles=["supervisor"]
    )
    link = reverse("accounts:invitation_accept", args=[token])
    anonymous = cast.client_for(None).get(link)
    assert anonymous.status_code == 200
    assert reverse("account_login") in anonymous.content.decode()

    client = cast.client_for(cast.outsider)
    assert client.post(link).status_code == 302
    assert Membership.objects.active().filter(user=cast.outsider.user, organisation=cast.organisation, is_supervisor=True).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == cast.outsider.user


def test_invitation_list_query_count_does_not_grow(cast):
    numbers = itertools.count()

    def invitations(n: int) -> None:
        for i in itertools.islice(numbers, n):
            services.invite(by=cast.team_lead.user, organisation=cast.organisation, email=f"new{i}@example.org", roles=["peer"])

    client = cast.client_for(cast.team_lead)
    assert_constant_queries(client, reverse("accounts:invitation_list"), invitations, expected=9)


def test_new_account_keeps_the_language_chosen_on_the_invitation_page(cast, client):
    _invitation, token = services.invite(
        by=cast.team_lead.user, organisation=cast.organisation, email="new@example.org", roles=["professional"]
    )
    link = reverse("accounts:invitation_accept", args=[token])
    client.post(reverse("accounts:switch_language"), {"language": "en", "next": link})
    assert "Choose a password" in client.get(link).content.decode()
    assert _accept(client, link).status_code == 302
    assert User.objects.get(email="new@example.org").preferred_language == "en"
    assert client.get(reverse("home"))["Content-Language"] == "en"


def test_new_account_is_german_by_default(cast, client):
    _invitation, token = services.invite(
        by=cast.team_lead.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"]
    )
    assert _accept(client, reverse("accounts:invitation_accept", args=[token])).status_code == 302
    assert User.objects.get(email="neu@example.org").preferred_language == "de"
