"""Reads for the pages of the pairing domain: the dashboard, due reflections, suggestions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, DateField, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, PlacementConflict, Team, TeamMembership
from tandem import suppression
from tandem.db import DatePlusDays

from . import rules
from .models import PairingSettings, SupportProcess, Tandem
from .ports import mentor_facts

# --- for the apps above ---------------------------------------------------------------------


def open_tandems_of_peer(peer: Membership) -> QuerySet[Tandem]:
    """The peer's open tandems with her partner (mentoring offers them when she raises an irritation)."""
    return Tandem.objects.open().filter(peer=peer).select_related("professional__user")


def tandem_partner_ids_of_professional(professional: Membership) -> QuerySet[Any]:
    """Membership ids of the peers in his open tandems (the audience "my tandem partners" of his
    lived-experience disclosure; accounts.disclosure asks this through its hook)."""
    return Tandem.objects.open().filter(professional=professional).values_list("peer_id", flat=True)


# --- reflections ------------------------------------------------------------------------------


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
        return rules.reflection_overdue(self.due_on)


def due_reflections(tandems: Any, *, today: dt.date | None = None) -> list[DueReflection]:
    """Reflections that are due (each partner of each active tandem), computed in one query."""
    today = today or timezone.localdate()
    # The database narrows the active tandems to those with a partner due (one day of slack for
    # the local-date conversion), so callers pay for the due ones, not for every active tandem;
    # the loop below decides exactly with the rule.
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
            due_on = rules.reflection_due_on(
                activated_on=tandem.activated_on, last=getattr(tandem, f"last_{side}"), weeks=tandem.reflection_weeks
            )
            if due_on and due_on <= today:
                due.append(DueReflection(tandem, side, due_on))
    return due


# --- suggestions ------------------------------------------------------------------------------


@dataclass
class Suggestion:
    candidate: Membership
    reasons: list[str]
    concerns: list[str]
    score: tuple[int, ...] = field(default_factory=tuple)
    # The rules of practice for this pair, as the proposal would judge them.
    explanations: list[rules.Explanation] = field(default_factory=list)

    @property
    def broken(self) -> list[rules.Explanation]:
        return [e for e in self.explanations if not e.ok]


def suggest(*, team: Team, peer: Membership | None = None, professional: Membership | None = None) -> list[Suggestion]:
    """Rank the team's professionals for a peer (or the team's peers for a professional), with reasons.

    Each candidate pair is judged by ``rules.check_proposal``, the function the proposal asks, with
    the facts counted here in bulk: what a suggestion calls fine, the proposal accepts.
    """
    settings = PairingSettings.for_organisation(team.organisation)
    assignments = mentor_facts().current_assignments()
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
        .distinct()
        .select_related("user")
        .annotate(
            active_tandems=Count(f"tandems_as_{side}", filter=active_filter, distinct=True),
            open_with_chosen=Exists(
                Tandem.objects.open().filter(**{side: OuterRef("pk"), other_side: chosen})
            ),
            is_mentor_pair=Exists(
                assignments.filter(Q(peer=chosen, mentor=OuterRef("pk")) | Q(peer=OuterRef("pk"), mentor=chosen))
            ),
            has_mentor=Exists(assignments.filter(peer=OuterRef("pk"))),
            conflict=Exists(PlacementConflict.objects.filter(peer=OuterRef("pk"), service=team.service_id)),
        )
    )
    # The facts about the chosen person and the team, counted once for all candidates.
    peer_count = rules.current_peer_count(team)
    chosen_active = rules.active_count(chosen, side=other_side)
    chosen_facts: dict[str, Any] = {}
    if peer is not None:
        chosen_facts = {
            "has_mentor": rules.peer_has_mentor(peer),
            "conflict": PlacementConflict.objects.filter(peer=peer, service=team.service_id).exists(),
        }
    # Rule 6 counts a proposed mentor too (she may still agree): the same facts the proposal asks.
    proposed_or_current_mentors = mentor_facts().mentor_ids(peer) if peer is not None else set()
    result: list[Suggestion] = []
    candidate: Any
    for candidate in candidates:
        pair_peer, pair_professional = (chosen, candidate) if peer is not None else (candidate, chosen)
        mentor_pair = bool(candidate.is_mentor_pair) or candidate.pk in proposed_or_current_mentors
        facts = rules.PairFacts(
            has_mentor=chosen_facts["has_mentor"] if peer is not None else candidate.has_mentor,
            conflict=chosen_facts["conflict"] if peer is not None else candidate.conflict,
            peer_count=peer_count,
            peer_active=chosen_active if peer is not None else candidate.active_tandems,
            professional_active=candidate.active_tandems if peer is not None else chosen_active,
            has_open=candidate.open_with_chosen,
            # A mentor only ever mentors peers: the professional mentoring the peer is the one case.
            is_mentor=mentor_pair,
        )
        explanations = rules.check_proposal(
            team=team, peer=pair_peer, professional=pair_professional, facts=facts, settings=settings
        )
        concerns = [e.message for e in explanations if not e.ok]
        reasons: list[str] = []
        if not concerns:
            reasons.append(_("No rule of practice is broken."))
        reasons.append(_("%(count)d active tandems.") % {"count": candidate.active_tandems})
        reasons.append(_("Works in the same service (%(service)s).") % {"service": team.service.name})
        if not mentor_pair:
            reasons.append(_("Not the mentor of the peer."))
        score = (
            len(rules.refusals(explanations)),
            len(rules.warnings(explanations)),
            int(mentor_pair),
            candidate.active_tandems,
        )
        result.append(Suggestion(candidate, reasons, concerns, score, explanations))
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
    # "" when shown; "few" when fewer than the threshold of peers could be behind the team's counts;
    # "protecting" when shown they would let one work out such a count (tandem.suppression).
    irritations_withheld: str = ""
    irritations_url: str = ""
    two_peers: rules.Explanation | None = None

    @property
    def too_few_peers(self) -> bool:
        return self.two_peers is not None and not self.two_peers.ok


