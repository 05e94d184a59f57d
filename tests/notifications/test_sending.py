"""The sender: leases, conditional mark-sent, retries, digests, localised text + HTML."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core import mail
from django.utils import timezone

from tandem.notifications import sending, services
from tandem.notifications.models import Channel, Delivery, Notification, NotificationPreference

from .conftest import berlin

pytestmark = pytest.mark.django_db

NOON = berlin(2026, 6, 10, 12, 0)


@pytest.fixture(autouse=True)
def _noon(time_machine):
    time_machine.move_to(NOON, tick=False)


def _email_row(user):
    return Notification.objects.get(recipient=user, channel=Channel.EMAIL)


def test_sends_once_in_german_with_text_and_html(person):
    user = person(full_name="Ada Müller & Co")
    services.notify(recipients=[user], kind="notifications.welcome", event_key="w:1", url="/notifications/settings/")
    assert sending.send_due() == 1
    assert sending.send_due() == 0
    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "[Tandem] Willkommen bei Tandem"
    assert "Ada Müller & Co" in message.body  # plain text is not HTML-escaped
    assert "http://127.0.0.1:8000/notifications/settings/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'lang="de"' in html and "Ada Müller &amp; Co" in html
    assert _email_row(user).sent_at == NOON


def test_english_recipient_gets_english(person):
    user = person(language="en")
    services.notify(recipients=[user], kind="notifications.welcome", event_key="w:1")
    sending.send_due()
    assert mail.outbox[0].subject == "[Tandem] Welcome to Tandem"
    assert 'lang="en"' in mail.outbox[0].alternatives[0][0]


def test_not_due_rows_wait(person, time_machine):
    time_machine.move_to(berlin(2026, 6, 10, 21, 0), tick=False)
    user = person()
    services.notify(recipients=[user], kind="notifications.welcome", event_key="w:1")
    assert sending.send_due() == 0
    time_machine.move_to(berlin(2026, 6, 11, 7, 0), tick=False)
    assert sending.send_due() == 1


def test_claimed_rows_are_not_claimed_again_until_the_lease_expires(person, time_machine):
    user = person()
    services.notify(recipients=[user], kind="notifications.welcome", event_key="w:1")
    [claimed] = sending.claim_due()
    assert claimed.lease_until == NOON + sending.LEASE
    assert sending.claim_due() == []
    time_machine.move_to(NOON + sending.LEASE + dt.timedelta(seconds=1), tick=False)
    assert sending.send_due() == 1
    assert len(mail.outbox) == 1
    assert _email_row(user).attempts == 0  # claims are not attempts; nothing failed


def test_mark_sent_only_with_our_token(person):
    user = person()
    services.notify(recipients=[user], kind="notifications.welcome", event_key="w:1")
    [claimed] = sending.claim_due()
    # Another sender took the row over after our lease expired.
    Notification.objects.filter(pk=claimed.pk).update(claim_token=uuid.uuid4())
    assert sending._mark_sent([claimed], timezone.now()) == 0
    assert _email_row(user).sent_at is None


def test_a_sender_whose_row_was_taken_over_does_not_send(person, time_machine):
    user = person()
    services.notify(recipients=[user], kind="notifications.welcome", event_key="w:1")
    rows = sending.claim_due()
    time_machine.move_to(NOON + sending.LEASE + dt.timedelta(seconds=1), tick=False)
    assert len(sending.claim_due()) == 1  # another sender takes the expired row over
    assert sending.send_claimed(rows) == 0
    assert mail.outbox == []


def test_a_slow_sender_renews_the_lease_of_each_message_before_sending_it(person, time_machine):
    user = person()
    services.notify(recipients=[user], kind="notifications.welcome", event_key="w:1")
    rows = sending.claim_due()
    later = NOON + sending.LEASE - dt.timedelta(seconds=1)
    time_machine.move_to(later, tick=False)
    assert sending.send_claimed(rows) == 1
    assert len(mail.outbox) == 1


def test_every_email_carries_a_message_id_derived_from_its_row(person):
    user = person()
    services.notify(recipients=[user], kind="notifications.welcome", event_key="w:1")
    sending.send_due()
    row = _email_row(user)
    assert mail.outbox[0].extra_headers["Message-ID"] == sending.message_id([row])
    assert sending.message_id([row]).startswith(f"<outbox.{row.pk}.")


def test_backoff_grows_exponentially_with_jitter_and_is_capped(settings):
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 60
    settings.OUTBOX_BACKOFF_MAX_SECONDS = 3600
    for failures, full in [(1, 60), (2, 120), (3, 240), (7, 3600), (20, 3600)]:
        delays = {sending.backoff(failures).total_seconds() for _ in range(20)}
        assert all(full / 2 <= d <= full for d in delays) and len(delays) > 1


def test_recipient_deactivated_before_sending_gets_no_email(person):
    user = person()
    services.notify(recipients=[user], kind="notifications.welcome", event_key="w:1")
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert sending.send_due() == 0
    assert mail.outbox == []
    assert _email_row(user).cancelled_at is not None


def test_digest_sends_one_email_for_all_pending_items(person, test_kinds, time_machine):
    user = person(language="en")
    NotificationPreference.objects.create(user=user, kind="tests.daily", delivery=Delivery.DIGEST)
    for n in range(5):
        time_machine.move_to(NOON + dt.timedelta(minutes=n), tick=False)
        services.notify(recipients=[user], kind="tests.daily", event_key=f"d:{n}", url=f"/item/{n}/")
    assert sending.send_due() == 0
    time_machine.move_to(berlin(2026, 6, 11, 7, 30), tick=False)
    assert sending.send_due() == 5
    [message] = mail.outbox
    assert message.subject == "[Tandem] 5 new notifications"
    assert all(f"http://127.0.0.1:8000/item/{n}/" in message.body for n in range(5))
    assert "Daily test reminder" in message.alternatives[0][0]
    assert sending.send_due() == 0


def test_digest_labels_are_in_the_recipients_language(person, time_machine):
    user = person(language="de")
    NotificationPreference.objects.create(user=user, kind="notifications.welcome", delivery=Delivery.DIGEST)
    services.notify(recipients=[user], kind="notifications.welcome", event_key="w:1")
    time_machine.move_to(berlin(2026, 6, 11, 7, 30), tick=False)
    sending.send_due()
    assert "Willkommen" in mail.outbox[0].body
    assert mail.outbox[0].subject == "[Tandem] 1 neue Benachrichtigung"


def test_digest_claim_takes_a_recipients_items_whole(person, time_machine):
    users = [person(), person()]
    for user in users:
        NotificationPreference.objects.create(user=user, kind="notifications.welcome", delivery=Delivery.DIGEST)
        for n in range(3):
            services.notify(recipients=[user], kind="notifications.welcome", event_key=f"w:{user.pk}:{n}")
    time_machine.move_to(berlin(2026, 6, 11, 7, 30), tick=False)
    claimed = sending.claim_digests(recipients=1)
    assert len(claimed) == 3 and {row.recipient_id for row in claimed} == {users[0].pk}
