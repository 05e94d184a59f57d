"""Answers with a capacity and waiting list; attendance; notes; statistics."""

import threading
import zoneinfo

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from supervision import services, stats
from supervision.models import WEEKDAY_CHOICES, Attendance, Rsvp, SessionNote
from tandem.audit.models import AuditEvent
from tandem.notifications.models import Notification

from ..factories import member
from .conftest import make_session, past_session


def test_member_answers_yes_maybe_no(cast, group, session):
    client = cast.client_for(cast.peer)
    assert client.post(reverse("supervision:session_rsvp", args=[session.pk]), {"answer": "maybe"}).status_code == 302
    assert Rsvp.objects.get(session=session, membership=cast.peer).answer == "maybe"
    assert client.post(reverse("supervision:session_rsvp", args=[session.pk]), {"answer": "whatever"}).status_code == 422


def test_full_session_puts_yes_on_the_waiting_list_which_moves_up(cast, group):
    third = member(cast.organisation, is_peer=True, email="dritte@example.org")
    services.add_member(group=group, membership=third, by=cast.supervisor.user)
    session = make_session(group, cast.supervisor.user, capacity=1)
    assert not services.answer(session=session, membership=cast.peer, answer="yes").is_waiting
    assert services.answer(session=session, membership=cast.other_peer, answer="yes").is_waiting
    assert services.answer(session=session, membership=third, answer="yes").is_waiting
    services.answer(session=session, membership=cast.peer, answer="no")
    assert not Rsvp.objects.get(session=session, membership=cast.other_peer).is_waiting  # the earliest moves up
    assert Rsvp.objects.get(session=session, membership=third).is_waiting
    assert Notification.objects.filter(kind="supervision.waitlist_promoted", recipient=cast.other_peer.user).exists()
    assert not Notification.objects.filter(kind="supervision.waitlist_promoted", recipient=third.user).exists()


def test_raising_the_capacity_moves_the_waiting_list_up(cast, group):
    session = make_session(group, cast.supervisor.user, capacity=1)
    services.answer(session=session, membership=cast.peer, answer="yes")
    services.answer(session=session, membership=cast.other_peer, answer="yes")
    services.update_session(session=session, by=cast.supervisor.user, starts_at=session.starts_at, ends_at=session.ends_at,
                            place="", video_url=session.video_url, capacity=2)
    assert Rsvp.objects.filter(session=session, waiting_since__isnull=True, answer="yes").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_last_place_yeses_at_once_get_one_place(cast, group):
    session = make_session(group, cast.supervisor.user, capacity=1)
    barrier = threading.Barrier(2)
    errors = []

    def say_yes(who):
        try:
            barrier.wait(timeout=5)
            services.answer(session=session, membership=who, answer="yes")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=say_yes, args=(who,)) for who in (cast.peer, cast.other_peer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Rsvp.objects.filter(session=session, answer="yes", waiting_since__isnull=True).count() == 1
    assert Rsvp.objects.filter(session=session, answer="yes", waiting_since__isnull=False).count() == 1


def test_supervisor_records_attendance_after_the_start(cast, group, session):
    client = cast.client_for(cast.supervisor)
    early = client.post(reverse("supervision:session_attendance", args=[session.pk]), {"attended": [cast.peer.pk]})
    assert early.status_code == 422 and not Attendance.objects.exists()
    held = past_session(group)
    assert client.post(reverse("supervision:session_attendance", args=[held.pk]), {"attended": [cast.peer.pk]}).status_code == 302
    assert dict(Attendance.objects.filter(session=held).values_list("membership_id", "attended")) == {
        cast.peer.pk: True, cast.other_peer.pk: False,
    }
    assert cast.client_for(cast.peer).post(reverse("supervision:session_attendance", args=[held.pk]), {}).status_code == 404


def test_statistics_per_member_and_weekday(cast, group):
    a = past_session(group, days_ago=7)
    b = past_session(group, days_ago=14)
    services.record_attendance(session=a, by=cast.supervisor.user, attended=[cast.peer.pk])
    services.record_attendance(session=b, by=cast.supervisor.user, attended=[cast.peer.pk, cast.other_peer.pk])
    per_member = {r.label: (r.present, r.recorded) for r in stats.by_member(group)}
    assert per_member[cast.peer.user.display_name] == (2, 2)
    assert per_member[cast.other_peer.user.display_name] == (1, 2)
    weekdays = stats.by_weekday(group)
    assert sum(r.present for r in weekdays) == 3 and sum(r.recorded for r in weekdays) == 4
    assert stats.organisation_rate(cast.organisation) == 75
    page = cast.client_for(cast.supervisor).get(reverse("supervision:group_statistics", args=[group.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    # The supervisor's page shows the same figures: per member, and per weekday (both sessions fell on the
    # same local weekday, named in German, the supervisor's language).
    assert f'<th scope="row">{escape(cast.peer.user.display_name)}</th><td>2 / 2</td><td>100 %</td>' in body
    assert f'<th scope="row">{escape(cast.other_peer.user.display_name)}</th><td>1 / 2</td><td>50 %</td>' in body
    with translation.override("de"):
        weekday = str(dict(WEEKDAY_CHOICES)[a.starts_at.astimezone(zoneinfo.ZoneInfo(a.time_zone)).weekday()])
    assert f'<th scope="row">{weekday}</th><td>3 / 4</td><td>75 %</td>' in body
    rate_page = cast.client_for(cast.org_admin).get(reverse("supervision:organisation_rate")).content.decode()
    assert "75 %" in rate_page


def test_notes_are_written_by_members_and_stay_out_of_audit_and_notifications(cast, group, session):
    client = cast.client_for(cast.other_peer)
    assert client.post(reverse("supervision:session_note", args=[session.pk]), {"text": "Geheimes Thema"}).status_code == 302
    assert SessionNote.objects.get().text == "Geheimes Thema"
    # The note is audited (that it was written) and the session notified its members, but neither says what.
    assert AuditEvent.objects.filter(action="supervision.note_added").exists()
    assert Notification.objects.exists()
    assert not any("Geheimes" in str(e.detail) for e in AuditEvent.objects.all())
    assert not any("Geheimes" in str(n.context) for n in Notification.objects.all())
    assert cast.client_for(cast.professional).post(reverse("supervision:session_note", args=[session.pk]), {"text": "x"}).status_code == 404
    empty = client.post(reverse("supervision:session_note", args=[session.pk]), {"text": "   "})
    assert empty.status_code == 422 and SessionNote.objects.count() == 1
