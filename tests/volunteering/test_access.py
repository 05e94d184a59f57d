"""Only she, her team leads and her org admins see her hours; everyone else gets the 404 of a missing id."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from volunteering.models import HourEntry

from .conftest import at, hours


def test_other_peers_and_professionals_never_see_her_hours(cast: Any, agreement: Any) -> None:
    entry = hours(cast.peer, cast.peer.user, dt.date(2025, 3, 4), 60)
    urls = [
        reverse("volunteering:entry_detail", args=[entry.pk]),
        reverse("volunteering:entry_change", args=[entry.pk]),
        reverse("volunteering:person", args=[cast.peer.pk]),
    ]
    with at(dt.date(2025, 3, 5)):
        for who in (cast.other_peer, cast.professional, cast.mentor, cast.supervisor, cast.outsider):
            client = cast.client_for(who)
            for url in urls:
                assert client.get(url).status_code == 404, (who.user.email, url)
        lead = cast.client_for(cast.team_lead).get(reverse("volunteering:lead"))
        assert cast.peer.user.display_name in lead.content.decode()


def test_access_follows_the_current_state(cast: Any, agreement: Any) -> None:
    entry = hours(cast.peer, cast.peer.user, dt.date(2025, 3, 4), 60)
    url = reverse("volunteering:entry_detail", args=[entry.pk])
    with at(dt.date(2025, 3, 5)):
        assert cast.client_for(cast.team_lead).get(url).status_code == 200
        cast.team_lead.is_team_lead = False
        cast.team_lead.save()
        assert cast.client_for(cast.team_lead).get(url).status_code == 404
    assert HourEntry.objects.count() == 1


def test_hour_list_needs_constant_queries(cast: Any, today_agreement: Any, django_assert_max_num_queries: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = cast.client_for(cast.peer)
    from django.utils import timezone

    counts = []
    for n in (3, 30):
        while HourEntry.objects.count() < n:
            hours(cast.peer, cast.team_lead.user, timezone.localdate(), 30, when=timezone.localdate())
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("volunteering:mine")).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
