"""Writes for mentoring: assignments, check-ins, irritations. Each is atomic and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership
from tandem.audit.services import record
from tandem.notifications.services import Event, notify, withdraw_notifications

from . import rules
from .models import CheckIn, Irritation, MentorAssignment, MentorRequest
from .selectors import current_mentor

# --- Mentor assignments ------------------------------------------------------------------------


def _is_manager(user: Any, organisation_id: int) -> bool:
    return (
        Membership.objects.active()
        .filter(user=user, organisation_id=organisation_id)
        .filter(Q(is_team_lead=True) | Q(is_org_admin=True))
        .exists()
    )


def _proposal_url(assignment: MentorAssignment) -> str:
    return reverse("mentoring:proposal", args=[assignment.pk])


def propose_mentor(
    *,
    peer: Membership,
    mentor: Membership,
    by: Any,
    check_in_every_weeks: int = 4,
) -> MentorAssignment:
    """Propose ``mentor`` for ``peer``: by a team lead or org admin, or by the peer herself.

    Mentoring is by consent. The proposal becomes current only when the peer has accepted it and
    the mentor has agreed (``accept_mentoring``); until then nothing of hers reaches the mentor and
    a current mentoring goes on unchanged. Whoever proposes counts as agreeing for herself: a lead
    who proposes herself still needs the peer's acceptance.
    """
    if not peer.is_peer or not peer.is_active:
        raise ValidationError({"peer": _("Only a current peer can have a mentor assigned.")})
    by_peer = peer.user_id == by.pk
    if not by_peer and not _is_manager(by, peer.organisation_id):
        raise ValidationError(_("Only a team lead, an org admin or the peer herself can propose a mentor."))
    refusal = rules.mentor_refusal(peer=peer, mentor=mentor)
    if refusal:
        # Recorded outside the (not started) transaction so that the refusal stays in the trail.
        record(actor=by, action="mentor.assign_refused", obj=peer, organisation=peer.organisation,
               outcome="refused", detail={"mentor": mentor.pk})
        raise ValidationError({"mentor": refusal})
    if not 1 <= check_in_every_weeks <= 26:
        raise ValidationError({"check_in_every_weeks": _("Choose between 1 and 26 weeks.")})
    return _propose(peer=peer, mentor=mentor, by=by, by_peer=by_peer, check_in_every_weeks=check_in_every_weeks)


@transaction.atomic
def _propose(
    *, peer: Membership, mentor: Membership, by: Any, by_peer: bool, check_in_every_weeks: int
) -> MentorAssignment:
    # Lock the peer's row so two leads proposing at once do not both replace and create.
    Membership.objects.select_for_update().get(pk=peer.pk)
    names = {"mentor": mentor.user.display_name, "peer": peer.user.display_name}
    if MentorAssignment.objects.current().filter(peer=peer, mentor=mentor).exists():
        raise ValidationError({"mentor": _("%(mentor)s is already the mentor of %(peer)s.") % names})
    waiting = MentorAssignment.objects.proposed().filter(peer=peer).first()
    if waiting is not None:
        if waiting.mentor_id == mentor.pk:
            raise ValidationError(
                {"mentor": _("%(mentor)s is already proposed as the mentor of %(peer)s; the answers are awaited.") % names}
            )
        # A new proposal replaces the one still waiting; whoever was asked is told it will not go ahead.
        _close_proposal(waiting, by=by, action="mentor.proposal_replaced")
    now = timezone.now()
    assignment = MentorAssignment.objects.create(
        organisation=peer.organisation,
        peer=peer,
        mentor=mentor,
        started_on=timezone.localdate(),
        check_in_every_weeks=check_in_every_weeks,
        assigned_by=by,
        state=MentorAssignment.State.PROPOSED,
        peer_accepted_at=now if by_peer else None,
        mentor_accepted_at=now if mentor.user_id == by.pk else None,
    )
    record(actor=by, action="mentor.proposed", obj=assignment, detail={"peer": peer.pk, "mentor": mentor.pk})
    if not assignment.accepted_by("peer"):
        notify(
            recipients=[peer.user],
            kind="mentoring.mentor_proposed",
            event_key=f"assignment:{assignment.pk}:proposed:peer",
            obj=assignment,
            url=_proposal_url(assignment),
            context={"mentor_name": mentor.user.display_name},
        )
    if not assignment.accepted_by("mentor"):
        notify(
            recipients=[mentor.user],
            kind="mentoring.mentee_proposed",
            event_key=f"assignment:{assignment.pk}:proposed:mentor",
            obj=assignment,
            url=_proposal_url(assignment),
            context={"peer_name": peer.user.display_name, "by_peer": by_peer},
        )
    return assignment


def _close_proposal(assignment: MentorAssignment, *, by: Any, action: str) -> None:
    """End a proposal that will not go ahead; the people asked learn that, never who said no."""
    assignment.state = MentorAssignment.State.DECLINED
    assignment.closed_at = timezone.now()
    assignment.save(update_fields=["state", "closed_at"])
    # No actor on a decline: like a declined tandem, who said no is nobody else's business.
    record(actor=None if action == "mentor.declined" else by, action=action, obj=assignment,
           organisation=assignment.organisation, detail={"peer": assignment.peer_id})
    # Each person is sent to her own page: the peer to her mentoring, the mentor to her mentees,
    # the one who proposed it to the peer's mentoring history.
    pages = [
        (assignment.peer.user, reverse("mentoring:my_irritations")),
        (assignment.mentor.user, reverse("mentoring:mentees")),
    ]
    if assignment.assigned_by is not None and assignment.assigned_by.pk not in (assignment.peer.user_id, assignment.mentor.user_id):
        pages.append((assignment.assigned_by, reverse("mentoring:peer_history", args=[assignment.peer_id])))
    for user, url in pages:
        if by is not None and user.pk == by.pk:
            continue
        notify(
            recipients=[user],
            kind="mentoring.mentor_proposal_closed",
            event_key=f"assignment:{assignment.pk}:closed:{user.pk}",
            obj=assignment,
            url=url,
            context={"peer_name": assignment.peer.user.display_name, "mentor_name": assignment.mentor.user.display_name},
        )


def _locked_assignment(assignment: MentorAssignment) -> MentorAssignment:
    return (
        MentorAssignment.objects.select_for_update(of=("self",))
        .select_related("peer__user", "mentor__user", "organisation", "assigned_by")
        .get(pk=assignment.pk)
    )


@transaction.atomic
def accept_mentoring(*, assignment: MentorAssignment, by: Any) -> MentorAssignment:
    """The peer accepts, or the mentor agrees to, a proposal; with both it becomes current."""
    locked = _locked_assignment(assignment)
    side = "peer" if locked.peer.user_id == by.pk else "mentor" if locked.mentor.user_id == by.pk else None
    if side is None:
        raise ValidationError(_("Only the peer and the proposed mentor can answer this proposal."))
    if not locked.is_proposed:
        raise ValidationError(_("This proposal no longer waits for an answer."))
    if not locked.peer.is_active or not locked.peer.is_peer:
        raise ValidationError(_("Only a current peer can have a mentor assigned."))
    # Asked again at the moment of consent: roles and tandems may have changed since the proposal.
    refusal = rules.mentor_refusal(peer=locked.peer, mentor=locked.mentor)
    if refusal:
        raise ValidationError(refusal)
    if not locked.accepted_by(side):
        setattr(locked, f"{side}_accepted_at", timezone.now())
        locked.save(update_fields=[f"{side}_accepted_at"])
        record(actor=by, action="mentor.accepted", obj=locked, detail={"side": side})
    if locked.accepted_by("peer") and locked.accepted_by("mentor"):
        _activate(locked, by=by)
    assignment.state, assignment.peer_accepted_at, assignment.mentor_accepted_at = (
        locked.state, locked.peer_accepted_at, locked.mentor_accepted_at
    )
    return locked


def _activate(assignment: MentorAssignment, *, by: Any) -> None:
    peer, mentor = assignment.peer, assignment.mentor
    Membership.objects.select_for_update().get(pk=peer.pk)
    today = timezone.localdate()
    current = MentorAssignment.objects.current().filter(peer=peer).first()
    if current is not None:
        _end(current, by=by, ended_on=max(today, current.started_on))
    assignment.state = MentorAssignment.State.ACCEPTED
    assignment.started_on = today
    assignment.save(update_fields=["state", "started_on"])
    MentorRequest.objects.filter(peer=peer, closed_at__isnull=True).update(closed_at=timezone.now())
    record(actor=by, action="mentor.assigned", obj=assignment, detail={"peer": peer.pk, "mentor": mentor.pk})
    pending = Irritation.objects.open().with_mentor().filter(peer=peer, handover_pending=True).exists()
    notify(
        recipients=[peer.user],
        kind="mentoring.mentor_assigned",
        event_key=f"assignment:{assignment.pk}:peer",
        obj=assignment,
        url=reverse("mentoring:my_irritations"),
        context={"mentor_name": mentor.user.display_name, "handover_question": pending},
    )
    notify(
        recipients=[mentor.user],
        kind="mentoring.mentee_assigned",
        event_key=f"assignment:{assignment.pk}:mentor",
        obj=assignment,
        url=reverse("mentoring:mentees"),
        context={"peer_name": peer.user.display_name},
    )


@transaction.atomic
def decline_mentoring(*, assignment: MentorAssignment, by: Any, reason: str = "") -> MentorAssignment:
    """The peer or the proposed mentor says no (no reason needed), or a lead withdraws the proposal.

    The peer may note a reason: it stays hers (her request for another mentor), the lead learns
    only that she asks for a different mentor.
    """
    locked = _locked_assignment(assignment)
    side = "peer" if locked.peer.user_id == by.pk else "mentor" if locked.mentor.user_id == by.pk else None
    if side is None and not _is_manager(by, locked.organisation_id):
        raise ValidationError(_("Only the peer and the proposed mentor can answer this proposal."))
    if not locked.is_proposed:
        raise ValidationError(_("This proposal no longer waits for an answer."))
    if len(reason) > 2000:
        raise ValidationError({"reason": _("The reason is too long (at most 2000 characters).")})
    _close_proposal(locked, by=by, action="mentor.declined" if side else "mentor.proposal_withdrawn")
    if side == "peer":
        _open_request(peer=locked.peer, by=by, reason=reason)
    assignment.state, assignment.closed_at = locked.state, locked.closed_at
    return locked


def _open_request(*, peer: Membership, by: Any, reason: str) -> MentorRequest:
    request = MentorRequest.objects.select_for_update().filter(peer=peer, closed_at__isnull=True).first()
    if request is None:
        request = MentorRequest.objects.create(organisation=peer.organisation, peer=peer, reason=reason.strip())
        # The trail says that she asked, never why.
        record(actor=by, action="mentor.requested", obj=request, organisation=peer.organisation, detail={"peer": peer.pk})
        leads = Membership.objects.active().filter(organisation_id=peer.organisation_id, is_team_lead=True)
        notify(
            recipients=[m.user for m in leads.select_related("user").exclude(user_id=by.pk)],
            kind="mentoring.mentor_requested",
            event_key=f"mentor_request:{request.pk}",
            obj=request,
            url=reverse("mentoring:peer_history", args=[peer.pk]),
            context={"peer_name": peer.user.display_name},
        )
    elif reason.strip():
        request.reason = reason.strip()
        request.save(update_fields=["reason"])
    return request


@transaction.atomic
def request_mentor(
    *, peer: Membership, by: Any, reason: str = "", mentor: Membership | None = None
) -> MentorRequest:
    """The peer asks for a (different) mentor, at any time; she may name whom she would like.

    Her reason stays hers. A named mentor becomes a proposal she has already accepted, waiting for
    the mentor's agreement; her current mentoring goes on until then.
    """
    if peer.user_id != by.pk or not peer.is_peer or not peer.is_active:
        raise ValidationError(_("Only the peer herself can ask for a different mentor."))
    if len(reason) > 2000:
        raise ValidationError({"reason": _("The reason is too long (at most 2000 characters).")})
    if mentor is not None:
        propose_mentor(peer=peer, mentor=mentor, by=by)
    Membership.objects.select_for_update().get(pk=peer.pk)
    return _open_request(peer=peer, by=by, reason=reason)


@transaction.atomic
def withdraw_request(*, peer: Membership, by: Any) -> None:
    if peer.user_id != by.pk:
        raise ValidationError(_("Only the peer herself can ask for a different mentor."))
    closed = MentorRequest.objects.filter(peer=peer, closed_at__isnull=True).update(closed_at=timezone.now())
    if not closed:
        raise ValidationError(_("You have not asked for a different mentor."))
    record(actor=by, action="mentor.request_withdrawn", obj=peer, organisation=peer.organisation)


def end_assignment_on(assignment: MentorAssignment, *, by: Any, ended_on: dt.date) -> None:
    """End a (locked) assignment; call inside a transaction."""
    _end(assignment, by=by, ended_on=ended_on)


def _end(assignment: MentorAssignment, *, by: Any, ended_on: dt.date) -> None:
    assignment.ended_on = ended_on
    assignment.save(update_fields=["ended_on"])
    # Open irritations the mentor held stay with the peer until she agrees to hand them over.
    Irritation.objects.filter(peer=assignment.peer, mentor=assignment.mentor, state__in=Irritation.OPEN_STATES).update(
        mentor=None, handover_pending=True, updated_at=timezone.now()
    )
    # Closed ones keep who held them (the record), but her consent was given under this mentoring:
    # a later one, even with the same mentor, does not bring them back to him.
    Irritation.objects.filter(peer=assignment.peer, mentor=assignment.mentor, state__in=Irritation.CLOSED_STATES).update(
        handover_pending=True, updated_at=timezone.now()
    )
    record(actor=by, action="mentor.ended", obj=assignment, detail={"peer": assignment.peer_id})


@transaction.atomic
def end_assignment(*, assignment: MentorAssignment, by: Any) -> None:
    locked = MentorAssignment.objects.select_for_update().get(pk=assignment.pk)
    if not locked.is_active:  # checked under the lock: two leads ending it at once end it once
        raise ValidationError(_("This mentor assignment has already ended."))
    _end(locked, by=by, ended_on=max(timezone.localdate(), locked.started_on))
    assignment.ended_on = locked.ended_on


@transaction.atomic
def set_check_in_interval(*, assignment: MentorAssignment, weeks: int, by: Any) -> None:
    if not assignment.is_active:
        raise ValidationError(_("This mentor assignment has already ended."))
    if not 1 <= weeks <= 26:
        raise ValidationError({"check_in_every_weeks": _("Choose between 1 and 26 weeks.")})
    assignment.check_in_every_weeks = weeks
    assignment.save(update_fields=["check_in_every_weeks"])
    record(actor=by, action="mentor.check_in_interval", obj=assignment, detail={"weeks": weeks})


@transaction.atomic
def record_check_in(*, assignment: MentorAssignment, by: Any, held_on: dt.date, note: str = "") -> CheckIn:
    """The mentor records that a talk took place. The note stays the mentor's."""
    if not assignment.is_active:
        raise ValidationError(_("This mentor assignment has already ended."))
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("A talk that took place cannot be in the future.")})
    if held_on < assignment.started_on:
        raise ValidationError({"held_on": _("The talk cannot be before the mentoring started.")})
    if len(note) > 4000:
        raise ValidationError({"note": _("The note is too long (at most 4000 characters).")})
    check_in = CheckIn.objects.create(assignment=assignment, held_on=held_on, note=note.strip(), recorded_by=by)
    record(actor=by, action="mentor.check_in", obj=assignment, detail={"held_on": held_on.isoformat()})
    return check_in


