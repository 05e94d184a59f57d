"""Rules about people that other apps ask. They answer yes/no, never the private detail."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .models import Membership, PlacementConflict, Service, TeamMembership


def has_placement_conflict(peer: Membership, service: Service) -> bool:
    """A peer should not work where they were once a client (rule of practice 3)."""
    return PlacementConflict.objects.filter(peer=peer, service=service).exists()


def lived_experience_visible(profile_owner: Membership, viewer: Membership | None, *, is_mentor_of_owner: bool = False, shares_team: bool = False) -> bool:
    """Whether ``viewer`` may see that a professional has lived experience (their choice)."""
    from .models import ProfessionalProfile

    profile = getattr(profile_owner, "professional_profile", None)
    if profile is None or not profile.has_lived_experience or viewer is None:
        return False
    if viewer.user_id == profile_owner.user_id:
        return True
    if viewer.organisation_id != profile_owner.organisation_id:
        return False
    choice = profile.lived_experience_visible_to
    if choice == ProfessionalProfile.Visibility.ORGANISATION:
        return True
    if choice == ProfessionalProfile.Visibility.TEAM:
        return shares_team
    if choice == ProfessionalProfile.Visibility.MENTOR:
        return is_mentor_of_owner
    return False


def has_any_placement_conflict(peer: Membership) -> bool:
    """What a team lead may learn: only *that* a conflict is declared, never where."""
    return PlacementConflict.objects.filter(peer=peer).exists()


# Apps above accounts (pairing) know what a person leaving a team breaks; they register here.
_team_change_warnings: list[Callable[[TeamMembership], Iterable[str]]] = []


def register_team_change_warnings(fn: Callable[[TeamMembership], Iterable[str]]) -> None:
    """Add a source of warnings shown before a person leaves a team."""
    if fn not in _team_change_warnings:
        _team_change_warnings.append(fn)


def team_change_warnings(team_membership: TeamMembership) -> list[str]:
    """Warnings from the rules of practice before ``team_membership`` ends."""
    return [str(warning) for fn in _team_change_warnings for warning in fn(team_membership)]
