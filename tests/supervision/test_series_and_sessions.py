"""Series generate their sessions ahead; single sessions can be moved or cancelled; bad input is a 422."""

import datetime as dt
import zoneinfo

import time_machine
from django.urls import reverse
from django.utils import timezone

from supervision import services
from supervision.models import Rsvp, Series, Session
from tandem.notifications.models import Notification

from .conftest import make_session

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def _series_post(**overrides):
    data = {
        "title": "Peer-Supervision", "frequency": "nth_weekday", "interval": 1, "nth": 1, "weekday": "",
        "rotation": ["0", "1", "2", "3"], "starts_on": "2026-02-01", "local_time": "18:00", "time_zone": "Europe/Berlin",
        "duration_minutes": 120, "place": "", "video_url": "https://video.example.org/peer", "capacity": "",
    }
    data.update(overrides)
    return data


@time_machine.travel(dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC), tick=False)
def test_rotating_monthly_series_schedules_sessions_ahead_at_the_same_local_time(cast, group):
    response = cast.client_for(cast.supervisor).post(reverse("supervision:series_create", args=[group.pk]), _series_post())
    assert response.status_code == 302
    sessions = list(Session.objects.filter(group=group).order_by("starts_at"))
    assert len(sessions) == 4  # Feb–May within the 120-day horizon
    local = [s.starts_at.astimezone(BERLIN) for s in sessions]
    assert [d.weekday() for d in local] == [0, 1, 2, 3]
    assert {d.time() for d in local} == {dt.time(18, 0)}
    assert local[1].utcoffset() != local[2].utcoffset()  # across the spring change, still 18:00
    assert all(s.ends_at - s.starts_at == dt.timedelta(hours=2) for s in sessions)


@time_machine.travel(dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC), tick=False)
def test_generating_again_creates_nothing_twice_and_keeps_moved_sessions(cast, group):
    series = services.create_series(group=group, by=cast.supervisor.user, **{
        "title": "S", "frequency": "monthly", "interval": 1, "starts_on": dt.date(2026, 1, 20),
        "local_time": dt.time(18, 0), "time_zone": "Europe/Berlin", "video_url": "https://v.example.org",
    })
    count = Session.objects.filter(series=series).count()
    first = Session.objects.filter(series=series).order_by("series_index").first()
    services.update_session(session=first, by=cast.supervisor.user, starts_at=first.starts_at + dt.timedelta(days=1),
                            ends_at=first.ends_at + dt.timedelta(days=1), place="", video_url=first.video_url, capacity=None)
    assert services.generate_sessions(series=series) == 0
    assert services.generate_all() == 0
    assert Session.objects.filter(series=series).count() == count
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        assert services.generate_all() > 0
    assert Session.objects.filter(series=series, series_index=0).count() == 1


@time_machine.travel(dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC), tick=False)
def test_series_in_the_past_or_without_place_is_422_and_saves_nothing(cast, group):
    client = cast.client_for(cast.supervisor)
    past = client.post(reverse("supervision:series_create", args=[group.pk]), _series_post(starts_on="2026-01-05", frequency="monthly"))
    assert past.status_code == 422
    assert "Vergangenheit" in past.content.decode()
    nowhere = client.post(reverse("supervision:series_create", args=[group.pk]), _series_post(video_url=""))
    assert nowhere.status_code == 422
    no_weekday = client.post(reverse("supervision:series_create", args=[group.pk]), _series_post(rotation=[]))
    assert no_weekday.status_code == 422
    assert not Series.objects.exists() and not Session.objects.exists()


def test_moving_a_session_tells_members_and_bumps_sequence(cast, group, session, mailoutbox):
    old_start = session.starts_at
    client = cast.client_for(cast.supervisor)
    new_start = timezone.localtime(old_start + dt.timedelta(days=1))
    response = client.post(reverse("supervision:session_edit", args=[session.pk]), {
        "starts_at": new_start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (new_start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Raum 3", "video_url": "", "capacity": "",
    })
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == old_start + dt.timedelta(days=1)
    assert session.sequence == 1 and session.time_version == 1
    told = Notification.objects.filter(kind="supervision.session_moved", channel="in_app")
    assert {n.recipient for n in told} == {cast.peer.user, cast.other_peer.user}


def test_cancelling_tells_members(cast, group, session):
    response = cast.client_for(cast.supervisor).post(reverse("supervision:session_cancel", args=[session.pk]), {"reason": "Krank"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.is_cancelled and session.sequence == 1
    assert Notification.objects.filter(kind="supervision.session_cancelled", recipient=cast.peer.user).exists()


def test_bad_session_changes_are_422_and_change_nothing(cast, group):
    session = make_session(group, cast.supervisor.user, capacity=3)
    services.answer(session=session, membership=cast.peer, answer="yes")
    services.answer(session=session, membership=cast.other_peer, answer="yes")
    client = cast.client_for(cast.supervisor)
    url = reverse("supervision:session_edit", args=[session.pk])
    start = timezone.localtime(session.starts_at)

    def post(starts, ends, capacity=""):
        return client.post(url, {"starts_at": starts.strftime("%Y-%m-%dT%H:%M"), "ends_at": ends.strftime("%Y-%m-%dT%H:%M"),
                                 "place": "", "video_url": session.video_url, "capacity": capacity})

    past = timezone.localtime(timezone.now() - dt.timedelta(days=1))
    assert "Vergangenheit" in post(past, past + dt.timedelta(hours=2)).content.decode()
    backwards = post(start, start - dt.timedelta(hours=1))
    assert backwards.status_code == 422 and "nach dem Beginn" in backwards.content.decode()
    too_small = post(start, start + dt.timedelta(hours=2), capacity=1)
    assert too_small.status_code == 422 and "2" in too_small.content.decode()
    fresh = Session.objects.get(pk=session.pk)
    assert (fresh.starts_at, fresh.capacity, fresh.sequence) == (session.starts_at, 3, 0)
    assert Rsvp.objects.filter(session=session, waiting_since__isnull=True).count() == 2


@time_machine.travel(dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC), tick=False)
def test_ending_a_series_cancels_its_future_sessions_and_stops_generation(cast, group):
    series = services.create_series(group=group, by=cast.supervisor.user, **{
        "title": "S", "frequency": "monthly", "interval": 1, "starts_on": dt.date(2026, 1, 20),
        "local_time": dt.time(18, 0), "time_zone": "Europe/Berlin", "video_url": "https://v.example.org",
    })
    client = cast.client_for(cast.supervisor)
    url = reverse("supervision:series_end", args=[group.pk, series.pk])
    assert cast.client_for(cast.peer).post(url).status_code == 404
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert not Session.objects.filter(series=series, status="scheduled").exists()
    assert Notification.objects.filter(kind="supervision.session_cancelled", recipient=cast.peer.user).exists()
    with time_machine.travel(dt.datetime(2026, 8, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        assert services.generate_all() == 0
    assert client.post(url).status_code == 404


def test_group_page_lists_the_next_sessions_in_time_order(cast, group):
    # Created out of order: the page must still show the nearest first (GROUP BY drops Meta.ordering).
    for days in (40, 10, 70, 25):
        make_session(group, cast.supervisor.user, days=days, title=f"in {days} days")
    response = cast.client_for(cast.supervisor).get(reverse("supervision:group_detail", args=[group.pk]))
    assert response.status_code == 200
    shown = [s.title for s in response.context["sessions"]]
    assert shown[:4] == ["in 10 days", "in 25 days", "in 40 days", "in 70 days"]
