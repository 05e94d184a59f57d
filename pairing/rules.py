"""The rules of practice for pairing, as plain functions that return explanations.

The proposal form, the team lead dashboard, the suggestions and the tests all ask these functions,
so a rule is written once. Each function can be given facts that a caller already counted in bulk
(the dashboard does that) and otherwise looks them up itself.

Direction: pairing sits below mentoring and imports none of it; mentoring asks pairing through
pairing.rules and pairing.selectors, and tells pairing its mentor facts through ``pairing.ports``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Membership, Service, Team, TeamMembership
from accounts.rules import has_placement_conflict

from .models import PairingSettings, Tandem
from .ports import mentor_facts

MIN_PEERS_PER_TEAM = 2


@dataclass(frozen=True)
class Explanation:
    """The answer of one rule: whether it holds, and what to tell the team lead."""

    rule: int
    ok: bool
    message: str
    # A broken blocking rule refuses the proposal; a broken non-blocking rule only warns.
    blocking: bool = False
    link: str = ""
    link_label: str = ""

    @property
    def refuses(self) -> bool:
        return not self.ok and self.blocking

    @property
    def warns(self) -> bool:
        return not self.ok and not self.blocking


# --- rule 1: the peer has an active mentor ----------------------------------------------------


def peer_has_mentor(peer: Membership) -> bool:
    return mentor_facts().current_assignments().filter(peer=peer).exists()


def mentor_rule(peer: Membership, *, has_mentor: bool | None = None, return_to: str = "") -> Explanation:
    """A mentor is an unconditional prerequisite for bringing a peer into a team.

    ``return_to`` is the page the team lead comes back to after proposing a mentor (the proposal).
    """
    if has_mentor is None:
        has_mentor = peer_has_mentor(peer)
    name = peer.user.display_name
    if has_mentor:
        return Explanation(1, True, _("%(name)s has an active mentor.") % {"name": name}, blocking=True)
    return Explanation(
        1,
        False,
        _("%(name)s has no active mentor. A peer needs a mentor before working in a tandem; please assign one first.")
        % {"name": name},
        blocking=True,
        link=mentor_facts().assign_url(peer, return_to) if return_to else mentor_facts().assign_url(peer),
        link_label=_("Propose a mentor"),
    )


def warnings_before_losing_mentor(peer: Membership) -> list[str]:
    """Rule 1 holds while working, not only before: asked before a peer's mentoring ends."""
    working = Tandem.objects.active().filter(peer=peer).count()
    if not working:
        return []
    return [
        ngettext(
            "%(name)s works in %(count)d active tandem. A peer needs a mentor while working in a team, "
            "not only before: please propose a new mentor soon.",
            "%(name)s works in %(count)d active tandems. A peer needs a mentor while working in a team, "
            "not only before: please propose a new mentor soon.",
            working,
        )
        % {"name": peer.user.display_name, "count": working}
    ]


# --- rule 2: at least two peers per team ------------------------------------------------------


def current_peer_count(team: Team) -> int:
    return (
        TeamMembership.objects.current()
        .filter(team=team, function=TeamMembership.Function.PEER, membership__ended_on__isnull=True)
        .count()
    )


def two_peers_rule(team: Team, *, peer_count: int | None = None) -> Explanation:
    """A lone peer drifts into traditional roles; at least two peers should work in a team."""
    if peer_count is None:
        peer_count = current_peer_count(team)
    if peer_count >= MIN_PEERS_PER_TEAM:
        return Explanation(
            2, True, _("%(team)s has %(count)d peers.") % {"team": team.name, "count": peer_count}
        )
    if peer_count == 0:
        return Explanation(
            2, False, _("%(team)s has no peer yet. At least two peers should work in the same team.") % {"team": team.name}
        )
    return Explanation(
        2,
        False,
        ngettext(
            "%(team)s has only %(count)d peer. At least two peers should work in the same team.",
            "%(team)s has only %(count)d peers. At least two peers should work in the same team.",
            peer_count,
        )
        % {"team": team.name, "count": peer_count},
    )


