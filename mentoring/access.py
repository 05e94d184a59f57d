"""Fetch-and-authorise for mentoring. Anything not yours is a 404, the same as a missing id."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404, HttpRequest

from accounts.access import manager_membership, own_membership
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Membership
from tandem.audit.services import record_read
from tandem.web import get_or_404

from .models import EscalationStep, Irritation, MentorAssignment, MentoringSettings


def get_irritation(request: HttpRequest, pk: int) -> Irritation:
    """The one door to an irritation: ``Irritation.objects.visible_to``.

    Fetching is not reading: whatever response then shows its text or thread calls ``shown``.
    """
    irritation: Irritation = get_or_404(
        Irritation.objects.visible_to(request.user).select_related("shared_with_lead__user"), pk
    )
    return irritation


def shown(request: HttpRequest, irritation: Irritation) -> None:
    """Record that ``irritation``'s text is shown to the requester: every read by someone other
    than the peer who wrote it is audited, whichever page (or refusal, or invalid form) shows it."""
    if irritation.peer.user_id != request.user.pk:
        record_read(reader=request.user, obj=irritation, author=irritation.peer.user)


def get_irritation_for_backup(request: AuthenticatedHttpRequest, pk: int) -> Irritation:
    """An irritation waiting for its mentor, for the backup person who was told about it.

    She was told (her notice of it exists) and is still someone who may act as backup: an active
    member of its organisation who is the organisation's backup person, a team lead or an org admin,
    and not the peer herself. The irritation still waits: open, with a mentor stage, unacknowledged.
    Its content never reaches this door's pages.
    """
    from tandem.notifications.models import Notification

    irritation: Irritation = get_or_404(
        Irritation.objects.open()
        .with_mentor()
        .filter(acknowledged_at__isnull=True, steps__kind=EscalationStep.Kind.BACKUP)
        .exclude(peer__user=request.user)
        .select_related("peer__user", "mentor__user", "organisation")
        .distinct(),
        pk,
    )
    settings = MentoringSettings.for_organisation(irritation.organisation_id)
    qualifies = Membership.objects.active().filter(user=request.user, organisation_id=irritation.organisation_id)
    qualifies = qualifies.filter(
        Q(pk=settings.backup_id) | Q(is_team_lead=True) | Q(is_org_admin=True)
    ) if settings.backup_id else qualifies.filter(Q(is_team_lead=True) | Q(is_org_admin=True))
    told = Notification.objects.filter(
        recipient=request.user,
        kind="mentoring.irritation_backup",
        dedupe_key__startswith=f"irritation:{irritation.pk}:backup:",
    )
    if not qualifies.exists() or not told.exists():
        raise Http404
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
