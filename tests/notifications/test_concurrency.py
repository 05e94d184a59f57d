"""Two sweeps at once, and a sender that dies mid-way: nothing is lost, nothing is doubled.

These run on PostgreSQL with real threads and a real (killed) process, each with its own
database connection, because row locks and SKIP LOCKED only mean something across connections.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from accounts.models import Membership, Organisation, User
from tandem.notifications import sending, services
from tandem.notifications.models import Channel, Delivery, Notification, NotificationPreference

from .conftest import berlin

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")


def _in_parallel(work: Callable[[], Any], times: int = 2) -> list[Any]:
    barrier = threading.Barrier(times)
    results: list[Any] = [None] * times
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work()
        except BaseException as error:  # noqa: BLE001 - re-raised in the test thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def _people(count: int, *, language: str = "de") -> list[User]:
    organisation = Organisation.objects.create(name="Träger Ost", slug="ost")
    users = User.objects.bulk_create(
        User(email=f"person{n}@example.org", full_name=f"Person {n}", preferred_language=language) for n in range(count)
    )
    Membership.objects.bulk_create(Membership(user=user, organisation=organisation, is_peer=True) for user in users)
    return users


def test_two_sweeps_over_500_due_items_notify_and_send_each_once(time_machine):
    time_machine.move_to(berlin(2026, 6, 10, 12, 0), tick=False)
    users = _people(500)

    created = _in_parallel(lambda: services.welcome_new_members(limit=1000))
    assert sum(created) >= 500
    rows = Notification.objects.filter(kind="notifications.welcome")
    per_key = Counter(rows.values_list("recipient_id", "channel"))
    assert len(per_key) == 1000 and set(per_key.values()) == {1}

    sent = _in_parallel(sending.send_due)
    assert sum(sent) == 500
    recipients = Counter(address for message in mail.outbox for address in message.to)
    assert len(recipients) == 500 and set(recipients.values()) == {1}
    assert {u.email for u in users} == set(recipients)
    assert not rows.filter(channel=Channel.EMAIL, sent_at__isnull=True).exists()
    assert _in_parallel(sending.send_due) == [0, 0]


def test_two_senders_over_500_digest_items_send_one_digest_per_person(time_machine):
    time_machine.move_to(berlin(2026, 6, 10, 12, 0), tick=False)
    users = _people(50)
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user=user, kind="notifications.welcome", delivery=Delivery.DIGEST) for user in users
    )
    for user in users:
        for n in range(10):
            services.notify(recipients=[user], kind="notifications.welcome", event_key=f"item:{n}")
    time_machine.move_to(berlin(2026, 6, 11, 7, 30), tick=False)

    sent = _in_parallel(sending.send_due)
    assert sum(sent) == 500
    recipients = Counter(address for message in mail.outbox for address in message.to)
    assert len(recipients) == 50 and set(recipients.values()) == {1}
    assert all(message.subject == "[Tandem] 10 neue Benachrichtigungen" for message in mail.outbox)


def _claim_then_hang(claimed: Any) -> None:
    # A sender process that claims and then dies before it sends (killed by the test).
    sending.claim_due()
    claimed.set()
    time.sleep(120)


def test_a_sender_killed_after_claiming_is_replaced_after_the_lease(person, time_machine):
    time_machine.move_to(berlin(2026, 6, 10, 12, 0), tick=False)  # the forked sender inherits the clock
    user = person()
    services.notify(recipients=[user], kind="notifications.welcome", event_key="w:1")
    connections.close_all()  # the child opens its own connection

    context = multiprocessing.get_context("fork")
    claimed = context.Event()
    process = context.Process(target=_claim_then_hang, args=(claimed,))
    process.start()
    try:
        assert claimed.wait(60), "the sender process did not claim"
    finally:
        process.kill()
        process.join()
    assert process.exitcode is not None and process.exitcode < 0  # killed, not finished

    row = Notification.objects.get(channel=Channel.EMAIL)
    assert row.attempts == 0 and row.sent_at is None and row.lease_until is not None  # a claim is no attempt
    assert sending.send_due() == 0  # the dead sender's lease still holds
    assert mail.outbox == []

    time_machine.move_to(row.lease_until + dt.timedelta(seconds=1), tick=False)
    assert sending.send_due() == 1
    assert sending.send_due() == 0
    assert [m.to for m in mail.outbox] == [[user.email]]
    row.refresh_from_db()
    assert row.attempts == 0 and row.sent_at == timezone.now()
