"""List pages use a fixed number of queries, however many rows they show."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import CheckIn, MentorAssignment
from tests.factories import member

from .conftest import raise_irritation


def _peers(cast, n: int) -> list:
    peers = []
    for _ in range(n):
        peer = member(cast.organisation, team=cast.team, is_peer=True)
        assignment = MentorAssignment.objects.create(organisation=cast.organisation, peer=peer, mentor=cast.mentor)
        CheckIn.objects.create(assignment=assignment, held_on=timezone.localdate() - dt.timedelta(days=3),
                               recorded_by=cast.mentor.user)
        raise_irritation(cast, peer=peer)
        peers.append(peer)
    return peers


def _count(django_assert_num_queries, client, url: str, expected: int) -> None:
    # The first request warms per-process caches (content types, session); count the second.
    assert client.get(url).status_code == 200
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


MENTEES_QUERIES = 9
LEAD_QUERIES = 12
MINE_QUERIES = 11


@pytest.mark.parametrize("rows", [3, 30])
def test_mentees_page_query_count_does_not_grow(cast, django_assert_num_queries, rows):
    _peers(cast, rows)
    _count(django_assert_num_queries, cast.client_for(cast.mentor), reverse("mentoring:mentees"), MENTEES_QUERIES)


@pytest.mark.parametrize("rows", [3, 30])
def test_lead_overview_query_count_does_not_grow(cast, django_assert_num_queries, rows):
    _peers(cast, rows)
    _count(django_assert_num_queries, cast.client_for(cast.team_lead), reverse("mentoring:lead_overview"), LEAD_QUERIES)


@pytest.mark.parametrize("rows", [3, 30])
def test_my_irritations_query_count_does_not_grow(cast, assignment, django_assert_num_queries, rows):
    for _ in range(rows):
        raise_irritation(cast)
    _count(django_assert_num_queries, cast.client_for(cast.peer), reverse("mentoring:my_irritations"), MINE_QUERIES)
