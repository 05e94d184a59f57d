"""Support processes: pseudonymous client code, goals, three-way meetings, twelve months, reminder eight weeks before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pairing import services, tasks
from pairing.models import SupportProcess, Tandem, ThreeWayMeeting
from tandem.notifications.models import Channel, Notification


def _start(cast, tandem, who=None, **extra):
    data = {"client_code": "k-0417", "started_on": "2026-03-02", "goals": "Eigene Wohnung halten", **extra}
    return cast.client_for(who or cast.professional).post(reverse("tandems:support_new", args=[tandem.pk]), data)


def test_partner_starts_a_support_process_planned_for_twelve_months(cast, make_tandem):
    tandem = make_tandem(Tandem.State.ACTIVE)
    response = _start(cast, tandem)
    process = SupportProcess.objects.get()
    assert response.status_code == 302 and response["Location"] == process.get_absolute_url()
    assert process.client_code == "K-0417"
    assert process.planned_end_on == dt.date(2027, 3, 2)
    assert process.transition_reminder_on == dt.date(2027, 3, 2) - dt.timedelta(weeks=8)


@pytest.mark.parametrize("code", ["Anna Müller", "ab", "K 0417", "Frau-Meier!"])
def test_client_code_must_be_pseudonymous(cast, make_tandem, code):
    tandem = make_tandem(Tandem.State.ACTIVE)
    response = _start(cast, tandem, client_code=code)
    assert response.status_code == 422
    assert "pseudonymes Kürzel" in " ".join(response.context["form"].errors["client_code"])
    assert not SupportProcess.objects.exists()


def test_overlong_client_code_is_refused(cast, make_tandem):
    tandem = make_tandem(Tandem.State.ACTIVE)
    response = _start(cast, tandem, client_code="Schizophrenie-Diagnose-F20")
    assert response.status_code == 422
    assert response.context["form"].errors["client_code"]
    assert not SupportProcess.objects.exists()


def test_only_an_active_tandem_supports_clients(cast, make_tandem):
    tandem = make_tandem(Tandem.State.PROPOSED)
    assert _start(cast, tandem).status_code == 422
    assert not SupportProcess.objects.exists()


def test_people_outside_the_tandem_cannot_start_one(cast, make_tandem):
    tandem = make_tandem(Tandem.State.ACTIVE)
    assert _start(cast, tandem, who=cast.other_peer).status_code == 404
    assert _start(cast, tandem, who=cast.outsider).status_code == 404


def test_three_way_meeting_and_end(cast, make_tandem):
    tandem = make_tandem(Tandem.State.ACTIVE)
    _start(cast, tandem)
    process = SupportProcess.objects.get()
    client = cast.client_for(cast.peer)
    assert client.post(reverse("tandems:support_meeting", args=[process.pk]), {"held_on": "2026-01-01"}).status_code == 422
    assert client.post(reverse("tandems:support_meeting", args=[process.pk]), {"held_on": "2026-04-01"}).status_code == 302
    assert ThreeWayMeeting.objects.filter(support_process=process).count() == 1
    assert client.post(reverse("tandems:support_end", args=[process.pk]), {"on": "2026-02-01"}).status_code == 422
    assert client.post(reverse("tandems:support_end", args=[process.pk]), {"on": "2026-06-01"}).status_code == 302
    process.refresh_from_db()
    assert process.ended_on == dt.date(2026, 6, 1)


def test_transition_reminder_goes_out_eight_weeks_before_the_end_once(cast, make_tandem):
    tandem = make_tandem(Tandem.State.ACTIVE)
    today = timezone.localdate()
    later = SupportProcess.objects.create(
        organisation=cast.organisation, tandem=tandem, client_code="K-1", started_on=today - dt.timedelta(days=200),
        planned_end_on=today + dt.timedelta(weeks=8, days=1),
    )
    due = SupportProcess.objects.create(
        organisation=cast.organisation, tandem=tandem, client_code="K-2", started_on=today - dt.timedelta(days=300),
        planned_end_on=today + dt.timedelta(weeks=8),
    )
    assert tasks.send_transition_reminders() == 1
    assert tasks.send_transition_reminders() == 0
    rows = Notification.objects.filter(kind="tandem.support_transition", channel=Channel.IN_APP)
    assert sorted(rows.values_list("recipient__email", flat=True)) == ["peer@example.org", "professional@example.org"]
    assert all(r.object_id == str(due.pk) for r in rows)
    later.refresh_from_db()
    assert later.transition_reminded_at is None
    assert services.send_transition_reminders(today=today + dt.timedelta(days=1)) == 1


@pytest.mark.parametrize("day", ["9999-01-01", "9999-12-31", "1899-05-01"])
def test_an_implausible_start_date_is_refused_with_a_message_and_saves_nothing(cast, make_tandem, day):
    """A year-long process planned from 9999 would overflow the calendar: a clear message, not a 500."""
    tandem = make_tandem(Tandem.State.ACTIVE)
    response = _start(cast, tandem, started_on=day)
    assert response.status_code == 422
    assert "Bitte geben Sie ein Datum zwischen dem 01.01.2000 und dem" in response.content.decode()
    assert not SupportProcess.objects.exists()
