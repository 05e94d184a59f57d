"""Suggestions and the proposal judge a pair with the same rule functions; the proposal offers the
people of the chosen team only (team first, then people, without JavaScript)."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import timezone

from accounts.models import PlacementConflict
from mentoring.models import MentorAssignment
from pairing import rules, selectors
from pairing.models import PairingSettings, Tandem
from tests.factories import TeamFactory, member


def _propose(cast, peer, professional, team=None, **extra):
    data = {
        "team": (team or cast.team).pk,
        "peer": peer.pk,
        "professional": professional.pk,
        "started_on": timezone.localdate().isoformat(),
        **extra,
    }
    return cast.client_for(cast.team_lead).post(reverse("tandems:propose"), data)


def _options(body: str, name: str) -> set[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', body, re.S)
    assert select, f"no select {name}"
    return set(re.findall(r'<option value="(\d+)"', select.group(1)))


def test_suggestion_for_a_peer_without_mentor_says_what_the_proposal_refuses(cast):
    # Nobody has a mentor: the proposal refuses; the suggestion must not call the pair fine.
    results = selectors.suggest(team=cast.team, peer=cast.peer)
    suggestion = next(s for s in results if s.candidate == cast.professional)
    assert "Keine Praxisregel wird verletzt." not in suggestion.reasons
    assert any("keine*n aktive*n Mentor*in" in concern for concern in suggestion.concerns)
    assert any(e.link == f"{reverse('mentoring:assign')}?peer={cast.peer.pk}" for e in suggestion.broken)
    response = _propose(cast, cast.peer, cast.professional)
    assert response.status_code == 422
    assert not Tandem.objects.exists()


def test_suggestion_page_shows_the_missing_mentor_with_the_way_to_assign_one(cast):
    response = cast.client_for(cast.team_lead).get(reverse("tandems:suggestions"), {"team": cast.team.pk, "peer": cast.peer.pk})
    body = response.content.decode()
    assert "keine*n aktive*n Mentor*in" in body
    assert "Keine Praxisregel wird verletzt." not in body
    assert f"{reverse('mentoring:assign')}?peer={cast.peer.pk}" in body


def test_every_suggestion_breaks_exactly_the_rules_the_proposal_checks(mentored, make_tandem):
    cast = mentored
    # A mix: the chosen peer has a placement conflict and reaches her cap; one candidate is her
    # mentor, one already works with her, one is over the professionals' cap.
    PairingSettings.objects.create(organisation=cast.organisation, max_active_per_peer=2, max_active_per_professional=1)
    PlacementConflict.objects.create(peer=cast.peer, service=cast.service)
    cast.mentor.team_memberships.create(team=cast.team, function="professional")
    busy = member(cast.organisation, team=cast.team, is_professional=True, email="busy@example.org")
    make_tandem(Tandem.State.ACTIVE, peer=cast.other_peer, professional=busy)
    make_tandem(Tandem.State.ACTIVE, peer=cast.peer, professional=cast.professional)
    member(cast.organisation, team=cast.team, is_professional=True, email="free@example.org")
    for chosen in ({"peer": cast.peer}, {"professional": busy}, {"professional": cast.professional}):
        for suggestion in selectors.suggest(team=cast.team, **chosen):
            peer = chosen.get("peer", suggestion.candidate)
            professional = chosen.get("professional", suggestion.candidate)
            expected = [e for e in rules.check_proposal(team=cast.team, peer=peer, professional=professional) if not e.ok]
            assert suggestion.broken == expected, (peer, professional)
            assert suggestion.concerns == [e.message for e in expected]
            assert ("Keine Praxisregel wird verletzt." in suggestion.reasons) == (not expected)


def test_proposing_the_peers_mentor_as_her_tandem_partner_is_refused(mentored):
    cast = mentored
    cast.mentor.team_memberships.create(team=cast.team, function="professional")
    response = _propose(cast, cast.peer, cast.mentor, accept_warnings="on")
    assert response.status_code == 422
    assert "ist Mentor*in von" in response.content.decode()
    assert not Tandem.objects.exists()
    suggestion = next(s for s in selectors.suggest(team=cast.team, peer=cast.peer) if s.candidate == cast.mentor)
    assert [e.rule for e in suggestion.broken] == [6]


def test_proposal_starts_with_the_team_and_offers_no_people_before(cast):
    response = cast.client_for(cast.team_lead).get(reverse("tandems:propose"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'method="get"' in body and 'name="team"' in body
    assert 'name="peer"' not in body and 'name="professional"' not in body


def test_proposal_offers_only_the_people_of_the_chosen_team(mentored):
    cast = mentored
    team_b = TeamFactory(service=cast.service, name="Team B")
    stranger_peer = member(cast.organisation, team=team_b, is_peer=True, email="b-peer@example.org")
    stranger_pro = member(cast.organisation, team=team_b, is_professional=True, email="b-pro@example.org")
    response = cast.client_for(cast.team_lead).get(reverse("tandems:propose"), {"team": cast.team.pk})
    body = response.content.decode()
    assert _options(body, "peer") == {str(cast.peer.pk), str(cast.other_peer.pk)}
    assert _options(body, "professional") == {str(cast.professional.pk)}
    response = cast.client_for(cast.team_lead).get(reverse("tandems:propose"), {"team": team_b.pk})
    body = response.content.decode()
    assert _options(body, "peer") == {str(stranger_peer.pk)}
    assert _options(body, "professional") == {str(stranger_pro.pk)}


def test_a_person_outside_the_chosen_team_is_refused_with_a_clear_message(mentored):
    cast = mentored
    team_b = TeamFactory(service=cast.service, name="Team B")
    stranger = member(cast.organisation, team=team_b, is_professional=True, email="b-pro@example.org")
    response = _propose(cast, cast.peer, stranger)
    assert response.status_code == 422
    assert "arbeitet nicht in Team A" in response.content.decode()
    assert not Tandem.objects.exists()
    # The people of the other team are still the only ones offered after the error.
    assert _options(response.content.decode(), "professional") == {str(cast.professional.pk)}


def test_a_team_of_another_organisation_is_never_offered(mentored):
    cast = mentored
    foreign = TeamFactory(service__organisation=cast.outsider_organisation, name="Fremd")
    response = cast.client_for(cast.team_lead).get(reverse("tandems:propose"), {"team": foreign.pk})
    assert response.status_code == 200
    assert 'name="peer"' not in response.content.decode()
    response = _propose(cast, cast.peer, cast.professional, team=foreign)
    assert response.status_code == 422
    assert not Tandem.objects.exists()


def test_the_proposal_still_goes_through_with_the_team_chosen_first(mentored):
    cast = mentored
    response = _propose(cast, cast.peer, cast.professional)
    assert response.status_code == 302
    assert Tandem.objects.get().team == cast.team


def test_peer_without_mentor_stays_refused_by_both_paths_once_a_mentor_ends(mentored):
    cast = mentored
    MentorAssignment.objects.filter(peer=cast.peer).update(ended_on=timezone.localdate())
    suggestion = next(s for s in selectors.suggest(team=cast.team, peer=cast.peer) if s.candidate == cast.professional)
    assert [e.rule for e in suggestion.broken] == [1]
    assert _propose(cast, cast.peer, cast.professional).status_code == 422
