"""Fetch-and-authorise for the pairing domain: one helper per object type; anything not yours is a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest

from accounts import access
from accounts.models import Membership, Team
from tandem.web import get_or_404

from .models import Reflection, SupportProcess, Tandem


def _scoped_tandems(request: HttpRequest) -> Any:
    membership = access.own_membership(request)
    return Tandem.objects.visible_to(request.user).filter(organisation=membership.organisation)


def get_tandem(request: HttpRequest, pk: int) -> Tandem:
    """A tandem the user may see: as team lead / org admin of its organisation, or as a partner."""
    return get_or_404(_scoped_tandems(request), pk)


def get_tandem_for_lead(request: HttpRequest, pk: int) -> Tandem:
    manager = access.manager_membership(request)
    return get_or_404(Tandem.objects.visible_to(request.user).filter(organisation=manager.organisation), pk)


def get_tandem_for_partner(request: HttpRequest, pk: int) -> tuple[Tandem, Membership]:
    membership = access.own_membership(request)
    tandem = get_or_404(_scoped_tandems(request).filter(Q(peer=membership) | Q(professional=membership)), pk)
    return tandem, membership


def get_support_process(request: HttpRequest, pk: int) -> SupportProcess:
    membership = access.own_membership(request)
    return get_or_404(SupportProcess.objects.visible_to(request.user).filter(organisation=membership.organisation), pk)


def get_own_reflection(request: HttpRequest, pk: int) -> Reflection:
    membership = access.own_membership(request)
    return get_or_404(Reflection.objects.filter(author=membership).select_related("tandem"), pk)


def get_team(request: HttpRequest, organisation: Any, team_id: object) -> Team:
    """A team of the organisation the request works in."""
    return get_or_404(Team.objects.filter(organisation=organisation), team_id)
