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
from django.db.models import Count, DateField, Exists, F, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, TeamMembership
from tandem import freshness
from tandem.audit.models import AuditEvent
from tandem.audit.services import event as audit_event
from tandem.audit.services import record, record_all
from tandem.db import DatePlusDays
from tandem.notifications.services import Event, notify_all, one_kick

from .models import EscalationStep, Irritation, MentorAssignment, MentoringSettings
from .rules import CHECK_IN_SOON_DAYS, check_in_due_on, check_in_status
from .selectors import current_assignments, with_last_check_in
from .services import end_assignment_on, mentor_addressed_event


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
# they divide the work instead of each walking every candidate. A chunk's steps are decided in
# Python from a fixed number of reads and written in bulk, so its cost is a handful of queries
# whatever its size; a crash rolls back the whole chunk.
CHUNK = 200


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
                irritations = list(
                    Irritation.objects.select_related("organisation", "peer__user", "mentor__user")
                    .filter(pk__in=chunk, state__in=Irritation.OPEN_STATES)
                    .order_by("pk")
                )
                batch = _Batch(irritations, now)
                for irritation in irritations:
                    done += _process(batch, irritation, now, today, _settings_for(irritation.organisation_id, cache))
                batch.write()
    return done


class _Batch:
    """One chunk's reads (made once for all its irritations) and writes (made in bulk at its end).

    The steps already taken are read after the chunk's rows are locked, so the check "has this
    step happened?" is as safe as it was per row; the unique constraint on ``EscalationStep``
    stays the last guard (a duplicate makes the insert fail and rolls the chunk back).
    """

    def __init__(self, irritations: list[Irritation], now: dt.datetime) -> None:
        self.now = now
        ids = [i.pk for i in irritations]
        self.taken = set(EscalationStep.objects.filter(irritation_id__in=ids).values_list("irritation_id", "kind", "key"))
        peer_ids = {i.peer_id for i in irritations}
        self.mentors: dict[int, Membership] = {
            a.peer_id: a.mentor
            for a in current_assignments().filter(peer_id__in=peer_ids).select_related("mentor__user")
        }
        self.steps: list[EscalationStep] = []
        self.events: list[AuditEvent] = []
        self.notes: list[Event] = []
        self.changed: dict[int, Irritation] = {}
        self.fields: set[str] = set()
        self._leads: dict[int, list[Any]] = {}
        self._team_leads: dict[int, tuple[list[Any], list[str]]] | None = None
        self._periods: dict[int, int] | None = None
        self._peer_ids = peer_ids
        self._orgs = {i.peer_id: i.organisation_id for i in irritations}

    def current_mentor(self, irritation: Irritation) -> Membership | None:
        return self.mentors.get(irritation.peer_id)

    def step(self, irritation: Irritation, kind: str, key: str = "") -> bool:
        """Claim one step; False if it already happened (the chunk's row locks make the check safe)."""
        if (irritation.pk, kind, key) in self.taken:
            return False
        self.taken.add((irritation.pk, kind, key))
        self.steps.append(
            EscalationStep(irritation=irritation, kind=kind, key=key, mentor=irritation.mentor, happened_at=self.now)
        )
        return True

    def save(self, irritation: Irritation, *fields: str) -> None:
        self.changed[irritation.pk] = irritation
        self.fields.update(fields)

    def record(self, **kwargs: Any) -> None:
        self.events.append(audit_event(actor=None, **kwargs))

    def notify(self, **kwargs: Any) -> None:
        self.notes.append(Event(**kwargs))

    def org_team_leads(self, organisation_id: int) -> list[Any]:
        if organisation_id not in self._leads:
            leads = Membership.objects.active().filter(organisation_id=organisation_id, is_team_lead=True)
            self._leads[organisation_id] = [m.user for m in leads.select_related("user")]
        return self._leads[organisation_id]

    def leads_of_her_teams(self, peer_id: int) -> tuple[list[Any], list[str]]:
        """The team leads of the peer's own current teams, and those teams' names (one query per chunk)."""
        if self._team_leads is None:
            self._team_leads = _leads_of_teams(self._orgs)
        return self._team_leads.get(peer_id, ([], []))

    def waiting_period(self, peer_id: int) -> int:
        """Which stretch without a mentor this is: her latest agreed mentoring's id (0: never had one).

        A proposal she has not accepted yet starts no new stretch: she is still without a mentor."""
        if self._periods is None:
            self._periods = dict(
                MentorAssignment.objects.filter(peer_id__in=self._peer_ids, state=MentorAssignment.State.ACCEPTED)
                .values("peer_id").annotate(last=Max("pk")).values_list("peer_id", "last").order_by()
            )
        return self._periods.get(peer_id, 0)

    def write(self) -> None:
        if self.changed:
            for irritation in self.changed.values():
                irritation.updated_at = self.now
            Irritation.objects.bulk_update(list(self.changed.values()), sorted(self.fields | {"updated_at"}))
            freshness.changed(Irritation)  # bulk_update sends no signals
        if self.steps:
            EscalationStep.objects.bulk_create(self.steps)
        if self.events:
            record_all(self.events)
        if self.notes:
            notify_all(self.notes, now=self.now)


