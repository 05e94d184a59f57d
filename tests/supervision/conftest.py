"""A supervision group led by the cast's supervisor, with the cast's two peers as members."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from supervision import services
from supervision.models import Session, SupervisionGroup


@pytest.fixture
def group(cast) -> SupervisionGroup:
    group = services.create_group(supervisor=cast.supervisor, name="Peer-Supervision Nord", by=cast.supervisor.user)
    services.add_member(group=group, membership=cast.peer, by=cast.supervisor.user)
    services.add_member(group=group, membership=cast.other_peer, by=cast.supervisor.user)
    return group


def make_session(group: SupervisionGroup, by, *, days: float = 10, capacity: int | None = None, **extra) -> Session:
    start = (timezone.now() + dt.timedelta(days=days)).replace(second=0, microsecond=0)
    return services.create_session(
        group=group,
        by=by,
        title=extra.pop("title", "Supervision"),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        video_url="https://video.example.org/room",
        capacity=capacity,
        **extra,
    )


@pytest.fixture
def session(group, cast) -> Session:
    return make_session(group, cast.supervisor.user)


def past_session(group: SupervisionGroup, *, days_ago: float = 2, **fields) -> Session:
    """A session in the past (services refuse those, so it is written directly)."""
    start = timezone.now() - dt.timedelta(days=days_ago)
    return Session.objects.create(group=group, title="Earlier", starts_at=start, ends_at=start + dt.timedelta(hours=2), **fields)
