"""Writes of the pairing domain.

Every write validates (rules of practice, state machine), saves, records the audit event and
writes the notification outbox rows in one transaction.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation, Team, TeamMembership, User
from tandem.audit.services import record
from tandem.notifications.services import Event, notify, notify_all

from . import rules, selectors
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
    field_of_rule = {1: "peer", 3: "placement_justification", 5: "professional", 6: "professional"}
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
    # Asked again here: the professional may have become (or been proposed as) her mentor since.
    partner = rules.mentor_partner_rule(tandem.peer, tandem.professional, becoming="partner")
    if partner.refuses:
        raise ValidationError(partner.message, code="mentor_partner")
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


def send_reflection_reminders(*, today: dt.date | None = None) -> int:
    """Invite each partner whose reflection is due; the event key makes a second run a no-op."""
    due = selectors.due_reflections(
        Tandem.objects.select_related("organisation", "peer__user", "professional__user", "team"), today=today
    )
    # One insert for all of them (a second run is a no-op by the event keys), not a few queries each.
    with transaction.atomic():
        notify_all(
            Event(
                recipients=[item.author.user],
                kind="tandem.reflection_due",
                event_key=f"tandem:{item.tandem.pk}:reflection:{item.side}:{item.due_on.isoformat()}",
                obj=item.tandem,
                url=item.tandem.get_absolute_url() + "reflections/new/",
                context={"partner": item.tandem.partner_of(item.author).user.display_name},
            )
            for item in due
        )
    return len(due)