# --- Irritations -------------------------------------------------------------------------------


def _require_open(irritation: Irritation) -> None:
    if not irritation.is_open:
        raise ValidationError(_("This irritation is already resolved or withdrawn; nothing more can be done with it."))


def _require_peer(irritation: Irritation, by: Any) -> None:
    if irritation.peer.user_id != by.pk:
        raise ValidationError(_("Only the peer who raised this irritation can do that."))


def _require_mentor(irritation: Irritation, by: Any) -> None:
    if irritation.mentor is None or irritation.mentor.user_id != by.pk or not _mentor_who_reads(irritation):
        raise ValidationError(_("Only the peer's current mentor can do that."))


def _locked(irritation: Irritation) -> Irritation:
    """Re-read under a row lock so the sweep and people acting at once see one order of events."""
    return (
        Irritation.objects.select_for_update(of=("self",))
        .select_related("peer__user", "mentor__user", "organisation")
        .get(pk=irritation.pk)
    )


def _url(irritation: Irritation) -> str:
    return reverse("mentoring:irritation_detail", args=[irritation.pk])


def _mentor_who_reads(irritation: Irritation) -> list[Any]:
    """The mentor holding it, as a recipient, only while the one rule lets him read it (else nobody).

    A mentor who lost the role, left, or whose mentoring no longer counts is told nothing more,
    even before a sweep hands the irritation back to the peer.
    """
    mentor = irritation.mentor
    if mentor is None or not Irritation.objects.visible_to(mentor.user).filter(pk=irritation.pk).exists():
        return []
    return [mentor.user]


