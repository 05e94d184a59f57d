"""A person's own profile, and org admins managing services, teams, people and roles in the app."""

from __future__ import annotations

import itertools

from django.urls import NoReverseMatch, reverse

from accounts.models import Membership, Service, Team, TeamMembership, User
from tandem.audit.models import AuditEvent
from tests.factories import member
from tests.queries import assert_constant_queries


def test_profile_saves_name_language_and_time_zone(cast):
    client = cast.client_for(cast.peer)
    response = client.post(
        reverse("accounts:profile"),
        {"full_name": "Paula P.", "preferred_language": "en", "time_zone": "Europe/Vienna"},
    )
    assert response.status_code == 302
    user = User.objects.get(pk=cast.peer.user.pk)
    assert (user.full_name, user.preferred_language, user.time_zone) == ("Paula P.", "en", "Europe/Vienna")
    event = AuditEvent.objects.get(action="profile.changed")
    assert sorted(event.detail["fields"]) == ["full_name", "preferred_language", "time_zone"]


def test_profile_rejects_an_unknown_time_zone_without_saving(cast):
    client = cast.client_for(cast.peer)
    response = client.post(
        reverse("accounts:profile"), {"full_name": "X", "preferred_language": "de", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 422
    assert "field-errors" in response.content.decode()
    user = User.objects.get(pk=cast.peer.user.pk)
    assert user.full_name != "X"
    assert user.time_zone == "Europe/Berlin"


def test_profile_links_security_and_notification_settings(cast):
    body = cast.client_for(cast.peer).get(reverse("accounts:profile")).content.decode()
    for name in ("account_email", "account_change_password", "mfa_index"):
        assert reverse(name) in body
    try:
        notifications = reverse("notifications:preferences")
    except NoReverseMatch:
        notifications = reverse("notifications:centre")
    assert f'href="{notifications}"' in body


def test_professional_alone_decides_about_lived_experience(cast):
    client = cast.client_for(cast.professional)
    response = client.post(reverse("accounts:lived_experience"), {"has_lived_experience": "on", "visible_to": "team"})
    assert response.status_code == 302
    profile = cast.professional.professional_profile
    profile.refresh_from_db()
    assert profile.has_lived_experience and profile.lived_experience_visible_to == "team"
    # The org admin's member page offers no way to change it.
    page = cast.client_for(cast.org_admin).get(reverse("accounts:member_detail", args=[cast.professional.pk]))
    assert "has_lived_experience" not in page.content.decode()


def test_org_admin_creates_service_and_team_and_adds_a_member(cast):
    client = cast.client_for(cast.org_admin)
    assert client.post(reverse("accounts:service_create"), {"name": "Tagesstätte"}).status_code == 302
    service = Service.objects.get(organisation=cast.organisation, name="Tagesstätte")
    response = client.post(reverse("accounts:team_create"), {"name": "Team Tag", "service": service.pk})
    team = Team.objects.get(service=service, name="Team Tag")
    assert response["Location"] == team.get_absolute_url()
    assert client.post(reverse("accounts:team_add_member", args=[team.pk]), {"member": cast.other_peer.pk}).status_code == 302
    assert TeamMembership.objects.current().filter(team=team, membership=cast.other_peer).exists()


def test_org_admin_cannot_add_a_person_of_another_organisation_to_a_team(cast):
    client = cast.client_for(cast.org_admin)
    outsider_peer = member(cast.outsider_organisation, is_peer=True)
    client.post(reverse("accounts:team_add_member", args=[cast.team.pk]), {"member": outsider_peer.pk})
    assert not TeamMembership.objects.filter(membership=outsider_peer).exists()


def test_org_admin_changes_roles_and_team_lead_cannot(cast):
    url = reverse("accounts:member_roles", args=[cast.professional.pk])
    assert cast.client_for(cast.team_lead).post(url, {"roles": ["professional", "mentor"]}).status_code == 404
    assert cast.client_for(cast.org_admin).post(url, {"roles": ["professional", "mentor"]}).status_code == 302
    cast.professional.refresh_from_db()
    assert cast.professional.is_mentor


def test_person_leaves_and_history_stays(cast):
    client = cast.client_for(cast.org_admin)
    assert client.post(reverse("accounts:member_end", args=[cast.other_peer.pk])).status_code == 302
    cast.other_peer.refresh_from_db()
    assert cast.other_peer.ended_on is not None
    assert TeamMembership.objects.filter(membership=cast.other_peer, ended_on__isnull=False).exists()
    assert Membership.objects.filter(pk=cast.other_peer.pk).exists()


def test_member_list_query_count_does_not_grow(cast):
    def peers(n: int) -> None:
        for _ in range(n):
            member(cast.organisation, team=cast.team, is_peer=True)

    assert_constant_queries(cast.client_for(cast.org_admin), reverse("accounts:member_list"), peers, expected=9)


def test_organisation_page_query_count_does_not_grow(cast):
    numbers = itertools.count()

    def services_with_a_team(n: int) -> None:
        for i in itertools.islice(numbers, n):
            service = Service.objects.create(organisation=cast.organisation, name=f"Einrichtung {i}")
            Team.objects.create(organisation=cast.organisation, service=service, name=f"Team {i}")

    client = cast.client_for(cast.org_admin)
    assert_constant_queries(client, reverse("accounts:organisation"), services_with_a_team, expected=10)


def test_team_page_query_count_does_not_grow(cast):
    def professionals(n: int) -> None:
        for _ in range(n):
            member(cast.organisation, team=cast.team, is_professional=True)

    url = reverse("accounts:team_detail", args=[cast.team.pk])
    assert_constant_queries(cast.client_for(cast.team_lead), url, professionals, expected=14)  # + whether she runs the team (her services)


def test_team_lead_edits_peer_details_with_an_audit_event(cast):
    client = cast.client_for(cast.team_lead)
    url = reverse("accounts:member_detail", args=[cast.peer.pk])
    response = client.post(
        url, {"kind": "volunteer", "exin_status": "in_training", "weekly_hours": "6", "expense_allowance": "120"}
    )
    assert response.status_code == 302
    profile = cast.peer.peer_profile
    profile.refresh_from_db()
    assert (profile.kind, profile.exin_status, str(profile.expense_allowance)) == ("volunteer", "in_training", "120.00")
    event = AuditEvent.objects.get(action="membership.details_changed")
    assert event.detail["fields"] == ["exin_status", "expense_allowance", "kind", "weekly_hours"]


def test_invalid_peer_details_are_refused_with_422(cast):
    client = cast.client_for(cast.team_lead)
    url = reverse("accounts:member_detail", args=[cast.peer.pk])
    response = client.post(url, {"kind": "employed", "exin_status": "certified", "expense_allowance": "50"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "field-errors" in body
    cast.peer.peer_profile.refresh_from_db()
    assert cast.peer.peer_profile.exin_status == "none"
    assert not AuditEvent.objects.filter(action="membership.details_changed").exists()
