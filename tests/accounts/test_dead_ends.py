"""Dead ends closed in accounts: a team lead runs the teams of her services; inviting an address with an
open invitation updates that invitation instead of sending a second one."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from accounts import rules, services
from accounts.models import Invitation, Team, TeamMembership
from tandem.audit.models import AuditEvent
from tandem.notifications import sending
from tandem.notifications.models import Notification
from tests.factories import ServiceFactory, TeamFactory

# --- a team lead creates and runs the teams of her service -------------------------------------


def test_team_lead_creates_a_team_in_her_service_and_adds_people(cast):
    client = cast.client_for(cast.team_lead)
    response = client.post(reverse("accounts:team_create"), {"name": "Team Nacht", "service": cast.service.pk})
    team = Team.objects.get(service=cast.service, name="Team Nacht")
    assert response.status_code == 302 and response["Location"] == team.get_absolute_url()
    assert AuditEvent.objects.filter(action="team.created", object_id=str(team.pk)).exists()
    assert client.post(reverse("accounts:team_add_member", args=[team.pk]), {"member": cast.other_peer.pk}).status_code == 302
    assert TeamMembership.objects.current().filter(team=team, membership=cast.other_peer).exists()


def test_team_lead_archives_a_team_of_her_service_after_confirming(cast):
    client = cast.client_for(cast.team_lead)
    url = reverse("accounts:team_archive", args=[cast.team.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'method="post"' in page.content.decode()
    cast.team.refresh_from_db()
    assert cast.team.archived_at is None
    assert client.post(url).status_code == 302
    cast.team.refresh_from_db()
    assert cast.team.archived_at is not None


def test_team_list_shows_the_services_she_runs_with_the_form_to_create_a_team(cast):
    response = cast.client_for(cast.team_lead).get(reverse("accounts:team_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert cast.team.name in body and cast.other_service.name in body
    assert reverse("accounts:team_create") in body
    # The Krisendienst has no team yet: the page says what to do.
    assert "Legen Sie das erste mit dem Formular oben an." in body


def test_named_services_narrow_what_a_team_lead_runs(cast):
    cast.team_lead.led_services.set([cast.other_service])
    client = cast.client_for(cast.team_lead)
    response = client.post(reverse("accounts:team_create"), {"name": "Team Fremd", "service": cast.service.pk})
    assert response.status_code == 302
    assert not Team.objects.filter(name="Team Fremd").exists()
    follow = client.get(response["Location"])
    assert "nur in den Einrichtungen anlegen, die Sie leiten" in follow.content.decode()
    # Team A belongs to "Wohnen", which she does not run: archiving and membership changes are 404.
    assert client.post(reverse("accounts:team_archive", args=[cast.team.pk])).status_code == 404
    assert client.post(reverse("accounts:team_add_member", args=[cast.team.pk]), {"member": cast.other_peer.pk}).status_code == 404
    tm = TeamMembership.objects.get(team=cast.team, membership=cast.peer)
    assert client.post(reverse("accounts:team_membership_end", args=[tm.pk])).status_code == 404
    # Her own service works.
    assert client.post(reverse("accounts:team_create"), {"name": "Team Krise", "service": cast.other_service.pk}).status_code == 302
    assert Team.objects.filter(service=cast.other_service, name="Team Krise").exists()


def test_access_follows_the_current_roles(cast):
    assert rules.services_run_by(cast.team_lead).count() == 2
    cast.team_lead.is_team_lead = False
    cast.team_lead.save()
    assert not rules.services_run_by(cast.team_lead).exists()
    response = cast.client_for(cast.team_lead).post(reverse("accounts:team_create"), {"name": "X", "service": cast.service.pk})
    assert response.status_code == 404
    assert not Team.objects.filter(name="X").exists()


def test_team_lead_cannot_create_a_team_in_another_organisations_service(cast):
    foreign = ServiceFactory(organisation=cast.outsider_organisation, name="Fremd")
    response = cast.client_for(cast.team_lead).post(reverse("accounts:team_create"), {"name": "Team X", "service": foreign.pk})
    assert response.status_code == 302
    assert not Team.objects.filter(name="Team X").exists()


def test_the_service_refuses_a_person_who_does_not_run_the_service(cast):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.create_team(service=cast.service, name="Team P", by=cast.peer.user)
    assert not Team.objects.filter(name="Team P").exists()


def test_org_admin_names_the_services_a_team_lead_runs(cast):
    url = reverse("accounts:member_roles", args=[cast.team_lead.pk])
    response = cast.client_for(cast.org_admin).post(url, {"roles": ["team_lead"], "led_services": [cast.other_service.pk]})
    assert response.status_code == 302
    assert list(cast.team_lead.led_services.all()) == [cast.other_service]
    assert list(rules.services_run_by(cast.team_lead)) == [cast.other_service]


def test_duplicate_team_name_is_refused_with_a_message(cast):
    client = cast.client_for(cast.team_lead)
    response = client.post(reverse("accounts:team_create"), {"name": "team a", "service": cast.service.pk})
    assert response.status_code == 302
    assert Team.objects.filter(service=cast.service).count() == 1
    assert "gibt es in dieser Einrichtung bereits" in client.get(response["Location"]).content.decode()


def test_archived_team_is_not_offered_to_add_people(cast):
    team = TeamFactory(service=cast.service, name="Team Alt")
    services.archive_team(team=team, by=cast.team_lead.user)
    response = cast.client_for(cast.team_lead).get(reverse("accounts:team_list"))
    assert "Team Alt" not in response.content.decode()


# --- inviting an address with an open invitation ----------------------------------------------


def _invite(client, team, **extra):  # type: ignore[no-untyped-def]
    data = {"email": "neu@example.org", "full_name": "Nele Neu", "roles": ["peer"], "team": team.pk, **extra}
    return client.post(reverse("accounts:invitation_create"), data, follow=True)


def test_inviting_again_updates_the_open_invitation_and_says_so(cast):
    client = cast.client_for(cast.team_lead)
    _invite(client, cast.team)
    first = Invitation.objects.get()
    first_hash = first.token_hash
    other_team = TeamFactory(service=cast.service, name="Team B")
    response = _invite(client, other_team, email="NEU@example.org", roles=["professional", "mentor"])
    assert Invitation.objects.count() == 1
    invitation = Invitation.objects.get()
    assert invitation.pk == first.pk
    assert invitation.roles == ["professional", "mentor"] and invitation.team == other_team
    assert invitation.token_hash != first_hash
    assert "hatte schon eine offene Einladung" in response.content.decode()
    assert AuditEvent.objects.filter(action="invitation.updated", object_id=str(invitation.pk)).exists()
    # One e-mail goes out, with the new link; the first one's row was withdrawn before sending.
    assert sending.send_due() == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(kind="accounts.invitation", cancelled_at__isnull=False).count() == 1


def test_an_accepted_or_revoked_invitation_is_not_reused(cast):
    invitation, _token = services.invite(
        by=cast.team_lead.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"]
    )
    services.revoke_invitation(invitation=invitation, by=cast.team_lead.user)
    again, _token = services.invite(
        by=cast.team_lead.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"]
    )
    assert again.pk != invitation.pk
    assert Invitation.objects.count() == 2


def test_an_invitation_of_another_organisation_is_never_touched(cast):
    theirs, _token = services.invite(
        by=cast.outsider.user, organisation=cast.outsider_organisation, email="neu@example.org", roles=["peer"]
    )
    ours, _token = services.invite(
        by=cast.team_lead.user, organisation=cast.organisation, email="neu@example.org", roles=["professional"]
    )
    assert ours.pk != theirs.pk
    theirs.refresh_from_db()
    assert theirs.roles == ["peer"]


def test_first_invitation_says_it_was_sent(cast):
    response = _invite(cast.client_for(cast.team_lead), cast.team)
    assert "Einladung an neu@example.org verschickt" in response.content.decode()