def mentor_addressed_event(irritation: Irritation) -> Event | None:
    """The mentor who now holds it learns that a mentee asks for help (never what about)."""
    if irritation.mentor is None:
        return None
    return Event(
        recipients=[irritation.mentor.user],
        kind="mentoring.irritation_addressed",
        event_key=f"irritation:{irritation.pk}:addressed:{irritation.mentor_id}",
        obj=irritation,
        url=_url(irritation),
        context={"escalated": irritation.escalated_at is not None},
    )


def notify_mentor_addressed(irritation: Irritation) -> None:
    """Tell the mentor who now holds it that a mentee asks for help (never what about)."""
    if (event := mentor_addressed_event(irritation)) is not None:
        notify(**vars(event))


def default_clarify_by(*, organisation: Any, urgent: bool, today: dt.date | None = None) -> dt.date:
    from .models import MentoringSettings

    settings = MentoringSettings.for_organisation(organisation)
    days = settings.urgent_clarify_within_days if urgent else settings.clarify_within_days
    return (today or timezone.localdate()) + dt.timedelta(days=days)


@transaction.atomic
def raise_irritation(
    *,
    peer: Membership,
    by: Any,
    title: str,
    what_happened: str,
    happened_on: dt.date,
    category: str,
    start_mode: str,
    tandem: Any = None,
    colleague: Membership | None = None,
    wish: str = "",
    urgent: bool = False,
    clarify_by: dt.date | None = None,
    backup_may_name_me: bool = False,
) -> Irritation:
    """A peer writes down an irritation, either for her mentor now or for herself first."""
    if peer.user_id != by.pk or not peer.is_peer or not peer.is_active:
        raise ValidationError(_("You can only raise an irritation for yourself."))
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if clarify_by is None:
        clarify_by = default_clarify_by(organisation=peer.organisation, urgent=urgent, today=today)
    elif clarify_by < today:
        errors["clarify_by"] = _("The date by which it should be clarified cannot be in the past.")
    if happened_on and happened_on > today:
        errors["happened_on"] = _("The date it happened cannot be in the future.")
    if tandem is not None and tandem.peer_id != peer.pk:
        errors["tandem"] = _("Choose one of your own tandems.")
    if colleague is not None and (colleague.organisation_id != peer.organisation_id or colleague.pk == peer.pk):
        errors["colleague"] = _("Choose a colleague from your organisation.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    irritation = Irritation(
        organisation=peer.organisation,
        peer=peer,
        title=title.strip(),
        what_happened=what_happened.strip(),
        happened_on=happened_on,
        category=category,
        tandem=tandem,
        colleague=colleague,
        wish=wish.strip(),
        urgent=urgent,
        clarify_by=clarify_by,
        start_mode=start_mode,
        backup_may_name_me=backup_may_name_me,
    )
    if start_mode == Irritation.StartMode.MENTOR_NOW:
        irritation.shared_with_mentor_at = now
        irritation.mentor = current_mentor(peer)
        irritation.mentor_since = now if irritation.mentor else None
    # full_clean catches empty or over-long text the form did not see (e.g. a service call).
    irritation.full_clean()
    irritation.save()
    record(actor=by, action="irritation.raised", obj=irritation, detail={"start_mode": start_mode, "urgent": urgent})
    notify_mentor_addressed(irritation)
    return irritation


