"""The list pages and the group page need the same number of queries for 3 rows as for 30."""

import datetime as dt
import itertools

from django.urls import reverse
from django.utils import timezone

from supervision import services
from supervision.models import Session, SupervisionGroup
from tests.queries import assert_constant_queries

from ..factories import member

QUERIES = {"group": 21, "overview": 13, "group_list": 10}


def _filler(cast, group: SupervisionGroup):
    """``fill(n)``: n more upcoming and n more past sessions and n more members; the group has one poll."""
    now = timezone.now()
    services.create_poll(group=group, by=cast.supervisor.user, title="P", slots=[now + dt.timedelta(days=40)])
    numbers = itertools.count()

    def fill(n: int) -> None:
        indices = [next(numbers) for _ in range(n)]
        Session.objects.bulk_create(
            Session(group=group, title=f"S{i}", starts_at=now + dt.timedelta(days=d), ends_at=now + dt.timedelta(days=d, hours=2))
            for i in indices
            for d in (i + 1, -i - 1)  # upcoming and past
        )
        for _ in indices:
            services.add_member(group=group, membership=member(cast.organisation, is_peer=True), by=cast.supervisor.user)

    return fill


def test_group_page_query_count(cast, group):
    client = cast.client_for(cast.supervisor)
    assert_constant_queries(client, group.get_absolute_url(), _filler(cast, group), expected=QUERIES["group"])


def test_overview_query_count(cast, group):
    client = cast.client_for(cast.peer)
    assert_constant_queries(client, reverse("supervision:overview"), _filler(cast, group), expected=QUERIES["overview"])


def test_group_list_query_count(cast):
    numbers = itertools.count()

    def groups(n: int) -> None:
        for _ in range(n):
            services.create_group(supervisor=cast.supervisor, name=f"G{next(numbers)}", by=cast.supervisor.user)

    client = cast.client_for(cast.supervisor)
    assert_constant_queries(client, reverse("supervision:group_list"), groups, expected=QUERIES["group_list"])
