"""Fetch-and-authorise for mentoring. Anything not yours is a 404, the same as a missing id."""

from __future__ import annotations

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


def get_peer_for_manager(request: HttpRequest, pk: object) -> Membership:
    manager = manager_membership(request)
    return get_or_404(Membership.objects.visible_to(request.user).filter(organisation=manager.organisation, is_peer=True), pk)
