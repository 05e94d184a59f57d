"""Suggestions: a ranked list with reasons, for a peer and the other way round."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import translation

from accounts.models import PlacementConflict
from pairing import selectors
from pairing.models import Tandem
from tests.factories import MentorAssignmentFactory, member
from tests.queries import assert_constant_queries


def test_professionals_for_a_peer_are_ranked_by_rules_and_load(mentored, make_tandem):
    cast = mentored
    busy = member(cast.organisation, team=cast.team, is_professional=True, email="busy@example.org")
    make_tandem(Tandem.State.ACTIVE, peer=cast.other_peer, professional=busy)
    paired = cast.professional
    make_tandem(Tandem.State.ACTIVE, peer=cast.peer, professional=paired)
    free = member(cast.organisation, team=cast.team, is_professional=True, email="free@example.org")
    with translation.override("de"):
        results = selectors.suggest(team=cast.team, peer=cast.peer)
    assert [s.candidate for s in results] == [free, busy, paired]
    assert "Keine Praxisregel wird verletzt." in results[0].reasons
    assert results[2].concerns  # already an open tandem with this peer


def test_mentor_is_ranked_after_others(mentored):
    cast = mentored
    cast.mentor.team_memberships.create(team=cast.team, function="professional")
    results = selectors.suggest(team=cast.team, peer=cast.peer)
    assert results[-1].candidate == cast.mentor
    assert results[-1].concerns


def test_peers_for_a_professional_show_missing_mentor_and_placement_conflict(cast):
    MentorAssignmentFactory(organisation=cast.organisation, peer=cast.peer, mentor=cast.mentor)
    PlacementConflict.objects.create(peer=cast.other_peer, service=cast.service)
    results = selectors.suggest(team=cast.team, professional=cast.professional)
    assert [s.candidate for s in results] == [cast.peer, cast.other_peer]
    assert len(results[1].concerns) == 2
    assert cast.service.name not in " ".join(results[1].concerns)


def test_suggestion_page_links_to_a_prefilled_proposal(mentored):
    cast = mentored
    client = cast.client_for(cast.team_lead)
    response = client.get(reverse("tandems:suggestions"), {"team": cast.team.pk, "peer": cast.peer.pk})
    assert response.status_code == 200
    link = f"{reverse('tandems:propose')}?team={cast.team.pk}&amp;peer={cast.peer.pk}&amp;professional={cast.professional.pk}"
    assert link in response.content.decode()
    response = client.get(reverse("tandems:propose"), {"team": cast.team.pk, "peer": cast.peer.pk, "professional": cast.professional.pk})
    assert response.status_code == 200
    assert [e.rule for e in response.context["explanations"]] == [1, 2, 3, 4, 5, 6]


def test_suggestions_for_a_person_outside_the_team_are_404(cast):
    response = cast.client_for(cast.team_lead).get(reverse("tandems:suggestions"), {"team": cast.team.pk, "peer": cast.mentor.pk})
    assert response.status_code == 404


def test_suggestion_page_query_count_is_pinned(mentored):
    cast = mentored
    professionals = []

    def candidates(n: int) -> None:
        for _ in range(n):
            pro = member(cast.organisation, team=cast.team, is_professional=True)
            if len(professionals) % 2:
                Tandem.objects.create(organisation=cast.organisation, team=cast.team, peer=cast.other_peer, professional=pro, state="active")
            professionals.append(pro)

    url = reverse("tandems:suggestions") + "?" + urlencode({"team": cast.team.pk, "peer": cast.peer.pk})
    responses = assert_constant_queries(cast.client_for(cast.team_lead), url, candidates, expected=22)  # incl. her current and proposed mentors (rule 6)
    assert {n: len(response.context["results"]) for n, response in responses[url].items()} == {3: 4, 30: 31}
