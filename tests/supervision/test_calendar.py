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


def test_the_event_carries_agenda_cancellation_reason_and_video_link(cast, group):
    session = make_session(group, cast.supervisor.user, agenda="Rückblick auf den Monat\nNeue Gruppenregeln")
    client = cast.client_for(cast.peer)
    token = _token(client)
    event = _events(client.get(reverse("supervision:calendar_feed", args=[token])).content)[0][f"{session.uid}@tandem"]
    text = str(event["DESCRIPTION"])
    assert "Tagesordnung:" in text and "Rückblick auf den Monat\nNeue Gruppenregeln" in text
    assert "Videolink: https://video.example.org/room" in text
    assert str(event["URL"]) == "https://video.example.org/room"
    services.cancel_session(session=session, by=cast.supervisor.user, reason="Krankheit der Supervisorin")
    event = _events(client.get(reverse("supervision:calendar_feed", args=[token])).content)[0][f"{session.uid}@tandem"]
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["DESCRIPTION"]).startswith("Abgesagt: Krankheit der Supervisorin")


def test_the_feed_speaks_its_owners_language(cast, group, session):
    cast.peer.user.preferred_language = "en"
    cast.peer.user.save()
    client = cast.client_for(cast.peer)
    token = _token(client)
    anonymous = cast.client_for(None)
    event = _events(anonymous.get(reverse("supervision:calendar_feed", args=[token])).content)[0][f"{session.uid}@tandem"]
    assert "Video link: https://video.example.org/room" in str(event["DESCRIPTION"])
    assert "In Tandem: " in str(event["DESCRIPTION"])


def test_a_session_without_video_links_to_its_page(cast, group):
    session = make_session(group, cast.supervisor.user, place="Raum 3")
    services.update_session(session=session, by=cast.supervisor.user, starts_at=session.starts_at, ends_at=session.ends_at,
                            place="Raum 3", video_url="", capacity=None)
    content = cast.client_for(cast.peer).get(reverse("supervision:session_ics", args=[session.pk])).content
    event = _events(content)[0][f"{session.uid}@tandem"]
    assert str(event["URL"]).endswith(session.get_absolute_url()) and str(event["LOCATION"]) == "Raum 3"


def test_the_feed_can_be_switched_off_and_on_again(cast, group, session):
    client = cast.client_for(cast.peer)
    token = _token(client)
    response = client.post(reverse("supervision:calendar_off"), follow=True)
    assert "Ihre Kalenderadresse ist abgeschaltet" in response.content.decode()
    assert not CalendarFeed.objects.filter(user=cast.peer.user).exists()
    assert cast.client_for(None).get(reverse("supervision:calendar_feed", args=[token])).status_code == 404
    page = client.get(reverse("supervision:overview")).content.decode()
    assert "Kalenderadresse abschalten" not in page and "Kalenderadresse erstellen" in page
    again = _token(client)
    assert again != token
    assert cast.client_for(None).get(reverse("supervision:calendar_feed", args=[again])).status_code == 200


def test_the_agenda_is_kept_when_a_session_is_edited(cast, group):
    session = make_session(group, cast.supervisor.user, agenda="Thema A")
    client = cast.client_for(cast.supervisor)
    form = client.get(reverse("supervision:session_edit", args=[session.pk])).content.decode()
    assert "Thema A" in form
    session.refresh_from_db()
    assert "Thema A" in cast.client_for(cast.peer).get(session.get_absolute_url()).content.decode()
