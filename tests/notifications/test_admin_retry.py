"""Django admin shows given-up e-mails and can put them back into the outbox."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tandem.notifications import services
from tandem.notifications.models import Channel, Notification

pytestmark = pytest.mark.django_db


def _given_up(cast: Any) -> Notification:
    services.notify(recipients=[cast.peer.user], kind="notifications.welcome", event_key="admin:1")
    row = Notification.objects.get(channel=Channel.EMAIL)
    Notification.objects.filter(pk=row.pk).update(
        gave_up_at=timezone.now(), cancelled_at=timezone.now(), attempts=9, last_error="permanent: recipient refused: 550"
    )
    return row


def test_the_admin_lists_given_up_emails_with_their_reason(cast: Any) -> None:
    _given_up(cast)
    client = cast.client_for(cast.superuser)
    page = client.get("/admin/notifications/notification/?given_up=yes", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "permanent: recipient refused: 550" in page.content.decode()


def test_the_admin_retry_action_queues_a_given_up_email_again(cast: Any) -> None:
    row = _given_up(cast)
    client = cast.client_for(cast.superuser)
    response = client.post(
        "/admin/notifications/notification/",
        {"action": "retry_delivery", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.gave_up_at is None and row.cancelled_at is None and row.attempts == 0 and row.last_error == ""
    assert Notification.objects.filter(channel=Channel.IN_APP, recipient=cast.peer.user).count() == 1
