"""Invitations: the only way into Tandem. Single-use, expiring, scoped to the inviting organisation.

The e-mail goes through the outbox like every other (never sent inside the request, retried when
SMTP is down), and the database never holds a working link: only the hash of its token.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from io import StringIO

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import models
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Membership, TeamMembership, User
from tandem.audit.models import AuditEvent
from tandem.notifications import sending
from tandem.notifications.models import Channel, Notification
from tests.queries import assert_constant_queries
from tests.smtp_sink import closed_port, smtp_sink, text_of

from .conftest import main_of

NEW_PASSWORD = "a-long-new-passphrase-42"


def _invite(client, team, **extra):  # type: ignore[no-untyped-def]
    data = {"email": "neu@example.org", "full_name": "Nele Neu", "roles": ["peer"], "team": team.pk, **extra}
    return client.post(reverse("accounts:invitation_create"), data)


def _link_in(text: str) -> str:
    match = re.search(r"https?://[^\s\"<]+/invitation/([^/\s\"<]+)/", text)
    assert match, text
    return reverse("accounts:invitation_accept", args=[match.group(1)])


def _link_from_mail() -> str:
    assert len(mail.outbox) == 1
    return _link_in(mail.outbox[0].body)


def _invitation_email() -> Notification:
    return Notification.objects.get(kind="accounts.invitation", cancelled_at__isnull=True)


def _accept(client, link):  # type: ignore[no-untyped-def]
    return client.post(link, {"full_name": "Nele Neu", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})


def test_team_lead_invites_and_the_invitee_lands_in_the_app(cast, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(cast.client_for(cast.team_lead), cast.team)
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="neu@example.org")
    assert invitation.organisation == cast.organisation
    assert sending.send_due() == 1
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


def test_resend_replaces_the_link(cast, client):
    invitation, _token = services.invite(
        by=cast.team_lead.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"]
    )
    assert sending.send_due() == 1
    old_link = _link_from_mail()
    assert client.get(old_link).status_code == 200
    mail.outbox = []
    response = cast.client_for(cast.team_lead).post(reverse("accounts:invitation_resend", args=[invitation.pk]))
    assert response.status_code == 302
    assert sending.send_due() == 1
    new_link = _link_from_mail()
    assert new_link != old_link
    assert client.get(old_link).status_code == 404
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


# --- The invitation e-mail goes through the outbox -------------------------------------------------


def test_inviting_writes_an_outbox_row_and_sends_nothing_in_the_request(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(cast.client_for(cast.team_lead), cast.team)
    assert response.status_code == 302
    assert mail.outbox == []
    row = _invitation_email()
    invitation = Invitation.objects.get(email="neu@example.org")
    assert (row.recipient, row.address, row.channel, row.sent_at) == (None, "neu@example.org", Channel.EMAIL, None)
    assert row.target == invitation and row.organisation == cast.organisation
    assert not Notification.objects.filter(channel=Channel.IN_APP, kind="accounts.invitation").exists()


def test_the_email_is_in_the_inviters_language_with_the_other_language_below(cast):
    lead = cast.team_lead.user
    lead.preferred_language = "en"
    lead.save()
    services.invite(by=lead, organisation=cast.organisation, email="neu@example.org", roles=["peer"])
    assert sending.send_due() == 1
    [message] = mail.outbox
    assert message.subject == "[Tandem] Invitation to Tandem (Träger Nord)"
    assert message.body.startswith("You have been invited to Tandem by Träger Nord.")
    assert "Träger Nord hat Sie zu Tandem eingeladen." in message.body.split("--")[-1]
    html = message.alternatives[0][0]
    assert '<html lang="en">' in html and '<p lang="de">' in html
    # Nobody to send to notification settings: the invitee has no account yet.
    assert reverse("notifications:preferences") not in html


def test_the_email_is_german_first_from_a_german_inviter(cast):
    services.invite(by=cast.team_lead.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"])
    assert sending.send_due() == 1
    [message] = mail.outbox
    assert message.subject == "[Tandem] Einladung zu Tandem (Träger Nord)"
    assert message.body.startswith("Träger Nord hat Sie zu Tandem eingeladen.")
    assert "You have been invited to Tandem by Träger Nord." in message.body.split("--")[-1]


def test_invite_succeeds_with_smtp_down_and_the_email_goes_out_after_recovery(
    cast, client, settings, django_capture_on_commit_callbacks
):
    port = closed_port()  # a real SMTP configuration whose server is not there
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""

    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(cast.client_for(cast.team_lead), cast.team)
    assert response.status_code == 302
    assert sending.send_due() == 0  # the sweep tries: connection refused
    row = _invitation_email()
    assert row.sent_at is None and row.cancelled_at is None
    assert (row.attempts, row.last_error) == (1, "ConnectionRefusedError")

    with smtp_sink(port) as received:  # the SMTP server is back
        assert sending.send_due(now=timezone.now() + sending.LEASE + dt.timedelta(seconds=1)) == 1
    row.refresh_from_db()
    assert row.sent_at is not None and row.last_error == ""
    [message] = received
    assert message["To"] == "neu@example.org"
    link = _link_in(text_of(message))
    assert _accept(client, link).status_code == 302
    assert Membership.objects.filter(user__email="neu@example.org", organisation=cast.organisation).exists()


def _text_columns_containing(needle: str) -> list[str]:
    """Every text and JSON column of every table that contains ``needle``."""
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField | models.JSONField)]
        condition = models.Q()
        annotations = {}
        for f in fields:
            if isinstance(f, models.JSONField):
                annotations[f"_t_{f.attname}"] = Cast(f.attname, models.TextField())
                condition |= models.Q(**{f"_t_{f.attname}__contains": needle})
            else:
                condition |= models.Q(**{f"{f.attname}__contains": needle})
        if fields:
            found += [f"{model._meta.label}#{pk}" for pk in model._base_manager.annotate(**annotations).filter(condition).values_list("pk", flat=True)]
    return found


def test_the_database_holds_neither_the_token_nor_the_link(cast):
    invitation, token = services.invite(
        by=cast.team_lead.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"]
    )
    assert sending.send_due() == 1
    link = _link_from_mail()
    assert token in link  # the search below looks for what the e-mail really carries
    row = Notification.objects.get(kind="accounts.invitation")
    assert token not in json.dumps(row.context) and token not in row.url
    invitation.refresh_from_db()
    assert all(token not in str(getattr(invitation, f.attname)) for f in Invitation._meta.concrete_fields)
    assert _text_columns_containing(token) == []
    assert _text_columns_containing(link) == []
    assert _text_columns_containing(invitation.link_nonce) == [f"accounts.Invitation#{invitation.pk}"]  # the search finds


def test_resending_before_the_email_went_out_withdraws_the_unsent_one(cast, client):
    invitation, first_token = services.invite(
        by=cast.team_lead.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"]
    )
    services.resend_invitation(invitation=invitation, by=cast.team_lead.user)
    assert sending.send_due() == 1  # one e-mail, with the new link
    link = _link_from_mail()
    assert client.get(link).status_code == 200
    assert client.get(reverse("accounts:invitation_accept", args=[first_token])).status_code == 404
    assert Notification.objects.filter(kind="accounts.invitation", cancelled_at__isnull=False).count() == 1


def test_a_revoked_invitation_is_not_sent(cast):
    invitation, _token = services.invite(
        by=cast.team_lead.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"]
    )
    services.revoke_invitation(invitation=invitation, by=cast.team_lead.user)
    assert sending.send_due() == 0
    assert mail.outbox == []
    assert Notification.objects.get(kind="accounts.invitation").cancelled_at is not None


def test_an_invitation_that_expired_while_smtp_was_down_is_withdrawn_not_sent(cast):
    services.invite(by=cast.team_lead.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"])
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        assert sending.send_due() == 0
    assert mail.outbox == []
    row = Notification.objects.get(kind="accounts.invitation")
    assert row.cancelled_at is not None
    assert row.last_error == "no longer applies: the invitation was accepted, revoked, has expired or is gone"


def test_a_link_that_no_longer_opens_after_a_key_change_is_not_sent(cast, settings):
    services.invite(by=cast.team_lead.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"])
    settings.SECRET_KEY = "a-different-secret-key-" + "x" * 40
    assert sending.send_due() == 0
    assert mail.outbox == []
    assert Notification.objects.get(kind="accounts.invitation").last_error.startswith(
        "no longer applies: the invitation link cannot be derived any more"
    )


def test_outbox_command_lists_the_pending_invitation_email(cast):
    invitation, _token = services.invite(
        by=cast.team_lead.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"]
    )
    row = Notification.objects.get(kind="accounts.invitation")
    out = StringIO()
    call_command("outbox", "--list", stdout=out)
    text = out.getvalue()
    assert "accounts.invitation" in text
    assert f"#{row.pk} accounts.invitation to address n***@example.org" in text
    assert "neu@example.org" not in text
    sending.send_due()
    out = StringIO()
    call_command("outbox", "--list", stdout=out)
    assert "accounts.invitation" not in out.getvalue()


def test_invitation_is_not_a_choice_in_anyones_notification_settings(cast):
    page = cast.client_for(cast.peer).get(reverse("notifications:preferences"))
    assert page.status_code == 200
    assert "Einladung zu Tandem" not in page.content.decode()


def test_erasing_a_person_who_was_invited_removes_the_invitation_email_with_their_address(cast, client):
    from accounts import privacy as account_privacy

    services.invite(by=cast.org_admin.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"])
    assert sending.send_due() == 1
    assert _accept(client, _link_from_mail()).status_code == 302
    membership = Membership.objects.get(user__email="neu@example.org")
    services.end_membership(membership=membership, by=cast.org_admin.user)
    assert Notification.objects.filter(address="neu@example.org").exists()

    account_privacy.erase_member(membership=membership, by=cast.org_admin.user)

    assert not Notification.objects.filter(address="neu@example.org").exists()
    assert _text_columns_containing("neu@example.org") == []
