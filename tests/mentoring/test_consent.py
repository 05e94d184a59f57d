"""Mentoring by consent: a proposal becomes current only when the peer accepts and the mentor agrees;
until then nothing of hers reaches the proposed person. Her reasons stay hers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mentoring import escalation, selectors, services
from mentoring.models import Irritation, MentorAssignment, MentorRequest
from mentoring.rules import has_mentor
from pairing.models import Tandem
from tandem.audit.models import AuditEvent
from tandem.notifications.models import Notification
from tests.factories import MentorAssignmentFactory, agreed_through_services, member, proposed_mentoring

from .conftest import raise_irritation

REASON = "PRIVATE-REASON: Sie hat mich einmal vor dem Team bloßgestellt."


def _accept(client, proposal):
    return client.post(reverse("mentoring:proposal_accept", args=[proposal.pk]))


def _kinds(user):
    return set(Notification.objects.filter(recipient=user, channel="in_app").values_list("kind", flat=True))


# --- the factory --------------------------------------------------------------------------------


def test_the_factory_makes_an_agreed_mentoring_or_a_proposal(cast):
    agreed = MentorAssignmentFactory(peer=cast.peer, mentor=cast.mentor)
    assert agreed.is_active and has_mentor(cast.peer)
    proposal = proposed_mentoring(cast.other_peer, cast.mentor)
    assert proposal.is_proposed and not proposal.is_active and not has_mentor(cast.other_peer)


# --- nothing reaches the proposed person before both agree ------------------------------------------


def test_a_proposal_routes_nothing_until_both_have_agreed(cast):
    proposal = services.propose_mentor(peer=cast.peer, mentor=cast.mentor, by=cast.team_lead.user)
    assert not MentorAssignment.objects.that_count().filter(peer=cast.peer).exists()
    assert selectors.current_mentor(cast.peer) is None
    irritation = raise_irritation(cast)
    assert irritation.mentor is None
    escalation.escalate_due()
    irritation.refresh_from_db()
    assert irritation.mentor is None
    mentor = cast.client_for(cast.mentor)
    assert mentor.get(irritation.get_absolute_url()).status_code == 404
    assert "SECRET-CONTENT" not in mentor.get(reverse("mentoring:mentees")).content.decode()
    assert not {"mentoring.irritation_addressed", "mentoring.irritation_escalated"} & _kinds(cast.mentor.user)

    # The peer accepts: still nothing, the mentor has not agreed yet.
    assert _accept(cast.client_for(cast.peer), proposal).status_code == 302
    proposal.refresh_from_db()
    assert proposal.is_proposed and proposal.peer_accepted_at is not None
    assert selectors.current_mentor(cast.peer) is None
    assert mentor.get(irritation.get_absolute_url()).status_code == 404

    # The mentor agrees: now the mentoring is current and her waiting irritation reaches her mentor.
    assert _accept(mentor, proposal).status_code == 302
    proposal.refresh_from_db()
    assert proposal.is_active
    assert selectors.current_mentor(cast.peer) == cast.mentor
    escalation.escalate_due()
    irritation.refresh_from_db()
    assert irritation.mentor == cast.mentor
    assert mentor.get(irritation.get_absolute_url()).status_code == 200


def test_the_mentor_agreeing_alone_routes_nothing(cast):
    proposal = services.propose_mentor(peer=cast.peer, mentor=cast.mentor, by=cast.team_lead.user)
    services.accept_mentoring(assignment=proposal, by=cast.mentor.user)
    irritation = raise_irritation(cast)
    assert irritation.mentor is None
    assert not has_mentor(cast.peer)
    assert cast.client_for(cast.mentor).get(irritation.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("who", ["org_admin", "team_lead"])
def test_a_lead_who_makes_herself_the_mentor_gets_nothing_without_the_peers_acceptance(cast, who):
    manager = getattr(cast, who)
    manager.is_mentor = True
    manager.save()
    proposal = services.propose_mentor(peer=cast.peer, mentor=manager, by=manager.user)
    # Proposing herself counts as her own agreement, never as the peer's.
    assert proposal.mentor_accepted_at is not None and proposal.peer_accepted_at is None
    assert not has_mentor(cast.peer)
    irritation = raise_irritation(cast)
    assert irritation.mentor is None
    escalation.escalate_due()
    irritation.refresh_from_db()
    assert irritation.mentor is None
    client = cast.client_for(manager)
    assert client.get(irritation.get_absolute_url()).status_code == 404
    # She cannot accept in the peer's place.
    assert _accept(client, proposal).status_code == 302
    proposal.refresh_from_db()
    assert proposal.is_proposed and proposal.peer_accepted_at is None
    assert "mentoring.mentor_proposed" in _kinds(cast.peer.user)
    # Only when the peer accepts does anything reach her.
    services.accept_mentoring(assignment=proposal, by=cast.peer.user)
    assert selectors.current_mentor(cast.peer) == manager


def test_a_current_mentoring_goes_on_while_a_new_one_waits(cast, assignment):
    irritation = raise_irritation(cast)
    services.propose_mentor(peer=cast.peer, mentor=cast.other_mentor, by=cast.team_lead.user)
    assert selectors.current_mentor(cast.peer) == cast.mentor
    assert cast.client_for(cast.mentor).get(irritation.get_absolute_url()).status_code == 200
    assert cast.client_for(cast.other_mentor).get(irritation.get_absolute_url()).status_code == 404


# --- who can answer ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["team_lead", "org_admin", "professional", "other_peer", "other_mentor", "outsider"])
def test_only_the_peer_and_the_proposed_mentor_can_open_and_accept_a_proposal(cast, who):
    proposal = proposed_mentoring(cast.peer, cast.mentor, assigned_by=cast.team_lead.user)
    client = cast.client_for(getattr(cast, who))
    assert client.get(reverse("mentoring:proposal", args=[proposal.pk])).status_code == 404
    assert _accept(client, proposal).status_code == 404
    proposal.refresh_from_db()
    assert proposal.peer_accepted_at is None and proposal.mentor_accepted_at is None


def test_the_proposal_page_asks_the_peer_in_german(cast):
    proposal = proposed_mentoring(cast.peer, cast.mentor)
    body = cast.client_for(cast.peer).get(reverse("mentoring:proposal", args=[proposal.pk])).content.decode()
    assert f"{cast.mentor.user.display_name} wird als Ihr*e Mentor*in vorgeschlagen." in body
    assert "Sie können ablehnen, ohne einen Grund zu nennen." in body
    assert reverse("mentoring:proposal_accept", args=[proposal.pk]) in body
    assert reverse("mentoring:proposal_decline", args=[proposal.pk]) in body


def test_the_peer_and_the_mentor_find_the_proposal_on_their_pages(cast):
    proposal = proposed_mentoring(cast.peer, cast.mentor)
    url = reverse("mentoring:proposal", args=[proposal.pk])
    assert url in cast.client_for(cast.peer).get(reverse("mentoring:my_irritations")).content.decode()
    assert url in cast.client_for(cast.mentor).get(reverse("mentoring:mentees")).content.decode()


def test_accepting_asks_the_tandem_rule_again(cast):
    cast.professional.is_mentor = True
    cast.professional.save()
    proposal = services.propose_mentor(peer=cast.peer, mentor=cast.professional, by=cast.team_lead.user)
    # Meanwhile the two became tandem partners (e.g. from before this rule existed).
    Tandem.objects.create(organisation=cast.organisation, team=cast.team, peer=cast.peer, professional=cast.professional)
    with pytest.raises(ValidationError) as refused:
        services.accept_mentoring(assignment=proposal, by=cast.peer.user)
    assert "Tandem" in " ".join(refused.value.messages)
    response = _accept(cast.client_for(cast.professional), proposal)
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.is_proposed and proposal.mentor_accepted_at is None
    assert not has_mentor(cast.peer)


def test_an_answered_proposal_cannot_be_answered_again(cast):
    proposal = agreed_through_services(cast.peer, cast.mentor, by=cast.team_lead.user)
    with pytest.raises(ValidationError):
        services.decline_mentoring(assignment=proposal, by=cast.peer.user)
    assert MentorAssignment.objects.get(pk=proposal.pk).is_active


# --- saying no --------------------------------------------------------------------------------


def test_the_peer_says_no_without_a_reason(cast):
    proposal = services.propose_mentor(peer=cast.peer, mentor=cast.mentor, by=cast.team_lead.user)
    client = cast.client_for(cast.peer)
    url = reverse("mentoring:proposal_decline", args=[proposal.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == MentorAssignment.State.DECLINED
    assert not has_mentor(cast.peer)
    # Who said no is not recorded against her; the others learn only that it will not go ahead.
    assert AuditEvent.objects.get(action="mentor.declined").actor is None
    assert "mentoring.mentor_proposal_closed" in _kinds(cast.mentor.user)
    assert "mentoring.mentor_proposal_closed" in _kinds(cast.team_lead.user)
    # Declining is asking for someone else: the lead sees that she asks.
    assert MentorRequest.objects.get(peer=cast.peer).reason == ""


def test_the_peers_reason_stays_hers(cast):
    proposal = services.propose_mentor(peer=cast.peer, mentor=cast.mentor, by=cast.team_lead.user)
    url = reverse("mentoring:proposal_decline", args=[proposal.pk])
    assert cast.client_for(cast.peer).post(url, {"reason": REASON}).status_code == 302
    assert MentorRequest.objects.get(peer=cast.peer).reason == REASON
    # Her own page shows it to her.
    assert REASON in cast.client_for(cast.peer).get(reverse("mentoring:my_irritations")).content.decode()
    # Nobody else reads it anywhere: pages, notifications, the audit trail, the others' exports.
    lead = cast.client_for(cast.team_lead)
    history = lead.get(reverse("mentoring:peer_history", args=[cast.peer.pk])).content.decode()
    assert "um eine*n andere*n Mentor*in gebeten" in history and REASON not in history
    overview = lead.get(reverse("mentoring:lead_overview")).content.decode()
    assert "Bittet um eine*n andere*n Mentor*in" in overview and REASON not in overview
    mentor = cast.client_for(cast.mentor)
    assert REASON not in mentor.get(reverse("mentoring:proposal", args=[proposal.pk])).content.decode()
    assert all(REASON not in str(n.context) for n in Notification.objects.all())
    assert all(REASON not in str(e.detail) for e in AuditEvent.objects.all())
    from tandem.privacy import export_for

    assert REASON in str(export_for(cast.peer.user))
    for other in (cast.mentor, cast.team_lead):
        assert REASON not in str(export_for(other.user))


def test_the_mentor_says_no_and_the_peer_learns_only_that_it_will_not_go_ahead(cast):
    proposal = services.propose_mentor(peer=cast.peer, mentor=cast.mentor, by=cast.team_lead.user)
    response = cast.client_for(cast.mentor).post(reverse("mentoring:proposal_decline", args=[proposal.pk]), {"reason": "x"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == MentorAssignment.State.DECLINED
    note = Notification.objects.get(recipient=cast.peer.user, kind="mentoring.mentor_proposal_closed", channel="in_app")
    assert set(note.context) == {"peer_name", "mentor_name"}
    assert not MentorRequest.objects.exists()


def test_a_lead_withdraws_a_proposal(cast):
    proposal = services.propose_mentor(peer=cast.peer, mentor=cast.mentor, by=cast.team_lead.user)
    response = cast.client_for(cast.org_admin).post(reverse("mentoring:proposal_decline", args=[proposal.pk]))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == MentorAssignment.State.DECLINED
    assert AuditEvent.objects.filter(action="mentor.proposal_withdrawn", actor=cast.org_admin.user).exists()


def test_a_new_proposal_replaces_the_waiting_one(cast):
    first = services.propose_mentor(peer=cast.peer, mentor=cast.mentor, by=cast.team_lead.user)
    second = services.propose_mentor(peer=cast.peer, mentor=cast.other_mentor, by=cast.team_lead.user)
    first.refresh_from_db()
    assert first.state == MentorAssignment.State.DECLINED and second.is_proposed
    with pytest.raises(ValidationError):
        services.accept_mentoring(assignment=first, by=cast.peer.user)
    with pytest.raises(ValidationError):
        services.propose_mentor(peer=cast.peer, mentor=cast.other_mentor, by=cast.team_lead.user)


# --- the peer asks for a (different) mentor ------------------------------------------------------------


def test_the_peer_asks_for_a_different_mentor_and_the_lead_sees_it_without_the_reason(cast, assignment):
    client = cast.client_for(cast.peer)
    assert client.get(reverse("mentoring:request_mentor")).status_code == 200
    response = client.post(reverse("mentoring:request_mentor"), {"reason": REASON})
    assert response.status_code == 302
    request = MentorRequest.objects.get(peer=cast.peer)
    assert request.is_open and request.reason == REASON
    # Her mentoring goes on until a new one is agreed.
    assert selectors.current_mentor(cast.peer) == cast.mentor
    note = Notification.objects.get(recipient=cast.team_lead.user, kind="mentoring.mentor_requested", channel="in_app")
    assert REASON not in str(note.context)
    assert REASON not in cast.client_for(cast.team_lead).get(note.url).content.decode()
    # A new mentoring, once agreed, answers her request.
    agreed_through_services(cast.peer, cast.other_mentor, by=cast.team_lead.user)
    request.refresh_from_db()
    assert not request.is_open


def test_the_peer_names_whom_she_would_like_and_that_mentor_agrees(cast):
    response = cast.client_for(cast.peer).post(reverse("mentoring:request_mentor"), {"mentor": cast.other_mentor.pk})
    assert response.status_code == 302
    proposal = MentorAssignment.objects.proposed().get(peer=cast.peer)
    assert proposal.mentor == cast.other_mentor and proposal.peer_accepted_at is not None
    assert proposal.assigned_by == cast.peer.user
    assert "mentoring.mentee_proposed" in _kinds(cast.other_mentor.user)
    assert not has_mentor(cast.peer)
    assert _accept(cast.client_for(cast.other_mentor), proposal).status_code == 302
    assert selectors.current_mentor(cast.peer) == cast.other_mentor


def test_the_peer_cannot_name_her_tandem_partner(cast, tandem):
    cast.professional.is_mentor = True
    cast.professional.save()
    response = cast.client_for(cast.peer).post(reverse("mentoring:request_mentor"), {"mentor": cast.professional.pk})
    assert response.status_code == 422
    assert not MentorAssignment.objects.exists() and not MentorRequest.objects.exists()


def test_the_peer_withdraws_her_request(cast):
    services.request_mentor(peer=cast.peer, by=cast.peer.user, reason=REASON)
    assert cast.client_for(cast.peer).post(reverse("mentoring:request_withdraw")).status_code == 302
    assert not MentorRequest.objects.filter(closed_at__isnull=True).exists()


def test_only_the_peer_herself_asks(cast):
    with pytest.raises(ValidationError):
        services.request_mentor(peer=cast.peer, by=cast.team_lead.user)
    assert cast.client_for(cast.team_lead).post(reverse("mentoring:request_mentor")).status_code == 404
    assert not MentorRequest.objects.exists()


def test_a_peer_of_another_organisation_cannot_name_our_mentor(cast):
    other = member(cast.outsider_organisation, is_peer=True)
    response = cast.client_for(other).post(reverse("mentoring:request_mentor"), {"mentor": cast.mentor.pk})
    assert response.status_code == 422
    assert not MentorAssignment.objects.exists()


def test_a_reason_that_is_too_long_saves_nothing(cast):
    response = cast.client_for(cast.peer).post(reverse("mentoring:request_mentor"), {"reason": "x" * 2001})
    assert response.status_code == 422
    assert not MentorRequest.objects.exists()


def test_irritations_are_never_counted_by_a_proposal(cast):
    proposed_mentoring(cast.peer, cast.mentor)
    raise_irritation(cast, mode=Irritation.StartMode.MENTOR_NOW)
    assert not Irritation.objects.filter(mentor=cast.mentor).exists()


def test_the_start_page_asks_each_for_her_answer_and_tells_the_lead_who_asks(cast):
    proposal = services.propose_mentor(peer=cast.peer, mentor=cast.mentor, by=cast.team_lead.user)
    services.request_mentor(peer=cast.other_peer, by=cast.other_peer.user, reason=REASON)
    peer_page = cast.client_for(cast.peer).get("/").content.decode()
    assert "Für Sie wird ein*e Mentor*in vorgeschlagen: Bitte nehmen Sie an oder lehnen Sie ab" in peer_page
    assert reverse("mentoring:proposal", args=[proposal.pk]) in peer_page
    mentor_page = cast.client_for(cast.mentor).get("/").content.decode()
    assert "Sie werden gefragt, ob Sie Mentor*in von 1 Genesungsbegleiter*in werden" in mentor_page
    lead_page = cast.client_for(cast.team_lead).get("/").content.decode()
    assert "1 Genesungsbegleiter*in bittet um eine*n andere*n Mentor*in" in lead_page
    assert REASON not in lead_page
    # Once she has answered, she is not asked again.
    services.accept_mentoring(assignment=proposal, by=cast.peer.user)
    assert "Bitte nehmen Sie an" not in cast.client_for(cast.peer).get("/").content.decode()
