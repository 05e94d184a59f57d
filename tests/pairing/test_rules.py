"""The rules of practice, as the form, the dashboard and the tests see them."""

from __future__ import annotations

from accounts.models import PlacementConflict, TeamMembership
from pairing import rules
from pairing.models import PairingSettings, Tandem
from tests.factories import member


def test_rule_1_peer_without_mentor_is_refused_with_a_link(cast):
    explanation = rules.mentor_rule(cast.peer)
    assert not explanation.ok and explanation.refuses
    assert cast.peer.user.display_name in explanation.message


def test_rule_1_peer_with_mentor_passes(mentored):
    assert rules.mentor_rule(mentored.peer).ok


def test_rule_2_team_with_one_peer_is_flagged(cast):
    TeamMembership.objects.filter(membership=cast.other_peer).delete()
    explanation = rules.two_peers_rule(cast.team)
    assert not explanation.ok and explanation.warns and not explanation.refuses
    assert rules.two_peers_rule(cast.team, peer_count=2).ok


def test_rule_2_warns_before_a_peer_leaves_a_team_of_two(cast, make_tandem):
    make_tandem(Tandem.State.ACTIVE)
    leaving = TeamMembership.objects.get(membership=cast.peer, team=cast.team)
    warnings = rules.warnings_before_leaving_team(leaving)
    assert len(warnings) == 2  # one peer left, and an open tandem
    assert "1" in warnings[0]


def test_rule_2_no_warning_when_enough_peers_remain(cast):
    member(cast.organisation, team=cast.team, is_peer=True)
    leaving = TeamMembership.objects.get(membership=cast.peer, team=cast.team)
    assert rules.warnings_before_leaving_team(leaving) == []


def test_rule_3_placement_conflict_refuses_without_justification_and_says_nothing_more(cast):
    PlacementConflict.objects.create(peer=cast.peer, service=cast.service)
    explanation = rules.placement_rule(cast.peer, cast.service)
    assert explanation.refuses
    assert cast.service.name not in explanation.message
    assert rules.placement_rule(cast.peer, cast.service, justification="Long ago, other ward").ok


def test_rule_3_conflict_elsewhere_does_not_count(cast):
    PlacementConflict.objects.create(peer=cast.peer, service=cast.other_service)
    assert rules.placement_rule(cast.peer, cast.service).ok


def test_rule_4_capacity_warns_over_the_limit(cast, make_tandem):
    PairingSettings.objects.create(organisation=cast.organisation, max_active_per_peer=1)
    make_tandem(Tandem.State.ACTIVE)
    other = member(cast.organisation, team=cast.team, is_professional=True)
    explanation = rules.capacity_rule(cast.peer, other, settings=PairingSettings.for_organisation(cast.organisation))
    assert explanation.warns
    assert "1" in explanation.message


def test_rule_5_second_open_tandem_of_the_pair_is_refused(cast, make_tandem):
    assert rules.pair_rule(cast.peer, cast.professional).ok
    make_tandem(Tandem.State.PROPOSED)
    assert rules.pair_rule(cast.peer, cast.professional).refuses


def test_rule_5_an_ended_tandem_does_not_count(cast, make_tandem):
    make_tandem(Tandem.State.ENDED)
    assert rules.pair_rule(cast.peer, cast.professional).ok


def test_check_proposal_returns_all_six_rules_in_order(mentored):
    explanations = rules.check_proposal(team=mentored.team, peer=mentored.peer, professional=mentored.professional)
    assert [e.rule for e in explanations] == [1, 2, 3, 4, 5, 6]
    assert all(e.ok for e in explanations)


def test_accounts_warns_before_a_peer_leaves_the_team(cast, make_tandem):
    from django.urls import reverse

    make_tandem(Tandem.State.ACTIVE)
    leaving = TeamMembership.objects.get(membership=cast.peer, team=cast.team)
    response = cast.client_for(cast.team_lead).get(reverse("accounts:team_membership_end", args=[leaving.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Mindestens zwei Genesungsbegleiter*innen" in body
    assert "offenes Tandem" in body


def test_no_count_of_zero_is_shown_to_a_person(cast, make_tandem):
    """ "has only 0 peers" reads like a placeholder: a team without peers is said in words."""
    from django.utils import translation

    TeamMembership.objects.filter(membership=cast.other_peer).delete()
    only = TeamMembership.objects.get(membership=cast.peer, team=cast.team)
    tandem = make_tandem(Tandem.State.ACTIVE)
    with translation.override("de"):
        leaving = rules.warnings_before_leaving_team(only)
        ending = rules.warnings_before_ending(tandem)
        empty = rules.two_peers_rule(cast.team, peer_count=0).message
    assert leaving and ending
    for text in [*leaving, *ending, empty]:
        assert " 0 " not in text, text
    assert f"Danach arbeitet in {cast.team.name} keine*r Genesungsbegleiter*in mehr." in leaving[0]
    assert "mehr im Tandem" in ending[0]
    assert "noch keine*r Genesungsbegleiter*in" in empty
