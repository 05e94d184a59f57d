"""notify(): outbox rows in the caller's transaction, deduplicated, by the recipient's preference."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import transaction

from tandem.notifications import services
from tandem.notifications.models import Channel, Delivery, DeliverySettings, Notification, NotificationPreference

from .conftest import berlin

pytestmark = pytest.mark.django_db


def test_one_in_app_and_one_email_row_per_recipient(person):
    a, b = person(), person()
    services.notify(recipients=[a, b, a, None], kind="notifications.welcome", event_key="ev:1", url="/x/")
    rows = Notification.objects.order_by("recipient_id", "channel")
    assert [(r.recipient_id, r.channel) for r in rows] == [
        (a.pk, Channel.EMAIL), (a.pk, Channel.IN_APP), (b.pk, Channel.EMAIL), (b.pk, Channel.IN_APP)
    ]


def test_the_same_event_twice_is_stored_once_and_keeps_the_transaction_usable(person):
    user = person()
    with transaction.atomic():
        services.notify(recipients=[user], kind="notifications.welcome", event_key="ev:1")
        services.notify(recipients=[user], kind="notifications.welcome", event_key="ev:1")
        # Still inside the same transaction: the conflict did not poison it.
        assert Notification.objects.filter(recipient=user).count() == 2


def test_unknown_kind_fails_loudly(person):
    with pytest.raises(LookupError):
        services.notify(recipients=[person()], kind="nobody.registered", event_key="ev:1")


def test_inactive_people_get_nothing(person):
    services.notify(recipients=[person(is_active=False)], kind="notifications.welcome", event_key="ev:1")
    assert not Notification.objects.exists()


def test_in_app_only_preference_writes_no_email(person):
    user = person()
    NotificationPreference.objects.create(user=user, kind="notifications.welcome", delivery=Delivery.IN_APP_ONLY)
    services.notify(recipients=[user], kind="notifications.welcome", event_key="ev:1")
    assert list(Notification.objects.values_list("channel", flat=True)) == [Channel.IN_APP]


def test_digest_preference_schedules_the_email_for_the_digest_time(person, time_machine):
    time_machine.move_to(berlin(2026, 6, 10, 12, 0), tick=False)
    user = person()
    NotificationPreference.objects.create(user=user, kind="notifications.welcome", delivery=Delivery.DIGEST)
    services.notify(recipients=[user], kind="notifications.welcome", event_key="ev:1")
    email = Notification.objects.get(channel=Channel.EMAIL)
    assert email.delivery == Delivery.DIGEST
    assert email.send_after == berlin(2026, 6, 11, 7, 30)


def test_digest_is_refused_for_kinds_that_cannot_wait(person, test_kinds):
    user = person()
    NotificationPreference.objects.create(user=user, kind="tests.urgent", delivery=Delivery.DIGEST)
    services.notify(recipients=[user], kind="tests.urgent", event_key="ev:1")
    email = Notification.objects.get(channel=Channel.EMAIL)
    assert email.delivery == Delivery.IMMEDIATELY


def test_email_in_quiet_hours_waits_until_they_end(person, time_machine):
    time_machine.move_to(berlin(2026, 6, 10, 22, 15), tick=False)
    user = person()
    services.notify(recipients=[user], kind="notifications.welcome", event_key="ev:1")
    assert Notification.objects.get(channel=Channel.EMAIL).send_after == berlin(2026, 6, 11, 7, 0)


def test_quiet_hours_follow_the_users_time_zone_and_settings(person, time_machine):
    time_machine.move_to(berlin(2026, 6, 10, 22, 15), tick=False)  # 21:15 in London
    user = person(time_zone="Europe/London")
    DeliverySettings.objects.create(user=user, quiet_from=dt.time(22, 0), quiet_until=dt.time(6, 0))
    services.notify(recipients=[user], kind="notifications.welcome", event_key="ev:1")
    email = Notification.objects.get(channel=Channel.EMAIL)
    assert email.send_after == berlin(2026, 6, 10, 22, 15)


def test_no_quiet_hours_when_start_equals_end(person, time_machine):
    time_machine.move_to(berlin(2026, 6, 10, 23, 0), tick=False)
    user = person()
    DeliverySettings.objects.create(user=user, quiet_from=dt.time(0, 0), quiet_until=dt.time(0, 0))
    assert not services.in_quiet_hours(user, berlin(2026, 6, 10, 23, 0))


def test_one_kick_per_transaction_and_only_after_commit(person, django_capture_on_commit_callbacks):
    users = [person(), person()]
    with (
        mock.patch.object(services, "_kick_sender") as kick,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        services.notify(recipients=users[:1], kind="notifications.welcome", event_key="ev:1")
        services.notify(recipients=users[1:], kind="notifications.welcome", event_key="ev:2")
        assert kick.call_count == 0
    assert kick.call_count == 1


def test_cancel_pending_withdraws_unsent_emails(person):
    user = person()
    services.notify(recipients=[user], kind="notifications.welcome", event_key="session:4:moved")
    assert services.cancel_pending(event_key_prefix="session:4:") == 1
    assert Notification.objects.get(channel=Channel.EMAIL).cancelled_at is not None


def test_withdraw_notifications_takes_back_the_in_app_entry_and_the_unsent_email(person):
    user, other = person(), person()
    services.notify(recipients=[user], kind="notifications.welcome", event_key="share:4:7:1700000000")
    services.notify(recipients=[other], kind="notifications.welcome", event_key="share:4:70:1700000000")
    sent = Notification.objects.get(recipient=other, channel=Channel.EMAIL)
    assert services.withdraw_notifications(event_key_prefix="share:4:7:") == 2
    assert not Notification.objects.filter(recipient=user, channel=Channel.IN_APP).exists()
    assert Notification.objects.get(recipient=user, channel=Channel.EMAIL).cancelled_at is not None
    # The separator keeps "share:4:70:" out of "share:4:7:".
    assert Notification.objects.filter(recipient=other, channel=Channel.IN_APP).exists()
    sent.refresh_from_db()
    assert sent.cancelled_at is None


def test_withdraw_notifications_leaves_a_sent_email_as_the_record_of_what_was_sent(person):
    user = person()
    services.notify(recipients=[user], kind="notifications.welcome", event_key="share:5:1:1")
    Notification.objects.filter(channel=Channel.EMAIL).update(sent_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    services.withdraw_notifications(event_key_prefix="share:5:1:")
    email = Notification.objects.get(channel=Channel.EMAIL)
    assert email.sent_at is not None and email.cancelled_at is None
