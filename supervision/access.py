"""Fetch-and-authorise helpers: whatever a user may not see is a 404, exactly like a missing id."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from accounts.models import Membership
from tandem.web import get_or_404

from .models import DatePoll, GroupShare, Session, SupervisionGroup


def get_group(request: HttpRequest, pk: object) -> SupervisionGroup:
    return get_or_404(SupervisionGroup.objects.visible_to(request.user), pk)


def get_group_for_supervisor(request: HttpRequest, pk: object) -> SupervisionGroup:
    return get_or_404(SupervisionGroup.objects.visible_to(request.user).supervised_by(request.user), pk)


def get_session(request: HttpRequest, pk: object) -> Session:
    return get_or_404(Session.objects.visible_to(request.user), pk)


def get_session_for_supervisor(request: HttpRequest, pk: object) -> Session:
    supervised = SupervisionGroup.objects.supervised_by(request.user).values("pk")
    return get_or_404(Session.objects.visible_to(request.user).filter(group_id__in=supervised), pk)


def get_poll(request: HttpRequest, pk: object) -> DatePoll:
    return get_or_404(DatePoll.objects.visible_to(request.user), pk)


def get_poll_for_supervisor(request: HttpRequest, pk: object) -> DatePoll:
    supervised = SupervisionGroup.objects.supervised_by(request.user).values("pk")
    return get_or_404(DatePoll.objects.visible_to(request.user).filter(group_id__in=supervised), pk)


def get_share_for_admin(request: HttpRequest, pk: object) -> tuple[GroupShare, Membership]:
    admin = org_admin_membership(request)
    return get_or_404(GroupShare.objects.visible_to(request.user).filter(organisation=admin.organisation), pk), admin


def org_admin_membership(request: HttpRequest) -> Membership:
    membership = getattr(request, "membership", None)
    if membership is None or not membership.is_org_admin:
        raise Http404
    return membership


def group_founder(request: HttpRequest) -> Membership:
    """An internal supervisor of the current organisation (external ones only lead the groups they were given)."""
    membership = getattr(request, "membership", None)
    if membership is None or not membership.is_supervisor or membership.is_external:
        raise Http404
    return membership


def rate_viewer(request: HttpRequest) -> Membership:
    """Team leads and org admins see one aggregate number, nothing else."""
    membership = getattr(request, "membership", None)
    if membership is None or not (membership.is_team_lead or membership.is_org_admin):
        raise Http404
    return membership
