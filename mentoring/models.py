"""Mentoring: mentor assignments and the confidential irritation log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


class MentorAssignmentQuerySet(models.QuerySet["MentorAssignment"]):
    def visible_to(self, user: User | AnonymousUser) -> MentorAssignmentQuerySet:
        """Team leads and org admins of the organisation, the mentor and the peer."""
        if not user.is_authenticated:
            return self.none()
        managed = Membership.objects.active().filter(user=user).filter(Q(is_org_admin=True) | Q(is_team_lead=True))
        return self.filter(
            Q(organisation__in=managed.values("organisation")) | Q(peer__user=user) | Q(mentor__user=user)
        ).select_related("peer__user", "mentor__user")

    def current(self) -> MentorAssignmentQuerySet:
        return self.filter(ended_on__isnull=True)


class MentorAssignment(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="mentor_assignments")
    peer = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="mentor_assignments", verbose_name=_("peer"))
    mentor = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="mentees", verbose_name=_("mentor"))
    started_on = models.DateField(_("start"), default=timezone.localdate)
    ended_on = models.DateField(_("end"), null=True, blank=True)
    check_in_every_weeks = models.PositiveSmallIntegerField(_("check-in every (weeks)"), default=4)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MentorAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentor assignment")
        verbose_name_plural = _("mentor assignments")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["peer"], condition=Q(ended_on__isnull=True), name="mentor_one_active_per_peer"),
            models.CheckConstraint(condition=~Q(peer=models.F("mentor")), name="mentor_not_own_peer"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor.user.display_name} → {self.peer.user.display_name}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None
