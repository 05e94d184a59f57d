"""The escalation timeline with frozen time: notice, escalation, reminder, backup; each step exactly once."""

from __future__ import annotations

import datetime as dt
import threading
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from mentoring import escalation, services
from mentoring.models import EscalationStep, Irritation, MentoringSettings
from tandem.audit.models import AuditEvent
from tandem.notifications.models import Notification
from tests.factories import MentorAssignmentFactory, agreed_through_services

from .conftest import raise_irritation

# Monday 2 March 2026, 10:00 in Berlin: day 0 of every timeline.
DAY0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def day(n: int, hours: int = 0) -> dt.datetime:
    return DAY0 + dt.timedelta(days=n, hours=hours)


def sweep_at(moment: dt.datetime, times: int = 1) -> int:
    done = 0
    with time_machine.travel(moment, tick=False):
        for _ in range(times):
            done += escalation.escalate_due()
    return done


def notes(user, kind: str) -> int:
    return Notification.objects.filter(recipient=user, kind=kind, channel="in_app").count()


def steps(irritation: Irritation) -> list[str]:
    return list(irritation.steps.order_by("happened_at", "id").values_list("kind", flat=True))


@pytest.fixture
def at_day0(cast):
    with time_machine.travel(DAY0, tick=False):
        assignment = MentorAssignmentFactory(
            organisation=cast.organisation, peer=cast.peer, mentor=cast.mentor, started_on=DAY0.date()
        )
    return assignment


def raise_at(cast, moment=DAY0, **kwargs) -> Irritation:
    with time_machine.travel(moment, tick=False):
        return raise_irritation(cast, **kwargs)


def test_self_clarify_timeline(cast, at_day0):
    irritation = raise_at(cast, mode=Irritation.StartMode.SELF_FIRST)
    assert irritation.clarify_by == DAY0.date() + dt.timedelta(days=7)
    assert sweep_at(day(5)) == 0
    assert not notes(cast.peer.user, "mentoring.irritation_notice")

    # The day before its date, the peer is told (once) and stays in control.
    sweep_at(day(6), times=2)
    assert notes(cast.peer.user, "mentoring.irritation_notice") == 1
    assert steps(irritation) == ["notice"]
    assert cast.client_for(cast.mentor).get(irritation.get_absolute_url()).status_code == 404

    # The date itself is still hers.
    sweep_at(day(7, 12))
    irritation.refresh_from_db()
    assert irritation.escalated_at is None

    # Not resolved by its date: escalated to the mentor, who now sees it.
    sweep_at(day(8), times=2)
    irritation.refresh_from_db()
    assert irritation.escalated_at is not None and irritation.mentor == cast.mentor
    assert notes(cast.mentor.user, "mentoring.irritation_escalated") == 1
    assert notes(cast.peer.user, "mentoring.irritation_update") == 1
    assert cast.client_for(cast.mentor).get(irritation.get_absolute_url()).status_code == 200
    assert AuditEvent.objects.for_object(irritation).filter(action="irritation.escalated").count() == 1
    peer_page = cast.client_for(cast.peer).get(irritation.get_absolute_url()).content.decode()
    assert '<span class="badge warning">Eskaliert</span>' in peer_page  # she reads German (her profile)

    # Not acknowledged a further N (3) days: the backup is told, without content or name.
    sweep_at(day(10))
    assert not notes(cast.team_lead.user, "mentoring.irritation_backup")
    sweep_at(day(11, 1), times=2)
    backup = Notification.objects.get(recipient=cast.team_lead.user, kind="mentoring.irritation_backup", channel="in_app")
    assert backup.context == {"peer_name": ""}
    assert backup.object_id == ""  # not even a link to the irritation
    assert steps(irritation) == ["notice", "escalated", "backup"]

    # Nothing more after that, and nothing after resolution.
    with time_machine.travel(day(12), tick=False):
        services.resolve(irritation=irritation, by=cast.peer.user)
    before = Notification.objects.count()
    sweep_at(day(30), times=2)
    assert Notification.objects.count() == before


