"""Nobody is both the mentor and the tandem partner of a peer, on any path; rule 1 holds while the peer
works (ending her mentoring warns); proposing a mentor from the tandem proposal leads back to it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mentoring import services as mentoring
from mentoring.models import MentorAssignment
from pairing import rules, services
from pairing.models import Tandem
from tests.factories import MentorAssignmentFactory, proposed_mentoring


@pytest.fixture
def professional_mentor(cast):
    """The cast's professional also holds the mentor role."""
    cast.professional.is_mentor = True
    cast.professional.save()
    return cast.professional


def _propose_tandem(cast, professional=None, **extra):
    return services.propose(
        team=cast.team, peer=cast.peer, professional=professional or cast.professional, by=cast.team_lead.user,
        accept_warnings=True, **extra,
    )


# --- the rule function ---------------------------------------------------------------------------


def test_the_rule_refuses_the_mentor_as_partner_and_the_partner_as_mentor(cast, professional_mentor, make_tandem):
    MentorAssignmentFactory(peer=cast.peer, mentor=professional_mentor)
    assert rules.mentor_partner_rule(cast.peer, professional_mentor, becoming="partner").refuses
    assert not rules.mentor_partner_rule(cast.peer, cast.mentor, becoming="partner").refuses
    MentorAssignment.objects.all().delete()
    make_tandem(Tandem.State.ACTIVE)
    assert rules.mentor_partner_rule(cast.peer, professional_mentor, becoming="mentor").refuses
    assert not rules.mentor_partner_rule(cast.other_peer, professional_mentor, becoming="mentor").refuses


def test_an_ended_tandem_or_mentoring_does_not_count(cast, professional_mentor, make_tandem):
    make_tandem(Tandem.State.ENDED)
    assert not rules.mentor_partner_rule(cast.peer, professional_mentor, becoming="mentor").refuses
    from django.utils import timezone

    MentorAssignmentFactory(peer=cast.peer, mentor=professional_mentor, ended_on=timezone.localdate())
    assert not rules.mentor_partner_rule(cast.peer, professional_mentor, becoming="partner").refuses


# --- proposing a tandem ------------------------------------------------------------------------------


def test_a_tandem_with_her_current_mentor_is_refused(cast, professional_mentor):
    MentorAssignmentFactory(peer=cast.peer, mentor=professional_mentor)
    with pytest.raises(ValidationError) as refused:
        _propose_tandem(cast)
    assert "professional" in refused.value.error_dict
    assert not Tandem.objects.exists()


def test_a_tandem_with_her_proposed_mentor_is_refused(cast, professional_mentor, mentored):
    # Her current mentor is someone else; the professional is proposed and may still agree.
    proposed_mentoring(cast.peer, professional_mentor)
    with pytest.raises(ValidationError):
        _propose_tandem(cast)
    assert not Tandem.objects.exists()