def warnings_before_leaving_team(team_membership: TeamMembership) -> list[str]:
    """Asked by accounts before a person leaves a team (rule 2, and the tandems they leave open)."""
    warnings: list[str] = []
    team = team_membership.team
    person = team_membership.membership
    if team_membership.function == TeamMembership.Function.PEER:
        remaining = current_peer_count(team) - 1
        if remaining <= 0:
            warnings.append(
                _("Afterwards no peer is left in %(team)s. At least two peers should work in the same team.")
                % {"team": team.name}
            )
        elif remaining < MIN_PEERS_PER_TEAM:
            warnings.append(
                ngettext(
                    "Afterwards %(team)s has only %(count)d peer. At least two peers should work in the same team.",
                    "Afterwards %(team)s has only %(count)d peers. At least two peers should work in the same team.",
                    remaining,
                )
                % {"team": team.name, "count": remaining}
            )
    open_count = Tandem.objects.open().filter(team=team).filter(Q(peer=person) | Q(professional=person)).count()
    if open_count:
        warnings.append(
            ngettext(
                "%(name)s has %(count)d open tandem in this team. Please end or hand it over.",
                "%(name)s has %(count)d open tandems in this team. Please end or hand them over.",
                open_count,
            )
            % {"name": person.user.display_name, "count": open_count}
        )
    return warnings


def warnings_before_ending(tandem: Tandem) -> list[str]:
    """Ending a tandem may leave the team with fewer than two peers working in tandems (rule 2)."""
    working_peers = set(
        Tandem.objects.open().filter(team_id=tandem.team_id).exclude(pk=tandem.pk).values_list("peer_id", flat=True)
    )
    if len(working_peers) >= MIN_PEERS_PER_TEAM:
        return []
    if not working_peers:
        return [
            _("Afterwards no peer works in a tandem in %(team)s. At least two peers should work in the same team.")
            % {"team": tandem.team.name}
        ]
    return [
        ngettext(
            "Afterwards only %(count)d peer works in a tandem in %(team)s. At least two peers should work in the same team.",
            "Afterwards only %(count)d peers work in a tandem in %(team)s. At least two peers should work in the same team.",
            len(working_peers),
        )
        % {"count": len(working_peers), "team": tandem.team.name}
    ]


# --- reflections every N weeks ---------------------------------------------------------------

# A reflection counts as overdue two weeks after it became due (the reminder goes out when due).
REFLECTION_GRACE = dt.timedelta(days=14)


def reflection_due_on(*, activated_on: dt.date | None, last: dt.datetime | dt.date | None, weeks: int) -> dt.date | None:
    """When the next reflection of one partner is due: N weeks after the last one (or the start)."""
    if isinstance(last, dt.datetime):
        last = timezone.localdate(last)
    base = last or activated_on
    return base + dt.timedelta(weeks=weeks) if base else None


def reflection_overdue(due_on: dt.date, *, today: dt.date | None = None) -> bool:
    """A due reflection is overdue once the grace period after its due day has passed."""
    return due_on + REFLECTION_GRACE < (today or timezone.localdate())


# --- rule 3: not where the peer was a client --------------------------------------------------


def placement_rule(
    peer: Membership, service: Service, *, justification: str = "", conflict: bool | None = None
) -> Explanation:
    """A peer should not work where they were once a client; exceptions need a justification.

    The team lead learns only "placement conflict declared", never more.
    """
    if conflict is None:
        conflict = has_placement_conflict(peer, service)
    if not conflict:
        return Explanation(3, True, _("No placement conflict declared for this service."), blocking=True)
    if justification.strip():
        return Explanation(
            3, True, _("Placement conflict declared; a justification is recorded."), blocking=True
        )
    return Explanation(
        3,
        False,
        _("Placement conflict declared. The proposal needs a justification from the team lead."),
        blocking=True,
    )


# --- rule 4: capacity -------------------------------------------------------------------------


def active_count(membership: Membership, *, side: str) -> int:
    return Tandem.objects.active().filter(**{side: membership}).count()


def capacity_rule(
    peer: Membership,
    professional: Membership,
    *,
    settings: PairingSettings,
    peer_active: int | None = None,
    professional_active: int | None = None,
) -> Explanation:
    """The organisation caps active tandems per person; going over the cap warns."""
    if peer_active is None:
        peer_active = active_count(peer, side="peer")
    if professional_active is None:
        professional_active = active_count(professional, side="professional")
    over = []
    if peer_active >= settings.max_active_per_peer:
        over.append(
            _("%(name)s already has %(count)d active tandems (the organisation's limit is %(limit)d).")
            % {"name": peer.user.display_name, "count": peer_active, "limit": settings.max_active_per_peer}
        )
    if professional_active >= settings.max_active_per_professional:
        over.append(
            _("%(name)s already has %(count)d active tandems (the organisation's limit is %(limit)d).")
            % {
                "name": professional.user.display_name,
                "count": professional_active,
                "limit": settings.max_active_per_professional,
            }
        )
    if over:
        return Explanation(4, False, " ".join(over))
    return Explanation(4, True, _("Both have room for another tandem."))


