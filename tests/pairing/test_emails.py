"""Every pairing notification renders as an e-mail in German and English, without confidential text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from pairing import services
from pairing.models import SupportProcess, Tandem
from tandem.notifications.models import Channel, Notification
from tandem.notifications.sending import send_due


def _send() -> list:
    send_due(now=timezone.now() + dt.timedelta(days=2))
    return list(mail.outbox)


@pytest.mark.parametrize(("language", "words"), [("de", "Tandem von"), ("en", "tandem of")])
def test_decline_mail_names_nobody_as_the_one_who_said_no(mentored, make_tandem, language, words):
    for who in (mentored.peer, mentored.professional, mentored.team_lead):
        who.user.preferred_language = language
        who.user.save(update_fields=["preferred_language"])
    tandem = make_tandem(Tandem.State.GETTING_TO_KNOW)
    services.decline(tandem=tandem, by=mentored.professional)
    messages = _send()
    assert len(messages) == 3
    for message in messages:
        assert words in message.subject
        assert tandem.get_absolute_url() in message.body


def test_reflection_and_transition_reminders_render(cast, make_tandem):
    today = timezone.localdate()
    tandem = make_tandem(Tandem.State.ACTIVE, activated_on=today - dt.timedelta(weeks=7))
    SupportProcess.objects.create(
        organisation=cast.organisation, tandem=tandem, client_code="K-7", started_on=today - dt.timedelta(days=330),
        planned_end_on=today + dt.timedelta(days=20),
    )
    services.send_reflection_reminders()
    services.send_transition_reminders()
    send_due(now=timezone.now() + dt.timedelta(days=2))
    subjects = sorted(m.subject for m in mail.outbox)
    assert sum("Reflexion" in s for s in subjects) == 2
    assert sum("K-7" in s and "acht Wochen" in s for s in subjects) == 2
    assert Notification.objects.filter(channel=Channel.EMAIL, sent_at__isnull=False).count() == 4


def test_activation_mail(mentored, make_tandem):
    tandem = make_tandem(Tandem.State.GETTING_TO_KNOW, peer_confirmed_at=timezone.now(), professional_confirmed_at=None)
    services.confirm(tandem=tandem, by=mentored.professional)
    send_due(now=timezone.now() + dt.timedelta(days=2))
    assert sorted(m.to[0] for m in mail.outbox) == ["lead@example.org", "peer@example.org", "professional@example.org"]
    assert all("aktiv" in m.subject for m in mail.outbox)