def _leads_of_teams(peers: dict[int, int]) -> dict[int, tuple[list[Any], list[str]]]:
    """For each peer (id -> organisation id): who leads her, and the names of her current teams.

    The team leads who belong to one of her teams lead her. If none does, the team leads who belong
    to no team at all (they lead the organisation's teams as a whole; the dashboard shows them every
    team) are told, and failing those the organisation's admins, so that a peer without a mentor is
    never unnoticed. A lead of another team is never told.
    """
    current = TeamMembership.objects.current()
    hers = list(
        current.filter(membership_id__in=list(peers), membership__ended_on__isnull=True, team__archived_at__isnull=True)
        .values_list("membership_id", "team_id", "team__name")
    )
    team_ids = {team_id for _, team_id, _ in hers}
    org_ids = set(peers.values())
    leads_by_team: dict[int, list[Any]] = {}
    for tm in current.filter(
        team_id__in=team_ids, membership__is_team_lead=True, membership__ended_on__isnull=True
    ).select_related("membership__user"):
        leads_by_team.setdefault(tm.team_id, []).append(tm.membership.user)
    org_wide: dict[int, list[Any]] = {}
    admins: dict[int, list[Any]] = {}
    in_a_team = current.filter(membership=OuterRef("pk"), team__archived_at__isnull=True)
    m: Any
    for m in (
        Membership.objects.active()
        .filter(organisation_id__in=org_ids)
        .filter(Q(is_team_lead=True) | Q(is_org_admin=True))
        .annotate(in_a_team=Exists(in_a_team))
        .select_related("user")
    ):
        if m.is_team_lead and not m.in_a_team:
            org_wide.setdefault(m.organisation_id, []).append(m.user)
        if m.is_org_admin:
            admins.setdefault(m.organisation_id, []).append(m.user)
    result: dict[int, tuple[list[Any], list[str]]] = {}
    for peer_id, org_id in peers.items():
        names = sorted(name for p, _, name in hers if p == peer_id)
        users: list[Any] = []
        for team_id in (t for p, t, _ in hers if p == peer_id):
            users += [u for u in leads_by_team.get(team_id, []) if u not in users]
        result[peer_id] = (users or org_wide.get(org_id) or admins.get(org_id, []), names)
    return result


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


def _url(irritation: Irritation) -> str:
    return reverse("mentoring:irritation_detail", args=[irritation.pk])


def _process(batch: _Batch, irritation: Irritation, now: dt.datetime, today: dt.date, settings: MentoringSettings) -> int:
    done = 0
    if irritation.handover_pending:
        # Her previous mentor left. With a new mentor she decides about the handover (and
        # nobody is chased meanwhile); without one, she and the team leads are told it waits.
        if batch.current_mentor(irritation) is None:
            done += _waiting(batch, irritation)
        return done
    if not irritation.is_with_mentor:
        if today > irritation.clarify_by:
            # Kept to herself and not resolved by its date: it goes to her mentor now.
            irritation.shared_with_mentor_at = now
            irritation.escalated_at = now
            irritation.mentor = batch.current_mentor(irritation)
            irritation.mentor_since = now if irritation.mentor else None
            batch.save(irritation, "shared_with_mentor_at", "escalated_at", "mentor", "mentor_since")
            if irritation.mentor is not None:
                done += _escalated(batch, irritation)
            else:
                done += _waiting(batch, irritation)
        elif today >= irritation.clarify_by - dt.timedelta(days=1) and batch.step(
            irritation, EscalationStep.Kind.NOTICE, irritation.clarify_by.isoformat()
        ):
            batch.notify(
                recipients=[irritation.peer.user],
                kind="mentoring.irritation_notice",
                event_key=f"irritation:{irritation.pk}:notice:{irritation.clarify_by.isoformat()}",
                obj=irritation,
                url=_url(irritation),
                context={"clarify_by": irritation.clarify_by.isoformat()},
            )
            done += 1
        return done

    if irritation.mentor is not None and (current := batch.current_mentor(irritation)) != irritation.mentor:
        # Whoever holds it is no longer her mentor: the old one gets nothing more, and the new
        # one gets it only with her consent.
        irritation.mentor = None
        irritation.handover_pending = True
        batch.save(irritation, "mentor", "handover_pending")
        if current is None:
            done += _waiting(batch, irritation)
        return done
    if irritation.mentor is None:
        mentor = batch.current_mentor(irritation)
        if mentor is None:
            done += _waiting(batch, irritation)
        else:
            # A mentor is there now (she had none when it reached the mentor stage).
            irritation.mentor = mentor
            irritation.mentor_since = now
            batch.save(irritation, "mentor", "mentor_since")
            batch.record(action="irritation.mentor_found", obj=irritation, detail={"mentor": mentor.pk})
            if (addressed := mentor_addressed_event(irritation)) is not None:
                batch.notes.append(addressed)
            done += 1
    if irritation.mentor is not None:
        if (
            irritation.acknowledged_at is None
            and irritation.escalated_at is None
            and irritation.mentor_since is not None
            and now >= irritation.mentor_since + dt.timedelta(days=settings.acknowledge_within_days)
            and batch.step(irritation, EscalationStep.Kind.ACK_REMINDER, str(irritation.mentor_id))
        ):
            batch.notify(
                recipients=[irritation.mentor.user],
                kind="mentoring.irritation_ack_reminder",
                event_key=f"irritation:{irritation.pk}:ack_reminder:{irritation.mentor_id}",
                obj=irritation,
                url=_url(irritation),
            )
            batch.record(action="irritation.ack_reminder", obj=irritation)
            done += 1
        if irritation.escalated_at is None and today > irritation.clarify_by:
            irritation.escalated_at = now
            batch.save(irritation, "escalated_at")
            done += _escalated(batch, irritation)
    if (
        irritation.escalated_at is not None
        and irritation.acknowledged_at is None
        and now >= irritation.escalated_at + dt.timedelta(days=settings.backup_after_days)
        and batch.step(irritation, EscalationStep.Kind.BACKUP)
    ):
        _tell_backup(batch, irritation, settings)
        done += 1
    return done


