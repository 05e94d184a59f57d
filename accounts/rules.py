"""Rules about people that other apps ask. They answer yes/no, never the private detail."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import QuerySet

from .models import Membership, PlacementConflict, Service, Team, TeamMembership


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


def services_run_by(membership: Membership) -> QuerySet[Service]:
    """The active services in which this person creates and runs teams.

    The org admin runs every service of her organisation. A team lead runs the services the org
    admin named for her, and every service of the organisation while none is named (a small
    provider with one team lead for everything). Asked anew on every request.
    """
    services = Service.objects.active().filter(organisation_id=membership.organisation_id)
    if not membership.is_active:
        return services.none()
    if membership.is_org_admin:
        return services
    if not membership.is_team_lead:
        return services.none()
    led = membership.led_services.all()
    return services.filter(pk__in=led.values("pk")) if led.exists() else services


def may_run_team(membership: Membership, team: Team) -> bool:
    """Whether this person may archive the team and decide who belongs to it."""
    return team.organisation_id == membership.organisation_id and (
        membership.is_org_admin or services_run_by(membership).filter(pk=team.service_id).exists()
    )