def test_the_proposal_page_refuses_her_mentor_in_german(cast, professional_mentor):
    MentorAssignmentFactory(peer=cast.peer, mentor=professional_mentor)
    response = cast.client_for(cast.team_lead).post(
        reverse("tandems:propose"),
        {"team": cast.team.pk, "peer": cast.peer.pk, "professional": cast.professional.pk, "accept_warnings": "on"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "kann daher nicht ihr*e Tandempartner*in sein" in body
    assert not Tandem.objects.exists()


# --- confirming a tandem -----------------------------------------------------------------------------


def test_confirming_is_refused_when_the_partner_became_her_mentor(cast, professional_mentor, make_tandem):
    tandem = make_tandem(Tandem.State.PROPOSED)
    # Created before the rule was asked on this path (e.g. data from an older version).
    MentorAssignmentFactory(peer=cast.peer, mentor=professional_mentor)
    with pytest.raises(ValidationError):
        services.confirm(tandem=tandem, by=cast.peer)
    response = cast.client_for(cast.professional).post(reverse("tandems:confirm", args=[tandem.pk]))
    assert response.status_code in (302, 422)
    tandem.refresh_from_db()
    assert tandem.state == Tandem.State.PROPOSED
    assert tandem.peer_confirmed_at is None and tandem.professional_confirmed_at is None


def test_activation_is_refused_when_the_partner_was_proposed_as_mentor_meanwhile(cast, professional_mentor, make_tandem, mentored):
    tandem = make_tandem(Tandem.State.GETTING_TO_KNOW)
    services.confirm(tandem=tandem, by=cast.peer)
    MentorAssignmentFactory(peer=cast.peer, mentor=professional_mentor, proposed=True)
    with pytest.raises(ValidationError):
        services.confirm(tandem=tandem, by=cast.professional)
    tandem.refresh_from_db()
    assert tandem.state != Tandem.State.ACTIVE


# --- proposing and accepting a mentor -----------------------------------------------------------------


def test_proposing_her_tandem_partner_as_mentor_is_refused(cast, professional_mentor, make_tandem):
    make_tandem(Tandem.State.PROPOSED)
    with pytest.raises(ValidationError):
        mentoring.propose_mentor(peer=cast.peer, mentor=professional_mentor, by=cast.team_lead.user)
    assert not MentorAssignment.objects.exists()


def test_accepting_is_refused_when_the_mentor_became_her_partner(cast, professional_mentor, make_tandem):
    proposal = mentoring.propose_mentor(peer=cast.peer, mentor=professional_mentor, by=cast.team_lead.user)
    make_tandem(Tandem.State.ACTIVE)
    for person in (cast.peer, professional_mentor):
        with pytest.raises(ValidationError):
            mentoring.accept_mentoring(assignment=proposal, by=person.user)
    proposal.refresh_from_db()
    assert proposal.is_proposed and proposal.peer_accepted_at is None and proposal.mentor_accepted_at is None


# --- rule 1 while working: ending a mentoring warns -------------------------------------------------


def test_ending_the_mentoring_of_a_peer_in_an_active_tandem_warns(cast, make_tandem):
    assignment = MentorAssignmentFactory(peer=cast.peer, mentor=cast.mentor)
    make_tandem(Tandem.State.ACTIVE)
    url = reverse("mentoring:assignment_end", args=[assignment.pk])
    body = cast.client_for(cast.team_lead).get(url).content.decode()
    assert f"{cast.peer.user.display_name} arbeitet in 1 aktiven Tandem." in body
    assert "nicht nur davor" in body
    # A warning, not a refusal: the lead can still end it.
    assert cast.client_for(cast.team_lead).post(url).status_code == 302
    assignment.refresh_from_db()
    assert assignment.ended_on is not None


def test_ending_the_mentoring_of_a_peer_without_active_tandem_does_not_warn(cast, make_tandem):
    assignment = MentorAssignmentFactory(peer=cast.peer, mentor=cast.mentor)
    make_tandem(Tandem.State.ENDED)
    body = cast.client_for(cast.team_lead).get(reverse("mentoring:assignment_end", args=[assignment.pk])).content.decode()
    assert "aktiven Tandem" not in body
    assert rules.warnings_before_losing_mentor(cast.peer) == []


# --- from the proposal to a mentor and back ------------------------------------------------------


def test_the_lead_returns_to_the_proposal_after_proposing_a_mentor(cast):
    client = cast.client_for(cast.team_lead)
    query = {"team": cast.team.pk, "peer": cast.peer.pk, "professional": cast.professional.pk}
    page = client.get(reverse("tandems:propose"), query)
    rule_1 = next(e for e in page.context["explanations"] if e.rule == 1)
    assert rule_1.refuses and "next=" in rule_1.link
    assign_page = client.get(rule_1.link)
    assert assign_page.status_code == 200
    response = client.post(rule_1.link, {"peer": cast.peer.pk, "mentor": cast.mentor.pk, "check_in_every_weeks": 4})
    assert response.status_code == 302
    proposal_url = f"{reverse('tandems:propose')}?team={cast.team.pk}&peer={cast.peer.pk}&professional={cast.professional.pk}"
    assert response.url == proposal_url
    assert MentorAssignment.objects.proposed().filter(peer=cast.peer, mentor=cast.mentor).exists()


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "http://testserver/x"]
)
def test_an_unsafe_next_is_ignored(cast, target):
    client = cast.client_for(cast.team_lead)
    url = f"{reverse('mentoring:assign')}?peer={cast.peer.pk}"
    response = client.post(url + "&next=" + target, {"peer": cast.peer.pk, "mentor": cast.mentor.pk, "check_in_every_weeks": 4})
    assert response.status_code == 302
    assert response.url == reverse("mentoring:peer_history", args=[cast.peer.pk])


def test_the_without_mentor_page_links_back_to_itself(cast):
    body = cast.client_for(cast.team_lead).get(reverse("tandems:without_mentor")).content.decode()
    assert "next=%2Ftandems%2Fwithout-mentor%2F" in body


def test_a_suggestion_names_the_rule_for_her_proposed_mentor(cast, professional_mentor, mentored):
    from pairing.selectors import suggest

    proposed_mentoring(cast.peer, professional_mentor)
    suggestion = next(s for s in suggest(team=cast.team, peer=cast.peer) if s.candidate == professional_mentor)
    assert rules.mentor_partner_rule(cast.peer, professional_mentor, becoming="partner").message in suggestion.concerns
    assert "No rule of practice is broken." not in suggestion.reasons
