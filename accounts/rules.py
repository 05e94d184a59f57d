"""Rules about people that other apps ask. They answer yes/no, never the private detail."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet

from .models import (
    Membership,
    Organisation,
    PlacementConflict,
    Service,
    Team,
    TeamMembership,
)


def organisations_requiring_second_factor(user: Any, memberships: Iterable[Membership] | None = None) -> list[Organisation]:
    """The organisations in which ``user`` holds, today, a role that their organisation protects
    with a second factor. Access spans every membership, so the strictest one decides: a mentor
    working in an organisation without the requirement still needs it for the one that has it.
    Computed from the current memberships on every call (``memberships``: her active memberships
    with their organisations, if the caller loaded them already); turning the requirement on or
    off, or a role ending, takes effect on the next request."""
    if not getattr(user, "is_authenticated", False):
        return []
    if memberships is None:
        memberships = Membership.objects.active().filter(user=user).select_related("organisation")
    strict = {m.organisation for m in memberships if m.is_active and m.user_id == user.pk and m.needs_mfa}
    return sorted(strict, key=lambda organisation: organisation.name)


def second_factor_required(user: Any, memberships: Iterable[Membership] | None = None) -> bool:
    return bool(organisations_requiring_second_factor(user, memberships))


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
