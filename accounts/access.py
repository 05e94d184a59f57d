"""Fetch-and-authorise helpers: anything a user may not manage is a 404, like a missing id."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from tandem.web import get_or_404

from . import rules
from .http import AuthenticatedHttpRequest
from .models import Invitation, Membership, Service, Team, TeamMembership


def manager_membership(request: HttpRequest) -> Membership:
    """The request's membership if it may manage people (org admin or team lead), else 404."""
    membership = getattr(request, "membership", None)
    if membership is None or not (membership.is_org_admin or membership.is_team_lead):
        raise Http404
    return membership


def admin_membership(request: HttpRequest) -> Membership:
    membership = getattr(request, "membership", None)
    if membership is None or not membership.is_org_admin:
        raise Http404
    return membership


def own_membership(request: HttpRequest) -> Membership:
    membership = getattr(request, "membership", None)
    if membership is None:
        raise Http404
    return membership


def get_own_membership(request: AuthenticatedHttpRequest, pk: object) -> Membership:
    """One of the signed-in person's own active memberships."""
    return get_or_404(Membership.objects.active().filter(user=request.user).select_related("organisation"), pk)


def get_member_for_manager(request: HttpRequest, pk: int) -> Membership:
    manager = manager_membership(request)
    return get_or_404(Membership.objects.visible_to(request.user).filter(organisation=manager.organisation), pk)


def get_service_for_manager(request: HttpRequest, pk: int) -> Service:
    manager = manager_membership(request)
    return get_or_404(Service.objects.visible_to(request.user).filter(organisation=manager.organisation), pk)


def get_team_for_manager(request: HttpRequest, pk: int) -> Team:
    manager = manager_membership(request)
    return get_or_404(Team.objects.visible_to(request.user).filter(organisation=manager.organisation), pk)


def get_team_membership_for_manager(request: HttpRequest, pk: int) -> TeamMembership:
    manager = manager_membership(request)
    return get_or_404(TeamMembership.objects.visible_to(request.user).filter(team__organisation=manager.organisation), pk)


def get_invitation_for_manager(request: HttpRequest, pk: int) -> Invitation:
    manager = manager_membership(request)
    return get_or_404(Invitation.objects.visible_to(request.user).filter(organisation=manager.organisation), pk)


def may_create_teams(membership: Membership) -> bool:
    """Whether the person can create a team anywhere (the pages offer the action only then)."""
    return rules.services_run_by(membership).exists()


def get_team_to_run(request: HttpRequest, pk: int) -> Team:
    """A team whose members and archiving this person decides (accounts.rules.may_run_team), else 404."""
    manager = manager_membership(request)
    team = get_team_for_manager(request, pk)
    if not rules.may_run_team(manager, team):
        raise Http404
    return team


def get_team_membership_to_run(request: HttpRequest, pk: int) -> TeamMembership:
    manager = manager_membership(request)
    team_membership = get_team_membership_for_manager(request, pk)
    if not rules.may_run_team(manager, team_membership.team):
        raise Http404
    return team_membership
