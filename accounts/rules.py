"""Rules about people that other apps ask. They answer yes/no, never the private detail."""

from __future__ import annotations

from .models import Membership, PlacementConflict, Service


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
