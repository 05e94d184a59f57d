"""A professional's disclosure of his own crisis experience: the one rule of who sees it.

Disclosure is his decision alone (DOMAIN.md): whether, when and to whom. Every page that shows it
asks ``sees_lived_experience``; the audience he is shown on his profile is computed by the same
function, so what he is told and what others see cannot drift apart. The answer follows the
current state at every call: his choice, his and the viewer's memberships, teams and tandems as
they are now. Withdrawing (or a tandem or team ending) hides it on the next request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .models import Membership, ProfessionalProfile, TeamMembership

Visibility = ProfessionalProfile.Visibility

# pairing knows who a professional's tandem partners are; it registers here (accounts is below it).
_tandem_partners: list[Callable[[Membership], Iterable[int]]] = []


def register_tandem_partners(fn: Callable[[Membership], Iterable[int]]) -> None:
    """Add a source of the membership ids of a professional's current tandem partners."""
    if fn not in _tandem_partners:
        _tandem_partners.append(fn)


def tandem_partner_ids(professional: Membership) -> set[int]:
    return {pk for fn in _tandem_partners for pk in fn(professional)}


def _disclosed(professional: Membership) -> Any:
    """His profile if he discloses to anyone at all, else None."""
    if not (professional.is_active and professional.is_professional):
        return None
    profile = ProfessionalProfile.objects.filter(membership=professional).first()
    if profile is None or not profile.has_lived_experience or profile.lived_experience_visible_to == Visibility.NOBODY:
        return None
    return profile


def _in_audience(choice: str, viewer: Membership, professional: Membership) -> bool:
    if choice == Visibility.ORGANISATION:
        return True
    if choice == Visibility.PEERS:
        return viewer.is_peer
    if choice == Visibility.TEAM:
        his_teams = TeamMembership.objects.current().filter(membership=professional).values("team")
        return TeamMembership.objects.current().filter(membership=viewer, team__in=his_teams).exists()
    if choice == Visibility.TANDEM:
        return viewer.pk in tandem_partner_ids(professional)
    return False


def sees_lived_experience(viewer: Any, professional: Membership) -> bool:
    """THE rule: does ``viewer`` (a user) see that ``professional`` has lived experience of crisis?

    He himself always does. Anybody else only while he discloses it, to the audience he chose, and
    only as an active member of his organisation: his tandem partners (open tandems), the people of
    his current teams, the peers of his organisation, or everyone in it.
    """
    if not getattr(viewer, "is_authenticated", False):
        return False
    if professional.user_id == viewer.pk:
        return True
    profile = _disclosed(professional)
    if profile is None:
        return False
    viewer_membership = (
        Membership.objects.active().filter(user=viewer, organisation_id=professional.organisation_id).first()
    )
    if viewer_membership is None:
        return False
    return _in_audience(profile.lived_experience_visible_to, viewer_membership, professional)


def audience(professional: Membership) -> list[Membership]:
    """Everyone but himself who sees it now: what his profile tells him, from the same rule."""
    if _disclosed(professional) is None:
        return []
    members = (
        Membership.objects.active()
        .filter(organisation_id=professional.organisation_id)
        .exclude(user_id=professional.user_id)
        .select_related("user")
    )
    return [m for m in members if sees_lived_experience(m.user, professional)]
