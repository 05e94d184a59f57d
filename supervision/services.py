"""Writes of peer supervision: validate, save, audit and notify in one transaction.

Notifications carry no confidential text: they say *that* a session moved, never what a note says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation, User
from tandem.audit.services import record
from tandem.notifications.services import Event, cancel_pending, notify, notify_all, one_kick

from . import recurrence, selectors
from .models import (
    Answer,
    Attendance,
    CalendarFeed,
    DatePoll,
    GroupMember,
    GroupShare,
    GroupSupervisor,
    PollAnswer,
    PollSlot,
    Rsvp,
    Series,
    Session,
    SessionNote,
    SupervisionGroup,
)

# How far ahead a series has its sessions created (a sweep keeps the horizon moving).
HORIZON = dt.timedelta(days=120)
REMINDERS = ((dt.timedelta(days=1), "reminded_1d_version", "reminder-1d"), (dt.timedelta(days=7), "reminded_7d_version", "reminder-7d"))


# --- Who is who -------------------------------------------------------------------------------


def _member_users(group: SupervisionGroup, *, exclude_declined: Session | None = None) -> list[User]:
    members = GroupMember.objects.current().filter(group=group)
    if exclude_declined is not None:
        declined = Rsvp.objects.filter(session=exclude_declined, answer=Answer.NO).values("membership_id")
        members = members.exclude(membership_id__in=declined)
    return [m.membership.user for m in members.select_related("membership__user")]


def _everyone(group: SupervisionGroup) -> list[User]:
    supervisors = GroupSupervisor.objects.current().filter(group=group).select_related("membership__user")
    return _member_users(group) + [s.membership.user for s in supervisors]


def _session_context(session: Session) -> dict[str, Any]:
    return {
        "group": session.group.name,
        "title": session.title,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
    }


# --- Groups -----------------------------------------------------------------------------------


@transaction.atomic
def create_group(*, supervisor: Membership, name: str, description: str = "", by: User) -> SupervisionGroup:
    if not supervisor.is_supervisor or supervisor.is_external or not supervisor.is_active:
        raise ValidationError(_("Only a supervisor of the organisation can set up a supervision group."))
    group = SupervisionGroup(organisation=supervisor.organisation, name=name, description=description, created_by=by)
    group.full_clean()
    group.save()
    GroupSupervisor.objects.create(group=group, membership=supervisor)
    record(actor=by, action="supervision.group_created", obj=group)
    return group


def member_refusal(group: SupervisionGroup, membership: Membership) -> str | None:
    """Why ``membership`` cannot join ``group`` as a member, or None (a rule the form and tests share)."""
    if not membership.is_active or membership.organisation_id not in group.organisation_ids():
        return _("This person does not belong to an organisation of this group.")
    if not membership.is_peer or membership.is_professional or membership.is_team_lead:
        return _("Only peers can be members of a peer supervision group; professionals and team leads cannot join.")
    return None


@transaction.atomic
def add_member(*, group: SupervisionGroup, membership: Membership, by: User) -> GroupMember:
    refusal = member_refusal(group, membership)
    if refusal:
        raise ValidationError({"membership": refusal})
    if GroupMember.objects.filter(group=group, membership=membership, left_at__isnull=True).exists():
        raise ValidationError({"membership": _("This peer is already a member of the group.")})
    row = GroupMember.objects.create(group=group, membership=membership)
    record(actor=by, action="supervision.member_added", obj=group, detail={"membership": membership.pk})
    return row


@transaction.atomic
def remove_member(*, member: GroupMember, by: User) -> None:
    GroupMember.objects.filter(pk=member.pk, left_at__isnull=True).update(left_at=timezone.now())
    record(actor=by, action="supervision.member_removed", obj=member.group, detail={"membership": member.membership_id})


@transaction.atomic
def add_supervisor(*, group: SupervisionGroup, membership: Membership, by: User) -> GroupSupervisor:
    if (
        not membership.is_supervisor
        or not membership.is_active
        or membership.organisation_id not in group.organisation_ids()
    ):
        raise ValidationError({"membership": _("Only a supervisor of an organisation of this group can lead it.")})
    if GroupSupervisor.objects.filter(group=group, membership=membership, left_at__isnull=True).exists():
        raise ValidationError({"membership": _("This person already leads the group.")})
    row = GroupSupervisor.objects.create(group=group, membership=membership)
    record(actor=by, action="supervision.supervisor_added", obj=group, detail={"membership": membership.pk})
    return row


@transaction.atomic
def request_share(*, group: SupervisionGroup, organisation_slug: str, by: User) -> GroupShare:
    organisation = Organisation.objects.filter(slug=organisation_slug.strip().lower()).first()
    if organisation is None or organisation.pk == group.organisation_id:
        raise ValidationError({"organisation": _("No other organisation has this short name.")})
    if GroupShare.objects.filter(group=group, organisation=organisation, withdrawn_at__isnull=True).exists():
        raise ValidationError({"organisation": _("This organisation has already been asked.")})
    share = GroupShare.objects.create(group=group, organisation=organisation, requested_by=by)
    record(actor=by, action="supervision.share_requested", obj=group, detail={"organisation": organisation.pk})
    admins = [m.user for m in Membership.objects.active().filter(organisation=organisation, is_org_admin=True).select_related("user")]
    notify(
        recipients=admins,
        kind="supervision.share_requested",
        event_key=f"supervision.share:{share.pk}:requested",
        obj=share,
        organisation=organisation,
        url="/supervision/shares/",
        context={"group": group.name, "organisation": group.organisation.name},
    )
    return share


@transaction.atomic
def accept_share(*, share: GroupShare, admin: Membership, by: User) -> GroupShare:
    # The lock makes two admins clicking at once record one acceptance.
    share = GroupShare.objects.select_for_update().get(pk=share.pk)
    if not admin.is_org_admin or admin.organisation_id != share.organisation_id:
        raise ValidationError(_("Only an admin of the asked organisation can agree."))
    if not share.is_pending:
        raise ValidationError(_("This request has already been answered."))
    share.accepted_at = timezone.now()
    share.accepted_by = by
    share.save(update_fields=["accepted_at", "accepted_by"])
    record(actor=by, action="supervision.share_accepted", obj=share.group, organisation=share.organisation)
    return share


# --- Series and sessions ------------------------------------------------------------------------


def _check_future(starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime) -> None:
    errors: dict[str, str] = {}
    if starts_at <= now:
        errors["starts_at"] = _("The session cannot start in the past.")
    if ends_at <= starts_at:
        errors["ends_at"] = _("The session must end after it starts.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_series(*, group: SupervisionGroup, by: User, now: dt.datetime | None = None, **fields: Any) -> Series:
    now = now or timezone.now()
    series = Series(group=group, created_by=by, created_at=now, **fields)
    series.rotation = sorted({int(d) for d in (series.rotation or [])})
    errors: dict[str, str] = {}
    if series.frequency == Series.Frequency.NTH_WEEKDAY and series.weekday is None and not series.rotation:
        errors["weekday"] = _("Choose a weekday or weekdays to rotate through.")
    if series.starts_on and series.local_time and series.time_zone:
        first = recurrence.to_utc(series.starts_on, series.local_time, series.time_zone)
        if first <= now:
            errors["starts_on"] = _("The series cannot start in the past.")
    if errors:
        raise ValidationError(errors)
    series.full_clean()
    series.save()
    generate_sessions(series=series, now=now)
    record(actor=by, action="supervision.series_created", obj=group, detail={"series": series.pk})
    return series


def generate_sessions(*, series: Series, now: dt.datetime | None = None, horizon: dt.timedelta = HORIZON) -> int:
    """Create the series' sessions up to the horizon; existing ones (moved, cancelled) stay as they are.

    Idempotent: (series, series_index) is unique, and ON CONFLICT DO NOTHING keeps a second run,
    or a concurrent one, from creating anything twice.
    """
    now = now or timezone.now()
    if series.ended_at is not None:
        return 0
    duration = dt.timedelta(minutes=series.duration_minutes)
    rows = [
        Session(
            group_id=series.group_id,
            series=series,
            series_index=index,
            title=series.title,
            starts_at=start,
            ends_at=start + duration,
            time_zone=series.time_zone,
            place=series.place,
            video_url=series.video_url,
            capacity=series.capacity,
        )
        for index, start in recurrence.occurrences(series.rule(), until=now + horizon, after=max(now, series.created_at))
    ]
    existing = set(Session.objects.filter(series=series).values_list("series_index", flat=True))
    rows = [r for r in rows if r.series_index not in existing]
    Session.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


@transaction.atomic
def end_series(*, series: Series, by: User, now: dt.datetime | None = None) -> int:
    """Stop a series: no new sessions; its future sessions are cancelled (members are told)."""
    now = now or timezone.now()
    if Series.objects.filter(pk=series.pk, ended_at__isnull=True).update(ended_at=now) == 0:
        raise ValidationError(_("This series has already ended."))
    future = Session.objects.scheduled().filter(series=series, starts_at__gt=now)
    for session in future:
        cancel_session(session=session, by=by)
    record(actor=by, action="supervision.series_ended", obj=series.group, detail={"series": series.pk})
    return len(future)


SERIES_CHANGE_FIELDS = ("frequency", "interval", "nth", "weekday", "rotation", "starts_on", "local_time", "place", "video_url")


@transaction.atomic
def change_series_from(*, session: Session, by: User, now: dt.datetime | None = None, **fields: Any) -> Series:
    """Change a series from ``session`` on: time of day, weekday rule, place, video link.

    The series is split: the old one keeps its earlier sessions (held ones, their answers,
    attendance and notes stay exactly as they are) and makes no new ones; a new series with the
    changed rule takes over ``session`` and every later session that has not begun. Those keep
    their rows, so their RSVPs stay; they move to the new rule's dates and the members are told
    once. Sessions further ahead are generated from the new rule.
    """
    now = now or timezone.now()
    session = Session.objects.select_for_update(of=("self",)).select_related("group__organisation").get(pk=session.pk)
    old = Series.objects.select_for_update().filter(pk=session.series_id).first() if session.series_id else None
    if old is None or old.ended_at is not None:
        raise ValidationError(_("This session does not belong to a running series."))
    if session.starts_at <= now:
        raise ValidationError(_("This session has already begun. Please choose a session that is still to come."))
    unknown = set(fields) - set(SERIES_CHANGE_FIELDS)
    if unknown:
        raise TypeError(f"not a series change: {sorted(unknown)}")
    new = Series(
        group_id=old.group_id,
        title=old.title,
        time_zone=old.time_zone,
        duration_minutes=old.duration_minutes,
        capacity=old.capacity,
        created_by=by,
        created_at=now,
        **fields,
    )
    new.rotation = sorted({int(d) for d in (new.rotation or [])})
    errors: dict[str, str] = {}
    if new.frequency == Series.Frequency.NTH_WEEKDAY and new.weekday is None and not new.rotation:
        errors["weekday"] = _("Choose a weekday or weekdays to rotate through.")
    if not new.place and not new.video_url:
        errors["place"] = _("Please give a place or a video link.")
    if errors:
        raise ValidationError(errors)
    new.full_clean()
    rule = new.rule()
    first = recurrence.occurrence(rule, 0)
    if first <= now:
        raise ValidationError({"starts_on": _("The first changed session cannot lie in the past.")})
    kept = (
        Session.objects.filter(series=old, series_index__lt=session.series_index)
        .exclude(status=Session.Status.CANCELLED).order_by("-starts_at").first()
    )
    if kept is not None and first <= kept.starts_at:
        raise ValidationError(
            {"starts_on": _("The first changed session must come after the previous session of the series (%(when)s).")
             % {"when": formats.date_format(timezone.localtime(kept.starts_at), "DATETIME_FORMAT")}}
        )
    new.save()
    Series.objects.filter(pk=old.pk).update(ended_at=now)
    # The sessions taken over, in their order; one that was moved before now and has begun stays.
    taken = list(
        Session.objects.select_for_update()
        .filter(series=old, series_index__gte=session.series_index, starts_at__gt=now)
        .order_by("series_index")
    )
    duration = dt.timedelta(minutes=new.duration_minutes)
    for index, item in enumerate(taken):
        start = recurrence.occurrence(rule, index)
        Session.objects.filter(pk=item.pk).update(series=new, series_index=index)
        if item.is_cancelled:
            # A cancelled session stays cancelled at its old time: its members were told about it.
            continue
        update_session(
            session=item, by=by, starts_at=start, ends_at=start + duration, place=new.place,
            video_url=new.video_url, capacity=item.capacity, now=now, tell=False,
        )
    generate_sessions(series=new, now=now)
    record(
        actor=by, action="supervision.series_changed", obj=old.group,
        detail={"series": old.pk, "new_series": new.pk, "from_session": session.pk},
    )
    first_session = Session.objects.filter(series=new, series_index=0).first()
    notify(
        recipients=[u for u in _everyone(session.group) if u != by],
        kind="supervision.series_changed",
        event_key=f"supervision.series:{new.pk}:changed",
        obj=first_session or session,
        organisation=session.group.organisation,
        url=(first_session or session).get_absolute_url(),
        context={
            "group": session.group.name,
            "title": new.title,
            "starts_at": first.isoformat(),
            "place": new.place,
            "video_url": new.video_url,
        },
    )
    return new


def generate_all(*, now: dt.datetime | None = None) -> int:
    return sum(
        generate_sessions(series=s, now=now)
        for s in Series.objects.filter(ended_at__isnull=True, group__archived_at__isnull=True)
    )


def _confirmed_count(session: Session) -> int:
    return Rsvp.objects.filter(session=session, answer=Answer.YES, waiting_since__isnull=True).count()


@transaction.atomic
def create_session(
    *,
    group: SupervisionGroup,
    by: User,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str = "",
    video_url: str = "",
    capacity: int | None = None,
    agenda: str = "",
    time_zone: str = "Europe/Berlin",
    now: dt.datetime | None = None,
) -> Session:
    _check_future(starts_at, ends_at, now or timezone.now())
    session = Session(
        group=group, title=title, starts_at=starts_at, ends_at=ends_at, place=place, video_url=video_url,
        capacity=capacity, agenda=agenda, time_zone=time_zone,
    )
    session.full_clean()
    session.save()
    _mark_passed_reminder_windows(session, now or timezone.now())
    record(actor=by, action="supervision.session_created", obj=group, detail={"session": session.pk})
    notify(
        recipients=[u for u in _everyone(group) if u != by],
        kind="supervision.session_scheduled",
        event_key=session.event_key("scheduled"),
        obj=session,
        organisation=group.organisation,
        url=session.get_absolute_url(),
        context=_session_context(session),
    )
    return session


def _mark_passed_reminder_windows(session: Session, now: dt.datetime) -> None:
    """A reminder whose window began before the session was (re)scheduled is not sent: the
    person was just told about the new time, a reminder on top would be noise."""
    updates = {}
    for before, field, _suffix in REMINDERS:
        if session.starts_at - before <= now:
            updates[field] = session.time_version
    if updates:
        Session.objects.filter(pk=session.pk).update(**updates)
        for field, value in updates.items():
            setattr(session, field, value)


@transaction.atomic
def update_session(
    *,
    session: Session,
    by: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    video_url: str,
    capacity: int | None,
    agenda: str | None = None,
    now: dt.datetime | None = None,
    tell: bool = True,
) -> Session:
    """Move a session and/or change its place, capacity or agenda; members are told when the time changes.

    ``tell=False``: the caller tells the members once for several sessions (a series changed).
    """
    now = now or timezone.now()
    session = Session.objects.select_for_update().select_related("group__organisation").get(pk=session.pk)
    if session.is_cancelled:
        raise ValidationError(_("A cancelled session cannot be changed."))
    _check_future(starts_at, ends_at, now)
    confirmed = _confirmed_count(session)
    if capacity is not None and capacity < confirmed:
        raise ValidationError(
            {"capacity": _("The capacity cannot be below the %(count)d people who already said yes.") % {"count": confirmed}}
        )
    moved = starts_at != session.starts_at or ends_at != session.ends_at
    old_prefix = session.event_key()
    session.starts_at, session.ends_at = starts_at, ends_at
    session.place, session.video_url, session.capacity = place, video_url, capacity
    if agenda is not None:
        session.agenda = agenda
    session.sequence += 1
    if moved:
        session.time_version += 1
    session.full_clean()
    session.save()
    if moved:
        # The reminders of the old time that have not gone out yet are withdrawn.
        cancel_pending(event_key_prefix=old_prefix)
        _mark_passed_reminder_windows(session, now)
    if moved and tell:
        notify(
            recipients=[u for u in _member_users(session.group, exclude_declined=None) if u != by],
            kind="supervision.session_moved",
            event_key=session.event_key("moved"),
            obj=session,
            organisation=session.group.organisation,
            url=session.get_absolute_url(),
            context=_session_context(session),
        )
    record(actor=by, action="supervision.session_moved" if moved else "supervision.session_changed", obj=session.group,
           detail={"session": session.pk})
    _promote_waiting(session)
    return session


@transaction.atomic
def cancel_session(*, session: Session, by: User, reason: str = "") -> Session:
    session = Session.objects.select_for_update().select_related("group__organisation").get(pk=session.pk)
    if session.is_cancelled:
        raise ValidationError(_("This session is already cancelled."))
    if session.has_started:
        raise ValidationError(_("A session that has started cannot be cancelled."))
    session.status = Session.Status.CANCELLED
    session.cancel_reason = reason
    session.sequence += 1
    session.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
    cancel_pending(event_key_prefix=session.event_key())
    notify(
        recipients=[u for u in _member_users(session.group) if u != by],
        kind="supervision.session_cancelled",
        event_key=session.event_key("cancelled"),
        obj=session,
        organisation=session.group.organisation,
        url=session.get_absolute_url(),
        context=_session_context(session),
    )
    record(actor=by, action="supervision.session_cancelled", obj=session.group, detail={"session": session.pk})
    return session


# --- Answers, waiting list, attendance, notes --------------------------------------------------


@transaction.atomic
def answer(*, session: Session, membership: Membership, answer: str, now: dt.datetime | None = None) -> Rsvp:
    """Answer yes / maybe / no. A yes beyond the capacity goes on the waiting list.

    The session row is locked for the whole decision, so two last-place yeses cannot both get in
    and a freed place is handed to exactly one waiting person.
    """
    now = now or timezone.now()
    session = Session.objects.select_for_update().select_related("group").get(pk=session.pk)
    if answer not in Answer.values:
        raise ValidationError({"answer": _("Please choose yes, maybe or no.")})
    if not GroupMember.objects.current().filter(group_id=session.group_id, membership=membership).exists():
        raise ValidationError(_("Only members of the group can answer."))
    if session.is_cancelled or session.has_started:
        raise ValidationError(_("This session can no longer be answered."))
    rsvp = Rsvp.objects.filter(session=session, membership=membership).first()
    was_confirmed = rsvp is not None and rsvp.answer == Answer.YES and rsvp.waiting_since is None
    if rsvp is None:
        rsvp = Rsvp(session=session, membership=membership)
    keeps_place = rsvp.answer == Answer.YES and answer == Answer.YES
    rsvp.answer = answer
    rsvp.answered_at = now
    if answer != Answer.YES:
        rsvp.waiting_since = None
    elif not keeps_place:
        full = session.capacity is not None and _confirmed_count(session) >= session.capacity
        rsvp.waiting_since = now if full else None
    rsvp.save()
    if was_confirmed and answer != Answer.YES:
        _promote_waiting(session)
    return rsvp


def _promote_waiting(session: Session) -> list[Rsvp]:
    """Move waiting yeses up while there is room (caller holds the session lock)."""
    promoted: list[Rsvp] = []
    free = None if session.capacity is None else session.capacity - _confirmed_count(session)
    waiting = Rsvp.objects.filter(session=session, answer=Answer.YES, waiting_since__isnull=False).order_by(
        "waiting_since", "id"
    ).select_related("membership__user")
    for rsvp in waiting if free is None else waiting[: max(free, 0)]:
        # The key names the place in the queue the person had: a second promotion is another event.
        queued_at = int(rsvp.waiting_since.timestamp()) if rsvp.waiting_since else 0
        Rsvp.objects.filter(pk=rsvp.pk).update(waiting_since=None)
        promoted.append(rsvp)
        notify(
            recipients=[rsvp.membership.user],
            kind="supervision.waitlist_promoted",
            event_key=session.event_key(f"promoted:{rsvp.pk}:{queued_at}"),
            obj=session,
            organisation=session.group.organisation,
            url=session.get_absolute_url(),
            context=_session_context(session),
        )
    return promoted


@transaction.atomic
def record_attendance(*, session: Session, by: User, attended: Iterable[int], now: dt.datetime | None = None) -> int:
    """Record who attended (membership ids); everyone else of the current members did not."""
    now = now or timezone.now()
    if session.is_cancelled:
        raise ValidationError(_("Attendance cannot be recorded for a cancelled session."))
    if session.starts_at > now:
        raise ValidationError(_("Attendance can be recorded once the session has started."))
    present = set(attended)
    members = list(GroupMember.objects.current().filter(group_id=session.group_id).values_list("membership_id", flat=True))
    unknown = present - set(members)
    if unknown:
        raise ValidationError(_("Only members of the group can be recorded."))
    for membership_id in members:
        Attendance.objects.update_or_create(
            session=session,
            membership_id=membership_id,
            defaults={"attended": membership_id in present, "recorded_by": by, "recorded_at": now},
        )
    record(actor=by, action="supervision.attendance_recorded", obj=session.group,
           detail={"session": session.pk, "present": len(present), "members": len(members)})
    return len(members)


@transaction.atomic
def add_note(*, session: Session, by: User, text: str) -> SessionNote:
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Please write a note.")})
    note = SessionNote.objects.create(session=session, author=by, text=text)
    # The audit trail records that a note was written, never what it says.
    record(actor=by, action="supervision.note_added", obj=session.group, detail={"session": session.pk})
    return note


# --- Date polls ---------------------------------------------------------------------------------


@transaction.atomic
def create_poll(
    *,
    group: SupervisionGroup,
    by: User,
    title: str,
    slots: Sequence[dt.datetime],
    duration_minutes: int = 120,
    place: str = "",
    video_url: str = "",
    answer_by: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> DatePoll:
    now = now or timezone.now()
    unique = sorted(set(slots))
    if not unique:
        raise ValidationError(_("Please propose at least one date."))
    if any(s <= now for s in unique):
        raise ValidationError(_("Proposed dates cannot lie in the past."))
    if answer_by is not None and not now < answer_by <= unique[0]:
        raise ValidationError(
            {"answer_by": _("Answers must be due after now and no later than the first proposed date.")}
        )
    poll = DatePoll(
        group=group, title=title, duration_minutes=duration_minutes, place=place, video_url=video_url, created_by=by,
        answer_by=answer_by,
    )
    poll.full_clean()
    poll.save()
    PollSlot.objects.bulk_create([PollSlot(poll=poll, starts_at=s) for s in unique])
    record(actor=by, action="supervision.poll_created", obj=group, detail={"poll": poll.pk})
    notify(
        recipients=_member_users(group),
        kind="supervision.poll_opened",
        event_key=f"supervision.poll:{poll.pk}:opened",
        obj=poll,
        organisation=group.organisation,
        url=poll.get_absolute_url(),
        context={"group": group.name, "title": poll.title},
    )
    return poll


@transaction.atomic
def answer_poll(
    *, poll: DatePoll, membership: Membership, choices: dict[int, str], now: dt.datetime | None = None
) -> None:
    if not poll.is_open:
        raise ValidationError(_("This poll is closed."))
    if not poll.takes_answers(now or timezone.now()):
        raise ValidationError(_("The time for answers has ended. Please talk to the supervisor of the group."))
    if not GroupMember.objects.current().filter(group_id=poll.group_id, membership=membership).exists():
        raise ValidationError(_("Only members of the group can answer."))
    slot_ids = set(poll.slots.values_list("id", flat=True))
    for slot_id, choice in choices.items():
        if slot_id not in slot_ids or choice not in PollAnswer.Choice.values:
            raise ValidationError(_("Please answer each date with yes, if need be or no."))
        PollAnswer.objects.update_or_create(slot_id=slot_id, membership=membership, defaults={"choice": choice})


@transaction.atomic
def decide_poll(*, poll: DatePoll, by: User, slot: PollSlot | None = None, now: dt.datetime | None = None) -> Session:
    """Turn the winning (or chosen) slot into a session; everyone in the group is told."""
    now = now or timezone.now()
    poll = DatePoll.objects.select_for_update().select_related("group__organisation").get(pk=poll.pk)
    if not poll.is_open:
        raise ValidationError(_("This poll has already been decided."))
    if slot is None:
        results = [r for r in selectors.poll_results(poll) if r.slot.starts_at > now]
        if not results:
            raise ValidationError(_("All proposed dates have passed. Please start a new poll."))
        slot = results[0].slot
    elif slot.poll_id != poll.pk:
        raise ValidationError(_("This date does not belong to the poll."))
    session = create_session(
        group=poll.group,
        by=by,
        title=poll.title,
        starts_at=slot.starts_at,
        ends_at=slot.starts_at + dt.timedelta(minutes=poll.duration_minutes),
        place=poll.place,
        video_url=poll.video_url,
        now=now,
    )
    poll.decided_at = now
    poll.session = session
    poll.save(update_fields=["decided_at", "session"])
    # Whoever said yes to the chosen date has answered the session too: no second question.
    current = GroupMember.objects.current().filter(group_id=poll.group_id).values("membership_id")
    yes = PollAnswer.objects.filter(slot=slot, choice=PollAnswer.Choice.YES, membership_id__in=current)
    Rsvp.objects.bulk_create(
        [Rsvp(session=session, membership_id=m, answer=Answer.YES, answered_at=now) for m in yes.values_list("membership_id", flat=True)],
        ignore_conflicts=True,
    )
    record(actor=by, action="supervision.poll_decided", obj=poll.group, detail={"poll": poll.pk, "session": session.pk})
    return session


# --- Reminders ----------------------------------------------------------------------------------


def send_due_reminders(*, now: dt.datetime | None = None) -> int:
    """Send the 7-day and 1-day reminders that are due; returns the number of sessions handled.

    Due-ness comes from the database: a scheduled session starting within the window whose
    reminder was not yet sent *for its current time* (``reminded_*_version``). Each session is
    claimed with ``select_for_update(skip_locked=True)``, and the notification event key carries
    the time version, so a second sweep (or two at once) sends nothing twice.
    """
    with one_kick():  # one sender kick per sweep, not one per session
        return _send_due_reminders(now or timezone.now())


# Sessions claimed (locked) per transaction; concurrent sweeps skip each other's chunks.
REMINDER_CHUNK = 200


def _send_due_reminders(now: dt.datetime) -> int:
    handled = 0
    for before, field, suffix in REMINDERS:
        after = 0
        while True:
            with transaction.atomic():
                # One query claims a chunk, one reads who is reminded of each session, one writes
                # every outbox row and one marks the chunk: a handful of queries per chunk.
                claimed = list(
                    Session.objects.scheduled()
                    .filter(pk__gt=after, starts_at__gt=now, starts_at__lte=now + before)
                    .exclude(**{field: F("time_version")})
                    .order_by("pk")
                    .select_for_update(skip_locked=True, of=("self",))
                    .select_related("group__organisation")[:REMINDER_CHUNK]
                )
                if not claimed:
                    break
                after = claimed[-1].pk
                told = [
                    s for s in claimed
                    # Within a day the 1-day reminder alone is enough.
                    if not (suffix == "reminder-7d" and s.starts_at <= now + dt.timedelta(days=1))
                ]
                recipients = _members_to_remind(told)
                notify_all(
                    [
                        Event(
                            recipients=recipients.get(session.pk, []),
                            kind="supervision.reminder",
                            event_key=session.event_key(suffix),
                            obj=session,
                            organisation=session.group.organisation,
                            url=session.get_absolute_url(),
                            context={**_session_context(session), "days": before.days},
                        )
                        for session in told
                    ],
                    now=now,
                )
                # The rows are locked: their time version is the one the event keys carry.
                Session.objects.filter(pk__in=[s.pk for s in claimed]).update(**{field: F("time_version")})
                handled += len(claimed)
    return handled


def _members_to_remind(sessions: list[Session]) -> dict[int, list[User]]:
    """For each session: the current members of its group who did not decline it (one query)."""
    if not sessions:
        return {}
    by_group: dict[int, list[Session]] = {}
    for session in sessions:
        by_group.setdefault(session.group_id, []).append(session)
    declined = set(
        Rsvp.objects.filter(session__in=sessions, answer=Answer.NO).values_list("session_id", "membership_id")
    )
    result: dict[int, list[User]] = {session.pk: [] for session in sessions}
    for member in GroupMember.objects.current().filter(group_id__in=list(by_group)).select_related("membership__user"):
        for session in by_group[member.group_id]:
            if (session.pk, member.membership_id) not in declined:
                result[session.pk].append(member.membership.user)
    return result


POLL_REMINDER_BEFORE = dt.timedelta(days=1)


def remind_poll_answers(*, now: dt.datetime | None = None) -> int:
    """Remind the members who have not answered an open poll, a day before its answers are due.

    Each poll is claimed with ``select_for_update(skip_locked=True)`` and marked ``reminded_at`` in
    the same transaction, and the event key names the poll, so no member is reminded twice."""
    now = now or timezone.now()
    handled = 0
    due = DatePoll.objects.filter(
        decided_at__isnull=True, closed_at__isnull=True, reminded_at__isnull=True,
        answer_by__gt=now, answer_by__lte=now + POLL_REMINDER_BEFORE,
    ).values_list("pk", flat=True)
    with one_kick():
        for pk in list(due):
            with transaction.atomic():
                poll = (
                    DatePoll.objects.select_for_update(skip_locked=True)
                    .filter(pk=pk, reminded_at__isnull=True).select_related("group__organisation").first()
                )
                if poll is None:
                    continue
                answered = PollAnswer.objects.filter(slot__poll=poll).values("membership_id")
                waiting = [
                    m.membership.user
                    for m in GroupMember.objects.current().filter(group_id=poll.group_id)
                    .exclude(membership_id__in=answered).select_related("membership__user")
                ]
                if waiting:
                    notify(
                        recipients=waiting,
                        kind="supervision.poll_reminder",
                        event_key=f"supervision.poll:{poll.pk}:reminder",
                        obj=poll,
                        organisation=poll.group.organisation,
                        url=poll.get_absolute_url(),
                        context={"group": poll.group.name, "title": poll.title, "answer_by": poll.answer_by.isoformat() if poll.answer_by else ""},
                        now=now,
                    )
                DatePoll.objects.filter(pk=poll.pk).update(reminded_at=now)
                handled += 1
    return handled


def poll_reminder_still_due(row: Any, now: dt.datetime) -> bool:
    """A poll reminder is withdrawn once the poll is decided or closed, or its answers are due."""
    poll = DatePoll.objects.filter(pk=row.object_id).only("pk", "decided_at", "closed_at", "answer_by").first()
    return poll is not None and poll.takes_answers(now)


def reminder_still_due(row: Any, now: dt.datetime) -> bool:
    """Asked by the outbox sender right before a reminder e-mail goes out (registered on the kind):
    the session is still scheduled, has not started, and is still at the time the reminder names
    (its event key carries the time version). Anything else withdraws the e-mail, so a reminder
    never arrives after the session began, for a cancelled session or for its old time."""
    session = Session.objects.filter(pk=row.object_id).only("pk", "status", "starts_at", "time_version").first()
    if session is None or session.status != Session.Status.SCHEDULED or session.starts_at <= now:
        return False
    return bool(row.dedupe_key.startswith(session.event_key()))


# --- Calendar -----------------------------------------------------------------------------------


@transaction.atomic
def switch_off_feed(*, user: User) -> bool:
    """The calendar address stops working at once; a new one can be created later."""
    deleted, _rows = CalendarFeed.objects.filter(user=user).delete()
    if deleted:
        record(actor=user, action="supervision.calendar_switched_off")
    return bool(deleted)


def renew_feed(*, user: User) -> str:
    """A new secret calendar address; the previous one stops working at once."""
    token, token_hash = CalendarFeed.new_token()
    CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": token_hash, "created_at": timezone.now()})
    record(actor=user, action="supervision.calendar_renewed")
    return token
