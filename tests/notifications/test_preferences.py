"""The preferences page: per kind delivery, quiet hours, digest time; pending e-mails follow."""

from __future__ import annotations

import datetime as dt

import pytest

from tandem.audit.models import AuditEvent
from tandem.notifications import kinds, services
from tandem.notifications.models import Channel, Delivery, DeliverySettings, Notification, NotificationPreference

from .conftest import berlin

pytestmark = pytest.mark.django_db

URL = "/notifications/settings/"


def _post(**overrides: str) -> dict[str, str]:
    data = {f"kind__{key.replace('.', '__')}": Delivery.IMMEDIATELY for key in kinds.KINDS}
    data |= {
        "quiet_from": "21:00",
        "quiet_until": "06:30",
        "digest_at": "08:00",
    }
    data.update(overrides)
    return data


def test_page_shows_defaults_in_german(cast):
    response = cast.client_for(cast.peer).get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Benachrichtigungseinstellungen" in body
    assert "Ruhezeit von" in body and 'value="20:00"' in body and 'value="07:00"' in body and 'value="07:30"' in body
    assert "Europe/Berlin" in body
    assert "In einer täglichen E-Mail-Zusammenfassung" in body
    # Grouped by the app that sends them (in German alphabetical order), then the times.
    assert '<h2 id="section-1">Benachrichtigungen</h2>' in body
    assert ">Wann E-Mails kommen</h2>" in body


def test_page_in_english(cast):
    cast.peer.user.preferred_language = "en"
    cast.peer.user.save()
    body = cast.client_for(cast.peer).get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Quiet hours from" in body


def test_saving_stores_choices_and_writes_an_audit_event(cast):
    user = cast.peer.user
    response = cast.client_for(cast.peer).post(URL, _post(kind__notifications__welcome=Delivery.DIGEST))
    assert response.status_code == 302 and response["Location"] == URL
    assert NotificationPreference.objects.get(user=user, kind="notifications.welcome").delivery == Delivery.DIGEST
    settings = DeliverySettings.objects.get(user=user)
    assert (settings.quiet_from, settings.quiet_until, settings.digest_at) == (dt.time(21), dt.time(6, 30), dt.time(8))
    event = AuditEvent.objects.get(action="notifications.preferences_changed")
    assert event.actor == user and "notifications.welcome" in event.detail["kinds"]


@pytest.mark.parametrize(
    "bad",
    [{"quiet_from": "25:00"}, {"digest_at": ""}, {"kind__notifications__welcome": "sometimes"}],
)
def test_bad_input_is_a_422_with_errors_and_nothing_saved(cast, bad):
    response = cast.client_for(cast.peer).post(URL, _post(**bad))
    assert response.status_code == 422
    assert "field-errors" in response.content.decode()
    assert not DeliverySettings.objects.exists() and not NotificationPreference.objects.exists()


def test_digest_is_not_offered_for_kinds_that_cannot_wait(cast, test_kinds):
    client = cast.client_for(cast.peer)
    body = client.get(URL).content.decode()
    assert 'name="kind__tests__urgent" value="digest"' not in body
    assert 'name="kind__tests__daily" value="digest"' in body
    response = client.post(URL, _post(kind__tests__urgent="digest", kind__tests__daily="digest"))
    assert response.status_code == 422


def test_pending_emails_follow_the_new_choice(cast, time_machine):
    time_machine.move_to(berlin(2026, 6, 10, 12, 0), tick=False)
    user = cast.peer.user
    services.notify(recipients=[user], kind="notifications.welcome", event_key="w:1")
    time_machine.move_to(berlin(2026, 6, 10, 22, 0), tick=False)
    services.notify(recipients=[user], kind="notifications.welcome", event_key="w:2")
    client = cast.client_for(cast.peer)

    client.post(URL, _post(kind__notifications__welcome=Delivery.DIGEST))
    pending = Notification.objects.filter(recipient=user, channel=Channel.EMAIL)
    assert {(row.delivery, row.send_after) for row in pending} == {(Delivery.DIGEST, berlin(2026, 6, 11, 8, 0))}

    client.post(URL, _post(kind__notifications__welcome=Delivery.IN_APP_ONLY))
    assert not pending.filter(cancelled_at__isnull=True).exists()


def test_linked_from_the_centre(cast):
    assert URL in cast.client_for(cast.peer).get("/notifications/").content.decode()