def _escalated(batch: _Batch, irritation: Irritation) -> int:
    if not batch.step(irritation, EscalationStep.Kind.ESCALATED):
        return 0
    batch.record(action="irritation.escalated", obj=irritation, detail={"mentor": irritation.mentor_id})
    assert irritation.mentor is not None
    batch.notify(
        recipients=[irritation.mentor.user],
        kind="mentoring.irritation_escalated",
        event_key=f"irritation:{irritation.pk}:escalated:{irritation.mentor_id}",
        obj=irritation,
        url=_url(irritation),
    )
    batch.notify(
        recipients=[irritation.peer.user],
        kind="mentoring.irritation_update",
        event_key=f"irritation:{irritation.pk}:escalated",
        obj=irritation,
        url=_url(irritation),
        context={"what": "escalated"},
    )
    return 1


def _waiting(batch: _Batch, irritation: Irritation) -> int:
    """No mentor: the escalation waits; the peer and the team leads of her teams are told (no content)."""
    if not batch.step(irritation, EscalationStep.Kind.WAITING):
        return 0
    batch.record(action="irritation.waiting_for_mentor", obj=irritation)
    batch.notify(
        recipients=[irritation.peer.user],
        kind="mentoring.irritation_update",
        event_key=f"irritation:{irritation.pk}:waiting",
        obj=irritation,
        url=_url(irritation),
        context={"what": "waiting"},
    )
    _tell_needs_mentor(batch, irritation)
    return 1


def _tell_needs_mentor(batch: _Batch, irritation: Irritation) -> None:
    """The leads of her own team(s) learn that a peer needs a mentor, once per stretch without one.

    Nothing about why (no irritation is linked), and her name only if she allowed it: the event is
    about her, not about each irritation that waits, so five waiting irritations are one notice.
    Leads of other teams learn nothing; the dashboard's "peers without a mentor" shows the facts.
    """
    leads, teams = batch.leads_of_her_teams(irritation.peer_id)
    leads = [u for u in leads if u.pk != irritation.peer.user_id]
    if not leads:
        return
    named = irritation.backup_may_name_me
    period = batch.waiting_period(irritation.peer_id)
    batch.notify(
        recipients=leads,
        kind="mentoring.peer_needs_mentor",
        event_key=f"peer:{irritation.peer_id}:needs_mentor:after-{period}",
        obj=irritation.peer if named else None,
        organisation=irritation.organisation,
        url=(
            reverse("mentoring:assign") + f"?peer={irritation.peer_id}" if named else reverse("tandems:without_mentor")
        ),
        context={"peer_name": irritation.peer.user.display_name if named else "", "teams": ", ".join(teams)},
    )


def _tell_backup(batch: _Batch, irritation: Irritation, settings: MentoringSettings) -> None:
    backup = settings.backup
    # The backup page lets her act (remind the mentor, offer another mentor), never read.
    url = reverse("mentoring:backup", args=[irritation.pk])
    if backup is not None and backup.is_active and backup.pk != irritation.peer_id:
        recipients = [backup.user]
    else:
        recipients = [u for u in batch.org_team_leads(irritation.organisation_id) if u.pk != irritation.peer.user_id]
    batch.record(action="irritation.backup_told", obj=irritation)
    # No content, no link to it (the backup cannot open it), the name only if she agreed.
    batch.notify(
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
    events = []
    for assignment in assignments:
        due = check_in_due_on(assignment)
        which = check_in_status(due, today=today)
        if which is None:
            continue
        events.append(
            Event(
                recipients=[assignment.peer.user, assignment.mentor.user],
                kind=f"mentoring.check_in_{which}",
                event_key=f"checkin:{assignment.pk}:{due.isoformat()}:{which}",
                obj=assignment,
                url=reverse("mentoring:mentees"),
                context={"due": due.isoformat()},
            )
        )
    # One insert for every reminder (already sent ones are skipped by their event keys), instead of
    # a transaction and a few queries per assignment.
    with transaction.atomic():
        notify_all(events)
    return sum(1 for event in events if any(u.is_active for u in event.recipients))


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