def irritation_counts(team_ids: list[int]) -> dict[int, dict[str, int]]:
    """Numbers only, never content, as mentoring counts them."""
    return dict(mentor_facts().irritation_counts(team_ids))


def peers_without_mentor(teams: Any) -> Any:
    """Current peer team memberships of ``teams`` whose peer has no active mentor (rule 1)."""
    assignments = mentor_facts().current_assignments()
    return (
        TeamMembership.objects.current()
        .filter(team__in=teams, function=TeamMembership.Function.PEER, membership__ended_on__isnull=True)
        .annotate(has_mentor=Exists(assignments.filter(peer=OuterRef("membership"))))
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


def _withheld_irritation_counts(organisation: Any, shown: dict[int, int], counts: dict[int, dict[str, int]]) -> dict[int, str]:
    """Which teams' irritation counts a team lead may not see (issue of small numbers).

    The line is every active team of the organisation, whatever the filter shows, so that a filtered
    view withholds exactly what the whole view does: a count is withheld when fewer than the
    threshold of peers could be behind it, and further counts so that none of those can be worked
    out from the organisation's total and the rest.
    """
    line = list(with_peer_counts(Team.objects.filter(organisation=organisation).active()).order_by("pk").values_list("pk", "peer_count"))
    ids = [pk for pk, _ in line]
    if set(ids) - set(counts):
        counts = {**counts, **irritation_counts([pk for pk in ids if pk not in counts])}
    people = [n for _, n in line]
    withheld: dict[int, str] = {}
    for what in ("open", "escalated"):
        protected = suppression.protect_by_people([counts.get(pk, {}).get(what, 0) for pk in ids], people)
        for index, pk in enumerate(ids):
            if index in protected.primary:
                withheld[pk] = "few"
            elif index in protected.secondary and withheld.get(pk) != "few":
                withheld[pk] = "protecting"
    return {pk: why for pk, why in withheld.items() if pk in shown}


def dashboard(*, teams: Any, organisation: Any = None, today: dt.date | None = None) -> list[TeamRow]:
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
    withheld = (
        _withheld_irritation_counts(organisation, {t.pk: t.peer_count for t in team_list}, irritations)
        if organisation is not None
        else {}
    )
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
                irritations_withheld=withheld.get(team.pk, ""),
                irritations_url=mentor_facts().irritations_url(team),
                two_peers=rules.two_peers_rule(team, peer_count=team.peer_count),
            )
        )
    return rows
