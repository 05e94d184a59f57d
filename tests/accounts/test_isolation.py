"""Tenant isolation: every accounts object page answers a user of another organisation with the same
404 as an id that does not exist, never a 403 that confirms it exists."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import Invitation, Membership, PlacementConflict, Service, Team, TeamMembership

from .conftest import main_of

# (url name, which object of the cast, method)
PAGES = [
    ("accounts:member_detail", "member", "get"),
    ("accounts:member_detail", "member", "post"),
    ("accounts:member_roles", "member", "post"),
    ("accounts:member_end", "member", "get"),
    ("accounts:member_end", "member", "post"),
    ("accounts:service_detail", "service", "get"),
    ("accounts:service_archive", "service", "get"),
    ("accounts:service_archive", "service", "post"),
    ("accounts:team_detail", "team", "get"),
    ("accounts:team_add_member", "team", "post"),
    ("accounts:team_archive", "team", "get"),
    ("accounts:team_archive", "team", "post"),
    ("accounts:team_membership_end", "team_membership", "get"),
    ("accounts:team_membership_end", "team_membership", "post"),
    ("accounts:invitation_revoke", "invitation", "get"),
    ("accounts:invitation_revoke", "invitation", "post"),
    ("accounts:invitation_resend", "invitation", "post"),
    ("accounts:placement_conflict_delete", "placement_conflict", "get"),
    ("accounts:placement_conflict_delete", "placement_conflict", "post"),
]


@pytest.fixture
def objects(cast):  # type: ignore[no-untyped-def]
    invitation, _token = services.invite(
        by=cast.org_admin.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"]
    )
    return {
        "member": cast.peer,
        "service": cast.service,
        "team": cast.team,
        "team_membership": TeamMembership.objects.get(membership=cast.peer, team=cast.team),
        "invitation": invitation,
        "placement_conflict": PlacementConflict.objects.create(peer=cast.peer, service=cast.other_service),
    }


def _counts() -> tuple[int, ...]:
    return (
        Membership.objects.active().count(),
        Service.objects.filter(archived_at__isnull=True).count(),
        Team.objects.filter(archived_at__isnull=True).count(),
        TeamMembership.objects.filter(ended_on__isnull=True).count(),
        Invitation.objects.filter(revoked_at__isnull=True).count(),
        PlacementConflict.objects.count(),
    )


@pytest.mark.parametrize(("name", "kind", "method"), PAGES)
def test_outsider_gets_the_same_404_as_for_a_missing_id(cast, objects, name, kind, method):
    client = cast.client_for(cast.outsider)
    before = _counts()
    response = getattr(client, method)(reverse(name, args=[objects[kind].pk]))
    missing = getattr(client, method)(reverse(name, args=[987654]))
    assert response.status_code == 404
    assert missing.status_code == 404
    assert main_of(response) == main_of(missing)
    assert _counts() == before


@pytest.mark.parametrize(("name", "kind", "method"), [p for p in PAGES if p[1] != "placement_conflict"])
def test_peer_of_the_same_organisation_gets_404_on_management_pages(cast, objects, name, kind, method):
    response = getattr(cast.client_for(cast.other_peer), method)(reverse(name, args=[objects[kind].pk]))
    assert response.status_code == 404


def test_only_the_peer_sees_and_removes_her_declaration(cast, objects):
    conflict = objects["placement_conflict"]
    url = reverse("accounts:placement_conflict_delete", args=[conflict.pk])
    for who in (cast.other_peer, cast.team_lead, cast.org_admin, cast.mentor):
        assert cast.client_for(who).post(url).status_code == 404
    assert PlacementConflict.objects.filter(pk=conflict.pk).exists()
    assert cast.client_for(cast.peer).post(url).status_code == 302
    assert not PlacementConflict.objects.filter(pk=conflict.pk).exists()


def test_team_lead_learns_only_that_a_conflict_is_declared(cast, objects):
    page = cast.client_for(cast.team_lead).get(reverse("accounts:member_detail", args=[cast.peer.pk]))
    assert page.status_code == 200
    body = main_of(page)
    assert cast.other_service.name not in body
    own = cast.client_for(cast.peer).get(reverse("accounts:profile"))
    assert cast.other_service.name in main_of(own)


def test_outsider_lists_show_nothing_of_ours(cast, objects):
    client = cast.client_for(cast.outsider)
    people = main_of(client.get(reverse("accounts:member_list")))
    assert cast.peer.user.email not in people and cast.peer.user.display_name not in people
    invitations = main_of(client.get(reverse("accounts:invitation_list")))
    assert "neu@example.org" not in invitations
    organisation = main_of(client.get(reverse("accounts:organisation")))
    assert cast.service.name not in organisation


def test_organisation_settings_change_only_ones_own(cast):
    client = cast.client_for(cast.outsider)
    client.post(reverse("accounts:organisation"), {"name": "Übernommen", "mfa_required": "on"})
    cast.organisation.refresh_from_db()
    assert cast.organisation.name == "Träger Nord"
    assert not cast.organisation.mfa_required
