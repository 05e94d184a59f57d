"""The escalation sweep: what is due is decided by the database, every step happens once.

Irritations are claimed in chunks with ``select_for_update(skip_locked=True)``: two sweeps running
at once never work on the same irritation and divide the candidates between them, and a sweep that
dies mid-way rolls back its chunk's steps together with the notification rows they wrote, so the
next run does them again. The unique
constraint on ``EscalationStep`` is the last guard: a step row exists once, and the
notifications of a step are written only in the transaction that created its row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]
from django.db import transaction
from django.db.models import Count, DateField, F, Max, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from tandem.audit.services import record
from tandem.db import DatePlusDays
from tandem.notifications.services import notify, one_kick

from .models import EscalationStep, Irritation, MentorAssignment, MentoringSettings
from .rules import CHECK_IN_SOON_DAYS, check_in_due_on, check_in_status
from .selectors import current_mentor, with_last_check_in
from .services import end_assignment_on, notify_mentor_addressed


def _settings_for(org_id: int, cache: dict[int, MentoringSettings]) -> MentoringSettings:
    if org_id not in cache:
        cache[org_id] = MentoringSettings.for_organisation(org_id)
    return cache[org_id]


def _candidates(today: dt.date) -> QuerySet[Irritation]:
    """Open irritations that may have a step due (a superset; each is checked under its lock)."""
    return Irritation.objects.filter(state__in=Irritation.OPEN_STATES).filter(
        Q(handover_pending=True)
        | Q(shared_with_mentor_at__isnull=True, clarify_by__lte=today + dt.timedelta(days=1))
        | Q(shared_with_mentor_at__isnull=False, mentor__isnull=True)
        | Q(shared_with_mentor_at__isnull=False, acknowledged_at__isnull=True)
        | Q(shared_with_mentor_at__isnull=False, escalated_at__isnull=True, clarify_by__lt=today)
    )


# Irritations claimed (locked) per transaction. Concurrent sweeps skip each other's chunks, so
# they divide the work instead of each walking every candidate.
CHUNK = 100


def escalate_due(now: dt.datetime | None = None) -> int:
    """Run every escalation step that is due; returns how many steps happened."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    cache: dict[int, MentoringSettings] = {}
    done = 0
    with one_kick():  # one sender kick for the whole sweep, not one per irritation
        end_assignments_of_people_who_left()
        after = 0
        while True:
            with transaction.atomic():
                chunk = list(
                    _candidates(today)
                    .filter(pk__gt=after)
                    .order_by("pk")
                    .select_for_update(skip_locked=True)
                    .values_list("pk", flat=True)[:CHUNK]
                )
                if not chunk:
                    break
                after = chunk[-1]
                # Read each again once locked: if another sweep committed just before we took the
                # lock, PostgreSQL re-checks the locked row but not the rows joined to it, so a joined
                # mentor could still be the old one. A fresh statement sees everything committed.
                irritations = Irritation.objects.select_related("peer__user", "mentor__user").filter(
                    pk__in=chunk, state__in=Irritation.OPEN_STATES
                )
                for irritation in irritations.order_by("pk"):
                    done += _process(irritation, now, today, _settings_for(irritation.organisation_id, cache))
    return done


def end_assignments_of_people_who_left() -> int:
    """A mentor (or peer) who left the organisation ends the mentoring, with the usual handover rule.

    Leaving is recorded by accounts; this sweep makes sure nobody who left is chased, or keeps
    holding a peer's irritations, a moment longer than one sweep interval.
    """
    ended = 0
    orphaned = MentorAssignment.objects.current().filter(Q(mentor__ended_on__isnull=False) | Q(peer__ended_on__isnull=False))
    for pk in list(orphaned.values_list("pk", flat=True)):
        with transaction.atomic():
            assignment = (
                MentorAssignment.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("mentor", "peer")
                .filter(pk=pk, ended_on__isnull=True)
                .first()
            )
            if assignment is None:
                continue
            left_on = min(d for d in (assignment.mentor.ended_on, assignment.peer.ended_on) if d is not None)
            end_assignment_on(assignment, by=None, ended_on=max(left_on, assignment.started_on))
            ended += 1
    return ended


def _step(irritation: Irritation, kind: str, key: str = "") -> bool:
    """Claim one step; False if it already happened (the row lock makes the check safe)."""
    if EscalationStep.objects.filter(irritation=irritation, kind=kind, key=key).exists():
        return False
    EscalationStep.objects.create(irritation=irritation, kind=kind, key=key, mentor=irritation.mentor)
    return True


def _url(irritation: Irritation) -> str:
    return reverse("mentoring:irritation_detail", args=[irritation.pk])


