"""Finding a date: proposed slots, yes / if need be / no, the winner becomes a session with one click."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision import selectors, services
from supervision.models import DatePoll, PollAnswer, PollSlot, Session
from tandem.notifications.models import Notification


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def slots():
    base = (timezone.now() + dt.timedelta(days=20)).replace(second=0, microsecond=0)
    return [base, base + dt.timedelta(days=1), base + dt.timedelta(days=2)]


@pytest.fixture
def poll(group, cast, slots):
    return services.create_poll(group=group, by=cast.supervisor.user, title="Juni-Termin", slots=slots, video_url="https://v.example.org")


def test_supervisor_opens_a_poll_and_members_are_asked(cast, group, slots):
    response = cast.client_for(cast.supervisor).post(reverse("supervision:poll_create", args=[group.pk]), {
        "title": "Termin", "duration_minutes": 120, "place": "Raum 1", "video_url": "",
        "slot_1": _local(slots[0]), "slot_2": _local(slots[1]),
    })
    poll = DatePoll.objects.get()
    assert response.status_code == 302 and response["Location"] == poll.get_absolute_url()
    assert poll.slots.count() == 2
    assert {n.recipient for n in Notification.objects.filter(kind="supervision.poll_opened", channel="in_app")} == {
        cast.peer.user, cast.other_peer.user,
    }


def test_poll_without_slots_or_with_a_past_slot_is_422_and_saves_nothing(cast, group):
    client = cast.client_for(cast.supervisor)
    empty = client.post(reverse("supervision:poll_create", args=[group.pk]), {"title": "T", "duration_minutes": 120})
    assert empty.status_code == 422 and "mindestens einen Termin" in empty.content.decode()
    past = client.post(reverse("supervision:poll_create", args=[group.pk]), {
        "title": "T", "duration_minutes": 120, "slot_1": _local(timezone.now() - dt.timedelta(days=1)),
    })
    assert past.status_code == 422 and "Vergangenheit" in past.content.decode()
    assert not DatePoll.objects.exists() and not PollSlot.objects.exists()


def test_winner_is_most_yes_then_most_if_need_be(cast, group, poll, slots):
    first, second, third = poll.slots.all()
    services.answer_poll(poll=poll, membership=cast.peer, choices={first.pk: "yes", second.pk: "yes", third.pk: "no"})
    services.answer_poll(poll=poll, membership=cast.other_peer, choices={first.pk: "no", second.pk: "if_need_be", third.pk: "yes"})
    results = selectors.poll_results(poll)
    assert [r.slot for r in results] == [second, first, third]
    assert (results[0].yes, results[0].if_need_be) == (1, 1)


def test_members_answer_through_the_page(cast, group, poll):
    first, second, third = poll.slots.all()
    client = cast.client_for(cast.peer)
    data = {f"slot_{first.pk}": "yes", f"slot_{second.pk}": "no", f"slot_{third.pk}": "if_need_be"}
    assert client.post(reverse("supervision:poll_answer", args=[poll.pk]), data).status_code == 302
    assert PollAnswer.objects.filter(membership=cast.peer).count() == 3
    bad = client.post(reverse("supervision:poll_answer", args=[poll.pk]), {f"slot_{first.pk}": "sometimes"})
    assert bad.status_code == 422
    assert cast.client_for(cast.supervisor).post(reverse("supervision:poll_answer", args=[poll.pk]), data).status_code == 404


def test_one_click_turns_the_winner_into_a_session_and_everyone_is_told(cast, group, poll):
    first, second, _third = poll.slots.all()
    services.answer_poll(poll=poll, membership=cast.peer, choices={second.pk: "yes"})
    response = cast.client_for(cast.supervisor).post(reverse("supervision:poll_decide", args=[poll.pk]))
    session = Session.objects.get()
    assert response.status_code == 302 and response["Location"] == session.get_absolute_url()
    assert session.starts_at == second.starts_at and session.ends_at - session.starts_at == dt.timedelta(hours=2)
    poll.refresh_from_db()
    assert not poll.is_open and poll.session == session
    told = {n.recipient for n in Notification.objects.filter(kind="supervision.session_scheduled", channel="in_app")}
    assert told == {cast.peer.user, cast.other_peer.user}
    again = cast.client_for(cast.supervisor).post(reverse("supervision:poll_decide", args=[poll.pk]))
    assert again.status_code == 422 and Session.objects.count() == 1


def test_members_cannot_decide(cast, group, poll):
    assert cast.client_for(cast.peer).post(reverse("supervision:poll_decide", args=[poll.pk])).status_code == 404
    assert not Session.objects.exists()


def test_a_poll_with_a_deadline_reminds_only_who_has_not_answered_once(cast, group, slots):
    import time_machine

    now = timezone.now()
    poll = services.create_poll(group=group, by=cast.supervisor.user, title="Juli", slots=slots,
                                answer_by=now + dt.timedelta(days=5))
    first = poll.slots.first()
    services.answer_poll(poll=poll, membership=cast.peer, choices={first.pk: PollAnswer.Choice.YES})
    assert services.remind_poll_answers(now=now + dt.timedelta(days=3)) == 0  # too early
    with time_machine.travel(now + dt.timedelta(days=4, hours=1), tick=False):
        assert services.remind_poll_answers() == 1
        assert services.remind_poll_answers() == 0  # a second sweep reminds nobody again
    reminded = {n.recipient for n in Notification.objects.filter(kind="supervision.poll_reminder", channel="in_app")}
    assert reminded == {cast.other_peer.user}


def test_after_the_deadline_answers_are_refused_with_a_message(cast, group, slots):
    import time_machine

    now = timezone.now()
    poll = services.create_poll(group=group, by=cast.supervisor.user, title="Juli", slots=slots,
                                answer_by=now + dt.timedelta(days=2))
    with time_machine.travel(now + dt.timedelta(days=3), tick=False):
        client = cast.client_for(cast.other_peer)
        page = client.get(poll.get_absolute_url()).content.decode()
        assert "Antworten waren bis" in page and 'name="slot_' not in page
        response = client.post(reverse("supervision:poll_answer", args=[poll.pk]), {f"slot_{s.pk}": "yes" for s in poll.slots.all()})
        body = response.content.decode()
        assert response.status_code == 422 and "Frist für Antworten ist vorbei" in body, body[body.find("<main"):body.find("</main>")]
    assert not PollAnswer.objects.filter(membership=cast.other_peer).exists()


def test_a_deadline_after_the_first_date_or_in_the_past_is_refused(cast, group, slots):
    client = cast.client_for(cast.supervisor)
    late = client.post(reverse("supervision:poll_create", args=[group.pk]), {
        "title": "T", "duration_minutes": 120, "slot_1": _local(slots[0]),
        "answer_by": _local(slots[0] + dt.timedelta(days=1)),
    })
    assert late.status_code == 422 and "ersten vorgeschlagenen Termin" in late.content.decode()
    assert not DatePoll.objects.exists()


def test_deciding_turns_the_yes_answers_into_rsvps(cast, group, poll):
    from supervision.models import Answer, Rsvp

    first, second = list(poll.slots.order_by("starts_at"))[:2]
    services.answer_poll(poll=poll, membership=cast.peer, choices={first.pk: PollAnswer.Choice.YES, second.pk: PollAnswer.Choice.NO})
    services.answer_poll(poll=poll, membership=cast.other_peer, choices={first.pk: PollAnswer.Choice.IF_NEED_BE})
    session = services.decide_poll(poll=poll, by=cast.supervisor.user, slot=first)
    rsvps = {r.membership_id: r.answer for r in Rsvp.objects.filter(session=session)}
    assert rsvps == {cast.peer.pk: Answer.YES}