def notes_for_herself(irritation: Irritation) -> Any:
    """The notes the peer wrote for herself on ``irritation`` (nobody else reads them)."""
    from .models import IrritationMessage

    return IrritationMessage.objects.filter(irritation=irritation, private=True, author_id=irritation.peer.user_id)


def check_can_address(*, irritation: Irritation, by: Any) -> None:
    """Whether ``by`` may ask the mentor for help with ``irritation`` (raises the reason if not);
    the page that lets her choose her notes asks this too."""
    _require_peer(irritation, by)
    _require_open(irritation)
    if irritation.is_with_mentor:
        raise ValidationError(_("Your mentor already has this irritation."))


@transaction.atomic
def address_to_mentor(*, irritation: Irritation, by: Any, share_notes: Iterable[int] = ()) -> Irritation:
    """The peer asks her mentor for help with an irritation she kept to herself so far.

    Her notes for herself stay hers, except the ones she chose (``share_notes``, ids of her notes
    on this irritation): those the mentor can read from now on.
    """
    irritation = _locked(irritation)
    check_can_address(irritation=irritation, by=by)
    chosen = {int(pk) for pk in share_notes}
    notes = notes_for_herself(irritation)
    if chosen - set(notes.values_list("pk", flat=True)):
        raise ValidationError({"share_notes": _("Choose among your own notes on this irritation.")})
    shared = notes.filter(pk__in=chosen).update(private=False)
    now = timezone.now()
    irritation.shared_with_mentor_at = now
    irritation.mentor = current_mentor(irritation.peer)
    irritation.mentor_since = now if irritation.mentor else None
    irritation.save(update_fields=["shared_with_mentor_at", "mentor", "mentor_since", "updated_at"])
    record(actor=by, action="irritation.addressed", obj=irritation,
           detail={"notes_shared": shared, "notes_kept": notes.count()})
    notify_mentor_addressed(irritation)
    return irritation


