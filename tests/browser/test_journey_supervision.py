"""Journey 3: peer supervision from the group to the attendance list.

A supervisor creates a group and a rotating monthly series, finds a date with a poll; peers answer and
say they come. Time is controlled by the test: time-machine moves this process (with the live server)
to the day before the session, where the reminder sweep and the outbox sender run as their Celery tasks
(``.apply()``) and the reminder is read from the file-based mail backend; then to the afternoon of the
session, where the supervisor records who attended.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
import time_machine

from supervision.models import Attendance, DatePoll, Session, SupervisionGroup
from supervision.tasks import send_reminders
from tandem.notifications.tasks import send_due_notifications

from .harness import Mailbox, Person, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BERLIN = ZoneInfo("Europe/Berlin")
GERMAN_MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
                 "November", "Dezember"]
TEXT = {
    "de": {"group": "Peer-Gruppe Nord", "series": "Monatliche Supervision", "poll": "Sondertermin im Frühjahr",
           "place": "Gruppenraum, 2. Stock"},
    "en": {"group": "Peer group north", "series": "Monthly supervision", "poll": "Extra session in spring",
           "place": "Group room, second floor"},
}


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


def submit(person: Person, action: str, *, shot: str | None = None) -> None:
    person.click_and_arrive(person.page.locator(f"main form[action='{action}'] button[type=submit]").first, shot=shot)


def test_supervisor_schedules_peers_answer_are_reminded_and_attend(
    people: Callable[..., Person], staff: object, lang: str, password: str, mailbox: Mailbox
) -> None:
    text = TEXT[lang]
    peer_member, other_member = staff.peer, staff.other_peer  # type: ignore[attr-defined]
    supervisor = people("supervisor", lang)
    supervisor.sign_in(staff.supervisor.user.email, password)  # type: ignore[attr-defined]

    # A new group with two peers.
    supervisor.goto("/")
    supervisor.click_and_arrive(supervisor.page.locator("header a[href='/supervision/groups/']"), shot="groups")
    supervisor.click_and_arrive(supervisor.page.locator("main a[href='/supervision/groups/new/']").first)
    form = supervisor.page.locator("main form[method=post]")
    form.locator("[name=name]").fill(text["group"])
    supervisor.click_and_arrive(form.locator("button[type=submit]"))
    group = SupervisionGroup.objects.get(name=text["group"])
    base = f"/supervision/groups/{group.pk}/"
    assert supervisor.path() == base, supervisor.text()[:500]
    for member in (peer_member, other_member):
        supervisor.page.locator(f"main form[action='{base}members/'] select").select_option(str(member.pk))
        submit(supervisor, f"{base}members/")

    # A monthly series that rotates between Tuesday and Thursday.
    supervisor.click_and_arrive(supervisor.page.locator(f"main a[href='{base}series/new/']").first, shot="series", phone=True)
    form = supervisor.page.locator("main form[method=post]")
    form.locator("[name=title]").fill(text["series"])
    form.locator("[name=frequency]").select_option("nth_weekday")
    form.locator("[name=nth]").select_option("1")
    form.locator("[name=rotation][value='1']").check()
    form.locator("[name=rotation][value='3']").check()
    form.locator("[name=starts_on]").fill((today() + dt.timedelta(days=1)).isoformat())
    form.locator("[name=local_time]").fill("17:00")
    form.locator("[name=place]").fill(text["place"])
    supervisor.click_and_arrive(form.locator("button[type=submit]"))
    assert supervisor.path() == base, supervisor.text()[:800]
    assert group.series.get().rotation == [1, 3]

    # An extra session: a date poll with two proposals, three and four days ahead.
    day = today() + dt.timedelta(days=3)
    supervisor.click_and_arrive(supervisor.page.locator(f"main a[href='{base}polls/new/']").first, shot="poll-new")
    form = supervisor.page.locator("main form[method=post]")
    form.locator("[name=title]").fill(text["poll"])
    form.locator("[name=place]").fill(text["place"])
    form.locator("[name=slot_1]").fill(f"{day.isoformat()}T10:00")
    form.locator("[name=slot_2]").fill(f"{(day + dt.timedelta(days=1)).isoformat()}T14:00")
    supervisor.click_and_arrive(form.locator("button[type=submit]"))
    poll = DatePoll.objects.get(title=text["poll"])
    poll_url = f"/supervision/polls/{poll.pk}/"
    assert supervisor.path() == poll_url, supervisor.text()[:800]

    # Both peers answer the poll; the first date suits both.
    peers = []
    for member, second_answer in ((peer_member, "no"), (other_member, "if_need_be")):
        peer = people(member.user.full_name, lang)
        peer.sign_in(member.user.email, password)
        peer.goto("/supervision/", shot="supervision-peer")
        peer.click_and_arrive(peer.page.locator(f"main a[href='{poll_url}']").first, shot="poll", phone=True)
        radios = peer.page.locator(f"main form[action='{poll_url}answer/']")
        slots = sorted(poll.slots.all(), key=lambda s: s.starts_at)
        radios.locator(f"[name=slot_{slots[0].pk}][value=yes]").check()
        radios.locator(f"[name=slot_{slots[1].pk}][value={second_answer}]").check()
        submit(peer, f"{poll_url}answer/")
        peers.append(peer)

    # The supervisor schedules the winning date; both peers say they come.
    supervisor.goto(poll_url)
    supervisor.click_and_arrive(supervisor.page.locator(f"main form.inline-actions[action='{poll_url}decide/'] button"))
    session = Session.objects.get(group=group, title=text["poll"])
    session_url = f"/supervision/sessions/{session.pk}/"
    assert session.starts_at == at(day, 10)
    for peer in peers:
        peer.goto(session_url)
        peer.page.locator(f"main form[action='{session_url}answer/'] [name=answer][value=yes]").check()
        submit(peer, f"{session_url}answer/", shot="session")

    # The day before, the reminder sweep and the outbox sender run; the reminder e-mail arrives.
    with time_machine.travel(at(day - dt.timedelta(days=1), 12), tick=True):
        assert send_reminders.apply().get() >= 1
        send_due_notifications.apply()
        # (She also has the e-mail that the session was scheduled; the reminder is the one in her language.)
        subject = "Erinnerung: Peer-Supervision" if lang == "de" else "Reminder: peer supervision"
        reminder = mailbox.wait_for(peer_member.user.email, subject=subject, body=session_url, timeout=5)
        link = Mailbox.link(reminder, session_url)
        assert text["poll"] in Mailbox.body(reminder)
        if lang == "de":
            # German as a letter writes it: "am 2. Dezember 2026, 10:00 Uhr", never an ISO date.
            written = f"{day.day}. {GERMAN_MONTHS[day.month - 1]} {day.year}, 10:00 Uhr"
            body = Mailbox.body(reminder)
            assert written in body and written in str(reminder["Subject"])
            assert not re.search(r"\d{4}-\d{2}-\d{2}", body.replace(session_url, ""))

        peer = people("peer, the day before", lang)
        peer.sign_in(peer_member.user.email, password)
        peer.goto(link, shot="session-reminded", phone=True)
        with peer.page.expect_download() as download:
            peer.page.locator(f"main a[href='{session_url}calendar.ics']").click()
        ics = download.value.path().read_text()
        assert "BEGIN:VCALENDAR" in ics and text["poll"] in ics

    # After the session the supervisor records who came.
    with time_machine.travel(at(day, 12, 30), tick=True):
        supervisor = people("supervisor, after the session", lang)
        supervisor.sign_in(staff.supervisor.user.email, password)  # type: ignore[attr-defined]
        supervisor.goto(session_url, shot="attendance", phone=True)
        form = supervisor.page.locator(f"main form[action='{session_url}attendance/']")
        form.locator(f"[name=attended][value='{peer_member.pk}']").check()
        submit(supervisor, f"{session_url}attendance/")
        attended = dict(Attendance.objects.filter(session=session).values_list("membership_id", "attended"))
        assert attended.get(peer_member.pk) is True
        assert attended.get(other_member.pk) is False  # recorded as absent, not left out
