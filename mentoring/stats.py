"""Numbers for team leads: how many irritations per team are open or escalated. Never text, never names.

Only irritations that reached a mentor (addressed or escalated) are counted: a peer's private
log of what happened stays private, also as a number.
"""

from __future__ import annotations

from django.db.models import Count, FilteredRelation, Q

from accounts.models import TeamMembership

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