# --- rule 5: no second tandem of the same pair -------------------------------------------------


def has_open_tandem(peer: Membership, professional: Membership) -> bool:
    """Whether the two already work together in an open tandem."""
    return Tandem.objects.open().filter(peer=peer, professional=professional).exists()


def pair_rule(peer: Membership, professional: Membership, *, has_open: bool | None = None) -> Explanation:
    if has_open is None:
        has_open = has_open_tandem(peer, professional)
    if has_open:
        return Explanation(
            5, False, _("These two already work together in an open tandem."), blocking=True
        )
    return Explanation(5, True, _("The two do not have a tandem yet."), blocking=True)


# --- rule 6: the mentor is not the tandem partner -------------------------------------------


def mentor_partner_rule(
    peer: Membership, person: Membership, *, becoming: str, is_mentor: bool | None = None
) -> Explanation:
    """Nobody is both the mentor and a tandem partner of a peer: the mentor mediates exactly the
    conflicts between tandem partners, and the peer's concerns about a tandem would reach the person
    they are about. Asked by every path that makes ``person`` one of the two: proposing or accepting a
    mentor (``becoming="mentor"``), proposing or confirming a tandem (``becoming="partner"``).

    A proposed mentor counts as a mentor here, so a tandem cannot slip in while she agrees.
    ``is_mentor`` is that fact when a caller counted it in bulk (the suggestions).
    """
    if becoming not in ("mentor", "partner"):
        raise ValueError(becoming)
    is_partner = becoming == "partner" or has_open_tandem(peer, person)
    if is_mentor is None:
        is_mentor = person.pk in mentor_facts().mentor_ids(peer)
    is_mentor = becoming == "mentor" or is_mentor
    if is_partner and is_mentor:
        names = {"person": person.user.display_name, "peer": peer.user.display_name}
        if becoming == "mentor":
            message = _(
                "%(person)s works in a tandem with %(peer)s and cannot be her mentor: the mentor mediates "
                "exactly the conflicts that can arise between tandem partners. Please choose someone else."
            ) % names
        else:
            message = _(
                "%(person)s is the mentor of %(peer)s (or proposed as her mentor) and cannot be her tandem "
                "partner: the mentor mediates exactly the conflicts that can arise between tandem partners. "
                "Please choose someone else."
            ) % names
        return Explanation(6, False, message, blocking=True)
    return Explanation(6, True, _("The tandem partner is not the peer's mentor."), blocking=True)


# --- all of them ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairFacts:
    """Facts about a proposed pair that a caller already counted in bulk; None means "look it up".

    The suggestions count them for every candidate at once and then ask ``check_proposal`` per
    pair, so a suggestion and the proposal can never judge the same pair differently.
    """

    has_mentor: bool | None = None
    peer_count: int | None = None
    conflict: bool | None = None
    peer_active: int | None = None
    professional_active: int | None = None
    has_open: bool | None = None
    is_mentor: bool | None = None


def check_proposal(
    *,
    team: Team,
    peer: Membership,
    professional: Membership,
    justification: str = "",
    return_to: str = "",
    facts: PairFacts | None = None,
    settings: PairingSettings | None = None,
) -> list[Explanation]:
    """Every rule of practice for a proposed pairing, in the order of the rules."""
    facts = facts or PairFacts()
    settings = settings or PairingSettings.for_organisation(team.organisation)
    return [
        mentor_rule(peer, has_mentor=facts.has_mentor, return_to=return_to),
        two_peers_rule(team, peer_count=facts.peer_count),
        placement_rule(peer, team.service, justification=justification, conflict=facts.conflict),
        capacity_rule(
            peer,
            professional,
            settings=settings,
            peer_active=facts.peer_active,
            professional_active=facts.professional_active,
        ),
        pair_rule(peer, professional, has_open=facts.has_open),
        mentor_partner_rule(peer, professional, becoming="partner", is_mentor=facts.is_mentor),
    ]


def refusals(explanations: list[Explanation]) -> list[Explanation]:
    return [e for e in explanations if e.refuses]


def warnings(explanations: list[Explanation]) -> list[Explanation]:
    return [e for e in explanations if e.warns]
