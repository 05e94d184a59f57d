"""Reminders 7 days and 1 day before: once per member, session and reminder; a moved session gets a
change notice and no reminder of its old time."""

import datetime as dt

import time_machine
from django.core import mail

from supervision import services, tasks
from supervision.models import Session
from tandem.notifications import sending
from tandem.notifications.models import Notification

T0 = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)  # 10:00 in Berlin: outside quiet hours


def reminders(kind_suffix=None, channel="email"):
    qs = Notification.objects.filter(kind="supervision.reminder", channel=channel)
    if kind_suffix:
        qs = qs.filter(dedupe_key__contains=kind_suffix)
    return qs


def _session(group, cast, start):
    with time_machine.travel(T0, tick=False):
        return services.create_session(group=group, by=cast.supervisor.user, title="Supervision", starts_at=start,
                                       ends_at=start + dt.timedelta(hours=2), video_url="https://v.example.org")


def test_seven_day_and_one_day_reminders_go_out_once_each(cast, group):
    session = _session(group, cast, T0 + dt.timedelta(days=10))
    with time_machine.travel(T0, tick=False):
        services.answer(session=session, membership=cast.other_peer, answer="no")
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        assert services.send_due_reminders() == 0
    with time_machine.travel(T0 + dt.timedelta(days=3, hours=1), tick=False):
        assert services.send_due_reminders() == 1
        assert services.send_due_reminders() == 0  # a second sweep finds nothing due
    assert [n.recipient for n in reminders("reminder-7d")] == [cast.peer.user]  # not the one who declined
    with time_machine.travel(T0 + dt.timedelta(days=9, hours=1), tick=False):
        tasks.send_reminders()
        tasks.send_reminders()
    assert reminders("reminder-1d").count() == 1 and reminders().count() == 2
    assert reminders(channel="in_app").count() == 2


def test_reminder_email_is_sent_in_the_recipients_language_and_time_zone(cast, group):
    _session(group, cast, dt.datetime(2026, 6, 5, 16, 0, tzinfo=dt.UTC))
    with time_machine.travel(dt.datetime(2026, 6, 4, 16, 30, tzinfo=dt.UTC), tick=False):
        services.send_due_reminders()
        sending.send_due()
    to_peer = [m for m in mail.outbox if m.to == [cast.peer.user.email] and "angesetzt" not in m.subject]
    assert len(to_peer) == 1
    assert "Erinnerung" in to_peer[0].subject and "18:00" in to_peer[0].subject


def test_moved_session_gets_a_change_notice_and_no_reminder_of_the_old_time(cast, group):
    session = _session(group, cast, T0 + dt.timedelta(days=8))
    with time_machine.travel(T0 + dt.timedelta(days=1, hours=1), tick=False):
        services.send_due_reminders()  # 7-day reminder written for the old time (not sent yet)
        old = list(reminders("reminder-7d"))
        assert old and all(n.cancelled_at is None for n in old)
        moved = services.update_session(session=session, by=cast.supervisor.user, starts_at=session.starts_at + dt.timedelta(days=3),
                                        ends_at=session.ends_at + dt.timedelta(days=3), place="", video_url=session.video_url, capacity=None)
    assert all(n.cancelled_at is not None for n in reminders("reminder-7d").filter(pk__in=[n.pk for n in old]))
    assert Notification.objects.filter(kind="supervision.session_moved", recipient=cast.peer.user).exists()
    assert moved.time_version == 1
    # The new time: a 7-day reminder when its window opens, then the 1-day one; none for t0 again.
    with time_machine.travel(T0 + dt.timedelta(days=4, hours=1), tick=False):
        services.send_due_reminders()
    with time_machine.travel(T0 + dt.timedelta(days=10, hours=1), tick=False):
        services.send_due_reminders()
    keys = set(reminders().values_list("dedupe_key", flat=True))
    assert {k.split(":")[2] for k in keys} == {"t0", "t1"}
    assert sum(1 for k in keys if ":t0:" in k) == len(old)
    assert any(":t1:reminder-7d" in k for k in keys) and any(":t1:reminder-1d" in k for k in keys)


