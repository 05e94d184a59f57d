"""Fetch-and-authorise for mentoring. Anything not yours is a 404, the same as a missing id."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404, HttpRequest

from accounts.access import manager_membership, own_membership
from accounts.models import Membership
from tandem.audit.services import record_read
from tandem.web import get_or_404

from .models import Irritation, MentorAssignment


def get_irritation(request: HttpRequest, pk: int, *, read: bool = True) -> Irritation:
    """The one door to an irritation: ``Irritation.objects.visible_to``; reads by others are audited."""
    irritation: Irritation = get_or_404(Irritation.objects.visible_to(request.user), pk)
    if read and irritation.peer.user_id != request.user.pk:
        record_read(reader=request.user, obj=irritation, author=irritation.peer.user)
    return irritation


def peer_membership(request: HttpRequest) -> Membership:
    membership = own_membership(request)
    if not membership.is_peer:
        raise Http404
    return membership


def mentor_membership(request: HttpRequest) -> Membership:
    membership = own_membership(request)
    if not membership.is_mentor:
        raise Http404
    return membership


def get_assignment_for_manager(request: HttpRequest, pk: int) -> MentorAssignment:
    manager = manager_membership(request)
    return get_or_404(MentorAssignment.objects.visible_to(request.user).filter(organisation=manager.organisation), pk)


def get_assignment_for_mentor(request: HttpRequest, pk: int) -> MentorAssignment:
    mentor = mentor_membership(request)
    return get_or_404(MentorAssignment.objects.current().filter(mentor=mentor), pk)


def get_proposal(request: HttpRequest, pk: int, *, managers: bool = False) -> MentorAssignment:
    """A mentoring proposal, for the peer and the proposed mentor (current members); with
    ``managers`` also for the team leads and org admins of its organisation (to withdraw it)."""
    user = request.user
    parties = Q(peer__user=user, peer__ended_on__isnull=True, peer__is_peer=True) | Q(
        mentor__user=user, mentor__ended_on__isnull=True
    )
    queryset = MentorAssignment.objects.select_related("peer__user", "mentor__user", "organisation")
    membership = getattr(request, "membership", None)
    if managers and membership is not None and (membership.is_org_admin or membership.is_team_lead):
        parties |= Q(organisation=membership.organisation)
    return get_or_404(queryset.filter(parties), pk)


def get_peer_for_manager(request: HttpRequest, pk: object) -> Membership:
    manager = manager_membership(request)
    return get_or_404(Membership.objects.visible_to(request.user).filter(organisation=manager.organisation, is_peer=True), pk)
