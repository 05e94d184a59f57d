"""Access is recomputed from the current roles and memberships on every request.

A person who loses a role or leaves the organisation loses what it granted on her very next request,
in the session she already has open; nothing about her roles is kept in the session.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services
from mentoring.models import Irritation
from tests.factories import MentorAssignmentFactory
from tests.mentoring.conftest import raise_irritation

from .conftest import main_of


@pytest.fixture
def irritation(cast):
    MentorAssignmentFactory(
        organisation=cast.organisation, peer=cast.peer, mentor=cast.mentor, assigned_by=cast.team_lead.user,
        started_on=timezone.localdate() - dt.timedelta(days=14),
    )
    return raise_irritation(cast, mode=Irritation.StartMode.MENTOR_NOW)


def _missing(client):  # type: ignore[no-untyped-def]
    return client.get(reverse("mentoring:irritation_detail", args=[987654]))


def test_a_mentor_who_loses_the_role_cannot_read_on_the_next_request(cast, irritation):
    client = cast.client_for(cast.mentor)
    url = reverse("mentoring:irritation_detail", args=[irritation.pk])
    assert client.get(url).status_code == 200
    services.set_roles(membership=cast.mentor, roles=["professional"], by=cast.org_admin.user)
    response = client.get(url)
    assert response.status_code == 404
    assert main_of(response) == main_of(_missing(client))  # like an id that does not exist
    message = client.post(reverse("mentoring:irritation_message", args=[irritation.pk]), {"body": "Noch da?"})
    assert message.status_code == 404
    # Given back, it works again: the role, not a remembered grant, decides.
    services.set_roles(membership=cast.mentor, roles=["professional", "mentor"], by=cast.org_admin.user)
    assert client.get(url).status_code == 200


def test_a_mentor_who_leaves_the_organisation_cannot_read_on_the_next_request(cast, irritation):
    client = cast.client_for(cast.mentor)
    url = reverse("mentoring:irritation_detail", args=[irritation.pk])
    assert client.get(url).status_code == 200
    services.end_membership(membership=cast.mentor, by=cast.org_admin.user)
    assert client.get(url).status_code == 404
    assert client.get(reverse("mentoring:mentees")).status_code == 404


def test_a_peer_who_leaves_no_longer_reads_her_irritations_here(cast, irritation):
    client = cast.client_for(cast.peer)
    url = reverse("mentoring:irritation_detail", args=[irritation.pk])
    assert client.get(url).status_code == 200
    services.end_membership(membership=cast.peer, by=cast.org_admin.user)
    assert client.get(url).status_code == 404


def test_a_team_lead_who_loses_the_role_no_longer_manages_people(cast):
    client = cast.client_for(cast.team_lead)
    people = reverse("accounts:member_list")
    member = reverse("accounts:member_detail", args=[cast.peer.pk])
    assert client.get(people).status_code == 200
    assert client.get(member).status_code == 200
    services.set_roles(membership=cast.team_lead, roles=["professional"], by=cast.org_admin.user)
    assert client.get(people).status_code == 404
    assert client.get(member).status_code == 404
    assert client.get(reverse("accounts:invitation_list")).status_code == 404


def test_an_org_admin_who_loses_the_role_can_no_longer_change_settings(cast):
    other_admin = cast.org_admin
    client = cast.client_for(cast.team_lead)
    services.set_roles(membership=cast.team_lead, roles=["team_lead", "org_admin"], by=other_admin.user)
    assert client.get(reverse("accounts:organisation")).status_code == 200
    services.set_roles(membership=cast.team_lead, roles=["team_lead"], by=other_admin.user)
    assert client.get(reverse("accounts:organisation")).status_code == 404
    response = client.post(reverse("accounts:member_roles", args=[cast.peer.pk]), {"roles": ["peer", "mentor"]})
    assert response.status_code == 404
    cast.peer.refresh_from_db()
    assert not cast.peer.is_mentor


def test_leaving_one_organisation_leaves_the_other_untouched(cast):
    from tests.factories import MembershipFactory

    second = MembershipFactory(user=cast.team_lead.user, organisation=cast.outsider_organisation, is_team_lead=True)
    client = cast.client_for(cast.team_lead)
    services.end_membership(membership=cast.team_lead, by=cast.org_admin.user)
    # The next request works in the organisation she still belongs to, and only there.
    assert client.get(reverse("accounts:member_detail", args=[cast.peer.pk])).status_code == 404
    assert client.get(reverse("accounts:member_detail", args=[second.pk])).status_code == 200


def test_the_session_holds_no_roles(cast, irritation):
    client = cast.client_for(cast.mentor)
    client.get(reverse("home"))
    client.get(reverse("mentoring:irritation_detail", args=[irritation.pk]))
    client.post(reverse("accounts:switch_organisation"), {"membership": cast.mentor.pk})
    stored = dict(client.session.items())
    role_like = [key for key in stored if any(word in key for word in ("role", "mentor", "admin", "lead", "peer", "perm", "access"))]
    assert role_like == []
    assert all(not isinstance(value, dict | list) or key.startswith("account_") for key, value in stored.items())