def _process(irritation: Irritation, now: dt.datetime, today: dt.date, settings: MentoringSettings) -> int:
    done = 0
    if irritation.handover_pending:
        # Her previous mentor left. With a new mentor she decides about the handover (and
        # nobody is chased meanwhile); without one, she and the team leads are told it waits.
        if current_mentor(irritation.peer_id) is None:
            done += _waiting(irritation)
        return done
    if not irritation.is_with_mentor:
        if today > irritation.clarify_by:
            # Kept to herself and not resolved by its date: it goes to her mentor now.
            irritation.shared_with_mentor_at = now
            irritation.escalated_at = now
            irritation.mentor = current_mentor(irritation.peer_id)
            irritation.mentor_since = now if irritation.mentor else None
            irritation.save(update_fields=["shared_with_mentor_at", "escalated_at", "mentor", "mentor_since", "updated_at"])
            if irritation.mentor is not None:
                done += _escalated(irritation)
            else:
                done += _waiting(irritation)
        elif today >= irritation.clarify_by - dt.timedelta(days=1) and _step(
            irritation, EscalationStep.Kind.NOTICE, irritation.clarify_by.isoformat()
        ):
            notify(
                recipients=[irritation.peer.user],
                kind="mentoring.irritation_notice",
                event_key=f"irritation:{irritation.pk}:notice:{irritation.clarify_by.isoformat()}",
                obj=irritation,
                url=_url(irritation),
                context={"clarify_by": irritation.clarify_by.isoformat()},
            )
            done += 1
        return done

    if irritation.mentor is not None and (current := current_mentor(irritation.peer_id)) != irritation.mentor:
        # Whoever holds it is no longer her mentor: the old one gets nothing more, and the new
        # one gets it only with her consent.
        irritation.mentor = None
        irritation.handover_pending = True
        irritation.save(update_fields=["mentor", "handover_pending", "updated_at"])
        if current is None:
            done += _waiting(irritation)
        return done
    if irritation.mentor is None:
        mentor = current_mentor(irritation.peer_id)
        if mentor is None:
            done += _waiting(irritation)
        else:
            # A mentor is there now (she had none when it reached the mentor stage).
            irritation.mentor = mentor
            irritation.mentor_since = now
            irritation.save(update_fields=["mentor", "mentor_since", "updated_at"])
            record(actor=None, action="irritation.mentor_found", obj=irritation, detail={"mentor": mentor.pk})
            notify_mentor_addressed(irritation)
            done += 1
    if irritation.mentor is not None:
        if (
            irritation.acknowledged_at is None
            and irritation.escalated_at is None
            and irritation.mentor_since is not None
            and now >= irritation.mentor_since + dt.timedelta(days=settings.acknowledge_within_days)
            and _step(irritation, EscalationStep.Kind.ACK_REMINDER, str(irritation.mentor_id))
        ):
            notify(
                recipients=[irritation.mentor.user],
                kind="mentoring.irritation_ack_reminder",
                event_key=f"irritation:{irritation.pk}:ack_reminder:{irritation.mentor_id}",
                obj=irritation,
                url=_url(irritation),
            )
            record(actor=None, action="irritation.ack_reminder", obj=irritation)
            done += 1
        if irritation.escalated_at is None and today > irritation.clarify_by:
            irritation.escalated_at = now
            irritation.save(update_fields=["escalated_at", "updated_at"])
            done += _escalated(irritation)
    if (
        irritation.escalated_at is not None
        and irritation.acknowledged_at is None
        and now >= irritation.escalated_at + dt.timedelta(days=settings.backup_after_days)
        and _step(irritation, EscalationStep.Kind.BACKUP)
    ):
        _tell_backup(irritation, settings)
        done += 1
    return done


def _escalated(irritation: Irritation) -> int:
    if not _step(irritation, EscalationStep.Kind.ESCALATED):
        return 0
    record(actor=None, action="irritation.escalated", obj=irritation, detail={"mentor": irritation.mentor_id})
    assert irritation.mentor is not None
    notify(
        recipients=[irritation.mentor.user],
        kind="mentoring.irritation_escalated",
        event_key=f"irritation:{irritation.pk}:escalated:{irritation.mentor_id}",
        obj=irritation,
        url=_url(irritation),
    )
    notify(
        recipients=[irritation.peer.user],
        kind="mentoring.irritation_update",
        event_key=f"irritation:{irritation.pk}:escalated",
        obj=irritation,
        url=_url(irritation),
        context={"what": "escalated"},
    )
    return 1


