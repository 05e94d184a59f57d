"""Mentoring: mentor assignments and the confidential irritation log."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
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
        """Accepted by the peer and the mentor, and not ended: the only assignments that route anything."""
        return self.filter(state=MentorAssignment.State.ACCEPTED, ended_on__isnull=True)

    def accepted(self) -> MentorAssignmentQuerySet:
        """Mentorings that took place or take place (history, reports); never a mere proposal."""
        return self.filter(state=MentorAssignment.State.ACCEPTED)

    def proposed(self) -> MentorAssignmentQuerySet:
        """Proposals still waiting for the peer's and the mentor's agreement."""
        return self.filter(state=MentorAssignment.State.PROPOSED)

    def that_count(self) -> MentorAssignmentQuerySet:
        """Rule of practice 1, the one notion of "the peer has a mentor": a current assignment whose
        mentor is an active member still holding the mentor role, and whose peer is an active peer."""
        return self.current().filter(
            mentor__ended_on__isnull=True, mentor__is_mentor=True, peer__ended_on__isnull=True, peer__is_peer=True
        )


class MentorAssignment(models.Model):
    """A mentoring, from its proposal on. Mentoring is by consent: a proposal becomes current only when
    the peer has accepted it and the mentor has agreed; until then nothing of hers reaches the mentor."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("agreed")
        DECLINED = "declined", _("not agreed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="mentor_assignments")
    peer = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="mentor_assignments", verbose_name=_("peer"))
    mentor = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="mentees", verbose_name=_("mentor"))
    started_on = models.DateField(_("start"), default=timezone.localdate)
    ended_on = models.DateField(_("end"), null=True, blank=True)
    check_in_every_weeks = models.PositiveSmallIntegerField(_("check-in every (weeks)"), default=4)
    # Who proposed it: a team lead, an org admin, or the peer herself.
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    # A new row is a proposal: nothing becomes current without both agreements.
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PROPOSED)
    peer_accepted_at = models.DateTimeField(null=True, blank=True)
    mentor_accepted_at = models.DateTimeField(null=True, blank=True)
    # When a proposal was declined or replaced by another one.
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MentorAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentor assignment")
        verbose_name_plural = _("mentor assignments")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["peer"], condition=Q(ended_on__isnull=True, state="accepted"), name="mentor_one_active_per_peer"
            ),
            models.UniqueConstraint(fields=["peer"], condition=Q(state="proposed"), name="mentor_one_proposal_per_peer"),
            models.CheckConstraint(condition=~Q(peer=models.F("mentor")), name="mentor_not_own_peer"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor.user.display_name} → {self.peer.user.display_name}"

    @property
    def is_active(self) -> bool:
        """Current: agreed by both and not ended."""
        return self.state == self.State.ACCEPTED and self.ended_on is None

    @property
    def is_proposed(self) -> bool:
        return self.state == self.State.PROPOSED

    def side_of(self, membership: Membership | None) -> str | None:
        """"peer" or "mentor" if ``membership`` is one of the two people of this mentoring."""
        if membership is None:
            return None
        if membership.pk == self.peer_id:
            return "peer"
        if membership.pk == self.mentor_id:
            return "mentor"
        return None

    def accepted_by(self, side: str) -> bool:
        return getattr(self, f"{side}_accepted_at") is not None

    def next_check_in_on(self, last_held_on: dt.date | None = None) -> dt.date:
        """The day the next check-in is due: every ``check_in_every_weeks`` after the last one (or the start)."""
        return (last_held_on or self.started_on) + dt.timedelta(weeks=self.check_in_every_weeks)


