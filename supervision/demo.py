"""Demo content: a group led by the demo supervisor, a rotating monthly series, an open date poll and
a session tomorrow (so that `make run` shows a reminder). Idempotent: running it twice changes nothing."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db import transaction
from django.utils import timezone

from . import services
from .models import DatePoll, GroupMember, Series, Session, SupervisionGroup

GROUP_NAME = "Peer-Supervision Musterstadt"


def _tomorrowish(now: dt.datetime) -> dt.datetime:
    """A start within the next 24 hours (so the 1-day reminder is due) at a daytime hour in Berlin."""
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    candidate = (now + dt.timedelta(hours=23)).astimezone(berlin).replace(minute=0, second=0, microsecond=0)
    if candidate.hour >= 21:
        candidate = candidate.replace(hour=18)
    elif candidate.hour < 8:
        candidate = (candidate - dt.timedelta(days=1)).replace(hour=18)
    return candidate.astimezone(dt.UTC)


@transaction.atomic
def seed(demo: Any) -> SupervisionGroup:
    supervisor = demo.members["supervisor"]
    by = supervisor.user
    group = SupervisionGroup.objects.filter(organisation=demo.organisation, name=GROUP_NAME).first()
    if group is None:
        group = services.create_group(
            supervisor=supervisor,
            name=GROUP_NAME,
            description="Monatliche Peer-Supervision für Genesungsbegleiter*innen, online, mit wechselndem Wochentag.",
            by=by,
        )
    for key in ("peer", "peer2", "volunteer", "mentor2"):
        membership = demo.members[key]
        if not GroupMember.objects.current().filter(group=group, membership=membership).exists():
            services.add_member(group=group, membership=membership, by=by)
    now = timezone.now()
    if not Series.objects.filter(group=group).exists():
        next_month = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        services.create_series(
            group=group,
            by=by,
            title="Peer-Supervision",
            frequency=Series.Frequency.NTH_WEEKDAY,
            nth=1,
            rotation=[0, 1, 2, 3],
            starts_on=next_month,
            local_time=dt.time(17, 0),
            time_zone="Europe/Berlin",
            duration_minutes=120,
            video_url="https://video.example.org/peer-supervision",
        )
    if not Session.objects.filter(group=group, series__isnull=True, title="Zusatztermin").exists():
        start = _tomorrowish(now)
        session = services.create_session(
            group=group,
            by=by,
            title="Zusatztermin",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            place="Beratungsraum 2, Hauptstraße 5",
            capacity=6,
        )
        # Created a day ahead, its reminder window has begun; let the reminder go out as the sweep would.
        Session.objects.filter(pk=session.pk).update(reminded_1d_version=None)
        services.answer(session=session, membership=demo.members["peer2"], answer="yes")
    if not DatePoll.objects.filter(group=group).exists():
        base = (now + dt.timedelta(days=21)).replace(hour=15, minute=0, second=0, microsecond=0)
        services.create_poll(
            group=group,
            by=by,
            title="Sondertermin: Rollenkonflikte im Team",
            slots=[base, base + dt.timedelta(days=1), base + dt.timedelta(days=2, hours=1)],
            video_url="https://video.example.org/peer-supervision",
        )
    services.send_due_reminders()
    return group