def test_mentor_now_timeline(cast, at_day0):
    settings = MentoringSettings.objects.create(organisation=cast.organisation, backup=cast.other_mentor)
    assert settings.acknowledge_within_days == 2
    irritation = raise_at(cast, backup_may_name_me=True)
    assert notes(cast.mentor.user, "mentoring.irritation_addressed") == 1

    sweep_at(day(1, 23))
    assert not notes(cast.mentor.user, "mentoring.irritation_ack_reminder")
    sweep_at(day(2), times=3)
    assert notes(cast.mentor.user, "mentoring.irritation_ack_reminder") == 1

    sweep_at(day(7, 12))
    irritation.refresh_from_db()
    assert irritation.escalated_at is None
    sweep_at(day(8), times=2)
    irritation.refresh_from_db()
    assert irritation.escalated_at is not None
    assert notes(cast.mentor.user, "mentoring.irritation_escalated") == 1
    assert notes(cast.peer.user, "mentoring.irritation_update") == 1
    mentees = cast.client_for(cast.mentor).get(reverse("mentoring:mentees")).content.decode()
    assert '<span class="badge warning">Eskaliert</span>' in mentees  # he reads German (his profile)

    sweep_at(day(11), times=2)
    backup = Notification.objects.get(recipient=cast.other_mentor.user, kind="mentoring.irritation_backup", channel="in_app")
    # She agreed to be named; still no content.
    assert backup.context == {"peer_name": cast.peer.user.display_name}
    assert not notes(cast.team_lead.user, "mentoring.irritation_backup")
    assert steps(irritation) == ["ack_reminder", "escalated", "backup"]


def test_acknowledged_irritation_is_not_reminded_and_needs_no_backup(cast, at_day0):
    irritation = raise_at(cast)
    with time_machine.travel(day(1), tick=False):
        services.acknowledge(irritation=irritation, by=cast.mentor.user)
    sweep_at(day(3))
    assert not notes(cast.mentor.user, "mentoring.irritation_ack_reminder")
    sweep_at(day(8))
    sweep_at(day(20))
    irritation.refresh_from_db()
    assert irritation.escalated_at is not None  # unresolved by its date: still escalated
    assert steps(irritation) == ["escalated"]


@pytest.mark.parametrize("close", ["resolve", "withdraw"])
def test_resolved_or_withdrawn_irritations_never_escalate(cast, at_day0, close):
    irritation = raise_at(cast, mode=Irritation.StartMode.SELF_FIRST)
    with time_machine.travel(day(3), tick=False):
        getattr(services, close)(irritation=irritation, by=cast.peer.user)
    sweep_at(day(6))
    sweep_at(day(9))
    sweep_at(day(40))
    assert steps(irritation) == []
    assert not Notification.objects.filter(kind__startswith="mentoring.irritation").exists()


def test_moving_the_date_snoozes_the_escalation(cast, at_day0):
    irritation = raise_at(cast, mode=Irritation.StartMode.SELF_FIRST)
    sweep_at(day(6))
    assert steps(irritation) == ["notice"]
    with time_machine.travel(day(6, 2), tick=False):
        response = cast.client_for(cast.peer).post(
            reverse("mentoring:irritation_move_date", args=[irritation.pk]),
            {"clarify_by": (DAY0.date() + dt.timedelta(days=14)).isoformat()},
        )
    assert response.status_code == 302
    sweep_at(day(9))
    irritation.refresh_from_db()
    assert irritation.escalated_at is None
    sweep_at(day(13))
    assert steps(irritation) == ["notice", "notice"]  # a new notice for the new date
    sweep_at(day(15))
    assert steps(irritation) == ["notice", "notice", "escalated"]


def test_peer_without_mentor_waits_and_the_team_lead_is_told_without_content(cast):
    irritation = raise_at(cast, mode=Irritation.StartMode.SELF_FIRST)
    sweep_at(day(8), times=2)
    irritation.refresh_from_db()
    assert irritation.mentor is None and irritation.waits_for_mentor
    assert notes(cast.peer.user, "mentoring.irritation_update") == 1
    lead_note = Notification.objects.get(recipient=cast.team_lead.user, kind="mentoring.peer_needs_mentor", channel="in_app")
    assert "SECRET" not in str(lead_note.context)
    # She did not allow her name: neither the text nor the link points at her.
    assert lead_note.context["peer_name"] == "" and lead_note.object_id == ""
    assert lead_note.url == reverse("tandems:without_mentor")
    assert cast.client_for(cast.team_lead).get(irritation.get_absolute_url()).status_code == 404
    # A mentor arrives: the waiting escalation goes to her at the next sweep.
    with time_machine.travel(day(9), tick=False):
        agreed_through_services(cast.peer, cast.mentor, by=cast.team_lead.user)
    sweep_at(day(9, 1), times=2)
    irritation.refresh_from_db()
    assert irritation.mentor == cast.mentor
    assert notes(cast.mentor.user, "mentoring.irritation_addressed") == 1
    assert cast.client_for(cast.mentor).get(irritation.get_absolute_url()).status_code == 200


