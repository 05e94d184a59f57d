"""The tandem-pairing domain: one peer and one professional working together in a team."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation, Team

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


class TandemQuerySet(models.QuerySet["Tandem"]):
    def visible_to(self, user: User | AnonymousUser) -> TandemQuerySet:
        """Team leads and org admins see their organisation's tandems; partners see their own."""
        if not user.is_authenticated:
            return self.none()
        managed = Membership.objects.active().filter(user=user).filter(Q(is_org_admin=True) | Q(is_team_lead=True))
        return self.filter(
            Q(organisation__in=managed.values("organisation"))
            | Q(peer__user=user, peer__ended_on__isnull=True)
            | Q(professional__user=user, professional__ended_on__isnull=True)
        ).select_related("team__service", "peer__user", "professional__user")

    def open(self) -> TandemQuerySet:
        """Tandems that are not ended (the pair still counts as a pair)."""
        return self.exclude(state=Tandem.State.ENDED)

    def active(self) -> TandemQuerySet:
        return self.filter(state=Tandem.State.ACTIVE)


class Tandem(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        GETTING_TO_KNOW = "getting_to_know", _("getting to know each other")
        ACTIVE = "active", _("active")
        PAUSED = "paused", _("paused")
        ENDED = "ended", _("ended")

    class EndReason(models.TextChoices):
        DECLINED = "declined", _("not continued after getting to know each other")
        COMPLETED = "completed", _("completed")
        PERSON_LEFT = "person_left", _("a partner left")
        OTHER = "other", _("other")

    OPEN_STATES = (State.PROPOSED, State.GETTING_TO_KNOW, State.ACTIVE, State.PAUSED)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="tandems", verbose_name=_("organisation"))
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="tandems", verbose_name=_("team"))
    peer = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="tandems_as_peer", verbose_name=_("peer"))
    professional = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="tandems_as_professional", verbose_name=_("professional")
    )
    purpose = models.TextField(_("purpose"), max_length=2000, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PROPOSED)
    started_on = models.DateField(_("start"), default=timezone.localdate)
    ended_on = models.DateField(_("end"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=20, choices=EndReason.choices, blank=True)
    peer_confirmed_at = models.DateTimeField(null=True, blank=True)
    professional_confirmed_at = models.DateTimeField(null=True, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TandemQuerySet.as_manager()

    class Meta:
        verbose_name = _("tandem")
        verbose_name_plural = _("tandems")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Rule of practice 5: no second open tandem of the same pair.
            models.UniqueConstraint(
                fields=["peer", "professional"],
                condition=~Q(state="ended"),
                name="tandem_one_open_per_pair",
            ),
            models.CheckConstraint(condition=~Q(peer=models.F("professional")), name="tandem_two_different_people"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="tandem_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "team", "state"])]

    def __str__(self) -> str:
        return f"{self.peer.user.display_name} & {self.professional.user.display_name}"

    def get_absolute_url(self) -> str:
        return reverse("tandems:detail", args=[self.pk])
