"""Every supervision notification renders its e-mail in German and English, with the time in the
recipient's zone and no confidential text."""

from pathlib import Path

import pytest
from django.core import mail

from tandem.notifications import sending
from tandem.notifications.models import Notification
from tandem.notifications.services import notify

KINDS = [
    "supervision.reminder", "supervision.session_moved", "supervision.session_cancelled", "supervision.session_scheduled",
    "supervision.poll_opened", "supervision.waitlist_promoted", "supervision.share_requested",
]


@pytest.mark.parametrize("language,word", [("de", "Hallo"), ("en", "Hello")])
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders(cast, kind, language, word):
    user = cast.peer.user
    user.preferred_language = language
    user.save()
    notify(recipients=[user], kind=kind, event_key=f"test:{kind}", url="/supervision/", context={
        "group": "Gruppe Nord", "title": "Supervision", "organisation": "Träger Süd",
        "starts_at": "2026-07-01T16:00:00+00:00", "ends_at": "2026-07-01T18:00:00+00:00",
    })
    row = Notification.objects.get(kind=kind, channel="email")
    message = sending.build_message(row)
    assert word in message.body and "{{" not in message.body and "{%" not in message.subject
    if "when" in Path(f"supervision/templates/notifications/{kind}/subject.txt").read_text():
        assert ("18:00" if language == "de" else "6 p.m.") in message.subject
    assert not mail.outbox
