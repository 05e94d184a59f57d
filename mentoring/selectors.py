"""Reads for the pages of mentoring, and the one notion of "the peer has a mentor"."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.models import Membership, MembershipQuerySet, Organisation, Team, User
from tandem.audit.models import AuditEvent

from . import rules
from .models import Irritation, MentorAssignment, MentorAssignmentQuerySet, MentorRequest
from .stats import ShownCount, protected_irritation_counts


def current_assignments() -> MentorAssignmentQuerySet:
    """The mentor assignments that count now (rule of practice 1, see ``that_count``).

    Every path that asks whether a peer has a mentor asks this: the escalation, the start page, the
    dashboard, the proposal's rule 1 and the suggestions.
    """
    return MentorAssignment.objects.that_count()


def mentor_ids(peer: Membership) -> set[int]:
    """The peer's current mentor and anyone proposed as her mentor (for the mentor-partner rule)."""
    rows = MentorAssignment.objects.filter(peer=peer).filter(
        Q(state=MentorAssignment.State.PROPOSED) | Q(state=MentorAssignment.State.ACCEPTED, ended_on__isnull=True)
    )
    return set(rows.values_list("mentor_id", flat=True))


def pending_proposal(peer: Membership) -> MentorAssignment | None:
    """The proposal waiting for this peer's (and her proposed mentor's) agreement, if any."""
    return MentorAssignment.objects.proposed().filter(peer=peer).select_related("mentor__user", "peer__user").first()


def open_request(peer: Membership) -> MentorRequest | None:
    return MentorRequest.objects.filter(peer=peer, closed_at__isnull=True).first()


def with_last_check_in(assignments: MentorAssignmentQuerySet) -> QuerySet[Any]:
    """The assignments, each with the day of its last check-in (``last_held_on``)."""
    return assignments.annotate(last_held_on=Max("check_ins__held_on"))


def current_mentor(peer: Membership | int) -> Membership | None:
    assignment = current_assignments().filter(peer=peer).select_related("mentor__user").first()
    return assignment.mentor if assignment else None


def peers_without_mentor(organisation_id: int) -> int:
    """How many active peers of an organisation have no mentor that counts."""
    with_mentor = current_assignments().values("peer_id")
    return (
        Membership.objects.active()
        .filter(organisation_id=organisation_id, is_peer=True)
        .exclude(pk__in=with_mentor)
        .count()
    )


def assign_url(peer: Membership, next_url: str = "") -> str:
    """Where a team lead proposes a mentor for ``peer``; ``next_url`` is where she returns afterwards."""
    query: dict[str, str | int] = {"peer": peer.pk}
    if next_url:
        query["next"] = next_url
    return f"{reverse('mentoring:assign')}?{urlencode(query)}"


def irritations_url(team: Team) -> str:
    return f"{reverse('mentoring:lead_overview')}?team={team.pk}"


# --- who can read an irritation -----------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """One person who can read an irritation now, and why: "peer", "mentor" or "team_lead"."""

    membership: Membership
    role: str

    @property
    def user_id(self) -> int:
        return self.membership.user_id


def audience(irritation: Irritation) -> list[Reader]:
    """Who can read ``irritation`` now, with the role that lets them: THE audience function.

    It states in Python what ``Irritation.objects.visible_to`` states in SQL (the peer while she is a
    member; her current mentor once it reached the mentor and no handover waits for her consent;
    the team lead she shares it with while that person is an active team lead), so that the page's
    sentence about who can read it is rendered from the same facts that decide it. A test proves
    both agree for every person. Three queries at most (the assignment, the memberships are loaded
    with the irritation by ``visible_to``).
    """
    readers: list[Reader] = []
    peer = irritation.peer
    if peer.ended_on is None:
        readers.append(Reader(peer, "peer"))
    mentor = irritation.mentor
    if (
        mentor is not None
        and irritation.shared_with_mentor_at is not None
        and not irritation.handover_pending
        # The mentoring that counts now: active mentor with the role, active peer with hers.
        and MentorAssignment.objects.that_count().filter(peer_id=irritation.peer_id, mentor_id=mentor.pk).exists()
    ):
        readers.append(Reader(mentor, "mentor"))
    lead = irritation.shared_with_lead
    if lead is not None and lead.ended_on is None and lead.is_team_lead and peer.ended_on is None:
        readers.append(Reader(lead, "team_lead"))
    return readers


def can_read(irritation: Irritation, user: User) -> bool:
    return any(reader.user_id == user.pk for reader in audience(irritation))


def audience_sentence(readers: list[Reader], viewer: User) -> str:
    """The page's sentence about who can read it, for ``viewer``, in the active language."""
    viewer_is_peer = any(r.role == "peer" and r.user_id == viewer.pk for r in readers)
    names: list[str] = []
    for reader in sorted(readers, key=lambda r: r.user_id != viewer.pk):
        name = reader.membership.user.display_name
        if reader.user_id == viewer.pk:
            names.append(_("you"))
        elif reader.role == "peer":
            names.append(_("%(name)s (who raised it)") % {"name": name})
        elif reader.role == "mentor":
            names.append((_("your mentor %(name)s") if viewer_is_peer else _("%(name)s (her mentor)")) % {"name": name})
        else:
            names.append(
                (_("%(name)s (team lead, until you stop sharing it)") if viewer_is_peer else
                 _("%(name)s (team lead, shared by her)")) % {"name": name}
            )
    if len(names) <= 1:
        return _("Only you can read this irritation now. Nobody else can.")
    listed = _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}
    sentence = _("%(names)s can read this irritation now. Nobody else can.") % {"names": listed}
    return sentence[:1].upper() + sentence[1:]


