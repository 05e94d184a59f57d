"""The doors of volunteering: the volunteer herself, the team leads and org admins of her
organisation. Other peers, professionals, mentors and supervisors get the same 404 as a missing id."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from accounts import access
from accounts.models import Membership, PeerProfile
from tandem.web import get_or_404

from . import selectors
from .models import BillingRun, HourEntry, Statement


def own_membership(request: HttpRequest) -> Membership:
    return access.own_membership(request)


def volunteer_membership(request: HttpRequest) -> Membership:
    """The request's membership if she is a current volunteer peer, else 404."""
    membership = access.own_membership(request)
    if not selectors.is_volunteer(membership):
        raise Http404
    return membership


def get_volunteer_for_manager(request: HttpRequest, pk: object) -> Membership:
    manager = access.manager_membership(request)
    return get_or_404(
        Membership.objects.active()
        .filter(organisation=manager.organisation, is_peer=True, peer_profile__kind=PeerProfile.Kind.VOLUNTEER)
        .select_related("user", "organisation"),
        pk,
    )


def get_entry(request: HttpRequest, pk: object) -> HourEntry:
    """An entry she recorded (or that was recorded for her), or one of her organisation's for a manager."""
    membership = access.own_membership(request)
    return get_or_404(
        HourEntry.objects.visible_to(request.user).filter(organisation=membership.organisation).select_related("support_process"),
        pk,
    )


def get_own_entry(request: HttpRequest, pk: object) -> HourEntry:
    volunteer = volunteer_membership(request)
    return get_or_404(HourEntry.objects.filter(volunteer=volunteer).select_related("volunteer__user"), pk)


def get_entry_for_manager(request: HttpRequest, pk: object) -> HourEntry:
    manager = access.manager_membership(request)
    return get_or_404(HourEntry.objects.filter(organisation=manager.organisation).select_related("volunteer__user"), pk)


def get_run(request: HttpRequest, pk: object) -> BillingRun:
    manager = access.manager_membership(request)
    return get_or_404(BillingRun.objects.visible_to(request.user).filter(organisation=manager.organisation), pk)


def get_statement(request: HttpRequest, pk: object) -> Statement:
    membership = access.own_membership(request)
    return get_or_404(Statement.objects.visible_to(request.user).filter(run__organisation=membership.organisation), pk)
