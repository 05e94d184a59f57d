"""E-mails to an address, for people without an account yet: outbox rows like every other e-mail,
with the language of the row, no in-app row, and context a kind adds only when it sends."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from tandem.notifications import kinds, sending, services
from tandem.notifications.models import Channel, Notification

from .conftest import HERE

pytestmark = pytest.mark.django_db

SENT_AT_SENDING = {"calls": 0}


def _context(notification: Notification) -> dict[str, object]:
    SENT_AT_SENDING["calls"] += 1
    if notification.context.get("withdrawn"):
        raise kinds.Obsolete("withdrawn for the test")
    return {"secret_part": "computed-when-sent", "url": "/somewhere/"}


ADDRESSED = kinds.NotificationKind("tests.addressed", "Addressed test e-mail", for_addresses=True, context=_context)


@pytest.fixture
def addressed(settings):
    templates = [dict(engine) for engine in settings.TEMPLATES]
    templates[0]["DIRS"] = [*templates[0].get("DIRS", []), HERE / "templates"]
    settings.TEMPLATES = templates
    kinds.register(ADDRESSED)
    SENT_AT_SENDING["calls"] = 0
    yield ADDRESSED
    kinds.KINDS.pop(ADDRESSED.key, None)


def test_an_address_gets_one_email_row_and_no_in_app_row(addressed):
    services.notify_address(address="neu@example.org", kind=addressed.key, event_key="t:1")
    services.notify_address(address="neu@example.org", kind=addressed.key, event_key="t:1")  # the same event
    row = Notification.objects.get()
    assert (row.recipient, row.address, row.channel, row.sent_at) == (None, "neu@example.org", Channel.EMAIL, None)
    assert "neu@example.org" not in row.dedupe_key


def test_the_sender_delivers_to_the_address_in_the_rows_language_with_context_computed_when_sent(addressed):
    services.notify_address(address="neu@example.org", kind=addressed.key, event_key="t:1", language="en")
    assert SENT_AT_SENDING["calls"] == 0
    assert sending.send_due() == 1
    [message] = mail.outbox
    assert message.to == ["neu@example.org"]
    assert message.subject == "[Tandem] Addressed test e-mail"
    assert "Hello (en)" in message.body and "computed-when-sent" in message.body
    assert "http://127.0.0.1:8000/somewhere/" in message.body
    assert Notification.objects.get().sent_at is not None
    assert "computed-when-sent" not in str(Notification.objects.values().get())


def test_an_address_row_without_a_language_is_in_the_default_language(addressed):
    services.notify_address(address="neu@example.org", kind=addressed.key, event_key="t:1")
    sending.send_due()
    assert "Hello (de)" in mail.outbox[0].body


def test_a_kind_may_withdraw_its_email_when_it_no_longer_applies(addressed):
    services.notify_address(address="neu@example.org", kind=addressed.key, event_key="t:1", context={"withdrawn": True})
    assert sending.send_due() == 0
    assert mail.outbox == []
    row = Notification.objects.get()
    assert row.cancelled_at is not None and row.last_error == "no longer applies: withdrawn for the test"


def test_a_row_needs_a_recipient_or_an_address(person):
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(kind="notifications.welcome", channel=Channel.EMAIL, dedupe_key="nobody")
    with pytest.raises(IntegrityError), transaction.atomic():  # an address has no inbox in the app
        Notification.objects.create(address="neu@example.org", kind="notifications.welcome", channel=Channel.IN_APP, dedupe_key="in-app")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            recipient=person(), address="neu@example.org", kind="notifications.welcome", channel=Channel.EMAIL, dedupe_key="both"
        )


def test_kinds_for_addresses_are_not_offered_in_notification_settings(addressed, person):
    user = person()
    deliveries, _settings = services.preferences_for(user)
    assert addressed.key not in deliveries
    assert "notifications.welcome" in deliveries
