"""The list pages and the group page need the same number of queries for 3 rows as for 30."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision import services
from supervision.models import Session, SupervisionGroup

from ..factories import member


def _fill(cast, group: SupervisionGroup, n: int) -> None:
    now = timezone.now()
    Session.objects.bulk_create(
        Session(group=group, title=f"S{i}", starts_at=now + dt.timedelta(days=d), ends_at=now + dt.timedelta(days=d, hours=2))
        for i in range(n)
        for d in (i + 1, -i - 1)  # upcoming and past
    )
    for _ in range(n):
        services.add_member(group=group, membership=member(cast.organisation, is_peer=True), by=cast.supervisor.user)
    services.create_poll(group=group, by=cast.supervisor.user, title="P", slots=[now + dt.timedelta(days=40)])


def _groups(cast, n: int) -> None:
    for i in range(n):
        services.create_group(supervisor=cast.supervisor, name=f"G{i}", by=cast.supervisor.user)


@pytest.mark.parametrize("rows", [3, 30])
def test_group_page_query_count(cast, group, rows, django_assert_num_queries):
    _fill(cast, group, rows)
    client = cast.client_for(cast.supervisor)
    with django_assert_num_queries(QUERIES["group"]):
        assert client.get(group.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_overview_query_count(cast, group, rows, django_assert_num_queries):
    _fill(cast, group, rows)
    client = cast.client_for(cast.peer)
    with django_assert_num_queries(QUERIES["overview"]):
        assert client.get(reverse("supervision:overview")).status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_group_list_query_count(cast, rows, django_assert_num_queries):
    _groups(cast, rows)
    client = cast.client_for(cast.supervisor)
    with django_assert_num_queries(QUERIES["group_list"]):
        assert client.get(reverse("supervision:group_list")).status_code == 200


QUERIES = {"group": 21, "overview": 13, "group_list": 10}
