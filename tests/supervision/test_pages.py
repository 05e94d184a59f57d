"""Pages render for the right people, in the user's time zone and language; start-page items."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from supervision import services
from supervision.models import Session

from .conftest import past_session


@pytest.mark.parametrize("name", ["series_create", "poll_create", "session_create", "group_statistics"])
def test_supervisor_forms_render(cast, group, name):
    assert cast.client_for(cast.supervisor).get(reverse(f"supervision:{name}", args=[group.pk])).status_code == 200


def test_session_forms_render(cast, session):
    client = cast.client_for(cast.supervisor)
    assert client.get(reverse("supervision:session_edit", args=[session.pk])).status_code == 200
    assert client.get(reverse("supervision:session_cancel", args=[session.pk])).status_code == 200


def test_single_session_bad_input_is_422_and_saves_nothing(cast, group):
    client = cast.client_for(cast.supervisor)
    start = timezone.localtime(timezone.now() + dt.timedelta(days=3))
    url = reverse("supervision:session_create", args=[group.pk])

    def post(starts, ends):
        return client.post(url, {"title": "T", "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
                                 "ends_at": ends.strftime("%Y-%m-%dT%H:%M"), "place": "Raum 1"})

    assert post(start, start - dt.timedelta(hours=1)).status_code == 422
    past = start - dt.timedelta(days=5)
    response = post(past, past + dt.timedelta(hours=2))
    assert response.status_code == 422 and "Vergangenheit" in response.content.decode()
    assert not Session.objects.exists()
    assert post(start, start + dt.timedelta(hours=2)).status_code == 302
    assert Session.objects.get().place == "Raum 1"


def test_times_are_shown_in_the_users_time_zone_and_language(cast, group):
    start = dt.datetime(2030, 7, 1, 16, 0, tzinfo=dt.UTC)
    session = services.create_session(group=group, by=cast.supervisor.user, title="T", starts_at=start,
                                      ends_at=start + dt.timedelta(hours=2), place="Raum")
    user = cast.peer.user
    berlin = cast.client_for(cast.peer).get(session.get_absolute_url()).content.decode()
    assert "18:00" in berlin and "Montag" in berlin
    user.time_zone, user.preferred_language = "America/New_York", "en"
    user.save()
    new_york = cast.client_for(cast.peer).get(session.get_absolute_url()).content.decode()
    assert "Monday, July 1, 2030, noon – 2 p.m." in new_york
    assert "Monday" in new_york and "Your answer" in new_york


def test_start_page_asks_peers_to_answer_and_supervisors_to_record(cast, group, session):
    peer_home = cast.client_for(cast.peer).get("/").content.decode()
    assert "wartet auf Ihre Antwort" in peer_home
    past_session(group)
    supervisor_home = cast.client_for(cast.supervisor).get("/").content.decode()
    assert "Anwesenheit für 1 Supervisionssitzung noch nicht erfasst" in supervisor_home
    assert "Supervision" not in cast.client_for(cast.professional).get("/").content.decode().split("<main")[1]


def test_poll_with_only_past_dates_cannot_be_decided(cast, group):
    with time_machine.travel(timezone.now() - dt.timedelta(days=30)):
        poll = services.create_poll(group=group, by=cast.supervisor.user, title="Alt", slots=[timezone.now() + dt.timedelta(days=2)])
    response = cast.client_for(cast.supervisor).post(reverse("supervision:poll_decide", args=[poll.pk]))
    assert response.status_code == 422 and "vorbei" in response.content.decode()
    assert not Session.objects.exists()
