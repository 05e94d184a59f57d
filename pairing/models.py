"""The tandem-pairing domain: one peer and one professional working together in a team."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
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
    # The one place that says which state may follow which. History is never lost: a declined
    # proposal is ended (reason "declined"), never deleted.
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        State.PROPOSED: frozenset({State.GETTING_TO_KNOW, State.ENDED}),
        State.GETTING_TO_KNOW: frozenset({State.ACTIVE, State.ENDED}),
        State.ACTIVE: frozenset({State.PAUSED, State.ENDED}),
        State.PAUSED: frozenset({State.ACTIVE, State.ENDED}),
        State.ENDED: frozenset(),
    }

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
    planned_end_on = models.DateField(_("planned end"), null=True, blank=True)
    activated_on = models.DateField(_("active since"), null=True, blank=True)
    paused_on = models.DateField(_("paused since"), null=True, blank=True)
    pause_reason = models.CharField(_("reason for the pause"), max_length=200, blank=True)
    # Rule of practice 3: the team lead's justification for pairing a peer in a service where a
    # placement conflict is declared. The lead never learns more than that one is declared.
    placement_justification = models.TextField(_("justification"), max_length=1000, blank=True)
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
            models.CheckConstraint(
                condition=Q(planned_end_on__isnull=True) | Q(planned_end_on__gt=models.F("started_on")),
                name="tandem_planned_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "team", "state"])]

    def __str__(self) -> str:
        return f"{self.peer.user.display_name} & {self.professional.user.display_name}"

    def get_absolute_url(self) -> str:
        return reverse("tandems:detail", args=[self.pk])

    # --- state machine ---------------------------------------------------------------------

    def can_become(self, state: str) -> bool:
        return state in self.TRANSITIONS[self.state]

    def transition_to(self, state: str) -> None:
        """Move to ``state`` or refuse with a translated message; the caller saves."""
        if not self.can_become(state):
            raise ValidationError(
                _("A tandem that is “%(current)s” cannot become “%(target)s”."),
                code="invalid_transition",
                params={"current": self.State(self.state).label, "target": self.State(state).label},
            )
        self.state = state

    @property
    def is_open(self) -> bool:
        return self.state != self.State.ENDED

    @property
    def awaits_confirmation(self) -> bool:
        return self.state in (self.State.PROPOSED, self.State.GETTING_TO_KNOW)

    def partner_side(self, membership: Membership | None) -> str | None:
        """"peer" or "professional" if ``membership`` is one of the two partners."""
        if membership is None:
            return None
        if membership.pk == self.peer_id:
            return "peer"
        if membership.pk == self.professional_id:
            return "professional"
        return None

    def confirmed_by(self, side: str) -> bool:
        return getattr(self, f"{side}_confirmed_at") is not None

    def partner_of(self, membership: Membership) -> Membership:
        return self.professional if membership.pk == self.peer_id else self.peer


class TandemPause(models.Model):
    """One pause of a tandem, kept after it ends: the history of a tandem is never lost."""

    tandem = models.ForeignKey(Tandem, on_delete=models.CASCADE, related_name="pauses", verbose_name=_("tandem"))
    started_on = models.DateField(_("paused from"))
    reason = models.CharField(_("reason for the pause"), max_length=200)
    ended_on = models.DateField(_("resumed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tandem"], condition=Q(ended_on__isnull=True), name="tandem_one_open_pause"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")), name="pause_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.started_on} – {self.ended_on or ''}"


class PairingSettings(models.Model):
    """Pairing settings of one organisation (rule of practice 4 and the reflection rhythm)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="pairing_settings", verbose_name=_("organisation")
    )
    max_active_per_peer = models.PositiveSmallIntegerField(
        _("active tandems per peer (at most)"), default=2, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    max_active_per_professional = models.PositiveSmallIntegerField(
        _("active tandems per professional (at most)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    reflection_every_weeks = models.PositiveSmallIntegerField(
        _("reflection every (weeks)"), default=6, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )

    class Meta:
        verbose_name = _("pairing settings")
        verbose_name_plural = _("pairing settings")

    def __str__(self) -> str:
        return str(self.organisation)

    @classmethod
    def for_organisation(cls, organisation: Organisation) -> PairingSettings:
        """The stored settings, or the defaults (unsaved) if the organisation never changed them."""
        return cls.objects.filter(organisation=organisation).first() or cls(organisation=organisation)


class ReflectionQuerySet(models.QuerySet["Reflection"]):
    def visible_to(self, user: User | AnonymousUser) -> ReflectionQuerySet:
        """Private to the author unless shared; then the partner reads it too. Nobody else."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(author__user=user)
            | Q(shared_at__isnull=False, tandem__peer__user=user) & ~Q(author__user=user)
            | Q(shared_at__isnull=False, tandem__professional__user=user) & ~Q(author__user=user)
        ).select_related("author__user", "tandem")


class Reflection(models.Model):
    """A partner's short reflection on the collaboration (every N weeks)."""

    tandem = models.ForeignKey(Tandem, on_delete=models.CASCADE, related_name="reflections", verbose_name=_("tandem"))
    author = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("author"))
    how_it_goes = models.TextField(_("How is our collaboration going?"), max_length=3000)
    what_helps = models.TextField(_("What helps us?"), max_length=3000, blank=True)
    what_irritates = models.TextField(_("What irritates me?"), max_length=3000, blank=True)
    shared_at = models.DateTimeField(_("shared with my partner"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ReflectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tandem", "author", "created_at"])]

    def __str__(self) -> str:
        return str(_("Reflection of %(date)s") % {"date": self.created_at.date()})


CLIENT_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,15}$")
SUPPORT_MONTHS = 12
TRANSITION_REMINDER_WEEKS = 8


def validate_client_code(value: str) -> None:
    """A pseudonymous code (letters, digits, hyphens): never a name, never a diagnosis."""
    if not CLIENT_CODE.match(value or ""):
        raise ValidationError(
            _("Please use a pseudonymous code of 3 to 16 capital letters, digits or hyphens (e.g. K-0417), never a name."),
            code="client_code",
        )


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


class SupportProcessQuerySet(models.QuerySet["SupportProcess"]):
    def visible_to(self, user: User | AnonymousUser) -> SupportProcessQuerySet:
        return self.filter(tandem__in=Tandem.objects.visible_to(user)).select_related("tandem__team")

    def running(self) -> SupportProcessQuerySet:
        return self.filter(ended_on__isnull=True)

    def nearing_end(self, today: dt.date | None = None) -> SupportProcessQuerySet:
        today = today or timezone.localdate()
        return self.running().filter(planned_end_on__lte=today + dt.timedelta(weeks=TRANSITION_REMINDER_WEEKS))


class SupportProcess(models.Model):
    """Support of one client by a tandem, following the twelve-month volunteer model."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    tandem = models.ForeignKey(
        Tandem, on_delete=models.PROTECT, related_name="support_processes", verbose_name=_("tandem")
    )
    client_code = models.CharField(
        _("client code"),
        max_length=16,
        validators=[validate_client_code],
        help_text=_("A pseudonymous code, e.g. K-0417. No names, no diagnoses."),
    )
    started_on = models.DateField(_("start"), default=timezone.localdate)
    planned_end_on = models.DateField(_("planned end"))
    goals = models.TextField(
        _("agreed goals"), max_length=2000, blank=True, help_text=_("In the client's words; no diagnoses.")
    )
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    transition_reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SupportProcessQuerySet.as_manager()

    class Meta:
        verbose_name = _("support process")
        verbose_name_plural = _("support processes")
        ordering = ["planned_end_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "client_code"],
                condition=Q(ended_on__isnull=True),
                name="support_one_running_per_client_code",
            ),
            models.CheckConstraint(
                condition=Q(planned_end_on__gt=models.F("started_on")), name="support_planned_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.client_code

    def get_absolute_url(self) -> str:
        return reverse("tandems:support_detail", args=[self.pk])

    @property
    def transition_reminder_on(self) -> dt.date:
        return self.planned_end_on - dt.timedelta(weeks=TRANSITION_REMINDER_WEEKS)

    @property
    def is_nearing_end(self) -> bool:
        return self.ended_on is None and timezone.localdate() >= self.transition_reminder_on


class ThreeWayMeeting(models.Model):
    """A meeting of client, peer and professional; only its date is kept, never its content."""

    support_process = models.ForeignKey(
        SupportProcess, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("support process")
    )
    held_on = models.DateField(_("date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("three-way meeting")
        verbose_name_plural = _("three-way meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return str(self.held_on)