@transaction.atomic
def hand_over(*, peer: Membership, by: Any) -> int:
    """The peer agrees that her new mentor takes over her open irritations."""
    if peer.user_id != by.pk:
        raise ValidationError(_("Only the peer who raised this irritation can do that."))
    mentor = current_mentor(peer)
    if mentor is None:
        raise ValidationError(_("You have no mentor at the moment. Your irritations stay with you."))
    now = timezone.now()
    moved = list(
        Irritation.objects.select_for_update(of=("self",))
        .filter(peer=peer, handover_pending=True, state__in=Irritation.OPEN_STATES)
        .select_related("peer__user", "organisation")
    )
    for irritation in moved:
        irritation.mentor = mentor
        irritation.mentor_since = now
        irritation.handover_pending = False
        irritation.acknowledged_at = None
        irritation.state = Irritation.State.OPEN
        irritation.save(
            update_fields=["mentor", "mentor_since", "handover_pending", "acknowledged_at", "state", "updated_at"]
        )
        record(actor=by, action="irritation.handed_over", obj=irritation, detail={"mentor": mentor.pk})
        notify_mentor_addressed(irritation)
    return len(moved)


@transaction.atomic
def acknowledge(*, irritation: Irritation, by: Any) -> Irritation:
    irritation = _locked(irritation)
    _require_mentor(irritation, by)
    _require_open(irritation)
    if irritation.acknowledged_at is not None:
        raise ValidationError(_("You have already acknowledged this irritation."))
    irritation.acknowledged_at = timezone.now()
    if irritation.state == Irritation.State.OPEN:
        irritation.state = Irritation.State.ACKNOWLEDGED
    irritation.save(update_fields=["acknowledged_at", "state", "updated_at"])
    record(actor=by, action="irritation.acknowledged", obj=irritation)
    _tell_peer(irritation, "acknowledged")
    return irritation


