"""The outbox's personal data, and how an erasure scrubs the person's name from others' notifications."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from tandem import privacy
from tandem.privacy import WHILE_MEMBER


def _scrub(user: Any, identity: dict[str, Any]) -> None:
    """Copies of the name or address in other people's notifications."""
    from .models import Notification

    for needle in (n for n in (identity["email"], identity["name"]) if n):
        rows = Notification.objects.annotate(text=Cast("context", TextField())).filter(text__icontains=needle)
        for notification in rows:
            notification.context = json.loads(
                json.dumps(notification.context).replace(json.dumps(needle)[1:-1], identity["pseudonym"])
            )
            notification.save(update_fields=["context"])


def register() -> None:
    privacy.register_erasure_step(_scrub, order=20)
    privacy.register(
        "notifications.Notification",
        purpose=_("Telling the person what needs their attention"),
        retention=WHILE_MEMBER,
        subject=("recipient",),
        fields=("id", "kind", "channel", "url", "created_at", "sent_at", "read_at"),
    )
    privacy.register(
        "notifications.NotificationPreference",
        purpose=_("The person's notification choices"),
        retention=WHILE_MEMBER,
        subject=("user",),
    )
    privacy.register(
        "notifications.DeliverySettings", purpose=_("Quiet hours and digest time"), retention=WHILE_MEMBER, subject=("user",)
    )
