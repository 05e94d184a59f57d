"""The team lead dashboard: numbers per team (never irritation content), filters, pinned queries."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from pairing import selectors
from pairing.models import SupportProcess, Tandem
from tandem import freshness
from tests.factories import MentorAssignmentFactory, ServiceFactory, TeamFactory, member
from tests.queries import assert_constant_queries, pinned_queries


def _populate(cast, n_teams: int, *, first: int = 0) -> None:
    """``n_teams`` teams, each with two peers, a professional, tandems in several states and a support process."""
    today = timezone.localdate()
    for i in range(first, first + n_teams):
        team = TeamFactory(service=cast.service if i % 2 else cast.other_service, name=f"Team {i:02d}")
        peer = member(cast.organisation, team=team, is_peer=True)
        peer2 = member(cast.organisation, team=team, is_peer=True)
        pro = member(cast.organisation, team=team, is_professional=True)
        MentorAssignmentFactory(organisation=cast.organisation, peer=peer, mentor=cast.mentor)
        active = Tandem.objects.create(
            organisation=cast.organisation, team=team, peer=peer, professional=pro, state="active",
            started_on=today - dt.timedelta(weeks=20), activated_on=today - dt.timedelta(weeks=20),
        )
        Tandem.objects.create(organisation=cast.organisation, team=team, peer=peer2, professional=pro, state="proposed")
        SupportProcess.objects.create(
            organisation=cast.organisation, tandem=active, client_code=f"K-{i:04d}",
            started_on=today - dt.timedelta(days=330), planned_end_on=today + dt.timedelta(days=35),
        )


# Rendering afresh (the body is not cached, or what it counts has changed) ...
DASHBOARD_QUERIES = 16
# ... and again while nothing it counts has changed: the floor of a signed-in page (session,
# user, membership, the navigation's unread count, the session's save) and nothing else.
DASHBOARD_QUERIES_CACHED = 7


def _teams(cast):
    """``add(n)``: n more populated teams."""
    added = []

    def add(n: int) -> None:
        _populate(cast, n, first=len(added))
        added.extend(range(n))

    return add


def test_dashboard_query_count_does_not_grow_with_teams(cast, monkeypatch):
    monkeypatch.setattr(freshness, "enabled", lambda: False)
    url = reverse("tandems:dashboard")
    responses = assert_constant_queries(cast.client_for(cast.team_lead), url, _teams(cast), expected=DASHBOARD_QUERIES)
    assert {n: len(response.context["rows"]) for n, response in responses[url].items()} == {3: 4, 30: 31}


def test_dashboard_seen_again_unchanged_costs_the_floor_only(cast):
    client = cast.client_for(cast.team_lead)
    url = reverse("tandems:dashboard")
    add = _teams(cast)
    for size, more in ((3, 3), (30, 27)):
        add(more)
        fresh = client.get(url).content.decode()  # what was counted changed: rendered afresh
        with pinned_queries(DASHBOARD_QUERIES_CACHED, where=f"the dashboard again, {size} teams added"):
            again = client.get(url).content.decode()
        csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')  # per request, outside the cached body
        assert csrf.sub("", again) == csrf.sub("", fresh)
        assert again.count("<tr>") == size + 2  # the header, Team A and the teams added


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
    member(cast.organisation, team=cast.team, is_peer=True)  # three peers could be behind the numbers
    monkeypatch.setattr(selectors, "irritation_counts", lambda ids: {cast.team.pk: {"open": 4, "escalated": 1}})
    response = cast.client_for(cast.team_lead).get(reverse("tandems:dashboard"))
    row = next(r for r in response.context["rows"] if r.team == cast.team)
    assert (row.irritations_open, row.irritations_escalated) == (4, 1)
    assert "4 / 1" in response.content.decode()


def test_irritation_counts_come_from_mentoring(cast):
    assert selectors.irritation_counts([cast.team.pk]) == {cast.team.pk: {"open": 0, "escalated": 0}}


def test_lists_behind_the_numbers_have_pinned_query_counts(cast):
    pages = {
        reverse("tandems:list"): 9,
        reverse("tandems:without_mentor"): 9,
        reverse("tandems:overdue_reflections"): 8,
        reverse("tandems:support_list") + "?ending=1": 9,
    }
    responses = assert_constant_queries(cast.client_for(cast.team_lead), pages, _teams(cast))
    for by_size in responses.values():
        assert all(len(response.context["page"]) > 0 for response in by_size.values())
