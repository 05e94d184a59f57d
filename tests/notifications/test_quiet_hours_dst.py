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


# --- The end of quiet hours inside the repeated or the skipped hour (2026 and 2027) ------------------

AUTUMN = [dt.date(2026, 10, 25), dt.date(2027, 10, 31)]
SPRING = [dt.date(2026, 3, 29), dt.date(2027, 3, 28)]


def _elapsed(start, end):
    # In UTC: within one zone Python subtracts wall clocks and ignores the hour the clock went back.
    return end.astimezone(dt.UTC) - start.astimezone(dt.UTC)


def _night_owl(person):
    user = person()
    DeliverySettings.objects.create(user=user, quiet_from=dt.time(22, 0), quiet_until=dt.time(2, 30))
    return user


@pytest.mark.parametrize("night", AUTUMN, ids=str)
def test_an_email_written_in_the_repeated_hour_waits_for_the_second_0230_not_the_next_day(night, person):
    user = _night_owl(person)
    # 02:10 winter time (UTC+1): the clock already showed 02:10 and 02:30 once, in summer time.
    written = dt.datetime.combine(night, dt.time(2, 10), tzinfo=BERLIN).replace(fold=1)
    assert written.utcoffset() == dt.timedelta(hours=1)
    allowed = services.next_allowed_send(user, written)
    assert allowed.astimezone(BERLIN).time() == dt.time(2, 30) and allowed.astimezone(BERLIN).date() == night
    assert allowed.utcoffset() == dt.timedelta(hours=1)  # the second 02:30
    assert _elapsed(written, allowed) == dt.timedelta(minutes=20)


@pytest.mark.parametrize("night", AUTUMN, ids=str)
def test_an_email_written_in_the_first_pass_of_the_repeated_hour_waits_for_the_first_0230(night, person):
    user = _night_owl(person)
    written = dt.datetime.combine(night, dt.time(2, 10), tzinfo=BERLIN)  # summer time, fold=0
    assert _elapsed(written, services.next_allowed_send(user, written)) == dt.timedelta(minutes=20)


@pytest.mark.parametrize("night", AUTUMN, ids=str)
def test_an_email_written_before_the_repeated_hour_waits_for_the_first_0230(night, person):
    user = _night_owl(person)
    written = dt.datetime.combine(night, dt.time(1, 0), tzinfo=BERLIN)
    allowed = services.next_allowed_send(user, written)
    assert allowed.utcoffset() == dt.timedelta(hours=2) and _elapsed(written, allowed) == dt.timedelta(hours=1, minutes=30)


@pytest.mark.parametrize("night", SPRING, ids=str)
def test_quiet_hours_ending_in_the_skipped_hour_end_when_the_clock_jumps_past_it(night, person):
    user = _night_owl(person)
    written = dt.datetime.combine(night, dt.time(1, 30), tzinfo=BERLIN)  # winter time
    allowed = services.next_allowed_send(user, written)
    # 02:30 does not exist that night; the wait ends at 03:30 summer time, one real hour later.
    assert allowed.astimezone(BERLIN).date() == night and allowed.astimezone(BERLIN).time() == dt.time(3, 30)
    assert _elapsed(written, allowed) == dt.timedelta(hours=1)
    assert not services.in_quiet_hours(user, allowed)


@pytest.mark.parametrize("night", AUTUMN + SPRING, ids=str)
def test_an_email_written_in_the_night_goes_out_once_that_night_through_the_sender(night, person, time_machine):
    user = _night_owl(person)
    written = dt.datetime.combine(night, dt.time(2, 10), tzinfo=BERLIN).replace(fold=1)
    time_machine.move_to(written, tick=False)
    services.notify(recipients=[user], kind="notifications.welcome", event_key="night")
    instant = written.astimezone(dt.UTC)
    while instant < written + dt.timedelta(hours=30):
        time_machine.move_to(instant, tick=False)
        sending.send_due()
        instant += dt.timedelta(minutes=10)
    [message] = mail.outbox
    row = Notification.objects.get(recipient=user, channel=Channel.EMAIL)
    assert row.sent_at.astimezone(BERLIN).date() == night