def test_mentor_now_without_mentor_waits(cast):
    irritation = raise_at(cast)
    assert irritation.mentor is None
    sweep_at(day(0, 1), times=2)
    assert notes(cast.team_lead.user, "mentoring.peer_needs_mentor") == 1
    assert steps(irritation) == ["waiting"]


def test_reassigned_mentor_gets_the_next_step_and_the_old_one_nothing_more(cast, at_day0):
    irritation = raise_at(cast)
    sweep_at(day(2))
    assert notes(cast.mentor.user, "mentoring.irritation_ack_reminder") == 1
    with time_machine.travel(day(4), tick=False):
        agreed_through_services(cast.peer, cast.other_mentor, by=cast.team_lead.user)
    # Without her consent nothing moves and nobody is chased.
    sweep_at(day(5))
    irritation.refresh_from_db()
    assert irritation.mentor is None and irritation.handover_pending
    with time_machine.travel(day(5, 1), tick=False):
        services.hand_over(peer=cast.peer, by=cast.peer.user)
    old_before = Notification.objects.filter(recipient=cast.mentor.user).count()
    sweep_at(day(7, 2))
    assert notes(cast.other_mentor.user, "mentoring.irritation_ack_reminder") == 1
    sweep_at(day(8), times=2)
    assert notes(cast.other_mentor.user, "mentoring.irritation_escalated") == 1
    assert Notification.objects.filter(recipient=cast.mentor.user).count() == old_before
    step = irritation.steps.get(kind="escalated")
    assert step.mentor == cast.other_mentor


def test_self_clarify_escalates_to_whoever_is_her_mentor_then(cast, at_day0):
    irritation = raise_at(cast, mode=Irritation.StartMode.SELF_FIRST)
    with time_machine.travel(day(3), tick=False):
        agreed_through_services(cast.peer, cast.other_mentor, by=cast.team_lead.user)
    sweep_at(day(8))
    irritation.refresh_from_db()
    assert irritation.mentor == cast.other_mentor
    assert notes(cast.other_mentor.user, "mentoring.irritation_escalated") == 1
    assert not notes(cast.mentor.user, "mentoring.irritation_escalated")


def test_a_late_sweep_catches_up_once(cast, at_day0):
    """Redis down, no sweep for days: the next run does each due step once."""
    irritation = raise_at(cast)
    sweep_at(day(9), times=3)
    assert steps(irritation) == ["ack_reminder", "escalated"]


def test_a_sweep_that_dies_midway_leaves_the_step_for_the_next_run(cast, at_day0):
    irritation = raise_at(cast, mode=Irritation.StartMode.SELF_FIRST)
    real_notify = escalation.notify_all
    with mock.patch.object(escalation, "notify_all", side_effect=RuntimeError("worker died")), pytest.raises(RuntimeError):
        sweep_at(day(8))
    assert steps(irritation) == []
    irritation.refresh_from_db()
    assert irritation.escalated_at is None
    assert escalation.notify_all is real_notify
    sweep_at(day(8, 1), times=2)
    assert steps(irritation) == ["escalated"]
    assert notes(cast.mentor.user, "mentoring.irritation_escalated") == 1


def test_the_step_row_is_unique(cast, at_day0):
    from django.db import IntegrityError, transaction

    irritation = raise_at(cast)
    EscalationStep.objects.create(irritation=irritation, kind="escalated")
    with pytest.raises(IntegrityError), transaction.atomic():
        EscalationStep.objects.create(irritation=irritation, kind="escalated")


