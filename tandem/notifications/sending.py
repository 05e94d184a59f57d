"""The outbox sender: claim due e-mail rows with a lease, send, mark sent.

A claim is a short transaction (``select_for_update(skip_locked=True)`` on PostgreSQL), so two
senders never hold the same row; the lease makes a row whose sender died claimable again. A row
is marked sent only by the sender whose lease it still holds.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Delivery, Notification

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=5)
BATCH_SIZE = 200


def claim_due(*, now: dt.datetime | None = None, limit: int = BATCH_SIZE, lease: dt.timedelta = LEASE) -> list[Notification]:
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.email_due(now)
            .order_by("send_after", "id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return []
        lease_until = now + lease
        Notification.objects.filter(id__in=ids).update(lease_until=lease_until, attempts=F("attempts") + 1)
    return list(Notification.objects.filter(id__in=ids, lease_until=lease_until).select_related("recipient"))




def _absolute(url: str) -> str:
    if not url or url.startswith("http"):
        return url
    return settings.TANDEM_BASE_URL.rstrip("/") + url


def _render(template_base: str, context: dict[str, Any], language: str) -> tuple[str, str, str]:
    with translation.override(language):
        subject = render_to_string(f"{template_base}/subject.txt", context).strip().splitlines()[0]
        text = render_to_string(f"{template_base}/body.txt", context)
        html = render_to_string(f"{template_base}/body.html", context)
    return subject, text, html


def _message(recipient: Any, template_base: str, context: dict[str, Any]) -> EmailMultiAlternatives:
    language = getattr(recipient, "preferred_language", None) or settings.LANGUAGE_CODE
    subject, text, html = _render(template_base, {**context, "recipient": recipient}, language)
    message = EmailMultiAlternatives(
        subject=f"[Tandem] {subject}", body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[recipient.email]
    )
    message.attach_alternative(html, "text/html")
    return message


def build_message(notification: Notification) -> EmailMultiAlternatives:
    context = {**notification.context, "notification": notification, "url": _absolute(notification.url)}
    return _message(notification.recipient, f"notifications/{notification.kind}", context)


def build_digest(recipient: Any, items: list[Notification]) -> EmailMultiAlternatives:
    entries = [{"notification": n, "label": n.label, "url": _absolute(n.url)} for n in items]
    return _message(recipient, "notifications/digest", {"entries": entries, "count": len(items)})


def _mark_sent(rows: list[Notification], now: dt.datetime) -> int:
    # Conditional on our lease: a sender that lost its lease must not mark another's work.
    done = 0
    for row in rows:
        done += Notification.objects.filter(pk=row.pk, lease_until=row.lease_until, sent_at__isnull=True).update(
            sent_at=now, lease_until=None, last_error=""
        )
    return done


def send_claimed(rows: list[Notification], *, now: dt.datetime | None = None) -> int:
    """Send claimed rows: one e-mail per immediate row, one digest per recipient."""
    now = now or timezone.now()
    sent = 0
    digests: dict[int, list[Notification]] = defaultdict(list)
    for row in rows:
        if row.delivery == Delivery.DIGEST:
            digests[row.recipient_id].append(row)
            continue
        try:
            build_message(row).send()
        except Exception as exc:  # noqa: BLE001 - the lease lets the next sweep retry
            logger.warning("Sending notification %s failed: %s", row.pk, type(exc).__name__)
            Notification.objects.filter(pk=row.pk).update(last_error=type(exc).__name__[:300])
            continue
        sent += _mark_sent([row], timezone.now())
    for items in digests.values():
        try:
            build_digest(items[0].recipient, items).send()
        except Exception as exc:  # noqa: BLE001
            logger.warning("Sending a digest failed: %s", type(exc).__name__)
            continue
        sent += _mark_sent(items, timezone.now())
    return sent


def send_due(*, now: dt.datetime | None = None, limit: int = BATCH_SIZE) -> int:
    """Claim and send due e-mails until none are left; returns the number of rows sent."""
    total = 0
    while True:
        rows = claim_due(now=now, limit=limit)
        if not rows:
            return total
        total += send_claimed(rows, now=now)
        if len(rows) < limit:
            return total