def _tell_peer(irritation: Irritation, what: str, key: str = "") -> None:
    notify(
        recipients=[irritation.peer.user],
        kind="mentoring.irritation_update",
        event_key=f"irritation:{irritation.pk}:{what}{key}",
        obj=irritation,
        url=_url(irritation),
        context={"what": what},
    )


def _tell_mentor_closed(irritation: Irritation, what: str, *, key: str, url: str = "") -> None:
    """The mentor who reads it now learns that it was resolved, withdrawn or reopened (never by whom)."""
    if recipients := _mentor_who_reads(irritation):
        notify(
            recipients=recipients,
            kind="mentoring.irritation_closed",
            event_key=f"irritation:{irritation.pk}{key}",
            obj=irritation,
            url=url or _url(irritation),
            context={"what": what},
        )


@transaction.atomic
def post_message(*, irritation: Irritation, by: Any, body: str) -> Any:
    from .models import IrritationMessage

    irritation = _locked(irritation)
    _require_open(irritation)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Please write a message.")})
    if len(body) > 4000:
        raise ValidationError({"body": _("The message is too long (at most 4000 characters).")})
    is_peer = irritation.peer.user_id == by.pk
    if not is_peer:
        _require_mentor(irritation, by)
    # While she clarifies it herself, what she writes is a note for herself: it stays hers.
    private = is_peer and not irritation.is_with_mentor
    message = IrritationMessage.objects.create(irritation=irritation, author=by, body=body, private=private)
    fields = ["updated_at"]
    if not is_peer:
        # Writing back is taking it up: acknowledged, and now being clarified.
        if irritation.acknowledged_at is None:
            irritation.acknowledged_at = timezone.now()
            fields.append("acknowledged_at")
        if irritation.state != Irritation.State.IN_CLARIFICATION:
            irritation.state = Irritation.State.IN_CLARIFICATION
            fields.append("state")
    irritation.save(update_fields=fields)
    record(actor=by, action="irritation.message", obj=irritation)
    if private:
        recipients = []
    elif is_peer:
        recipients = _mentor_who_reads(irritation)
    elif not is_peer:
        recipients = [irritation.peer.user]
    else:
        recipients = []
    notify(
        recipients=recipients,
        kind="mentoring.irritation_message",
        event_key=f"irritation:{irritation.pk}:message:{message.pk}",
        obj=irritation,
        url=_url(irritation),
    )
    return message


@transaction.atomic
def propose_resolution(*, irritation: Irritation, by: Any, proposal: str) -> Irritation:
    irritation = _locked(irritation)
    _require_mentor(irritation, by)
    _require_open(irritation)
    proposal = proposal.strip()
    if not proposal:
        raise ValidationError({"proposal": _("Please describe the resolution you propose.")})
    if len(proposal) > 2000:
        raise ValidationError({"proposal": _("The proposal is too long (at most 2000 characters).")})
    now = timezone.now()
    irritation.resolution_proposal = proposal
    irritation.resolution_proposed_at = now
    if irritation.acknowledged_at is None:
        irritation.acknowledged_at = now
    irritation.state = Irritation.State.IN_CLARIFICATION
    irritation.save(update_fields=["resolution_proposal", "resolution_proposed_at", "acknowledged_at", "state", "updated_at"])
    record(actor=by, action="irritation.resolution_proposed", obj=irritation)
    _tell_peer(irritation, "proposed", f":{int(now.timestamp())}")
    return irritation


