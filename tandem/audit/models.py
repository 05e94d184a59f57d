"""Append-only audit trail: who did what to which object, and who read confidential content.

Rows never hold the confidential text itself, only ids, the action and field names. The ORM refuses
to change or delete a row (below), and so does the database itself: a trigger (migration 0002)
refuses UPDATE and DELETE on the table, so neither raw SQL nor a cascade can rewrite history.
On SQLite a migration that rebuilds the table drops its triggers: such a migration must create
them again (tests/audit/test_append_only.py checks a freshly migrated SQLite database).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


# action -> translated label; each app registers its actions in AppConfig.ready().
ACTION_LABELS: dict[str, Any] = {}


def register_actions(labels: dict[str, Any], *, private: bool = False) -> None:
    """Labels of an app's actions. ``private`` ones are shown to nobody but the person they are
    about (a professional's disclosure choices): the rows exist, but no timeline lists them."""
    ACTION_LABELS.update(labels)
    if private:
        PRIVATE_ACTIONS.update(labels)


# Actions recorded in the trail but never listed in a timeline or the operator's list.
PRIVATE_ACTIONS: set[str] = set()


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("Audit events cannot be deleted.")

    def shown_to_others(self) -> AuditEventQuerySet:
        return self.exclude(action__in=PRIVATE_ACTIONS)

    def for_object(self, obj: models.Model) -> AuditEventQuerySet:
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=str(obj.pk),
        )


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        OK = "ok", _("done")
        REFUSED = "refused", _("refused")

    # The trail outlives the organisation: deleting one leaves its events (and their organisation
    # id) in place. No database constraint, and DO_NOTHING rather than SET_NULL, because the
    # append-only trigger (migration 0002) refuses the UPDATE that SET_NULL would issue.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    # PROTECT: people are pseudonymised on erasure, never deleted, so the trail keeps its actor.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=80)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OK)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # Non-confidential facts only: field names, states, ids.
    detail = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be deleted.")

    @property
    def label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))