def test_moving_into_the_last_day_sends_the_notice_only(cast, group):
    session = _session(group, cast, T0 + dt.timedelta(days=10))
    with time_machine.travel(T0, tick=False):
        services.update_session(session=session, by=cast.supervisor.user, starts_at=T0 + dt.timedelta(hours=20),
                                ends_at=T0 + dt.timedelta(hours=22), place="", video_url=session.video_url, capacity=None)
        assert services.send_due_reminders() == 0
    assert not reminders().exists()
    assert Notification.objects.filter(kind="supervision.session_moved").exists()


def test_cancelled_sessions_are_not_reminded_and_pending_reminders_are_withdrawn(cast, group):
    session = _session(group, cast, T0 + dt.timedelta(days=5))
    with time_machine.travel(T0, tick=False):
        services.send_due_reminders()
        services.cancel_session(session=session, by=cast.supervisor.user)
    assert all(n.cancelled_at is not None for n in reminders())
    with time_machine.travel(T0 + dt.timedelta(days=4, hours=2), tick=False):
        assert services.send_due_reminders() == 0
    assert Session.objects.get(pk=session.pk).reminded_1d_version is None


# --- Checked again at send time: a reminder never arrives after, or without, its session -------------


def _written_reminder(cast, group, start):
    """A 1-day reminder written by the sweep and waiting in the outbox (not sent yet)."""
    session = _session(group, cast, start)
    with time_machine.travel(start - dt.timedelta(hours=23), tick=False):
        services.send_due_reminders()
    assert reminders("reminder-1d").filter(sent_at__isnull=True, cancelled_at__isnull=True).exists()
    mail.outbox = []
    return session


def _reminder_emails():
    return [m for m in mail.outbox if "Erinnerung" in m.subject or "Reminder" in m.subject]


def test_a_reminder_whose_session_has_started_is_not_sent(cast, group):
    start = T0 + dt.timedelta(days=10)
    _written_reminder(cast, group, start)
    # The sender was down (or the e-mail waited) until after the start.
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        sending.send_due()
    assert _reminder_emails() == []
    rows = reminders("reminder-1d")
    assert rows and all(r.sent_at is None and r.cancelled_at is not None and r.last_error == "no longer due" for r in rows)


def test_a_reminder_whose_session_was_cancelled_meanwhile_is_not_sent(cast, group):
    start = T0 + dt.timedelta(days=10)
    session = _written_reminder(cast, group, start)
    # Cancelled behind the service's back (no withdrawal by prefix): the send-time check still holds.
    Session.objects.filter(pk=session.pk).update(status=Session.Status.CANCELLED)
    with time_machine.travel(start - dt.timedelta(hours=22), tick=False):
        sending.send_due()
    assert _reminder_emails() == []


def test_a_reminder_of_a_moved_sessions_old_time_is_not_sent(cast, group):
    start = T0 + dt.timedelta(days=10)
    session = _written_reminder(cast, group, start)
    Session.objects.filter(pk=session.pk).update(
        starts_at=start + dt.timedelta(days=2), ends_at=start + dt.timedelta(days=2, hours=2), time_version=1
    )
    with time_machine.travel(start - dt.timedelta(hours=22), tick=False):
        sending.send_due()
    assert _reminder_emails() == []


def test_a_reminder_still_due_is_sent(cast, group):
    start = T0 + dt.timedelta(days=10)
    _written_reminder(cast, group, start)
    with time_machine.travel(start - dt.timedelta(hours=22), tick=False):
        sending.send_due()
    assert sorted(m.to[0] for m in _reminder_emails()) == sorted(r.recipient.email for r in reminders("reminder-1d"))
    assert _reminder_emails()


def test_the_reminder_sweep_takes_the_same_queries_for_3_and_30_due_sessions(cast, group):
    """Due sessions are claimed, their members read and their reminders written in sets."""
    from tests.queries import pinned_queries

    for size, more in ((3, 3), (30, 27)):
        for n in range(more):
            _session(group, cast, T0 + dt.timedelta(days=10, minutes=10 * (size + n)))
        with time_machine.travel(T0 + dt.timedelta(days=5), tick=False), pinned_queries(
            15, where=f"{size} due sessions"
        ):
            # The 1-day reminder finds nothing (an empty claim in its savepoint: 3); the 7-day one
            # claims the chunk, reads the refusals and the members, the preferences and delivery
            # settings, writes the outbox rows and marks the chunk (9 with its savepoint), then
            # finds nothing more (3).
            assert services.send_due_reminders() == more
    assert reminders("reminder-7d").count() == 30 * 2  # both members of the group, each session once