def _team_leads(irritation: Irritation) -> list[Any]:
    leads = Membership.objects.active().filter(organisation_id=irritation.organisation_id, is_team_lead=True)
    return [m.user for m in leads.select_related("user")]


def _waiting(irritation: Irritation) -> int:
    """No mentor: the escalation waits; the peer and the team leads are told (no content)."""
    if not _step(irritation, EscalationStep.Kind.WAITING):
        return 0
    record(actor=None, action="irritation.waiting_for_mentor", obj=irritation)
    notify(
        recipients=[irritation.peer.user],
        kind="mentoring.irritation_update",
        event_key=f"irritation:{irritation.pk}:waiting",
        obj=irritation,
        url=_url(irritation),
        context={"what": "waiting"},
    )
    # The lead learns that a peer needs a mentor (so that one is assigned), nothing about why.
    notify(
        recipients=_team_leads(irritation),
        kind="mentoring.peer_needs_mentor",
        event_key=f"peer:{irritation.peer_id}:needs_mentor:{irritation.pk}",
        obj=irritation.peer,
        url=reverse("mentoring:assign") + f"?peer={irritation.peer_id}",
        context={"peer_name": irritation.peer.user.display_name},
    )
    return 1


def _tell_backup(irritation: Irritation, settings: MentoringSettings) -> None:
    backup = settings.backup
    # The backup page lets her act (remind the mentor, offer another mentor), never read.
    url = reverse("mentoring:backup", args=[irritation.pk])
    if backup is not None and backup.is_active and backup.pk != irritation.peer_id:
        recipients = [backup.user]
    else:
        recipients = [u for u in _team_leads(irritation) if u.pk != irritation.peer.user_id]
    record(actor=None, action="irritation.backup_told", obj=irritation)
    # No content, no link to it (the backup cannot open it), the name only if she agreed.
    notify(
        recipients=recipients,
        kind="mentoring.irritation_backup",
        event_key=f"irritation:{irritation.pk}:backup",
        obj=None,
        organisation=irritation.organisation,
        url=url,
        context={"peer_name": irritation.peer.user.display_name if irritation.backup_may_name_me else ""},
    )


# --- Check-in reminders ------------------------------------------------------------------------

def remind_check_ins(now: dt.datetime | None = None) -> int:
    """Remind mentor and peer of a check-in due soon, and again when it is overdue (once each)."""
    today = timezone.localdate(now or timezone.now())
    # The database picks the assignments whose check-in is due within CHECK_IN_SOON_DAYS (or
    # overdue), so the work follows the reminders due, not every current assignment; the loop
    # below decides "soon" or "overdue" exactly with the rule.
    due_on = DatePlusDays(
        Coalesce(Max("check_ins__held_on"), F("started_on")), F("check_in_every_weeks") * 7, output_field=DateField()
    )
    assignments = (
        with_last_check_in(MentorAssignment.objects.that_count())
        .annotate(sql_due_on=due_on)
        .filter(sql_due_on__lte=today + dt.timedelta(days=CHECK_IN_SOON_DAYS))
        .select_related("peer__user", "mentor__user")
    )
    sent = 0
    for assignment in assignments:
        due = check_in_due_on(assignment)
        which = check_in_status(due, today=today)
        if which is None:
            continue
        with transaction.atomic():
            rows = notify(
                recipients=[assignment.peer.user, assignment.mentor.user],
                kind=f"mentoring.check_in_{which}",
                event_key=f"checkin:{assignment.pk}:{due.isoformat()}:{which}",
                obj=assignment,
                url=reverse("mentoring:mentees"),
                context={"due": due.isoformat()},
            )
        sent += bool(rows)
    return sent


# --- Retention ---------------------------------------------------------------------------------


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete resolved and withdrawn irritations (with their threads) after the organisation's period."""
    now = now or timezone.now()
    deleted = 0
    orgs = (
        Irritation.objects.filter(state__in=Irritation.CLOSED_STATES)
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .values_list("organisation_id", flat=True)
    )
    for org_id in list(orgs):
        months = MentoringSettings.for_organisation(org_id).retention_months
        cutoff = now - relativedelta(months=months)
        with transaction.atomic():
            expired = Irritation.objects.filter(
                organisation_id=org_id, state__in=Irritation.CLOSED_STATES, closed_at__lt=cutoff
            )
            ids = list(expired.values_list("pk", flat=True))
            if ids:
                Irritation.objects.filter(pk__in=ids).delete()
                record(actor=None, action="irritations.purged", organisation=_org(org_id), detail={"count": len(ids)})
                deleted += len(ids)
    return deleted


def _org(org_id: int) -> Any:
    from accounts.models import Organisation

    return Organisation.objects.get(pk=org_id)

