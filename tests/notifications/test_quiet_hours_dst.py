"""Quiet hours, digests and daily items across the daylight-saving changes in Europe/Berlin.

Frozen time walks through three local days around each switch in ten-minute steps, running the
sweeps at every step the way beat would. Each daily item must fire exactly once per local day,
at its time, and no e-mail may leave inside quiet hours.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.core import mail
from django.utils import timezone

from tandem.notifications import sending, services
from tandem.notifications.models import Channel, Delivery, DeliverySettings, Notification, NotificationPreference

from .conftest import BERLIN, berlin

pytestmark = pytest.mark.django_db

STEP = dt.timedelta(minutes=15)


def daily_sweep(users: list) -> None:
    """What a feature's daily reminder sweep does: one item per user and local day."""
    now = timezone.now()
    for user in users:
        day = services.due_daily(user, now)
        if day is not None:
            services.notify(
                recipients=[user], kind="tests.daily", event_key=f"daily:{user.pk}:{day.isoformat()}",
                context={"day": day.isoformat()},
            )


def _local(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(BERLIN)


def _quiet(local: dt.datetime) -> bool:
    return local.time() >= dt.time(20, 0) or local.time() < dt.time(7, 0)


@pytest.mark.parametrize("switch", [dt.date(2026, 3, 29), dt.date(2026, 10, 25)], ids=["spring", "autumn"])
def test_daily_items_and_digests_fire_once_a_day_never_in_quiet_hours(switch, person, test_kinds, time_machine):
    start = berlin(switch.year, switch.month, switch.day - 1, 0, 0)
    end = berlin(switch.year, switch.month, switch.day + 2, 0, 0)
    time_machine.move_to(start, tick=False)
    reminded = person(email="reminded@example.org")  # daily reminder by e-mail right away
    digested = person(email="digest@example.org")  # everything in the daily digest
    immediate = person(email="immediate@example.org")  # events right away, but not at night
    night_owl = person(email="owl@example.org")  # no quiet hours, digest time inside the DST gap
    DeliverySettings.objects.create(user=night_owl, quiet_from=dt.time(0, 0), quiet_until=dt.time(0, 0),
                                    digest_at=dt.time(2, 30))
    NotificationPreference.objects.create(user=digested, kind="tests.daily", delivery=Delivery.DIGEST)
    daily_users = [reminded, night_owl]

    sent: dict[str, list[tuple[dt.datetime, object]]] = defaultdict(list)
    now = start
    hour = 0
    while now < end:
        time_machine.move_to(now, tick=False)
        if now.minute == 0:
            hour += 1
            services.notify(recipients=[digested, immediate], kind="tests.daily", event_key=f"event:{hour}",
                            context={"day": "-"})
        daily_sweep(daily_users)
        before = len(mail.outbox)
        sending.send_due()
        for message in mail.outbox[before:]:
            sent[message.to[0]].append((now, message))
        now = (now.astimezone(dt.UTC) + STEP).astimezone(BERLIN)

    local_days = [switch - dt.timedelta(days=1), switch, switch + dt.timedelta(days=1)]

    # The daily reminder: once per local day, at 07:30 (the default digest time), never at night.
    times = [_local(at) for at, _ in sent["reminded@example.org"]]
    assert [t.date() for t in times] == local_days
    assert all(t.time() == dt.time(7, 30) for t in times)

    # The digest: one e-mail per local day at 07:30 carrying everything since the last one.
    digests = sent["digest@example.org"]
    assert [_local(at).date() for at, _ in digests] == local_days
    assert all(_local(at).time() == dt.time(7, 30) for at, _ in digests)
    items = sum(message.body.count("\n- ") for _, message in digests)
    created_before_last = Notification.objects.filter(
        recipient=digested, channel=Channel.EMAIL, created_at__lte=digests[-1][0]
    ).count()
    assert items == created_before_last
    assert not Notification.objects.filter(
        recipient=digested, channel=Channel.EMAIL, created_at__lte=digests[-1][0], sent_at__isnull=True
    ).exists()

    # Immediate e-mails: each sent once, none inside quiet hours; the night's wait for 07:00.
    immediate_sent = sent["immediate@example.org"]
    assert immediate_sent and not any(_quiet(_local(at)) for at, _ in immediate_sent)
    rows = Notification.objects.filter(recipient=immediate, channel=Channel.EMAIL)
    assert rows.count() == hour
    assert len(immediate_sent) == rows.filter(sent_at__isnull=False).count() == rows.filter(send_after__lt=end).count()
    night_events = rows.filter(created_at__gte=berlin(switch.year, switch.month, switch.day, 0, 0),
                               created_at__lt=berlin(switch.year, switch.month, switch.day, 7, 0))
    assert {row.sent_at for row in night_events} == {berlin(switch.year, switch.month, switch.day, 7, 0)}

    # No quiet hours and a digest time of 02:30: on the spring day 02:30 does not exist (03:30
    # instead); on the autumn day it exists twice, and the reminder still comes once.
    owl = [_local(at) for at, _ in sent["owl@example.org"]]
    assert [t.date() for t in owl] == local_days
    expected = dt.time(3, 30) if switch.month == 3 else dt.time(2, 30)
    assert [t.time() for t in owl] == [dt.time(2, 30), expected, dt.time(2, 30)]
    assert Counter(message.subject for _, message in sent["owl@example.org"]) == Counter(
        f"[Tandem] Daily reminder for {day.isoformat()}" for day in local_days
    )
