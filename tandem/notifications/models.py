"""Notifications as a transactional outbox.

A notification row is written in the same transaction as the change that causes it, with a
unique dedupe key, so an event can never produce two. Senders claim due rows with a lease and
mark them sent after sending; a row whose sender died is claimed again once its lease expires.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    IN_APP = "in_app", _("In Tandem")


class Delivery(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately by e-mail")
    DIGEST = "digest", _("In a daily e-mail digest")
    IN_APP_ONLY = "in_app_only", _("Only in Tandem, no e-mail")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def visible_to(self, user: Any) -> NotificationQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def in_app(self) -> NotificationQuerySet:
        return self.filter(channel=Channel.IN_APP)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def email_due(self, now: dt.datetime) -> NotificationQuerySet:
        return self.filter(
            channel=Channel.EMAIL,
            sent_at__isnull=True,
            cancelled_at__isnull=True,
            send_after__lte=now,
        ).filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))


class Notification(models.Model):
    # A person with an account, or (for e-mails to people who have none yet, such as invitations)
    # an e-mail address: exactly one of the two (see the constraint below).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    address = models.EmailField(_("e-mail address"), blank=True)
    # The language of an e-mail to an address (a recipient's own preference decides otherwise).
    language = models.CharField(_("language"), max_length=10, blank=True)
    organisation = models.ForeignKey(
        settings.TANDEM_ORGANISATION_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=80)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.IMMEDIATELY)
    dedupe_key = models.CharField(max_length=255, unique=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    url = models.CharField(max_length=300, blank=True)
    # Template parameters; never confidential text (the e-mail says *that*, the app shows *what*).
    context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    send_after = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    # Who holds the lease: a sender marks a row sent only while its own token is on it, so a
    # sender whose lease expired (and was taken over) cannot mark another's work.
    claim_token = models.UUIDField(null=True, blank=True, db_index=True)
    # Real send failures only (a claim is not an attempt): the back-off grows with them.
    attempts = models.PositiveSmallIntegerField(default=0)
    # Replies lost after the whole message was handed over: it may have been delivered, so these
    # retry more slowly and only a few times.
    unknown_outcomes = models.PositiveSmallIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    # Given up after the retry budget or a permanent refusal; cancelled_at is set too, so nothing
    # sends it, and last_error says why. The admin's retry action clears both.
    gave_up_at = models.DateTimeField(_("given up at"), null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sender's sweep reads only unsent e-mail rows: a partial index keeps it
            # proportional to the backlog, not to the table.
            models.Index(
                fields=["send_after"],
                condition=Q(channel="email", sent_at__isnull=True, cancelled_at__isnull=True),
                name="notification_email_due_idx",
            ),
            models.Index(fields=["recipient", "channel", "read_at"], name="notification_inbox_idx"),
            models.Index(fields=["gave_up_at"], condition=Q(gave_up_at__isnull=False), name="notification_gave_up_idx"),
        ]
        constraints = [
            # An address has no inbox in the app: address rows are e-mails only.
            models.CheckConstraint(
                condition=(Q(recipient__isnull=False) & Q(address=""))
                | (Q(recipient__isnull=True) & ~Q(address="") & Q(channel="email")),
                name="notification_recipient_or_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id or 'address'} ({self.channel})"

    @property
    def kind_label(self) -> Any:
        """The kind's label, still lazy: rendered in whichever language is active."""
        from . import kinds

        kind = kinds.KINDS.get(self.kind)
        return kind.label if kind else self.kind

    @property
    def label(self) -> str:
        return str(self.kind_label)


class NotificationPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=80)
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery.choices, default=Delivery.IMMEDIATELY)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.delivery}"


class DeliverySettings(models.Model):
    """Quiet hours (in the user's own time zone) and the hour of the daily digest."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delivery_settings")
    quiet_from = models.TimeField(_("quiet hours from"), default=dt.time(20, 0))
    quiet_until = models.TimeField(_("quiet hours until"), default=dt.time(7, 0))
    digest_at = models.TimeField(_("daily digest at"), default=dt.time(7, 30))

    class Meta:
        verbose_name = _("delivery settings")
        verbose_name_plural = _("delivery settings")

    def __str__(self) -> str:
        return f"{self.quiet_from}–{self.quiet_until}"


class SweepRun(models.Model):
    """When each periodic sweep last completed; /health/ reads it."""

    name = models.CharField(max_length=80, unique=True)
    interval_seconds = models.PositiveIntegerField()
    # A sweep that has never completed counts as stale only two intervals after it was scheduled.
    created_at = models.DateTimeField(default=timezone.now)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_completed_at = models.DateTimeField(null=True, blank=True)
    last_processed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("sweep")
        verbose_name_plural = _("sweeps")

    def __str__(self) -> str:
        return self.name