def _close(irritation: Irritation, *, by: Any, state: str, action: str) -> Irritation:
    irritation.state = state
    irritation.closed_at = timezone.now()
    irritation.save(update_fields=["state", "closed_at", "updated_at"])
    record(actor=by, action=action, obj=irritation)
    return irritation


@transaction.atomic
def resolve(*, irritation: Irritation, by: Any) -> Irritation:
    """The peer resolves it (or confirms her mentor's proposal); a mentor only where the organisation allows."""
    from .models import MentoringSettings

    irritation = _locked(irritation)
    _require_open(irritation)
    if irritation.peer.user_id == by.pk:
        action = "irritation.resolution_confirmed" if irritation.resolution_proposed_at else "irritation.resolved"
        _close(irritation, by=by, state=Irritation.State.RESOLVED, action=action)
        _tell_mentor_closed(irritation, "resolved", key=":closed")
        return irritation
    _require_mentor(irritation, by)
    if MentoringSettings.for_organisation(irritation.organisation_id).resolve_requires_peer_confirmation:
        raise ValidationError(
            _("In your organisation a mentor may not resolve an irritation without the peer's confirmation. "
              "Propose a resolution instead; the peer confirms it.")
        )
    _close(irritation, by=by, state=Irritation.State.RESOLVED, action="irritation.resolved")
    _tell_peer(irritation, "resolved")
    return irritation


def reopen_until(irritation: Irritation) -> dt.datetime | None:
    """Until when the peer may reopen ``irritation`` (None: it cannot be reopened)."""
    from .models import MentoringSettings

    if irritation.state != Irritation.State.RESOLVED or irritation.closed_at is None:
        return None
    days = MentoringSettings.for_organisation(irritation.organisation_id).reopen_within_days
    return irritation.closed_at + dt.timedelta(days=days)


@transaction.atomic
def reopen(*, irritation: Irritation, by: Any) -> Irritation:
    """The peer reopens a resolved irritation within the period her organisation sets.

    It is open again with whoever held it, with a fresh clarify-by date (so that an old date does
    not send it on at once), and the mentor proposes anew.
    """
    irritation = _locked(irritation)
    _require_peer(irritation, by)
    until = reopen_until(irritation)
    if irritation.state != Irritation.State.RESOLVED:
        raise ValidationError(_("Only a resolved irritation can be reopened."))
    if until is None or timezone.now() > until:
        raise ValidationError(
            _("This irritation was resolved too long ago to be reopened. Please raise a new one.")
        )
    today = timezone.localdate()
    irritation.state = (
        Irritation.State.ACKNOWLEDGED if irritation.is_with_mentor and irritation.acknowledged_at else Irritation.State.OPEN
    )
    irritation.closed_at = None
    irritation.resolution_proposal = ""
    irritation.resolution_proposed_at = None
    irritation.clarify_by = max(
        irritation.clarify_by, default_clarify_by(organisation=irritation.organisation, urgent=irritation.urgent, today=today)
    )
    irritation.save(update_fields=[
        "state", "closed_at", "resolution_proposal", "resolution_proposed_at", "clarify_by", "updated_at",
    ])
    record(actor=by, action="irritation.reopened", obj=irritation)
    _tell_mentor_closed(irritation, "reopened", key=f":reopened:{int(timezone.now().timestamp())}")
    return irritation


@transaction.atomic
def withdraw(*, irritation: Irritation, by: Any) -> Irritation:
    irritation = _locked(irritation)
    _require_peer(irritation, by)
    _require_open(irritation)
    _close(irritation, by=by, state=Irritation.State.WITHDRAWN, action="irritation.withdrawn")
    # A withdrawn irritation is gone for him: the notice leads to his mentees.
    _tell_mentor_closed(irritation, "withdrawn", key=":closed", url=reverse("mentoring:mentees"))
    return irritation


@transaction.atomic
def move_clarify_by(*, irritation: Irritation, by: Any, clarify_by: dt.date) -> Irritation:
    """The peer gives herself (or her mentor) more time; a moved date earns a new day-before notice."""
    irritation = _locked(irritation)
    _require_peer(irritation, by)
    _require_open(irritation)
    if clarify_by < timezone.localdate():
        raise ValidationError({"clarify_by": _("The date by which it should be clarified cannot be in the past.")})
    old = irritation.clarify_by
    irritation.clarify_by = clarify_by
    irritation.save(update_fields=["clarify_by", "updated_at"])
    record(actor=by, action="irritation.date_moved", obj=irritation,
           detail={"from": old.isoformat(), "to": clarify_by.isoformat()})
    return irritation


