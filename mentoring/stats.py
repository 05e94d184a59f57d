"""Numbers for team leads: how many irritations per team are open or escalated. Never text, never names.

Shown to anyone but the peer and her mentor only through ``protected_irritation_counts``: a count
of a team with fewer than three peers would point at one of them.

Only irritations that reached a mentor (addressed or escalated) are counted: a peer's private
log of what happened stays private, also as a number.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, FilteredRelation, Q

from accounts.models import TeamMembership
from tandem.suppression import protect_by_people, threshold

from .models import Irritation


def irritation_counts_per_team(team_ids: list[int]) -> dict[int, dict[str, int]]:
    """``{team_id: {"open": n, "escalated": m}}`` for every id given, in one query.

    A peer's irritations count for the teams she belongs to now.
    """
    counts: dict[int, dict[str, int]] = {team_id: {"open": 0, "escalated": 0} for team_id in team_ids}
    if not team_ids:
        return counts
    # The open-state condition sits in the JOIN (not in the aggregate's FILTER), so PostgreSQL reads
    # only a peer's open irritations through the (peer, state) index, never her resolved history.
    counted = FilteredRelation(
        "membership__irritations",
        condition=Q(
            membership__irritations__state__in=Irritation.OPEN_STATES,
            membership__irritations__shared_with_mentor_at__isnull=False,
        ),
    )
    rows = (
        TeamMembership.objects.current()
        .filter(team_id__in=team_ids, function=TeamMembership.Function.PEER)
        .annotate(counted=counted)
        .values("team_id")
        .annotate(
            open=Count("counted", distinct=True),
            escalated=Count("counted", filter=Q(counted__escalated_at__isnull=False), distinct=True),
        )
        .order_by()
    )
    for row in rows:
        counts[row["team_id"]] = {"open": row["open"], "escalated": row["escalated"]}
    return counts


def peers_per_team(team_ids: list[int]) -> dict[int, int]:
    """How many active peers each team has now: the people who could be behind its counts (one query)."""
    found: dict[int, int] = dict.fromkeys(team_ids, 0)
    if not team_ids:
        return found
    rows = (
        TeamMembership.objects.current()
        .filter(
            team_id__in=team_ids,
            function=TeamMembership.Function.PEER,
            membership__is_peer=True,
            membership__ended_on__isnull=True,
        )
        .values("team_id")
        .annotate(people=Count("membership_id", distinct=True))
        .order_by()
    )
    for row in rows:
        found[row["team_id"]] = row["people"]
    return found


@dataclass(frozen=True)
class ShownCount:
    """A count as shown: its value, or None and why ("small": fewer than ``limit`` people could be
    behind it; "protecting": withheld so that a small one cannot be recomputed)."""

    value: int | None
    withheld: str = ""
    limit: int = 3


def protected_irritation_counts(team_ids: list[int], *, limit: int | None = None) -> dict[int, dict[str, ShownCount]]:
    """``irritation_counts_per_team`` as it may be shown to anyone but the peer and her mentor.

    Each column ("open", "escalated") is one line over the teams, protected by the number of peers
    who could be behind each cell (``tandem.suppression.protect_by_people``): a team with fewer than
    three peers shows no number, and neither does whatever would let one recompute it, as if the
    reader knew the line's total. Two queries, whatever the number of teams.
    """
    limit = threshold() if limit is None else limit
    counts = irritation_counts_per_team(team_ids)
    people = peers_per_team(team_ids)
    shown: dict[int, dict[str, ShownCount]] = {team_id: {} for team_id in team_ids}
    for column in ("open", "escalated"):
        line = protect_by_people([counts[t][column] for t in team_ids], [people[t] for t in team_ids], limit=limit)
        for index, team_id in enumerate(team_ids):
            if index in line.primary:
                shown[team_id][column] = ShownCount(None, "small", limit)
            elif index in line.secondary:
                shown[team_id][column] = ShownCount(None, "protecting", limit)
            else:
                shown[team_id][column] = ShownCount(line.values[index], "", limit)
    return shown
