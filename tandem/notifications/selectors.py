"""Reads of the outbox for operators: the backlog that /health/ and `manage.py outbox` report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Min, Q
from django.utils import timezone

from .models import Channel, Notification


def outbox_backlog(now: dt.datetime | None = None) -> dict[str, Any]:
    """E-mails not sent yet: due now, waiting (quiet hours, digest), held by a sender, given up."""
    now = now or timezone.now()
    unsent = Q(channel=Channel.EMAIL, sent_at__isnull=True)
    pending = unsent & Q(cancelled_at__isnull=True)
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    counts = Notification.objects.aggregate(
        due=Count("pk", filter=pending & Q(send_after__lte=now) & free),
        waiting=Count("pk", filter=pending & Q(send_after__gt=now)),
        leased=Count("pk", filter=pending & Q(lease_until__gte=now)),
        retrying=Count("pk", filter=pending & ~Q(last_error="")),
        given_up=Count("pk", filter=unsent & Q(gave_up_at__isnull=False)),
        oldest_due=Min("send_after", filter=pending & Q(send_after__lte=now)),
    )
    oldest = counts.pop("oldest_due")
    counts["oldest_due_seconds"] = int((now - oldest).total_seconds()) if oldest else None
    return counts