class MentorRequestQuerySet(models.QuerySet["MentorRequest"]):
    def visible_to(self, user: User | AnonymousUser) -> MentorRequestQuerySet:
        """The peer herself: her request and her reason are hers. Team leads learn *that* she asks
        only through ``selectors.peers_with_mentors`` and ``open_request``, which never read the reason."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(peer__user=user, peer__ended_on__isnull=True)


class MentorRequest(models.Model):
    """A peer asks for a (different) mentor. The team lead sees that she asks, never her reason."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="mentor_requests")
    peer = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="mentor_requests", verbose_name=_("peer"))
    # Hers alone: shown to nobody else, in no list, no e-mail, no export but hers.
    reason = models.TextField(_("my reason (only you can read it)"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = MentorRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("request for a mentor")
        verbose_name_plural = _("requests for a mentor")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["peer"], condition=Q(closed_at__isnull=True), name="mentor_one_open_request_per_peer"),
        ]

    def __str__(self) -> str:
        # Never the reason.
        return f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class MentoringSettings(models.Model):
    """An organisation's rules for irritations and escalation (one row per organisation)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="mentoring_settings", verbose_name=_("organisation")
    )
    clarify_within_days = models.PositiveSmallIntegerField(
        _("clarify within (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    urgent_clarify_within_days = models.PositiveSmallIntegerField(
        _("urgent: clarify within (days)"), default=2, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    acknowledge_within_days = models.PositiveSmallIntegerField(
        _("mentor acknowledges within (days)"), default=2, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    backup_after_days = models.PositiveSmallIntegerField(
        _("tell the backup person after (days without acknowledgement)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    backup = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("backup person (deputy mentor or team lead)"),
    )
    resolve_requires_peer_confirmation = models.BooleanField(
        _("a mentor may not resolve an irritation without the peer's confirmation"), default=True
    )
    retention_months = models.PositiveSmallIntegerField(
        _("delete resolved and withdrawn irritations after (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    # A conflict that seemed clarified can come back; the peer may reopen it for a while.
    reopen_within_days = models.PositiveSmallIntegerField(
        _("a peer may reopen a resolved irritation within (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )

    class Meta:
        verbose_name = _("mentoring settings")
        verbose_name_plural = _("mentoring settings")

    def __str__(self) -> str:
        return str(self.organisation)

    @classmethod
    def for_organisation(cls, organisation: Organisation | int) -> MentoringSettings:
        org_id = organisation if isinstance(organisation, int) else organisation.pk
        found = cls.objects.filter(organisation_id=org_id).first()
        return found or cls(organisation_id=org_id)


class CheckIn(models.Model):
    """A mentor talk that took place. The note is the mentor's own and nobody else reads it."""

    assignment = models.ForeignKey(MentorAssignment, on_delete=models.CASCADE, related_name="check_ins")
    held_on = models.DateField(_("date of the talk"))
    note = models.TextField(_("private note"), max_length=4000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.held_on}"


class IrritationQuerySet(models.QuerySet["Irritation"]):
    def visible_to(self, user: User | AnonymousUser) -> IrritationQuerySet:
        """THE confidentiality rule, the only place it is written down.

        The peer who raised it; her current mentor once she addressed it to the mentor or it
        escalated (and only while that mentor holds it: a handover needs her consent); the one
        team lead she shared it with, until she revokes that. Nobody else, whatever their role.
        ``selectors.audience`` states the same in Python for the page's sentence; a test keeps both equal.
        """
        if not user.is_authenticated:
            return self.none()
        # The mentoring that counts now (rule of practice 1): it ends for the mentor the moment she
        # leaves, stops being a peer, or he loses the mentor role, not only when a sweep ends it.
        counting_assignment = MentorAssignment.objects.that_count().filter(peer=OuterRef("peer"), mentor=OuterRef("mentor"))
        return self.filter(
            Q(peer__user=user, peer__ended_on__isnull=True)
            | Q(
                Exists(counting_assignment),
                mentor__user=user,
                shared_with_mentor_at__isnull=False,
                handover_pending=False,
            )
            # A share is hers to revoke: it ends when she leaves (nobody is left to revoke it).
            | Q(
                shared_with_lead__user=user,
                shared_with_lead__ended_on__isnull=True,
                shared_with_lead__is_team_lead=True,
                peer__ended_on__isnull=True,
            )
        ).select_related("peer__user", "mentor__user", "organisation")

    def open(self) -> IrritationQuerySet:
        return self.filter(state__in=Irritation.OPEN_STATES)

    def with_mentor(self) -> IrritationQuerySet:
        """Irritations addressed or escalated to a mentor (the only ones counted anywhere)."""
        return self.filter(shared_with_mentor_at__isnull=False)


