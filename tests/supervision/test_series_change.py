"""A series is changed from a chosen session on: time, weekday rule, place and video link. Sessions that
have taken place, and every answer, stay as they are."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from supervision import services
from supervision.models import Answer, Attendance, Rsvp, Series, Session
from tandem.notifications.models import Channel, Notification

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
CREATED = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)  # a Saturday
LATER = dt.datetime(2026, 1, 20, 9, 0, tzinfo=dt.UTC)  # after the sessions of 12 and 19 January


def _weekly(cast, group) -> Series:
    with time_machine.travel(CREATED, tick=False):
        return services.create_series(group=group, by=cast.supervisor.user, **{
            "title": "Montagsgruppe", "frequency": "weekly", "interval": 1, "starts_on": dt.date(2026, 1, 12),
            "local_time": dt.time(18, 0), "time_zone": "Europe/Berlin", "place": "Raum 1",
        })


def _change(**overrides):  # type: ignore[no-untyped-def]
    return {
        "frequency": "weekly", "interval": 1, "nth": 1, "weekday": None, "rotation": [],
        "starts_on": dt.date(2026, 2, 3), "local_time": dt.time(17, 0), "place": "Raum 2",
        "video_url": "https://video.example.org/neu", **overrides,
    }


def _by_index(series: Series) -> dict[int, Session]:
    return {s.series_index: s for s in Session.objects.filter(series=series)}


@pytest.fixture
def series(cast, group) -> Series:
    series = _weekly(cast, group)
    sessions = _by_index(series)
    # Answers and attendance of the first, held session; a yes to the session that will be changed.
    Rsvp.objects.create(session=sessions[0], membership=cast.peer, answer=Answer.YES)
    Attendance.objects.create(session=sessions[0], membership=cast.peer, attended=True, recorded_by=cast.supervisor.user)
    Rsvp.objects.create(session=sessions[3], membership=cast.peer, answer=Answer.YES)
    return series


@time_machine.travel(LATER, tick=False)
def test_changing_from_a_session_moves_it_and_later_ones_and_leaves_earlier_ones(cast, series):
    before = _by_index(series)
    held = {i: (before[i].starts_at, before[i].place, before[i].sequence) for i in (0, 1, 2)}
    chosen = before[3]
    new = services.change_series_from(session=chosen, by=cast.supervisor.user, **_change())
    # The earlier sessions (two held, one still to come before the chosen one) are untouched.
    for i, (starts_at, place, sequence) in held.items():
        session = Session.objects.get(pk=before[i].pk)
        assert (session.series_id, session.starts_at, session.place, session.sequence) == (series.pk, starts_at, place, sequence)
    assert Rsvp.objects.filter(session=before[0], membership=cast.peer, answer=Answer.YES).exists()
    assert Attendance.objects.filter(session=before[0], attended=True).exists()
    # The chosen session keeps its row and its answer, at the new rule's first date.
    chosen.refresh_from_db()
    assert chosen.series_id == new.pk and chosen.series_index == 0
    assert chosen.starts_at.astimezone(BERLIN) == dt.datetime(2026, 2, 3, 17, 0, tzinfo=BERLIN)
    assert chosen.ends_at - chosen.starts_at == dt.timedelta(hours=2)
    assert (chosen.place, chosen.video_url) == ("Raum 2", "https://video.example.org/neu")
    assert chosen.sequence > 0  # calendars pick the change up
    assert Rsvp.objects.filter(session=chosen, membership=cast.peer, answer=Answer.YES).exists()
    # Every later session follows the new rule: Tuesdays at 17:00, weekly.
    starts = [s.starts_at.astimezone(BERLIN) for s in Session.objects.filter(series=new).order_by("series_index")]
    assert starts[:3] == [dt.datetime(2026, 2, d, 17, 0, tzinfo=BERLIN) for d in (3, 10, 17)]
    assert all(s.weekday() == 1 and s.hour == 17 for s in starts)
    assert not Session.objects.filter(series=series, series_index__gte=3).exists()
    # The old series makes no new sessions; generating the new one twice creates nothing twice.
    series.refresh_from_db()
    assert series.ended_at is not None
    count = Session.objects.count()
    assert services.generate_all() == 0
    assert Session.objects.count() == count


@time_machine.travel(LATER, tick=False)
def test_members_are_told_once_not_per_session(cast, series):
    services.change_series_from(session=_by_index(series)[3], by=cast.supervisor.user, **_change())
    told = Notification.objects.filter(kind="supervision.series_changed", channel=Channel.IN_APP)
    assert set(told.values_list("recipient__email", flat=True)) == {cast.peer.user.email, cast.other_peer.user.email}
    assert not Notification.objects.filter(kind="supervision.session_moved").exists()


@time_machine.travel(LATER, tick=False)
def test_a_held_session_cannot_be_the_start_of_a_change(cast, series):
    held = _by_index(series)[1]
    with pytest.raises(ValidationError):
        services.change_series_from(session=held, by=cast.supervisor.user, **_change())
    response = cast.client_for(cast.supervisor).get(reverse("supervision:series_change", args=[held.pk]))
    assert response.status_code == 404
    assert Series.objects.count() == 1


@time_machine.travel(LATER, tick=False)
def test_the_first_changed_date_must_come_after_the_previous_session(cast, series):
    chosen = _by_index(series)[3]
    response = cast.client_for(cast.supervisor).post(
        reverse("supervision:series_change", args=[chosen.pk]),
        {**{k: v for k, v in _change(starts_on="2026-01-26").items() if v not in (None, [])}, "local_time": "17:00"},
    )
    assert response.status_code == 422
    assert "nach der vorigen Sitzung" in response.content.decode()
    assert Series.objects.count() == 1
    chosen.refresh_from_db()
    assert chosen.series_id == series.pk


@time_machine.travel(LATER, tick=False)
def test_a_date_in_the_past_is_refused(cast, series):
    with pytest.raises(ValidationError) as error:
        services.change_series_from(session=_by_index(series)[3], by=cast.supervisor.user, **_change(starts_on=dt.date(2026, 1, 13)))
    assert "starts_on" in error.value.error_dict


@time_machine.travel(LATER, tick=False)
def test_supervisor_changes_the_series_through_the_page_and_members_cannot(cast, series):
    chosen = _by_index(series)[3]
    url = reverse("supervision:series_change", args=[chosen.pk])
    assert cast.client_for(cast.peer).get(url).status_code == 404
    assert cast.client_for(cast.peer).post(url, {}).status_code == 404
    client = cast.client_for(cast.supervisor)
    page = client.get(url)
    assert page.status_code == 200
    assert "Sitzungen, die schon stattgefunden haben" in page.content.decode()
    detail = client.get(chosen.get_absolute_url()).content.decode()
    assert url in detail
    data = {"frequency": "weekly", "interval": "1", "nth": "1", "starts_on": "2026-02-03", "local_time": "17:00",
            "place": "Raum 2", "video_url": "https://video.example.org/neu"}
    response = client.post(url, data)
    assert response.status_code == 302
    chosen.refresh_from_db()
    assert response["Location"] == chosen.get_absolute_url()
    assert chosen.place == "Raum 2"


@time_machine.travel(LATER, tick=False)
def test_neither_place_nor_video_link_is_refused_and_nothing_changes(cast, series):
    chosen = _by_index(series)[3]
    response = cast.client_for(cast.supervisor).post(
        reverse("supervision:series_change", args=[chosen.pk]),
        {"frequency": "weekly", "interval": "1", "nth": "1", "starts_on": "2026-02-03", "local_time": "17:00"},
    )
    assert response.status_code == 422
    assert Series.objects.count() == 1
