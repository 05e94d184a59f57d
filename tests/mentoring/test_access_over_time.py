"""Access that outlived the fact that granted it, found by the stateful proof (tests/trust/test_stateful.py).

Each test is one history the state machine played, cut down to the steps that matter.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from accounts import services as accounts
from mentoring import services
from mentoring.models import Irritation
from tests.factories import agreed_through_services

from ..factories import member
from .conftest import raise_irritation


def _assign(cast: Any, peer: Any, mentor: Any) -> None:
    """Mentoring by consent: proposed by the team lead, accepted by the peer and the mentor."""
    assignment = services.propose_mentor(peer=peer, mentor=mentor, by=cast.team_lead.user)
    services.accept_mentoring(assignment=assignment, by=peer.user)
    services.accept_mentoring(assignment=assignment, by=mentor.user)


def _reads(who: Any, irritation: Irritation) -> bool:
    return Irritation.objects.visible_to(who.user).filter(pk=irritation.pk).exists()


def test_her_mentor_loses_access_the_moment_she_leaves(cast, assignment):
    irritation = raise_irritation(cast)
    assert _reads(cast.mentor, irritation)
    accounts.end_membership(membership=cast.peer, by=cast.org_admin.user)
    # Not only after the next sweep ends the mentoring: at once.
    assert not _reads(cast.mentor, irritation)
    assert cast.client_for(cast.mentor).get(irritation.get_absolute_url()).status_code == 404


def test_her_mentor_loses_access_when_she_is_no_longer_a_peer(cast, assignment):
    irritation = raise_irritation(cast)
    accounts.set_roles(membership=cast.peer, roles=["professional"], by=cast.org_admin.user)
    assert not _reads(cast.mentor, irritation)


def test_a_share_ends_when_the_peer_who_made_it_leaves(cast, assignment):
    irritation = raise_irritation(cast)
    services.share_with_lead(irritation=irritation, by=cast.peer.user, lead=cast.team_lead)
    assert _reads(cast.team_lead, irritation)
    accounts.end_membership(membership=cast.peer, by=cast.org_admin.user)
    assert not _reads(cast.team_lead, irritation)
    assert cast.client_for(cast.team_lead).get(irritation.get_absolute_url()).status_code == 404


def test_a_closed_irritation_does_not_come_back_to_a_mentor_assigned_again(cast, assignment):
    """Her consent was given under one mentoring; a new one (even with the same person) starts without it."""
    irritation = raise_irritation(cast)
    services.resolve(irritation=irritation, by=cast.peer.user)
    assert _reads(cast.mentor, irritation)  # the mentor who helped still sees how it ended
    services.end_assignment(assignment=assignment, by=cast.team_lead.user)
    assert not _reads(cast.mentor, irritation)
    agreed_through_services(cast.peer, cast.mentor, by=cast.team_lead.user)
    assert not _reads(cast.mentor, irritation)


def test_an_open_irritation_waits_for_her_consent_after_the_same_mentor_is_assigned_again(cast, assignment):
    irritation = raise_irritation(cast)
    services.end_assignment(assignment=assignment, by=cast.team_lead.user)
    agreed_through_services(cast.peer, cast.mentor, by=cast.team_lead.user)
    assert not _reads(cast.mentor, irritation)
    services.hand_over(peer=cast.peer, by=cast.peer.user)
    assert _reads(cast.mentor, irritation)


def test_another_peers_mentor_reads_nothing_of_hers(cast, assignment):
    other = member(cast.organisation, is_mentor=True)
    agreed_through_services(cast.other_peer, other, by=cast.team_lead.user)
    irritation = raise_irritation(cast)
    assert not _reads(other, irritation)


def test_a_mentor_who_lost_the_role_is_told_nothing_more_and_cannot_act(cast, assignment):
    from tandem.notifications.models import Notification

    irritation = raise_irritation(cast)
    accounts.set_roles(membership=cast.mentor, roles=["professional"], by=cast.org_admin.user)
    before = Notification.objects.filter(recipient=cast.mentor.user).count()
    services.post_message(irritation=irritation, by=cast.peer.user, body="Noch etwas")
    services.withdraw(irritation=raise_irritation(cast), by=cast.peer.user)
    assert Notification.objects.filter(recipient=cast.mentor.user).count() == before
    with pytest.raises(ValidationError):
        services.post_message(irritation=irritation, by=cast.mentor.user, body="Antwort")


def test_the_audience_agrees_with_visible_to_when_she_leaves(cast, assignment):
    from mentoring.selectors import audience

    irritation = raise_irritation(cast)
    services.share_with_lead(irritation=irritation, by=cast.peer.user, lead=cast.team_lead)
    accounts.end_membership(membership=cast.peer, by=cast.org_admin.user)
    irritation.refresh_from_db()
    assert audience(irritation) == []
