"""The team lead dashboard: numbers per team (never irritation content), filters, pinned queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import MentorAssignment
from pairing import selectors
from pairing.models import SupportProcess, Tandem
from tests.factories import ServiceFactory, TeamFactory, member


def _populate(cast, n_teams: int) -> None:
    """``n_teams`` teams, each with two peers, a professional, tandems in several states and a support process."""
    today = timezone.localdate()
    for i in range(n_teams):
        team = TeamFactory(service=cast.service if i % 2 else cast.other_service, name=f"Team {i:02d}")
        peer = member(cast.organisation, team=team, is_peer=True)
        peer2 = member(cast.organisation, team=team, is_peer=True)
        pro = member(cast.organisation, team=team, is_professional=True)
        MentorAssignment.objects.create(organisation=cast.organisation, peer=peer, mentor=cast.mentor)
        active = Tandem.objects.create(
            organisation=cast.organisation, team=team, peer=peer, professional=pro, state="active",
            started_on=today - dt.timedelta(weeks=20), activated_on=today - dt.timedelta(weeks=20),
        )
        Tandem.objects.create(organisation=cast.organisation, team=team, peer=peer2, professional=pro, state="proposed")
        SupportProcess.objects.create(
            organisation=cast.organisation, tandem=active, client_code=f"K-{i:04d}",
            started_on=today - dt.timedelta(days=330), planned_end_on=today + dt.timedelta(days=35),
        )


DASHBOARD_QUERIES = 15


@pytest.mark.parametrize("n_teams", [3, 30])
def test_dashboard_query_count_does_not_grow_with_teams(cast, n_teams, django_assert_num_queries):
    _populate(cast, n_teams)
    client = cast.client_for(cast.team_lead)
    client.get(reverse("tandems:dashboard"))  # the first request of a session also saves the session
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("tandems:dashboard"))
    assert len(response.context["rows"]) == n_teams + 1


def test_dashboard_numbers_per_team(cast, make_tandem):
    _populate(cast, 1)
    make_tandem(Tandem.State.PAUSED)
    response = cast.client_for(cast.team_lead).get(reverse("tandems:dashboard"))
    rows = {row.team.name: row for row in response.context["rows"]}
    row = rows["Team 00"]
    assert (row.peers, row.professionals) == (2, 1)
    assert row.by_state["active"] == 1 and row.by_state["proposed"] == 1
    assert row.without_mentor == 1  # the second peer has no mentor
    assert row.overdue_reflections == 2  # active for 20 weeks, nobody reflected
    assert row.support_ending == 1
    assert not row.too_few_peers
    cast_row = rows["Team A"]
    assert cast_row.by_state["paused"] == 1
    assert cast_row.without_mentor == 2
    body = response.content.decode()
    assert f"{reverse('tandems:list')}?team={row.team.pk}&amp;state=active" in body
    assert f"{reverse('tandems:without_mentor')}?team={row.team.pk}" in body


def test_team_with_one_peer_is_flagged(cast):
    team = TeamFactory(service=cast.service, name="Einzeln")
    member(cast.organisation, team=team, is_peer=True)
    response = cast.client_for(cast.team_lead).get(reverse("tandems:dashboard"))
    row = next(r for r in response.context["rows"] if r.team == team)
    assert row.too_few_peers
    assert response.context["totals"]["lonely_teams"] == 1
    listed = cast.client_for(cast.team_lead).get(reverse("tandems:dashboard"), {"lonely": "1"})
    assert [r.team for r in listed.context["rows"]] == [team]


def test_filter_by_service_and_team(cast):
    _populate(cast, 4)
    client = cast.client_for(cast.team_lead)
    response = client.get(reverse("tandems:dashboard"), {"service": cast.other_service.pk})
    assert {r.team.service_id for r in response.context["rows"]} == {cast.other_service.pk}
    response = client.get(reverse("tandems:dashboard"), {"team": cast.team.pk})
    assert [r.team for r in response.context["rows"]] == [cast.team]


def test_filter_with_a_team_of_another_organisation_shows_an_error_not_their_data(cast):
    foreign = TeamFactory(service=ServiceFactory(organisation=cast.outsider_organisation))
    response = cast.client_for(cast.team_lead).get(reverse("tandems:dashboard"), {"team": foreign.pk})
    assert response.status_code == 200
    assert foreign.name not in response.content.decode()


def test_irritation_numbers_only_never_content(cast, monkeypatch):
    monkeypatch.setattr(selectors, "irritation_counts", lambda ids: {cast.team.pk: {"open": 4, "escalated": 1}})
    response = cast.client_for(cast.team_lead).get(reverse("tandems:dashboard"))
    row = next(r for r in response.context["rows"] if r.team == cast.team)
    assert (row.irritations_open, row.irritations_escalated) == (4, 1)
    assert "4 / 1" in response.content.decode()


def test_irritation_counts_come_from_mentoring(cast):
    assert selectors.irritation_counts([cast.team.pk]) == {cast.team.pk: {"open": 0, "escalated": 0}}


@pytest.mark.parametrize("n", [3, 30])
def test_lists_behind_the_numbers_have_pinned_query_counts(cast, n, django_assert_num_queries):
    _populate(cast, n)
    client = cast.client_for(cast.team_lead)
    expected = {"tandems:list": 9, "tandems:without_mentor": 9, "tandems:overdue_reflections": 8, "tandems:support_list": 9}
    client.get(reverse("tandems:list"))  # the first request of a session also saves the session
    for name, count in expected.items():
        with django_assert_num_queries(count):
            response = client.get(reverse(name) + ("?ending=1" if name == "tandems:support_list" else ""))
        assert response.status_code == 200
        assert len(response.context["page"]) > 0
