"""The sender against a real SMTP server (aiosmtpd, its own process) that is slow, refuses, defers,
rejects, hangs or drops the connection after DATA, and against sender processes killed with -9.

Time is compressed in two ways, never measured: in-process sweeps run on an explicit clock
(``send_due(now=...)``), and sender processes get short leases and back-offs through settings.
Outcomes are counted in the sink's log of accepted messages (by Message-ID) and in the outbox.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from tandem.notifications import sending, services
from tandem.notifications.models import Channel, DeliverySettings, Notification
from tests.mailsink import Sink, start_sender

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[Sink]:
    server = Sink(tmp_path / "sink").start()
    yield server
    server.stop()


@pytest.fixture
def smtp(settings: Any, sink: Sink) -> Sink:
    """This process sends to the sink through the production backend."""
    settings.EMAIL_BACKEND = "tandem.notifications.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_TIMEOUT = 0.5
    return sink


def _emails(person: Any, count: int) -> list[Notification]:
    user = person()
    DeliverySettings.objects.create(user=user, quiet_from=dt.time(0, 0), quiet_until=dt.time(0, 0))  # no quiet hours
    for n in range(count):
        services.notify(recipients=[user], kind="notifications.welcome", event_key=f"fault:{n}")
    return list(Notification.objects.filter(channel=Channel.EMAIL).order_by("pk"))


def _row(pk: int) -> Notification:
    return Notification.objects.get(pk=pk)


def test_a_deferring_server_4xx_is_retried_with_backoff_and_delivers_once(smtp: Sink, person: Any) -> None:
    [row] = _emails(person, 1)
    smtp.set("defer")
    now = timezone.now()
    assert sending.send_due(now=now) == 0
    row = _row(row.pk)
    assert row.attempts == 1 and row.sent_at is None and row.gave_up_at is None
    assert row.last_error.startswith("recipient deferred: 451")
    assert row.send_after > now + dt.timedelta(seconds=29)  # half the first back-off at least
    assert sending.send_due(now=now + dt.timedelta(seconds=1)) == 0  # not before the back-off
    smtp.set("ok")
    assert sending.send_due(now=now + dt.timedelta(hours=1)) == 1
    assert list(smtp.copies().values()) == [1]


def test_a_permanent_550_gives_up_at_once_says_why_and_keeps_the_in_app_notification(
    smtp: Sink, person: Any
) -> None:
    [row] = _emails(person, 1)
    smtp.set("reject")
    assert sending.send_due() == 0
    row = _row(row.pk)
    assert row.gave_up_at is not None and row.attempts == 1
    assert row.last_error.startswith("permanent: recipient refused: 550")
    assert sending.send_due(now=timezone.now() + dt.timedelta(days=5)) == 0  # never retried on its own
    assert Notification.objects.filter(recipient=row.recipient, channel=Channel.IN_APP).count() == 1
    assert smtp.received() == []


def test_a_given_up_email_shows_in_health_the_outbox_command_and_can_be_retried(smtp: Sink, person: Any) -> None:
    [row] = _emails(person, 1)
    smtp.set("reject")
    sending.send_due()
    report = Client().get("/health/").json()
    assert report["outbox"]["given_up"] == 1
    assert report["needs_attention"] == ["1 e-mail(s) given up: see manage.py outbox or the admin"]
    out = StringIO()
    with pytest.raises(CommandError, match="1 e-mail"):
        call_command("outbox", "--check", stdout=out)
    assert f"#{row.pk} notifications.welcome" in out.getvalue() and "550" in out.getvalue()

    smtp.set("ok")  # the address was fixed
    assert services.retry_given_up(notification_ids=[row.pk]) == 1
    assert sending.send_due() == 1
    assert list(smtp.copies().values()) == [1]
    assert Client().get("/health/").json()["needs_attention"] == []


def test_a_server_that_hangs_before_data_is_a_temporary_failure(smtp: Sink, person: Any) -> None:
    [row] = _emails(person, 1)
    smtp.set("hang")
    now = timezone.now()
    assert sending.send_due(now=now) == 0
    row = _row(row.pk)
    assert row.attempts == 1 and row.unknown_outcomes == 0 and row.gave_up_at is None
    smtp.stop()  # the hanging session goes with the old process
    smtp.start()
    smtp.set("ok")
    assert sending.send_due(now=now + dt.timedelta(hours=1)) == 1
    assert list(smtp.copies().values()) == [1]


def test_a_reply_lost_after_data_retries_slowly_and_at_most_a_few_times(smtp: Sink, person: Any, settings: Any) -> None:
    [row] = _emails(person, 1)
    smtp.set("drop")
    now = timezone.now()
    for n in range(1, settings.OUTBOX_UNKNOWN_MAX + 1):
        assert sending.send_due(now=now) == 0
        row = _row(row.pk)
        assert row.unknown_outcomes == n and row.attempts == 0
        if n < settings.OUTBOX_UNKNOWN_MAX:
            # A longer back-off than for a temporary error: at least half of 30 minutes.
            assert row.send_after >= now + dt.timedelta(minutes=15)
            now = row.send_after
    assert row.gave_up_at is not None and row.last_error.startswith("gave up, may have been delivered")
    # Every copy the server kept carries the same Message-ID: a receiver can tell.
    assert list(smtp.copies().values()) == [settings.OUTBOX_UNKNOWN_MAX]


def test_a_reply_lost_once_then_delivered_costs_one_copy_with_the_same_message_id(smtp: Sink, person: Any) -> None:
    [row] = _emails(person, 1)
    smtp.set("drop")
    now = timezone.now()
    sending.send_due(now=now)
    smtp.set("ok")
    assert sending.send_due(now=now + dt.timedelta(hours=2)) == 1
    assert list(smtp.copies().values()) == [2]
    assert _row(row.pk).sent_at is not None


def test_an_outage_longer_than_the_old_budget_delivers_everything_after_recovery(
    smtp: Sink, person: Any
) -> None:
    rows = _emails(person, 20)
    smtp.stop()  # connection refused from now on
    now = timezone.now()
    for _ in range(4 * 24):  # one day of sweeps, one every 15 minutes
        now += dt.timedelta(minutes=15)
        assert sending.send_due(now=now) == 0
    failing = Notification.objects.filter(pk__in=[row.pk for row in rows])
    assert min(row.attempts for row in failing) > 12  # the old code gave up after 12
    assert not failing.filter(gave_up_at__isnull=False).exists()
    smtp.start()
    assert sending.send_due(now=now + dt.timedelta(hours=1, minutes=1)) == 20
    copies = smtp.copies()
    assert len(copies) == 20 and set(copies.values()) == {1}


def test_temporary_failures_give_up_only_after_the_retry_budget(smtp: Sink, person: Any, settings: Any) -> None:
    settings.OUTBOX_RETRY_HOURS = 72
    [row] = _emails(person, 1)
    smtp.stop()
    start = timezone.now()
    now = start
    while _row(row.pk).gave_up_at is None and now < start + dt.timedelta(hours=80):
        now += dt.timedelta(minutes=30)
        sending.send_due(now=now)
    row = _row(row.pk)
    assert row.gave_up_at is not None and row.gave_up_at >= start + dt.timedelta(hours=72)
    assert row.last_error.startswith("gave up after 3 days")


# --- Sender processes ------------------------------------------------------------------------------


def _sender_env(sink: Sink, **extra: str) -> dict[str, str]:
    db = connection.settings_dict
    return {
        **sink.env(timeout=0.4),
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        # A lease of 2.4 s (six timeouts); a batch of 60 at 0.05 s a message outlives it.
        "OUTBOX_LEASE_SECONDS": "1",
        "OUTBOX_BATCH_SIZE": "60",
        **extra,
    }


def _wait_until_all_sent(deadline: float = 180) -> None:
    # A harness deadline, not an assertion about time: the counts below are what is checked.
    end = time.monotonic() + deadline
    while Notification.objects.filter(channel=Channel.EMAIL, sent_at__isnull=True, cancelled_at__isnull=True).exists():
        assert time.monotonic() < end, "the senders did not finish"
        time.sleep(0.2)


def test_a_slow_server_with_three_senders_delivers_every_email_exactly_once(
    sink: Sink, person: Any, tmp_path: Path
) -> None:
    rows = _emails(person, 150)
    sink.set("slow", delay=0.05)
    stop = tmp_path / "stop"
    senders = [start_sender(_sender_env(sink), stop) for _ in range(3)]
    try:
        _wait_until_all_sent()
    finally:
        stop.touch()
        for sender in senders:
            sender.wait(60)
    copies = sink.copies()
    assert len(copies) == len(rows)
    assert set(copies.values()) == {1}, "a slow server must not cause a single duplicate"
    assert not Notification.objects.filter(channel=Channel.EMAIL, attempts__gt=0).exists()


def test_kill_9_of_senders_mid_send_doubles_at_most_the_messages_on_the_wire(
    sink: Sink, person: Any, tmp_path: Path
) -> None:
    rows = _emails(person, 300)
    sink.set("slow", delay=0.01)
    stop = tmp_path / "stop"
    env = _sender_env(sink)
    senders = [start_sender(env, stop) for _ in range(2)]
    kills = 0
    try:
        for threshold in (40, 80, 120, 160, 200):
            end = time.monotonic() + 120
            while len(sink.received()) < threshold and time.monotonic() < end:
                time.sleep(0.01)
            victim = senders.pop(kills % len(senders))
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait()
            kills += 1
            senders.append(start_sender(env, stop))
        _wait_until_all_sent()
    finally:
        stop.touch()
        for sender in senders:
            sender.wait(60)
    copies = sink.copies()
    assert len(copies) == len(rows), "nothing lost"
    duplicates = sum(copies.values()) - len(copies)
    # One connection per sender, one message at a time: a kill can strand at most one message.
    assert duplicates <= kills