def test_sweep_task_records_its_run(cast, at_day0):
    from mentoring.tasks import escalate_irritations
    from tandem.notifications.models import SweepRun

    raise_at(cast, mode=Irritation.StartMode.SELF_FIRST)
    with time_machine.travel(day(8), tick=False):
        assert escalate_irritations.run() == 1
    run = SweepRun.objects.get(name="mentoring.escalation")
    assert run.last_completed_at is not None and run.last_processed == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_do_every_step_once(cast):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    with time_machine.travel(DAY0, tick=False):
        MentorAssignmentFactory(organisation=cast.organisation, peer=cast.peer, mentor=cast.mentor, started_on=DAY0.date())
        irritations = [raise_irritation(cast, mode=Irritation.StartMode.SELF_FIRST) for _ in range(12)]
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    results: list[int] = []

    def run() -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(escalation.escalate_due())
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            thread_connection.close()

    with time_machine.travel(day(8), tick=False):
        threads = [threading.Thread(target=run) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors
    assert sum(results) == 12, results
    for irritation in irritations:
        assert list(irritation.steps.values_list("kind", flat=True)) == ["escalated"], irritation.pk
    assert notes(cast.mentor.user, "mentoring.irritation_escalated") == 12
    assert notes(cast.peer.user, "mentoring.irritation_update") == 12


def test_irritations_left_by_a_mentor_who_is_not_replaced_wait_and_the_lead_is_told(cast, at_day0):
    irritation = raise_at(cast)
    with time_machine.travel(day(1), tick=False):
        services.end_assignment(assignment=at_day0, by=cast.team_lead.user)
    sweep_at(day(1, 1), times=2)
    assert steps(irritation) == ["waiting"]
    assert notes(cast.team_lead.user, "mentoring.peer_needs_mentor") == 1
    assert not notes(cast.mentor.user, "mentoring.irritation_ack_reminder")
    sweep_at(day(9))
    assert steps(irritation) == ["waiting"]


def test_a_mentor_who_leaves_the_organisation_is_chased_no_more(cast, at_day0):
    from accounts.services import end_membership

    irritation = raise_at(cast)
    with time_machine.travel(day(1), tick=False):
        end_membership(membership=cast.mentor, by=cast.org_admin.user)
    before = Notification.objects.filter(recipient=cast.mentor.user).count()
    sweep_at(day(3), times=2)
    sweep_at(day(9), times=2)
    at_day0.refresh_from_db()
    irritation.refresh_from_db()
    assert at_day0.ended_on == day(1).date()
    assert irritation.mentor is None and irritation.handover_pending
    assert Notification.objects.filter(recipient=cast.mentor.user).count() == before
    assert notes(cast.team_lead.user, "mentoring.peer_needs_mentor") == 1
    assert cast.client_for(cast.mentor).get(irritation.get_absolute_url()).status_code == 404


def test_a_mentor_who_loses_the_mentor_role_hands_back_at_the_next_sweep(cast, at_day0):
    irritation = raise_at(cast)
    cast.mentor.is_mentor = False
    cast.mentor.save()
    sweep_at(day(3))
    irritation.refresh_from_db()
    assert irritation.mentor is None and irritation.handover_pending
    assert not notes(cast.mentor.user, "mentoring.irritation_ack_reminder")


def _queued_tasks() -> int:
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    return sum(client.llen(key) for key in client.keys("*") if client.type(key) == b"list")


@pytest.mark.django_db(transaction=True)
def test_a_sweep_escalating_many_irritations_kicks_the_sender_once(cast):
    import redis
    from django.conf import settings

    with time_machine.travel(DAY0, tick=False):
        MentorAssignmentFactory(organisation=cast.organisation, peer=cast.peer, mentor=cast.mentor, started_on=DAY0.date())
        for _ in range(12):
            raise_irritation(cast, mode=Irritation.StartMode.SELF_FIRST)
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()  # this test run's own Redis database
    assert sweep_at(day(8)) == 12
    assert Notification.objects.filter(kind="mentoring.irritation_escalated", channel="email").count() >= 12
    assert _queued_tasks() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_claiming_small_chunks_do_every_step_once(cast, monkeypatch):
    monkeypatch.setattr(escalation, "CHUNK", 3)
    test_concurrent_sweeps_do_every_step_once(cast)


# --- A peer without a mentor: who is told, and how often (issue 13, item 6) ----------------------


@pytest.fixture
def two_teams(cast):
    """Team A (the peer's) led by lead A; team B, in the same organisation, led by lead B."""
    from accounts.models import TeamMembership
    from tests.factories import TeamFactory, member

    team_b = TeamFactory(service=cast.service, name="Team B")
    lead_a = member(cast.organisation, is_team_lead=True, is_professional=True, team=cast.team, email="lead-a@example.org")
    lead_b = member(cast.organisation, is_team_lead=True, is_professional=True, team=team_b, email="lead-b@example.org")
    # Everyone has been in their team since before the timelines' day 0.
    TeamMembership.objects.update(started_on=dt.date(2026, 1, 1))
    return lead_a, lead_b


def test_needs_mentor_notice_goes_once_to_the_leads_of_her_own_team_only(cast, two_teams):
    lead_a, lead_b = two_teams
    irritations = [raise_at(cast, mode=Irritation.StartMode.SELF_FIRST) for _ in range(3)]
    sweep_at(day(8), times=2)
    for irritation in irritations:
        assert steps(irritation) == ["waiting"]
    # One notice for her stretch without a mentor, not one per waiting irritation ...
    assert notes(lead_a.user, "mentoring.peer_needs_mentor") == 1
    assert Notification.objects.filter(recipient=lead_a.user, kind="mentoring.peer_needs_mentor", channel="email").count() == 1
    # ... to the lead of her own team; the lead of another team learns nothing, nor does a lead
    # without a team while her team has a lead of its own.
    assert notes(lead_b.user, "mentoring.peer_needs_mentor") == 0
    assert notes(cast.team_lead.user, "mentoring.peer_needs_mentor") == 0
    # She gets her own news about each irritation that waits.
    assert notes(cast.peer.user, "mentoring.irritation_update") == 3


def test_needs_mentor_notice_names_her_only_if_she_allowed_it(cast, two_teams):
    from django.core import mail

    from tandem.notifications.sending import send_due

    lead_a, _lead_b = two_teams
    raise_at(cast, mode=Irritation.StartMode.SELF_FIRST)
    sweep_at(day(8))
    note = Notification.objects.get(recipient=lead_a.user, kind="mentoring.peer_needs_mentor", channel="email")
    assert note.context["peer_name"] == "" and note.object_id == ""
    assert note.url == reverse("tandems:without_mentor")
    with time_machine.travel(day(8, 1), tick=False):
        send_due()
    (sent,) = [m for m in mail.outbox if lead_a.user.email in m.to]
    assert cast.peer.user.display_name not in sent.body
    assert "Team A" in sent.body

    # A later stretch without a mentor, and this time she allowed her name.
    with time_machine.travel(day(9), tick=False):
        assignment = MentorAssignmentFactory(
            peer=cast.peer, mentor=cast.mentor, started_on=day(9).date()
        )
    with time_machine.travel(day(10), tick=False):
        services.end_assignment(assignment=assignment, by=cast.team_lead.user)
    raise_at(cast, day(10, 1), mode=Irritation.StartMode.SELF_FIRST, backup_may_name_me=True)
    sweep_at(day(18))
    named = Notification.objects.filter(recipient=lead_a.user, kind="mentoring.peer_needs_mentor", channel="in_app").latest("id")
    assert notes(lead_a.user, "mentoring.peer_needs_mentor") == 2
    assert named.context["peer_name"] == cast.peer.user.display_name
    assert named.url == reverse("mentoring:assign") + f"?peer={cast.peer.pk}"


def test_without_a_lead_of_her_team_the_leads_without_a_team_then_the_admins_are_told(cast, two_teams):
    from accounts.models import TeamMembership

    lead_a, lead_b = two_teams
    TeamMembership.objects.filter(membership=lead_a).delete()
    lead_a.is_team_lead = False
    lead_a.save()
    raise_at(cast, mode=Irritation.StartMode.SELF_FIRST)
    sweep_at(day(8))
    # Her team has no lead of its own: the lead who belongs to no team is told, not team B's.
    assert notes(cast.team_lead.user, "mentoring.peer_needs_mentor") == 1
    assert notes(lead_b.user, "mentoring.peer_needs_mentor") == 0
    cast.team_lead.is_team_lead = False
    cast.team_lead.save()
    raise_at(cast, day(9), mode=Irritation.StartMode.SELF_FIRST)
    with time_machine.travel(day(9), tick=False):  # a new stretch without a mentor
        MentorAssignmentFactory(peer=cast.peer, mentor=cast.mentor, ended_on=day(9).date(), started_on=day(9).date())
    sweep_at(day(18))
    assert notes(cast.org_admin.user, "mentoring.peer_needs_mentor") == 1
    assert notes(lead_b.user, "mentoring.peer_needs_mentor") == 0


# --- The sweep works in sets: its queries do not grow with the due irritations -------------------


@pytest.mark.parametrize("due", [3, 30])
def test_the_sweep_takes_the_same_queries_for_3_and_30_due_irritations(cast, at_day0, due):
    from tests.queries import pinned_queries

    with time_machine.travel(DAY0, tick=False):
        for _ in range(due):
            raise_irritation(cast, mode=Irritation.StartMode.SELF_FIRST)
    escalation.escalate_due(now=DAY0)  # per-process caches (content types, settings) do not count
    # Assignments of people who left; then per chunk: savepoint, claim, read, steps taken, mentors,
    # settings, the irritations' update, steps, audit rows, preferences, delivery settings, outbox
    # rows, release; the empty next claim in its savepoint.
    with time_machine.travel(day(8), tick=False), pinned_queries(17, where=f"{due} due irritations"):
        assert escalation.escalate_due() == due
    assert Notification.objects.filter(kind="mentoring.irritation_escalated", channel="in_app").count() == due
