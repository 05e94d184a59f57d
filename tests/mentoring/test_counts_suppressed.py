"""Counts of irritations shown to a team lead never point at one peer (issue 13, item 6)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from accounts.models import TeamMembership
from mentoring import stats
from tests.factories import TeamFactory, member
from tests.mentoring.conftest import normalised


def overview(cast: Any, language: str = "de") -> str:
    cast.team_lead.user.preferred_language = language
    cast.team_lead.user.save()
    return cast.client_for(cast.team_lead).get(reverse("mentoring:lead_overview")).content.decode()


def test_a_team_of_two_peers_shows_weniger_als_3_not_its_count(cast, assignment, raise_one):
    raise_one()  # team A has two peers: the cast's peer and the other peer
    counts = stats.protected_irritation_counts([cast.team.pk])
    assert counts[cast.team.pk]["open"].value is None
    assert counts[cast.team.pk]["open"].withheld == "small"
    body = overview(cast)
    assert "weniger als 3" in body
    assert "<td>1</td>" not in body


def test_the_count_of_a_lone_peer_does_not_change_when_she_raises_one(cast, assignment, raise_one):
    def counts_section() -> str:
        body = normalised(overview(cast).encode())
        return body[body.index('id="counts-heading"'):]

    before = counts_section()
    raise_one()
    assert counts_section() == before


def test_a_team_with_three_peers_shows_its_count(cast, assignment, raise_one):
    member(cast.organisation, team=cast.team, is_peer=True, email="third-peer@example.org")
    raise_one()
    counts = stats.protected_irritation_counts([cast.team.pk])
    assert counts[cast.team.pk]["open"].value == 1


def test_a_big_team_beside_a_small_one_is_withheld_too_so_the_small_one_cannot_be_recomputed(cast, assignment, raise_one):
    big = TeamFactory(service=cast.service, name="Team B")
    for n in range(4):
        peer = member(cast.organisation, team=big, is_peer=True, email=f"b{n}@example.org")
        assert TeamMembership.objects.filter(team=big, membership=peer).exists()
    raise_one()
    counts = stats.protected_irritation_counts([cast.team.pk, big.pk])
    assert counts[cast.team.pk]["open"].withheld == "small"
    assert counts[big.pk]["open"].withheld == "protecting"
    assert "zurückgehalten" in overview(cast)


def test_an_ended_peer_is_not_counted_among_the_people_behind_a_team(cast):
    third = member(cast.organisation, team=cast.team, is_peer=True, email="third-peer@example.org")
    assert stats.peers_per_team([cast.team.pk]) == {cast.team.pk: 3}
    third.is_peer = False
    third.save()
    assert stats.peers_per_team([cast.team.pk]) == {cast.team.pk: 2}


def test_the_overview_says_fewer_than_3_in_english(cast, assignment, raise_one):
    raise_one()
    assert "fewer than 3" in overview(cast, "en")
