"""The dashboard's cached body is never stale, and its irritation counts never point at a person.

The body is cached under the version of everything it counts (tandem.freshness). Each test opens
the dashboard once (which caches it), changes something the way the product does, and opens it
again: the new number must be there at once.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from mentoring import escalation
from mentoring import services as mentoring_services
from mentoring.models import Irritation
from pairing import selectors
from pairing.models import Tandem
from tests.factories import MentorAssignmentFactory, TeamFactory, member
from tests.mentoring.conftest import raise_irritation

DAY0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _cell(body: str, team_name: str, column: int) -> str:
    """The text of one cell (0 = peers) of a team's row."""
    row = re.search(rf"<th scope=\"row\">{re.escape(team_name)}<br>.*?</tr>", body, re.S)
    assert row, f"no row for {team_name}"
    cells = re.findall(r"<td>(.*?)</td>", row.group(0), re.S)
    return re.sub(r"<[^>]+>", "", cells[column]).strip()


def _dashboard(cast, **params) -> str:
    response = cast.client_for(cast.team_lead).get(reverse("tandems:dashboard"), params)
    assert response.status_code == 200
    return response.content.decode()


def _irritations(body: str, team: str) -> str:
    return _cell(body, team, -1)


def test_a_new_tandem_is_counted_at_once(cast):
    before = _dashboard(cast)
    assert _cell(before, "Team A", 2 + list(Tandem.State.values).index("proposed")) == "0"
    Tandem.objects.create(organisation=cast.organisation, team=cast.team, peer=cast.peer,
                          professional=cast.professional, state="proposed")
    after = _dashboard(cast)
    assert _cell(after, "Team A", 2 + list(Tandem.State.values).index("proposed")) == "1"


def test_a_peer_who_leaves_is_not_counted_the_next_moment(cast):
    from accounts.services import end_membership

    assert _cell(_dashboard(cast), "Team A", 0) == "2"
    # Ends her team memberships with a queryset update (no signals) in the same transaction.
    end_membership(membership=cast.other_peer, by=cast.org_admin.user)
    assert _cell(_dashboard(cast), "Team A", 0) == "1"


def test_an_assigned_mentor_leaves_the_without_mentor_count(cast):
    column = 2 + len(Tandem.State.values)
    assert _cell(_dashboard(cast), "Team A", column) == "2"
    MentorAssignmentFactory(organisation=cast.organisation, peer=cast.peer, mentor=cast.mentor)  # both agreed
    assert _cell(_dashboard(cast), "Team A", column) == "1"


def test_an_escalation_sweep_shows_in_the_irritation_counts_at_once(cast):
    """The sweep writes irritations in bulk (no signals); the counts still move."""
    member(cast.organisation, team=cast.team, is_peer=True)  # three peers: the counts are shown
    with time_machine.travel(DAY0, tick=False):
        MentorAssignmentFactory(organisation=cast.organisation, peer=cast.peer, mentor=cast.mentor,
                                started_on=DAY0.date())
        raise_irritation(cast, mode=Irritation.StartMode.SELF_FIRST)
    later = DAY0 + dt.timedelta(days=8)
    with time_machine.travel(later, tick=False):
        from accounts.models import TeamMembership

        TeamMembership.objects.update(started_on=dt.date(2026, 1, 1))
        assert _irritations(_dashboard(cast), "Team A") == "0 / 0"
        assert escalation.escalate_due() == 1
        assert _irritations(_dashboard(cast), "Team A") == "1 / 1"
        irritation = Irritation.objects.get()
        mentoring_services.resolve(irritation=irritation, by=cast.peer.user)
        assert _irritations(_dashboard(cast), "Team A") == "0 / 0"


def test_the_next_day_counts_what_became_overdue_without_any_write(cast):
    column = 3 + len(Tandem.State.values)
    today = timezone.localdate()
    Tandem.objects.create(organisation=cast.organisation, team=cast.team, peer=cast.peer,
                          professional=cast.professional, state="active", started_on=today, activated_on=today)
    assert _cell(_dashboard(cast), "Team A", column) == "0"
    with time_machine.travel(timezone.now() + dt.timedelta(weeks=30), tick=False):
        assert _cell(_dashboard(cast), "Team A", column) == "2"


def test_the_body_follows_the_reader_s_language(cast):
    german = _dashboard(cast)
    assert "Teams mit weniger als zwei Peers" in german or "Übersicht" in german
    cast.team_lead.user.preferred_language = "en"
    cast.team_lead.user.save()
    english = _dashboard(cast)
    assert "Overview" in english and "Übersicht" not in english


# --- small numbers ------------------------------------------------------------------------------


@pytest.fixture
def three_teams(cast, monkeypatch):
    """Team A (the cast's, two peers), Team B and Team C with three peers each, and their counts."""
    team_b = TeamFactory(service=cast.service, name="Team B")
    team_c = TeamFactory(service=cast.service, name="Team C")
    for team in (team_b, team_c):
        for _ in range(3):
            member(cast.organisation, team=team, is_peer=True)
    counts = {cast.team.pk: {"open": 1, "escalated": 0}, team_b.pk: {"open": 2, "escalated": 1},
              team_c.pk: {"open": 4, "escalated": 2}}
    monkeypatch.setattr(selectors, "irritation_counts", lambda ids: {pk: counts[pk] for pk in ids if pk in counts})
    return team_b, team_c


def test_irritation_counts_of_a_team_with_fewer_than_three_peers_are_withheld(cast, three_teams):
    body = _dashboard(cast)
    # Two peers in Team A: her one irritation would point at one of them.
    assert _irritations(body, "Team A") == "weniger als 3 Peers"
    # Team B's would let one work out Team A's from the organisation's total: withheld as well.
    assert _irritations(body, "Team B") == "zurückgehalten"
    assert _irritations(body, "Team C") == "4 / 2"
    assert "1 / 0" not in body and "2 / 1" not in body


@pytest.mark.parametrize("team", ["Team A", "Team B"])
def test_a_filter_to_one_team_withholds_what_the_whole_view_withholds(cast, three_teams, team):
    from accounts.models import Team

    team_pk = Team.objects.get(name=team).pk
    body = _dashboard(cast, team=team_pk)
    assert _irritations(body, team) in {"weniger als 3 Peers", "zurückgehalten"}
