"""Reads for the pages of peer supervision: who is who in a group, the group page, poll results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from accounts.models import Membership
from tandem.audit.services import timeline

from .models import (
    Answer,
    DatePoll,
    GroupMember,
    GroupShare,
    GroupSupervisor,
    PollAnswer,
    PollSlot,
    Series,
    Session,
    SupervisionGroup,
)

UPCOMING_ON_GROUP_PAGE = 12
RECENT_ON_GROUP_PAGE = 6


# --- Who is who -------------------------------------------------------------------------------


def current_member(group: SupervisionGroup, user: Any) -> Membership | None:
    """The user's membership through which they are a current member of ``group``, if any."""
    row = GroupMember.objects.current().filter(group=group, membership__user=user).select_related("membership").first()
    return row.membership if row else None


def is_supervisor(group: SupervisionGroup, user: Any) -> bool:
    return GroupSupervisor.objects.current().filter(group=group, membership__user=user).exists()


# --- The group page ---------------------------------------------------------------------------


def group_page(group: SupervisionGroup, user: Any) -> dict[str, Any]:
    """What the group page shows ``user``: members, supervisors, sessions, series, polls, shares."""
    supervises = is_supervisor(group, user)
    members = list(GroupMember.objects.current().filter(group=group).select_related("membership__user", "membership__organisation"))
    supervisors = list(GroupSupervisor.objects.current().filter(group=group).select_related("membership__user", "membership__organisation"))
    sessions = list(
        Session.objects.filter(group=group).upcoming().annotate(
            n_yes=Count("rsvps", filter=Q(rsvps__answer=Answer.YES, rsvps__waiting_since__isnull=True))
        ).order_by("starts_at", "id")[:UPCOMING_ON_GROUP_PAGE]  # GROUP BY drops Meta.ordering
    )
    page: dict[str, Any] = {
        "group": group,
        "supervises": supervises,
        "members": members,
        "supervisors": supervisors,
        "sessions": sessions,
        "recent": list(
            Session.objects.filter(group=group).past().annotate(n_recorded=Count("attendance")).order_by("-starts_at")[:RECENT_ON_GROUP_PAGE]
        ),
        "series_list": list(Series.objects.filter(group=group, ended_at__isnull=True)),
        "polls": list(DatePoll.objects.filter(group=group).open()),
        "shares": list(GroupShare.objects.filter(group=group, withdrawn_at__isnull=True).select_related("organisation")),
    }
    if supervises:
        page["events"] = timeline(group)[:20]
    return page


# --- Date polls -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotResult:
    slot: PollSlot
    yes: int
    if_need_be: int
    no: int


def poll_results(poll: DatePoll) -> list[SlotResult]:
    """Every slot with its counts, best first: most yes, then most if-need-be, then the earlier date."""
    slots = poll.slots.annotate(
        n_yes=Count("answers", filter=Q(answers__choice=PollAnswer.Choice.YES)),
        n_maybe=Count("answers", filter=Q(answers__choice=PollAnswer.Choice.IF_NEED_BE)),
        n_no=Count("answers", filter=Q(answers__choice=PollAnswer.Choice.NO)),
    )
    results = [SlotResult(slot=s, yes=s.n_yes, if_need_be=s.n_maybe, no=s.n_no) for s in slots]  # type: ignore[attr-defined]
    return sorted(results, key=lambda r: (-r.yes, -r.if_need_be, r.slot.starts_at, r.slot.pk))


# --- For other apps ------------------------------------------------------------------------------


def attended_sessions(membership: Membership, *, since: Any) -> list[Session]:
    """Sessions the supervisor recorded ``membership`` as present at, from ``since`` on (oldest first).

    Only the date, the length and the group's name leave this app: never notes or who else came.
    """
    return list(
        Session.objects.filter(
            attendance__membership=membership, attendance__attended=True, starts_at__gte=since,
            status=Session.Status.SCHEDULED,
        )
        .select_related("group")
        .order_by("starts_at")
    )
