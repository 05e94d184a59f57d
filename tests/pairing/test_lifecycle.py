"""Proposal → getting to know → active; decline without blame; pause, resume, end."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pairing.models import Tandem
from tandem.audit.models import AuditEvent
from tandem.notifications.models import Channel, Notification
from tandem.notifications.sending import send_due


def _propose(cast, **extra):
    data = {
        "team": cast.team.pk,
        "peer": cast.peer.pk,
        "professional": cast.professional.pk,
        "started_on": timezone.localdate().isoformat(),
        "purpose": "Gemeinsame Hausbesuche",
        **extra,
    }
    return cast.client_for(cast.team_lead).post(reverse("tandems:propose"), data)


def test_team_lead_proposes_and_both_partners_are_notified(mentored):
    response = _propose(mentored)
    tandem = Tandem.objects.get()
    assert response.status_code == 302 and response["Location"] == tandem.get_absolute_url()
    assert tandem.state == Tandem.State.PROPOSED
    assert tandem.proposed_by == mentored.team_lead.user
    recipients = set(
        Notification.objects.filter(kind="tandem.proposed", channel=Channel.IN_APP).values_list("recipient__email", flat=True)
    )
    assert recipients == {"peer@example.org", "professional@example.org"}
    assert AuditEvent.objects.filter(action="tandem.proposed", object_id=str(tandem.pk)).exists()
    send_due(now=timezone.now() + dt.timedelta(days=1))
    assert sorted(m.to[0] for m in mail.outbox) == ["peer@example.org", "professional@example.org"]
    assert "Tandem" in mail.outbox[0].subject


def test_proposal_is_refused_without_a_mentor_with_a_link_to_assign_one(cast):
    response = _propose(cast)
    assert response.status_code == 422
    body = response.content.decode()
    assert "keine*n aktive*n Mentor*in" in body
    assert f"{reverse('mentoring:assign')}?peer={cast.peer.pk}" in body
    assert not Tandem.objects.exists()


def test_both_confirm_and_the_tandem_becomes_active(mentored, make_tandem):
    tandem = make_tandem(Tandem.State.PROPOSED, peer_confirmed_at=None, professional_confirmed_at=None)
    url = reverse("tandems:confirm", args=[tandem.pk])
    assert mentored.client_for(mentored.peer).post(url).status_code == 302
    tandem.refresh_from_db()
    assert tandem.state == Tandem.State.GETTING_TO_KNOW and tandem.peer_confirmed_at
    assert mentored.client_for(mentored.professional).post(url).status_code == 302
    tandem.refresh_from_db()
    assert tandem.state == Tandem.State.ACTIVE
    assert tandem.activated_on == timezone.localdate()
    assert Notification.objects.filter(kind="tandem.activated", channel=Channel.IN_APP).count() == 3


def test_team_lead_cannot_confirm_for_a_partner(mentored, make_tandem):
    tandem = make_tandem(Tandem.State.PROPOSED)
    response = mentored.client_for(mentored.team_lead).post(reverse("tandems:confirm", args=[tandem.pk]))
    assert response.status_code == 404


def test_decline_ends_without_reason_or_blame_and_keeps_the_tandem(mentored, make_tandem):
    tandem = make_tandem(Tandem.State.GETTING_TO_KNOW)
    client = mentored.client_for(mentored.professional)
    assert client.get(reverse("tandems:decline", args=[tandem.pk])).status_code == 200
    response = client.post(reverse("tandems:decline", args=[tandem.pk]))
    assert response.status_code == 302
    tandem.refresh_from_db()
    assert tandem.state == Tandem.State.ENDED
    assert tandem.end_reason == Tandem.EndReason.DECLINED
    assert tandem.ended_on is not None
    event = AuditEvent.objects.get(action="tandem.declined")
    assert event.actor is None  # no blame: nobody learns who said no
    notified = set(Notification.objects.filter(kind="tandem.declined").values_list("recipient__email", flat=True))
    assert notified == {"peer@example.org", "professional@example.org", "lead@example.org"}
    page = mentored.client_for(mentored.team_lead).get(tandem.get_absolute_url()).content.decode()
    assert "professional@example.org" not in page.split("Verlauf")[-1]


def test_an_active_tandem_cannot_be_declined(mentored, make_tandem):
    tandem = make_tandem(Tandem.State.ACTIVE)
    response = mentored.client_for(mentored.peer).post(reverse("tandems:decline", args=[tandem.pk]))
    assert response.status_code == 422
    tandem.refresh_from_db()
    assert tandem.state == Tandem.State.ACTIVE


def test_pause_resume_and_end_with_reason_and_date(mentored, make_tandem):
    tandem = make_tandem(Tandem.State.ACTIVE)
    lead = mentored.client_for(mentored.team_lead)
    today = timezone.localdate().isoformat()
    assert lead.post(reverse("tandems:pause", args=[tandem.pk]), {"on": today, "reason": "Elternzeit"}).status_code == 302
    tandem.refresh_from_db()
    assert (tandem.state, tandem.pause_reason) == (Tandem.State.PAUSED, "Elternzeit")
    assert lead.post(reverse("tandems:resume", args=[tandem.pk]), {"on": today}).status_code == 302
    tandem.refresh_from_db()
    assert tandem.state == Tandem.State.ACTIVE and tandem.paused_on is None
    response = lead.post(reverse("tandems:end", args=[tandem.pk]), {"on": today, "reason": "completed"})
    assert response.status_code == 302
    tandem.refresh_from_db()
    assert (tandem.state, tandem.end_reason, tandem.ended_on) == ("ended", "completed", timezone.localdate())
    pause = tandem.pauses.get()
    assert (pause.reason, pause.ended_on) == ("Elternzeit", timezone.localdate())  # history is kept
    actions = list(AuditEvent.objects.filter(object_id=str(tandem.pk)).values_list("action", flat=True))
    assert {"tandem.paused", "tandem.resumed", "tandem.ended"} <= set(actions)


def test_forbidden_transition_is_refused_with_a_message_and_nothing_changes(mentored, make_tandem):
    tandem = make_tandem(Tandem.State.ACTIVE)
    lead = mentored.client_for(mentored.team_lead)
    response = lead.post(reverse("tandems:resume", args=[tandem.pk]), {"on": timezone.localdate().isoformat()})
    assert response.status_code == 422
    assert "kann nicht" in response.content.decode()
    ended = make_tandem(Tandem.State.ENDED, professional=mentored.mentor)
    response = lead.post(reverse("tandems:pause", args=[ended.pk]), {"on": timezone.localdate().isoformat(), "reason": "x"})
    assert response.status_code == 422
    ended.refresh_from_db()
    assert ended.state == Tandem.State.ENDED


def test_state_machine_lives_on_the_model(cast, make_tandem):
    tandem = make_tandem(Tandem.State.PROPOSED)
    assert tandem.can_become(Tandem.State.GETTING_TO_KNOW)
    assert not tandem.can_become(Tandem.State.PAUSED)
    assert not Tandem(state=Tandem.State.ENDED).can_become(Tandem.State.ACTIVE)


def test_end_warns_when_the_team_would_keep_fewer_than_two_working_peers(mentored, make_tandem):
    tandem = make_tandem(Tandem.State.ACTIVE)
    response = mentored.client_for(mentored.team_lead).get(reverse("tandems:end", args=[tandem.pk]))
    assert response.status_code == 200
    assert "Mindestens zwei Genesungsbegleiter*innen sollten im selben Team arbeiten." in response.content.decode()


def test_team_lead_records_the_get_to_know_meeting(mentored, make_tandem):
    tandem = make_tandem(Tandem.State.PROPOSED)
    response = mentored.client_for(mentored.team_lead).post(reverse("tandems:getting_to_know", args=[tandem.pk]))
    assert response.status_code == 302
    tandem.refresh_from_db()
    assert tandem.state == Tandem.State.GETTING_TO_KNOW
