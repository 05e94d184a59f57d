"""The welcome sweep: the demo's first e-mail, sent once per person however often it runs."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import User
from tandem.notifications import sending
from tandem.notifications.models import Notification, SweepRun
from tandem.notifications.tasks import send_due_notifications, welcome_new_members

from .conftest import berlin

pytestmark = pytest.mark.django_db


def test_members_are_welcomed_once(cast, time_machine):
    time_machine.move_to(berlin(2026, 6, 10, 12, 0), tick=False)
    members = User.objects.filter(memberships__isnull=False).distinct().count()
    assert members >= 10
    assert welcome_new_members() == members  # not the superuser, who has no membership
    assert welcome_new_members() == 0
    assert send_due_notifications() == members
    assert sending.send_due() == 0
    peer_mail = [m for m in mail.outbox if m.to == [cast.peer.user.email]]
    assert len(peer_mail) == 1 and "/notifications/settings/" in peer_mail[0].body
    assert not Notification.objects.filter(recipient=cast.superuser).exists()
    run = SweepRun.objects.get(name="notifications.welcome")
    assert run.last_processed == 0 and run.last_completed_at is not None