@transaction.atomic
def share_with_lead(*, irritation: Irritation, by: Any, lead: Membership) -> Irritation:
    irritation = _locked(irritation)
    _require_peer(irritation, by)
    _require_open(irritation)
    if not lead.is_team_lead or not lead.is_active or lead.organisation_id != irritation.organisation_id:
        raise ValidationError({"lead": _("Choose a team lead of your organisation.")})
    if irritation.shared_with_lead_id not in (None, lead.pk):
        withdraw_notifications(event_key_prefix=_share_key_prefix(irritation.pk, irritation.shared_with_lead_id))
    irritation.shared_with_lead = lead
    irritation.save(update_fields=["shared_with_lead", "updated_at"])
    record(actor=by, action="irritation.shared_with_lead", obj=irritation, detail={"lead": lead.pk})
    notify(
        recipients=[lead.user],
        kind="mentoring.irritation_shared",
        event_key=f"{_share_key_prefix(irritation.pk, lead.pk)}{int(timezone.now().timestamp())}",
        obj=irritation,
        url=_url(irritation),
    )
    return irritation


@transaction.atomic
def revoke_lead_share(*, irritation: Irritation, by: Any) -> Irritation:
    irritation = _locked(irritation)
    _require_peer(irritation, by)
    if irritation.shared_with_lead_id is None:
        raise ValidationError(_("This irritation is not shared with anyone."))
    lead_id = irritation.shared_with_lead_id
    irritation.shared_with_lead = None
    irritation.save(update_fields=["shared_with_lead", "updated_at"])
    # The lead's notice of the share goes with it: no in-app entry linking there, no e-mail still to come.
    withdraw_notifications(event_key_prefix=_share_key_prefix(irritation.pk, lead_id))
    record(actor=by, action="irritation.share_revoked", obj=irritation, detail={"lead": lead_id})
    return irritation


def _share_key_prefix(irritation_id: int, lead_id: int | None) -> str:
    return f"irritation:{irritation_id}:shared:{lead_id}:"


# --- The backup person: she acts, she never reads ------------------------------------------------


@transaction.atomic
def backup_remind_mentor(*, irritation: Irritation, by: Any) -> Irritation:
    """The backup person reminds the mentor who holds it (at most once a day); no content moves."""
    irritation = _locked(irritation)
    _require_open(irritation)
    if irritation.mentor is None or irritation.handover_pending:
        raise ValidationError(
            _("This irritation has no mentor at the moment. Offer the peer another mentor instead.")
        )
    if irritation.acknowledged_at is not None:
        raise ValidationError(_("The mentor has taken it up in the meantime; nothing more is needed."))
    day = timezone.localdate().isoformat()
    sent = notify(
        recipients=[irritation.mentor.user],
        kind="mentoring.irritation_ack_reminder",
        event_key=f"irritation:{irritation.pk}:backup_reminder:{day}",
        obj=irritation,
        url=_url(irritation),
    )
    record(actor=by, action="irritation.backup_reminded", obj=irritation, detail={"mentor": irritation.mentor_id})
    if not sent:
        raise ValidationError(_("The mentor cannot be reached in Tandem at the moment. Offer the peer another mentor."))
    return irritation


@transaction.atomic
def backup_offer_mentor(*, irritation: Irritation, by: Any) -> Irritation:
    """The backup person offers the peer another mentor; the peer decides (nothing changes by itself)."""
    irritation = _locked(irritation)
    _require_open(irritation)
    if irritation.acknowledged_at is not None:
        raise ValidationError(_("The mentor has taken it up in the meantime; nothing more is needed."))
    notify(
        recipients=[irritation.peer.user],
        kind="mentoring.irritation_update",
        event_key=f"irritation:{irritation.pk}:backup_offer",
        obj=irritation,
        # Her own mentoring page, where she asks for a different mentor if she wants one.
        url=reverse("mentoring:my_irritations"),
        context={"what": "backup_offer"},
    )
    record(actor=by, action="irritation.backup_offered", obj=irritation)
    return irritation


@transaction.atomic
def save_settings(*, form: Any, by: Any) -> Any:
    settings = form.save()
    record(actor=by, action="mentoring.settings_changed", obj=settings, organisation=settings.organisation,
           detail={"fields": form.changed_data})
    return settings