@dataclass(frozen=True)
class HistoryEntry:
    """One line of an irritation's history: an event, or all reads by one person grouped."""

    at: dt.datetime
    label: str
    actor: User | None
    reads: int = 0  # >0: the reads of ``actor``, ``at`` the last one
    first_read: dt.datetime | None = None


def history(irritation: Irritation, *, limit: int = 50) -> list[HistoryEntry]:
    """What happened to ``irritation``, newest first; repeated reads by one person are one line
    ("read 4 times by …, last on …"). Two queries."""
    events = AuditEvent.objects.for_object(irritation)
    entries = [
        HistoryEntry(at=event.occurred_at, label=event.label, actor=event.actor)
        for event in events.exclude(action="read").select_related("actor")[:limit]
    ]
    reads = list(
        events.filter(action="read", actor__isnull=False)
        .values("actor")
        .annotate(count=Count("id"), last=Max("occurred_at"), first=Min("occurred_at"))
        .order_by()
    )
    readers = {user.pk: user for user in User.objects.filter(pk__in=[row["actor"] for row in reads])}
    for row in reads:
        entries.append(
            HistoryEntry(
                at=row["last"], label="", actor=readers.get(row["actor"]), reads=row["count"], first_read=row["first"]
            )
        )
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


# --- pages --------------------------------------------------------------------------------------


def peers_with_mentors(organisation: Organisation) -> MembershipQuerySet:
    """The organisation's active peers, each with ``current_assignments`` (the one that counts), the
    proposal waiting for answers (``pending_proposals``) and whether she asks for a different mentor."""
    current = current_assignments().select_related("mentor__user")
    return (
        Membership.objects.active()
        .filter(organisation=organisation, is_peer=True)
        .select_related("user")
        .prefetch_related(
            Prefetch("mentor_assignments", queryset=current, to_attr="current_assignments"),
            Prefetch(
                "mentor_assignments",
                queryset=MentorAssignment.objects.proposed().select_related("mentor__user"),
                to_attr="pending_proposals",
            ),
            # That she asks, never why: the reason is not even loaded.
            Prefetch(
                "mentor_requests",
                queryset=MentorRequest.objects.filter(closed_at__isnull=True).only("id", "peer_id", "created_at"),
                to_attr="open_mentor_requests",
            ),
        )
    )


def irritation_numbers_per_team(organisation: Organisation) -> list[tuple[Team, dict[str, ShownCount]]]:
    """Each active team with its numbers of open and escalated irritations (never text or names);
    withheld where fewer than three peers could be behind a number (``stats.protected_irritation_counts``)."""
    teams = list(Team.objects.active().filter(organisation=organisation).select_related("service"))
    counts = protected_irritation_counts([t.pk for t in teams])
    return [(team, counts[team.pk]) for team in teams]


def mentee_rows(mentor: Membership, *, viewer: User) -> list[dict[str, Any]]:
    """The mentor's current mentees with their open irritations and when the next check-in is due."""
    assignments = list(
        with_last_check_in(MentorAssignment.objects.current().filter(mentor=mentor))
        .select_related("peer__user")
        .order_by("peer__user__full_name")
    )
    by_peer: dict[int, list[Irritation]] = defaultdict(list)
    for irritation in Irritation.objects.visible_to(viewer).open().filter(mentor=mentor).order_by("clarify_by"):
        by_peer[irritation.peer_id].append(irritation)
    today = timezone.localdate()
    rows = []
    for assignment in assignments:
        due = rules.check_in_due_on(assignment)
        rows.append(
            {
                "assignment": assignment,
                "irritations": by_peer.get(assignment.peer_id, []),
                "next_check_in": due,
                "overdue": rules.check_in_status(due, today=today) == "overdue",
            }
        )
    return rows


def proposals_for_mentor(mentor: Membership) -> MentorAssignmentQuerySet:
    """Proposals that ask this person to become someone's mentor (her name only, nothing of hers)."""
    return MentorAssignment.objects.proposed().filter(mentor=mentor).select_related("peer__user").order_by("created_at")


def own_mentoring(peer: Membership) -> dict[str, Any]:
    """For the peer's own page: her current assignment, her next check-in, irritations awaiting handover."""
    assignment = (
        with_last_check_in(MentorAssignment.objects.current().filter(peer=peer)).select_related("mentor__user").first()
    )
    return {
        "assignment": assignment,
        "proposal": pending_proposal(peer),
        "mentor_request": open_request(peer),
        "next_check_in": rules.check_in_due_on(assignment) if assignment else None,
        "handover_pending": (
            Irritation.objects.open().filter(peer=peer, handover_pending=True).count() if assignment else 0
        ),
    }
