"""Calendar: a personal secret feed (renewable) and an .ics per session, parsed back with icalendar."""

import datetime as dt
import re

import icalendar
import pytest
from django.urls import reverse

from supervision import services
from supervision.models import CalendarFeed

from .conftest import make_session


def _token(client):
    client.post(reverse("supervision:calendar_renew"))
    page = client.get(reverse("supervision:overview")).content.decode()
    return re.search(r"/supervision/calendar/([A-Za-z0-9_-]+)\.ics", page).group(1)


def _events(content):
    cal = icalendar.Calendar.from_ical(content)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}, cal


def test_feed_lists_my_sessions_as_valid_icalendar(cast, group, session):
    client = cast.client_for(cast.peer)
    token = _token(client)
    response = client.get(reverse("supervision:calendar_feed", args=[token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events, cal = _events(response.content)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    event = events[f"{session.uid}@tandem"]
    assert event.decoded("DTSTART") == session.starts_at and event.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert event.decoded("DTEND") == session.ends_at
    assert int(event["SEQUENCE"]) == 0 and str(event["STATUS"]) == "CONFIRMED"
    assert "DTSTAMP" in event


def test_changes_raise_sequence_keep_uid_and_cancel_shows_status(cast, group, session):
    client = cast.client_for(cast.peer)
    token = _token(client)
    services.update_session(session=session, by=cast.supervisor.user, starts_at=session.starts_at + dt.timedelta(hours=1),
                            ends_at=session.ends_at + dt.timedelta(hours=1), place="Raum 2", video_url="", capacity=None)
    events, _ = _events(client.get(reverse("supervision:calendar_feed", args=[token])).content)
    event = events[f"{session.uid}@tandem"]
    assert int(event["SEQUENCE"]) == 1 and str(event["LOCATION"]) == "Raum 2"
    services.cancel_session(session=session, by=cast.supervisor.user)
    events, _ = _events(client.get(reverse("supervision:calendar_feed", args=[token])).content)
    assert int(events[f"{session.uid}@tandem"]["SEQUENCE"]) == 2
    assert str(events[f"{session.uid}@tandem"]["STATUS"]) == "CANCELLED"


def test_renewed_token_replaces_the_old_one_and_bad_tokens_are_plain_404(cast, group, session):
    client = cast.client_for(cast.peer)
    old = _token(client)
    new = _token(client)
    assert old != new and CalendarFeed.objects.count() == 1
    anonymous = cast.client_for(None)
    assert anonymous.get(reverse("supervision:calendar_feed", args=[new])).status_code == 200
    revoked = anonymous.get(reverse("supervision:calendar_feed", args=[old]))
    invalid = anonymous.get(reverse("supervision:calendar_feed", args=["nonsense"]))
    assert revoked.status_code == invalid.status_code == 404
    assert revoked.content == invalid.content == b"404"
    assert b"BEGIN:VCALENDAR" not in revoked.content


def test_feed_shows_only_the_owners_groups(cast, group, session):
    other = services.create_group(supervisor=cast.other_supervisor, name="Andere", by=cast.other_supervisor.user)
    hidden = make_session(other, cast.other_supervisor.user)
    events, _ = _events(cast.client_for(None).get(reverse("supervision:calendar_feed", args=[_token(cast.client_for(cast.peer))])).content)
    assert f"{session.uid}@tandem" in events and f"{hidden.uid}@tandem" not in events


@pytest.mark.parametrize("who,status", [("peer", 200), ("supervisor", 200), ("professional", 404), ("team_lead", 404)])
def test_session_ics_download(cast, group, session, who, status):
    response = cast.client_for(getattr(cast, who)).get(reverse("supervision:session_ics", args=[session.pk]))
    assert response.status_code == status
    if status == 200:
        events, _ = _events(response.content)
        assert list(events) == [f"{session.uid}@tandem"]
        assert "attachment" in response["Content-Disposition"]
