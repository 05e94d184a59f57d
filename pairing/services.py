"""Writes of the pairing domain, and the selectors its pages share.

Every write validates (rules of practice, state machine), saves, records the audit event and
writes the notification outbox rows in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DateField, Exists, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation, Team, TeamMembership, User
from tandem.audit.services import record
from tandem.db import DatePlusDays
from tandem.notifications.services import notify

from . import rules
from .models import (
    SUPPORT_MONTHS,
    PairingSettings,
    Reflection,
    SupportProcess,
    Tandem,
    TandemPause,
    ThreeWayMeeting,
    add_months,
)

# A reflection counts as overdue two weeks after it became due (the reminder goes out when due).
REFLECTION_GRACE = dt.timedelta(days=14)


def _team_member(team: Team, membership: Membership, function: str) -> bool:
    return (
        TeamMembership.objects.current()
        .filter(team=team, membership=membership, function=function, membership__ended_on__isnull=True)
        .exists()
    )


def _partner_users(tandem: Tandem) -> list[User]:
    return [tandem.peer.user, tandem.professional.user]


def _names(tandem: Tandem) -> dict[str, str]:
    return {
        "peer": tandem.peer.user.display_name,
        "professional": tandem.professional.user.display_name,
        "team": tandem.team.name,
    }


# --- proposing --------------------------------------------------------------------------------


def validate_pairing(*, team: Team, peer: Membership | None, professional: Membership | None) -> dict[str, str]:
    """Bad input that no rule of practice can excuse, as {field: translated message}."""
    errors: dict[str, str] = {}
    if peer is not None:
        if peer.organisation_id != team.organisation_id or not peer.is_active:
            errors["peer"] = _("This person does not belong to the organisation of the team.")
        elif not peer.is_peer:
            errors["peer"] = _("This person is not a peer.")
        elif not _team_member(team, peer, TeamMembership.Function.PEER):
            errors["peer"] = _("This peer does not work in %(team)s.") % {"team": team.name}
    if professional is not None:
        if peer is not None and professional.pk == peer.pk:
            errors["professional"] = _("A person cannot form a tandem with themselves.")
        elif professional.organisation_id != team.organisation_id or not professional.is_active:
            errors["professional"] = _("This person does not belong to the organisation of the team.")
        elif professional.is_peer or not professional.is_professional:
            errors["professional"] = _("Please choose a professional; a peer cannot take the professional's place.")
        elif not _team_member(team, professional, TeamMembership.Function.PROFESSIONAL):
            errors["professional"] = _("This professional does not work in %(team)s.") % {"team": team.name}
    return errors


@transaction.atomic
def propose(
    *,
    team: Team,
    peer: Membership,
    professional: Membership,
    by: User,
    started_on: dt.date | None = None,
    planned_end_on: dt.date | None = None,
    purpose: str = "",
    placement_justification: str = "",
    accept_warnings: bool = False,
) -> Tandem:
    """Propose a tandem; both partners are notified and asked to confirm after getting to know each other."""
    errors = validate_pairing(team=team, peer=peer, professional=professional)
    started_on = started_on or timezone.localdate()
    if planned_end_on is not None and planned_end_on <= started_on:
        errors["planned_end_on"] = _("The planned end must be after the start.")
    if errors:
        raise ValidationError(errors)
    # Serialise proposals for the same peer, so two leads cannot pair the same pair twice at once.
    Membership.objects.select_for_update().filter(pk=peer.pk).first()
    explanations = rules.check_proposal(
        team=team, peer=peer, professional=professional, justification=placement_justification
    )
    field_of_rule = {1: "peer", 3: "placement_justification", 5: "professional"}
    for explanation in rules.refusals(explanations):
        errors.setdefault(field_of_rule.get(explanation.rule, "__all__"), explanation.message)
    if not errors and rules.warnings(explanations) and not accept_warnings:
        errors["accept_warnings"] = _("Please read the notes on the rules of practice and confirm that you want to go ahead.")
    if errors:
        raise ValidationError(errors)
    tandem = Tandem(
        organisation=team.organisation,
        team=team,
        peer=peer,
        professional=professional,
        purpose=purpose,
        started_on=started_on,
        planned_end_on=planned_end_on,
        proposed_by=by,
        placement_justification=placement_justification.strip(),
    )
    tandem.full_clean()
    tandem.save()
    record(actor=by, action="tandem.proposed", obj=tandem, detail={"team": team.pk})
    if tandem.placement_justification:
        # The justification is kept on the tandem; the audit trail records that one was given.
        record(actor=by, action="tandem.placement_conflict_justified", obj=tandem)
    notify(
        recipients=_partner_users(tandem),
        kind="tandem.proposed",
        event_key=f"tandem:{tandem.pk}:proposed",
        obj=tandem,
        url=tandem.get_absolute_url(),
        context=_names(tandem),
    )
    return tandem


# --- the lifecycle ----------------------------------------------------------------------------


def _locked(tandem: Tandem) -> Tandem:
    return Tandem.objects.select_for_update().select_related("team", "peer__user", "professional__user").get(pk=tandem.pk)


@transaction.atomic
def record_getting_to_know(*, tandem: Tandem, by: User) -> Tandem:
    """The get-to-know meeting took place (or is arranged)."""
    tandem = _locked(tandem)
    tandem.transition_to(Tandem.State.GETTING_TO_KNOW)
    tandem.save(update_fields=["state"])
    record(actor=by, action="tandem.getting_to_know", obj=tandem)
    return tandem


@transaction.atomic
def confirm(*, tandem: Tandem, by: Membership) -> Tandem:
    """A partner wants to work together; when both have confirmed, the tandem is active."""
    tandem = _locked(tandem)
    side = tandem.partner_side(by)
    if side is None:
        raise ValidationError(_("Only the two partners can confirm a tandem."))
    if not tandem.awaits_confirmation:
        raise ValidationError(_("This tandem does not wait for a confirmation."), code="invalid_transition")
    if tandem.confirmed_by(side):
        return tandem
    now = timezone.now()
    setattr(tandem, f"{side}_confirmed_at", now)
    if tandem.state == Tandem.State.PROPOSED:
        tandem.transition_to(Tandem.State.GETTING_TO_KNOW)
    record(actor=by.user, action="tandem.confirmed", obj=tandem)
    if tandem.peer_confirmed_at and tandem.professional_confirmed_at:
        tandem.transition_to(Tandem.State.ACTIVE)
        tandem.activated_on = timezone.localdate()
        record(actor=by.user, action="tandem.activated", obj=tandem)
        notify(
            recipients=[*_partner_users(tandem), tandem.proposed_by],
            kind="tandem.activated",
            event_key=f"tandem:{tandem.pk}:activated",
            obj=tandem,
            url=tandem.get_absolute_url(),
            context=_names(tandem),
        )
    tandem.save()
    return tandem


@transaction.atomic
def decline(*, tandem: Tandem, by: Membership) -> Tandem:
    """Either partner may say no after getting to know each other: no reason, no blame.

    The tandem is ended with reason "declined", never deleted. Who declined is not shown to the
    other partner or the team lead: the audit event carries no actor and the notification says
    only that the tandem will not continue.
    """
    tandem = _locked(tandem)
    if tandem.partner_side(by) is None:
        raise ValidationError(_("Only the two partners can decide not to continue."))
    if not tandem.awaits_confirmation:
        raise ValidationError(
            _("Only a proposed tandem can be declined; an active tandem is ended by the team lead."),
            code="invalid_transition",
        )
    tandem.transition_to(Tandem.State.ENDED)
    tandem.end_reason = Tandem.EndReason.DECLINED
    tandem.ended_on = max(timezone.localdate(), tandem.started_on)
    tandem.save()
    record(actor=None, action="tandem.declined", obj=tandem)
    notify(
        recipients=[*_partner_users(tandem), tandem.proposed_by],
        kind="tandem.declined",
        event_key=f"tandem:{tandem.pk}:declined",
        obj=tandem,
        url=tandem.get_absolute_url(),
        context=_names(tandem),
    )
    return tandem


def _check_date(tandem: Tandem, day: dt.date, field_name: str) -> None:
    if day < tandem.started_on:
        raise ValidationError(
            {field_name: _("The date cannot be before the tandem's start (%(start)s).") % {"start": tandem.started_on}}
        )


@transaction.atomic
def pause(*, tandem: Tandem, by: User, on: dt.date, reason: str) -> Tandem:
    tandem = _locked(tandem)
    tandem.transition_to(Tandem.State.PAUSED)
    _check_date(tandem, on, "on")
    tandem.paused_on, tandem.pause_reason = on, reason.strip()
    tandem.save(update_fields=["state", "paused_on", "pause_reason"])
    TandemPause.objects.create(tandem=tandem, started_on=on, reason=tandem.pause_reason)
    record(actor=by, action="tandem.paused", obj=tandem, detail={"on": on.isoformat()})
    return tandem


@transaction.atomic
def resume(*, tandem: Tandem, by: User, on: dt.date) -> Tandem:
    tandem = _locked(tandem)
    tandem.transition_to(Tandem.State.ACTIVE)
    if tandem.paused_on and on < tandem.paused_on:
        raise ValidationError({"on": _("The tandem cannot resume before its pause began (%(day)s).") % {"day": tandem.paused_on}})
    tandem.paused_on, tandem.pause_reason = None, ""
    tandem.save(update_fields=["state", "paused_on", "pause_reason"])
    TandemPause.objects.filter(tandem=tandem, ended_on__isnull=True).update(ended_on=on)
    record(actor=by, action="tandem.resumed", obj=tandem, detail={"on": on.isoformat()})
    return tandem


@transaction.atomic
def end(*, tandem: Tandem, by: User, on: dt.date, reason: str) -> Tandem:
    tandem = _locked(tandem)
    tandem.transition_to(Tandem.State.ENDED)
    if reason not in Tandem.EndReason.values:
        raise ValidationError({"reason": _("Please choose a reason.")})
    if on < tandem.started_on:
        raise ValidationError({"on": _("The end cannot be before the start (%(start)s).") % {"start": tandem.started_on}})
    if tandem.paused_on and on < tandem.paused_on:
        raise ValidationError({"on": _("The end cannot be before the pause began (%(day)s).") % {"day": tandem.paused_on}})
    tandem.ended_on, tandem.end_reason = on, reason
    tandem.save(update_fields=["state", "ended_on", "end_reason"])
    TandemPause.objects.filter(tandem=tandem, ended_on__isnull=True).update(ended_on=on)
    record(actor=by, action="tandem.ended", obj=tandem, detail={"on": on.isoformat(), "reason": reason})
    return tandem


# --- pairing settings -------------------------------------------------------------------------


@transaction.atomic
def update_settings(*, organisation: Organisation, by: User, **values: int) -> PairingSettings:
    settings, _created = PairingSettings.objects.select_for_update().get_or_create(organisation=organisation)
    for name, value in values.items():
        setattr(settings, name, value)
    settings.full_clean()
    settings.save()
    record(actor=by, action="pairing_settings.changed", obj=settings, organisation=organisation, detail=values)
    return settings


# --- support processes for clients ------------------------------------------------------------


@transaction.atomic
def start_support(*, tandem: Tandem, by: User, client_code: str, started_on: dt.date, goals: str = "") -> SupportProcess:
    """Twelve months of support for one client, with a planned end and a transition reminder."""
    if tandem.state != Tandem.State.ACTIVE:
        raise ValidationError(_("Only an active tandem can begin supporting a client."))
    client_code = client_code.strip().upper()
    if SupportProcess.objects.running().filter(organisation_id=tandem.organisation_id, client_code=client_code).exists():
        raise ValidationError({"client_code": _("A running support process already uses this code.")})
    process = SupportProcess(
        organisation_id=tandem.organisation_id,
        tandem=tandem,
        client_code=client_code,
        started_on=started_on,
        planned_end_on=add_months(started_on, SUPPORT_MONTHS),
        goals=goals,
        created_by=by,
    )
    process.full_clean()
    process.save()
    record(actor=by, action="support_process.started", obj=process, organisation=tandem.organisation)
    return process


@transaction.atomic
def record_three_way_meeting(*, process: SupportProcess, by: User, held_on: dt.date) -> ThreeWayMeeting:
    if process.ended_on is not None:
        raise ValidationError(_("This support process has ended."))
    if held_on < process.started_on:
        raise ValidationError({"held_on": _("The meeting cannot be before the support began (%(start)s).") % {"start": process.started_on}})
    meeting = ThreeWayMeeting.objects.create(support_process=process, held_on=held_on)
    record(actor=by, action="support_process.meeting", obj=process, organisation=process.organisation)
    return meeting


@transaction.atomic
def end_support(*, process: SupportProcess, by: User, on: dt.date) -> SupportProcess:
    process = SupportProcess.objects.select_for_update().get(pk=process.pk)
    if process.ended_on is not None:
        raise ValidationError(_("This support process has ended."))
    if on < process.started_on:
        raise ValidationError({"on": _("The end cannot be before the start (%(start)s).") % {"start": process.started_on}})
    process.ended_on = on
    process.save(update_fields=["ended_on"])
    record(actor=by, action="support_process.ended", obj=process, organisation=process.organisation)
    return process


def send_transition_reminders(*, today: dt.date | None = None) -> int:
    """Eight weeks before the planned end, remind both partners to plan the transition.

    Each process is claimed with a conditional UPDATE, so two sweeps never remind twice.
    """
    today = today or timezone.localdate()
    sent = 0
    due = SupportProcess.objects.nearing_end(today).filter(transition_reminded_at__isnull=True, tandem__state__in=Tandem.OPEN_STATES)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            claimed = SupportProcess.objects.filter(pk=pk, transition_reminded_at__isnull=True).update(
                transition_reminded_at=timezone.now()
            )
            if not claimed:
                continue
            process = SupportProcess.objects.select_related("tandem__peer__user", "tandem__professional__user", "tandem__team").get(pk=pk)
            notify(
                recipients=_partner_users(process.tandem),
                kind="tandem.support_transition",
                event_key=f"support:{pk}:transition",
                obj=process,
                organisation=process.organisation,
                url=process.get_absolute_url(),
                context={"client_code": process.client_code, "planned_end": process.planned_end_on.isoformat()},
            )
            sent += 1
    return sent


# --- reflections ------------------------------------------------------------------------------


@transaction.atomic
def submit_reflection(
    *, tandem: Tandem, author: Membership, how_it_goes: str, what_helps: str = "", what_irritates: str = "", share: bool = False
) -> Reflection:
    if tandem.partner_side(author) is None:
        raise ValidationError(_("Only the two partners write reflections on their tandem."))
    if tandem.state not in (Tandem.State.ACTIVE, Tandem.State.PAUSED):
        raise ValidationError(_("Reflections are written while the tandem is active."))
    reflection = Reflection(
        tandem=tandem,
        author=author,
        how_it_goes=how_it_goes,
        what_helps=what_helps,
        what_irritates=what_irritates,
        shared_at=timezone.now() if share else None,
    )
    reflection.full_clean()
    reflection.save()
    # No audit detail and no notification text: a reflection is private to its author.
    record(actor=author.user, action="reflection.written", obj=tandem)
    return reflection


@transaction.atomic
def share_reflection(*, reflection: Reflection, by: Membership) -> Reflection:
    if reflection.author_id != by.pk:
        raise ValidationError(_("Only the author can share a reflection."))
    if reflection.shared_at is None:
        reflection.shared_at = timezone.now()
        reflection.save(update_fields=["shared_at"])
        record(actor=by.user, action="reflection.shared", obj=reflection.tandem)
    return reflection


def reflection_due_on(*, activated_on: dt.date | None, last: dt.datetime | dt.date | None, weeks: int) -> dt.date | None:
    """When the next reflection of one partner is due: N weeks after the last one (or the start)."""
    if isinstance(last, dt.datetime):
        last = timezone.localdate(last)
    base = last or activated_on
    return base + dt.timedelta(weeks=weeks) if base else None


@dataclass
class DueReflection:
    tandem: Tandem
    side: str
    due_on: dt.date

    @property
    def author(self) -> Membership:
        return self.tandem.peer if self.side == "peer" else self.tandem.professional

    @property
    def author_id(self) -> int:
        return self.tandem.peer_id if self.side == "peer" else self.tandem.professional_id

    @property
    def overdue(self) -> bool:
        return self.due_on + REFLECTION_GRACE < timezone.localdate()




def due_reflections(tandems: Any, *, today: dt.date | None = None) -> list[DueReflection]:
    """Reflections that are due (each partner of each active tandem), computed in one query."""
    today = today or timezone.localdate()
    # The database narrows the active tandems to those with a partner due (one day of slack for
    # the local-date conversion), so callers pay for the due ones, not for every active tandem;
    # the loop below decides exactly, as before.
    default_weeks = PairingSettings._meta.get_field("reflection_every_weeks").default
    weeks = Coalesce(
        Subquery(
            PairingSettings.objects.filter(organisation_id=OuterRef("organisation_id")).values("reflection_every_weeks")[:1]
        ),
        Value(default_weeks),
    )
    limit = today + dt.timedelta(days=1)
    rows = list(
        tandems.filter(state=Tandem.State.ACTIVE)
        .annotate(
            last_peer=Max("reflections__created_at", filter=Q(reflections__author_id=F("peer_id"))),
            last_professional=Max("reflections__created_at", filter=Q(reflections__author_id=F("professional_id"))),
        )
        .annotate(
            reflection_weeks=weeks,
            **{
                f"sql_due_{side}": DatePlusDays(
                    Coalesce(TruncDate(f"last_{side}"), F("activated_on")), weeks * 7, output_field=DateField()
                )
                for side in ("peer", "professional")
            }
        )
        .filter(Q(sql_due_peer__lte=limit) | Q(sql_due_professional__lte=limit))
    )
    due: list[DueReflection] = []
    for tandem in rows:
        for side in ("peer", "professional"):
            due_on = reflection_due_on(
                activated_on=tandem.activated_on, last=getattr(tandem, f"last_{side}"), weeks=tandem.reflection_weeks
            )
            if due_on and due_on <= today:
                due.append(DueReflection(tandem, side, due_on))
    return due


def send_reflection_reminders(*, today: dt.date | None = None) -> int:
    """Invite each partner whose reflection is due; the event key makes a second run a no-op."""
    due = due_reflections(
        Tandem.objects.select_related("peer__user", "professional__user", "team"), today=today
    )
    for item in due:
        with transaction.atomic():
            notify(
                recipients=[item.author.user],
                kind="tandem.reflection_due",
                event_key=f"tandem:{item.tandem.pk}:reflection:{item.side}:{item.due_on.isoformat()}",
                obj=item.tandem,
                url=item.tandem.get_absolute_url() + "reflections/new/",
                context={"partner": item.tandem.partner_of(item.author).user.display_name},
            )
    return len(due)


# --- suggestions ------------------------------------------------------------------------------


@dataclass
class Suggestion:
    candidate: Membership
    reasons: list[str]
    concerns: list[str]
    score: tuple[int, ...] = field(default_factory=tuple)


def suggest(*, team: Team, peer: Membership | None = None, professional: Membership | None = None) -> list[Suggestion]:
    """Rank the team's professionals for a peer (or the team's peers for a professional), with reasons."""
    from accounts.models import PlacementConflict
    from mentoring.models import MentorAssignment

    settings = PairingSettings.for_organisation(team.organisation)
    chosen = peer or professional
    assert chosen is not None
    looking_for = TeamMembership.Function.PROFESSIONAL if peer else TeamMembership.Function.PEER
    side = "professional" if peer else "peer"
    other_side = "peer" if peer else "professional"
    active_filter = Q(**{f"tandems_as_{side}__state": Tandem.State.ACTIVE})
    candidates = (
        Membership.objects.active()
        .filter(
            organisation=team.organisation,
            team_memberships__in=TeamMembership.objects.current().filter(team=team, function=looking_for),
        )
        .exclude(pk=chosen.pk)
        .select_related("user")
        .annotate(
            active_tandems=Count(f"tandems_as_{side}", filter=active_filter, distinct=True),
            open_with_chosen=Exists(
                Tandem.objects.open().filter(**{side: OuterRef("pk"), other_side: chosen})
            ),
            is_mentor_pair=Exists(
                MentorAssignment.objects.current().filter(
                    Q(peer=chosen, mentor=OuterRef("pk")) | Q(peer=OuterRef("pk"), mentor=chosen)
                )
            ),
            has_mentor=Exists(MentorAssignment.objects.current().filter(peer=OuterRef("pk"))),
            conflict=Exists(PlacementConflict.objects.filter(peer=OuterRef("pk"), service=team.service_id)),
        )
    )
    cap = settings.max_active_per_professional if peer else settings.max_active_per_peer
    result: list[Suggestion] = []
    candidate: Any
    for candidate in candidates:
        reasons: list[str] = []
        concerns: list[str] = []
        if candidate.open_with_chosen:
            concerns.append(rules.pair_rule(chosen, candidate, has_open=True).message)
        if professional is not None:
            if not candidate.has_mentor:
                concerns.append(rules.mentor_rule(candidate, has_mentor=False).message)
            if candidate.conflict:
                concerns.append(rules.placement_rule(candidate, team.service, conflict=True).message)
        if candidate.active_tandems >= cap:
            concerns.append(_("Already at the organisation's limit of %(limit)d active tandems.") % {"limit": cap})
        if not concerns:
            reasons.append(_("No rule of practice is broken."))
        reasons.append(
            _("%(count)d active tandems.") % {"count": candidate.active_tandems}
        )
        reasons.append(_("Works in the same service (%(service)s).") % {"service": team.service.name})
        if candidate.is_mentor_pair:
            concerns.append(_("They are in a mentoring relationship; a tandem would mix the two roles."))
        else:
            reasons.append(_("Not the mentor of the peer."))
        score = (len(concerns), int(candidate.is_mentor_pair), candidate.active_tandems)
        result.append(Suggestion(candidate, reasons, concerns, score))
    result.sort(key=lambda s: (s.score, s.candidate.user.display_name))
    return result


# --- the team lead dashboard ------------------------------------------------------------------


@dataclass
class TeamRow:
    team: Team
    peers: int = 0
    professionals: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    without_mentor: int = 0
    overdue_reflections: int = 0
    support_ending: int = 0
    irritations_open: int = 0
    irritations_escalated: int = 0
    two_peers: rules.Explanation | None = None

    @property
    def too_few_peers(self) -> bool:
        return self.two_peers is not None and not self.two_peers.ok


def irritation_counts(team_ids: list[int]) -> dict[int, dict[str, int]]:
    """Numbers only, never content: asked from the mentoring app once it offers them."""
    try:
        from mentoring.stats import irritation_counts_per_team
    except ImportError:
        return {}
    return dict(irritation_counts_per_team(team_ids))


def peers_without_mentor(teams: Any) -> Any:
    """Current peer team memberships of ``teams`` whose peer has no active mentor (rule 1)."""
    from mentoring.models import MentorAssignment

    return (
        TeamMembership.objects.current()
        .filter(team__in=teams, function=TeamMembership.Function.PEER, membership__ended_on__isnull=True)
        .annotate(has_mentor=Exists(MentorAssignment.objects.current().filter(peer=OuterRef("membership"))))
        .filter(has_mentor=False)
    )


def _current_member_filter(today: dt.date) -> Q:
    return (
        Q(team_memberships__started_on__lte=today)
        & (Q(team_memberships__ended_on__isnull=True) | Q(team_memberships__ended_on__gt=today))
        & Q(team_memberships__membership__ended_on__isnull=True)
    )


def with_peer_counts(teams: Any, *, today: dt.date | None = None) -> Any:
    current = _current_member_filter(today or timezone.localdate())
    return teams.annotate(
        peer_count=Count("team_memberships", filter=current & Q(team_memberships__function="peer"), distinct=True)
    )


def count_teams_with_too_few_peers(teams: Any) -> int:
    """Rule of practice 2 for the start page, in one query."""
    return with_peer_counts(teams).filter(peer_count__lt=rules.MIN_PEERS_PER_TEAM).count()


def dashboard(*, teams: Any, today: dt.date | None = None) -> list[TeamRow]:
    """One row per team; a fixed number of queries however many teams and tandems there are."""
    today = today or timezone.localdate()
    current = _current_member_filter(today)
    # Memberships here, tandems in their own grouped query below: counting both in one join would
    # build memberships x tandems rows per team, growing with every ended tandem (BENCHMARKS.md).
    team_list = list(
        with_peer_counts(teams.select_related("service", "organisation"), today=today).annotate(
            professional_count=Count(
                "team_memberships", filter=current & Q(team_memberships__function="professional"), distinct=True
            ),
        )
    )
    ids = [t.pk for t in team_list]
    by_state: dict[int, dict[str, int]] = defaultdict(dict)
    tandem_counts = (
        Tandem.objects.filter(team_id__in=ids)
        .values("team_id", "state")
        .annotate(n=Count("id"))
        .values_list("team_id", "state", "n")
        .order_by()
    )
    for team_id, state, n in tandem_counts:
        by_state[team_id][state] = n
    without = dict(
        peers_without_mentor(ids).values("team_id").annotate(n=Count("id")).values_list("team_id", "n").order_by()
    )
    overdue: dict[int, int] = defaultdict(int)
    for item in due_reflections(Tandem.objects.filter(team_id__in=ids), today=today):
        if item.overdue:
            overdue[item.tandem.team_id] += 1
    ending = dict(
        SupportProcess.objects.nearing_end(today)
        .filter(tandem__team_id__in=ids)
        .values("tandem__team_id")
        .annotate(n=Count("id"))
        .values_list("tandem__team_id", "n")
        .order_by()
    )
    irritations = irritation_counts(ids)
    rows = []
    for team in team_list:
        rows.append(
            TeamRow(
                team=team,
                peers=team.peer_count,
                professionals=team.professional_count,
                by_state={state: by_state[team.pk].get(state, 0) for state in Tandem.State.values},
                without_mentor=without.get(team.pk, 0),
                overdue_reflections=overdue.get(team.pk, 0),
                support_ending=ending.get(team.pk, 0),
                irritations_open=irritations.get(team.pk, {}).get("open", 0),
                irritations_escalated=irritations.get(team.pk, {}).get("escalated", 0),
                two_peers=rules.two_peers_rule(team, peer_count=team.peer_count),
            )
        )
    return rows