class Irritation(models.Model):
    class Category(models.TextChoices):
        TREATED_AS_CLIENT = "treated_as_client", _("being treated as a client")
        HEALTH_QUESTIONS = "health_questions", _("worried questions about my health")
        ROLE_UNCLEAR = "role_unclear", _("role unclear")
        NOT_HEARD = "not_heard", _("not heard")
        LOYALTY_CONFLICT = "loyalty_conflict", _("confidentiality or loyalty conflict")
        WORKLOAD = "workload", _("workload")
        EXCLUSION = "exclusion", _("exclusion")
        COMPETITION = "competition", _("competition")
        OTHER = "other", _("other")

    class StartMode(models.TextChoices):
        MENTOR_NOW = "mentor_now", _("I want my mentor's help now")
        SELF_FIRST = "self_first", _("I will try to clarify it myself first")

    class State(models.TextChoices):
        OPEN = "open", _("open")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        IN_CLARIFICATION = "in_clarification", _("in clarification")
        RESOLVED = "resolved", _("resolved")
        WITHDRAWN = "withdrawn", _("withdrawn")

    OPEN_STATES = (State.OPEN, State.ACKNOWLEDGED, State.IN_CLARIFICATION)
    CLOSED_STATES = (State.RESOLVED, State.WITHDRAWN)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="irritations")
    peer = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="irritations", verbose_name=_("peer"))
    title = models.CharField(_("in a few words"), max_length=120)
    what_happened = models.TextField(_("what happened"), max_length=4000)
    happened_on = models.DateField(_("when it happened"))
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    tandem = models.ForeignKey(
        "tandem.Tandem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("tandem involved")
    )
    colleague = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("colleague involved")
    )
    wish = models.TextField(_("what I wish for"), max_length=2000, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    clarify_by = models.DateField(_("clarify by"))
    start_mode = models.CharField(_("how to start"), max_length=20, choices=StartMode.choices)
    backup_may_name_me = models.BooleanField(
        _("if my mentor does not answer in time, the backup person may learn my name"), default=False
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.OPEN)
    # The mentor who holds it now; None while it is with the peer only.
    mentor = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="held_irritations")
    shared_with_mentor_at = models.DateTimeField(null=True, blank=True)
    mentor_since = models.DateTimeField(null=True, blank=True)
    # Set when the mentor who held it left the peer: it moves on only with her consent.
    handover_pending = models.BooleanField(default=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    resolution_proposal = models.TextField(_("proposed resolution"), max_length=2000, blank=True)
    resolution_proposed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    shared_with_lead = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("shared with team lead")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IrritationQuerySet.as_manager()

    class Meta:
        verbose_name = _("irritation")
        verbose_name_plural = _("irritations")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "clarify_by"]),
            models.Index(fields=["peer", "state"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(mentor=models.F("peer")), name="irritation_mentor_not_peer"),
        ]

    def __str__(self) -> str:
        # Never the title: __str__ ends up in logs, admin and error pages.
        return f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("mentoring:irritation_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def is_with_mentor(self) -> bool:
        return self.shared_with_mentor_at is not None

    @property
    def is_escalated(self) -> bool:
        return self.escalated_at is not None and self.is_open

    @property
    def waits_for_mentor(self) -> bool:
        return self.is_open and self.is_with_mentor and (self.mentor_id is None or self.handover_pending)


class IrritationMessageQuerySet(models.QuerySet["IrritationMessage"]):
    def readable_by(self, irritation: Irritation, user: User | AnonymousUser) -> IrritationMessageQuerySet:
        """The messages of ``irritation`` that ``user`` may read, who may read the irritation itself.

        The peer reads all of them; anyone else never her notes for herself (``private``).
        """
        messages = self.filter(irritation=irritation)
        if user.is_authenticated and irritation.peer.user_id == user.pk:
            return messages
        return messages.filter(private=False)


class IrritationMessage(models.Model):
    """One entry in the conversation between the peer and her mentor, or a note for herself."""

    irritation = models.ForeignKey(Irritation, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"), max_length=4000)
    # A note the peer wrote while she clarified it herself stays hers unless she chose to share it
    # when she asked her mentor for help.
    private = models.BooleanField(_("note for myself"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = IrritationMessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"#{self.irritation_id}/{self.pk}"


class EscalationStep(models.Model):
    """One escalation step that happened. The unique constraint makes every step happen exactly once."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("peer told the day before")
        ESCALATED = "escalated", _("escalated to the mentor")
        ACK_REMINDER = "ack_reminder", _("mentor reminded to acknowledge")
        WAITING = "waiting", _("waiting for a mentor")
        BACKUP = "backup", _("backup person told")

    irritation = models.ForeignKey(Irritation, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The clarify-by date for the notice (a moved date earns a new notice); empty for once-only steps.
    key = models.CharField(max_length=20, blank=True, default="")
    mentor = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    happened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["happened_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["irritation", "kind", "key"], name="escalation_step_once"),
        ]

    def __str__(self) -> str:
        return f"#{self.irritation_id} {self.kind}"
