"""Rules about people that other apps ask. They answer yes/no, never the private detail."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .models import Membership, PlacementConflict, Service, TeamMembership


def has_placement_conflict(peer: Membership, service: Service) -> bool:
    """A peer should not work where they were once a client (rule of practice 3)."""
    return PlacementConflict.objects.filter(peer=peer, service=service).exists()


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
