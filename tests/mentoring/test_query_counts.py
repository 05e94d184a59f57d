"""List pages use a fixed number of queries, however many rows they show."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from mentoring.models import CheckIn
from tests.factories import MentorAssignmentFactory, member
from tests.queries import assert_constant_queries

from .conftest import raise_irritation


def _peers(cast, n: int) -> list:
    peers = []
    for _ in range(n):
        peer = member(cast.organisation, team=cast.team, is_peer=True)
        assignment = MentorAssignmentFactory(organisation=cast.organisation, peer=peer, mentor=cast.mentor)
        CheckIn.objects.create(assignment=assignment, held_on=timezone.localdate() - dt.timedelta(days=3),
                               recorded_by=cast.mentor.user)
        raise_irritation(cast, peer=peer)
        peers.append(peer)
    return peers


MENTEES_QUERIES = 10  # + the proposals waiting for her answer
LEAD_QUERIES = 15  # + pending proposals and open requests, + how many peers stand behind each team's counts
MINE_QUERIES = 13  # + her pending proposal and her open request


def test_mentees_page_query_count_does_not_grow(cast):
    url = reverse("mentoring:mentees")
    assert_constant_queries(cast.client_for(cast.mentor), url, lambda n: _peers(cast, n), expected=MENTEES_QUERIES)


def test_lead_overview_query_count_does_not_grow(cast):
    url = reverse("mentoring:lead_overview")
    assert_constant_queries(cast.client_for(cast.team_lead), url, lambda n: _peers(cast, n), expected=LEAD_QUERIES)


def test_my_irritations_query_count_does_not_grow(cast, assignment):
    def irritations(n: int) -> None:
        for _ in range(n):
            raise_irritation(cast)

    url = reverse("mentoring:my_irritations")
    assert_constant_queries(cast.client_for(cast.peer), url, irritations, expected=MINE_QUERIES)


DETAIL_QUERIES = 17


def test_irritation_page_query_count_does_not_grow_with_messages_or_reads(cast, assignment):
    from mentoring import services

    irritation = raise_irritation(cast)

    mentor = cast.client_for(cast.mentor)

    def rows(n: int) -> None:
        for i in range(n):
            services.post_message(irritation=irritation, by=cast.peer.user, body=f"Nachricht {i}")
            mentor.get(irritation.get_absolute_url())  # her reads: one grouped line in the history

    assert_constant_queries(cast.client_for(cast.peer), irritation.get_absolute_url(), rows, expected=DETAIL_QUERIES)
