"""The outbox sender: claim due e-mail rows with a lease, send, mark sent.

A claim is a short transaction that stamps the rows with a lease and this sender's token
(``select_for_update(skip_locked=True)`` on PostgreSQL, and a conditional UPDATE everywhere), so two
senders never hold the same row. A row is marked sent only by the sender whose token is still on it,
and only after the e-mail went out; a row whose sender died keeps its lease until it expires and is
then claimed again. Delivery is therefore at-least-once with a window of one lease: a sender that
was killed between the SMTP hand-off and the UPDATE would be repeated, nothing else is.

Digest rows are claimed per recipient, all at once, under a lock on the recipient: N pending items
become exactly one e-mail even with several senders running.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
import zoneinfo
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template import Context, engines
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import kinds
from .models import Delivery, Notification

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=5)
BATCH_SIZE = 200
# After this many failed attempts (about an hour at one lease each) a row is given up and shows
# as failed in the backlog report instead of being retried for ever.
MAX_ATTEMPTS = 12


def _free(now: dt.datetime) -> Q:
    return Q(sent_at__isnull=True, cancelled_at__isnull=True) & (Q(lease_until__isnull=True) | Q(lease_until__lt=now))


def _stamp(ids: list[int], now: dt.datetime, lease: dt.timedelta, token: uuid.UUID) -> None:
    # Conditional: the row must still be free when we write our token (SQLite has no row locks).
    Notification.objects.filter(_free(now), id__in=ids).update(
        lease_until=now + lease, claim_token=token, attempts=F("attempts") + 1
    )


def _claimed(token: uuid.UUID) -> list[Notification]:
    return list(Notification.objects.filter(claim_token=token, sent_at__isnull=True).select_related("recipient"))


def claim_due(*, now: dt.datetime | None = None, limit: int = BATCH_SIZE, lease: dt.timedelta = LEASE) -> list[Notification]:
    """Claim up to ``limit`` due immediate e-mails for this sender."""
    now = now or timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        ids = list(
            Notification.objects.email_due(now)
            .exclude(delivery=Delivery.DIGEST)
            .order_by("send_after", "id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return []
        _stamp(ids, now, lease, token)
    return _claimed(token)


def claim_digests(
    *, now: dt.datetime | None = None, recipients: int = 50, lease: dt.timedelta = LEASE
) -> list[Notification]:
    """Claim every due digest row of up to ``recipients`` recipients, whole per recipient."""
    now = now or timezone.now()
    token = uuid.uuid4()
    due = Notification.objects.email_due(now).filter(delivery=Delivery.DIGEST)
    with transaction.atomic():
        candidates = list(due.order_by("recipient_id").values_list("recipient_id", flat=True).distinct()[:recipients])
        if not candidates:
            return []
        # The recipient's row is the lock for their digest: whoever holds it claims all of the
        # recipient's due items, so two senders never split one digest into two e-mails.
        locked = list(
            get_user_model()
            .objects.filter(pk__in=candidates)
            .order_by("pk")
            .select_for_update(skip_locked=True, no_key=True)
            .values_list("pk", flat=True)
        )
        if not locked:
            return []
        ids = list(due.filter(recipient_id__in=locked).values_list("id", flat=True))
        _stamp(ids, now, lease, token)
    return _claimed(token)


def _absolute(url: str) -> str:
    if not url or url.startswith("http"):
        return url
    return settings.TANDEM_BASE_URL.rstrip("/") + url


def _zone(recipient: Any) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(getattr(recipient, "time_zone", "") or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _render_text(name: str, context: dict[str, Any]) -> str:
    # Plain text is not HTML: no autoescaping, or "Müller & Partner" arrives as "&amp;".
    template = engines["django"].get_template(name)
    return template.template.render(Context(context, autoescape=False))  # type: ignore[attr-defined]


def _language(recipient: Any, fallback: str = "") -> str:
    language = getattr(recipient, "preferred_language", None) or fallback or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def render_email(
    recipient: Any, template_base: str, context: dict[str, Any], *, address: str = "", language: str = ""
) -> EmailMultiAlternatives:
    """One e-mail in the recipient's language and time zone, plain text with an HTML alternative.

    Without a recipient (``None``) it goes to ``address``, in ``language`` and the site's time zone.
    """
    language = _language(recipient, language)
    with translation.override(language), timezone.override(_zone(recipient)):
        full = {
            **context,
            "recipient": recipient,
            "LANGUAGE_CODE": language,
            # Only people with an account have notification settings to point to.
            "preferences_url": _absolute(_preferences_path()) if recipient is not None else "",
        }
        lines = _render_text(f"{template_base}/subject.txt", full).strip().splitlines()
        subject = lines[0] if lines else "Tandem"
        text = _render_text(f"{template_base}/body.txt", full)
        html = render_to_string(f"{template_base}/body.html", full)
    to = recipient.email if recipient is not None else address
    message = EmailMultiAlternatives(
        subject=f"[Tandem] {subject}", body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    message.attach_alternative(html, "text/html")
    return message


def _preferences_path() -> str:
    from django.urls import reverse

    return reverse("notifications:preferences")


def build_message(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail of one row; raises ``kinds.Obsolete`` when its kind says it no longer applies."""
    context = {**notification.context, "notification": notification, "url": notification.url}
    kind = kinds.KINDS.get(notification.kind)
    if kind is not None and kind.context is not None:
        context |= kind.context(notification)
    context["url"] = _absolute(context["url"])
    return render_email(
        notification.recipient,
        f"notifications/{notification.kind}",
        context,
        address=notification.address,
        language=notification.language,
    )


def build_digest(recipient: Any, items: list[Notification]) -> EmailMultiAlternatives:
    # Labels stay lazy here and are rendered inside the recipient's language.
    entries = [
        {"notification": n, "label": n.kind_label, "url": _absolute(n.url), "created_at": n.created_at}
        for n in sorted(items, key=lambda n: (n.created_at, n.pk))
    ]
    return render_email(recipient, "notifications/digest", {"entries": entries, "count": len(items)})


def _mark_sent(rows: list[Notification], now: dt.datetime) -> int:
    # Conditional on our token: a sender that lost its lease must not mark another's work.
    return Notification.objects.filter(
        pk__in=[row.pk for row in rows], claim_token=rows[0].claim_token, sent_at__isnull=True
    ).update(sent_at=now, lease_until=None, last_error="")


def _failed(rows: list[Notification], exc: Exception) -> None:
    error = type(exc).__name__[:300]
    logger.warning("Sending notifications %s failed: %s", [row.pk for row in rows], error)
    ids = [row.pk for row in rows]
    token = rows[0].claim_token
    # The lease stays on the row, so the next attempt comes after it expires (a simple back-off).
    Notification.objects.filter(pk__in=ids, claim_token=token, attempts__lt=MAX_ATTEMPTS).update(last_error=error)
    Notification.objects.filter(pk__in=ids, claim_token=token, attempts__gte=MAX_ATTEMPTS).update(
        last_error=f"gave up: {error}"[:300], cancelled_at=timezone.now(), lease_until=None
    )


def _still_ours(rows: list[Notification]) -> bool:
    # A sender that stalled past its lease leaves the rows to whoever claims them next.
    return all(row.lease_until is not None and timezone.now() < row.lease_until for row in rows)


def _cancel(rows: list[Notification], reason: str) -> None:
    Notification.objects.filter(pk__in=[row.pk for row in rows], claim_token=rows[0].claim_token).update(
        cancelled_at=timezone.now(), lease_until=None, last_error=reason
    )


def _deliverable(rows: list[Notification]) -> bool:
    row = rows[0]
    if row.recipient is None:
        if row.address:
            return True
        _cancel(rows, "no address")
        return False
    if row.recipient.is_active and row.recipient.email:
        return True
    _cancel(rows, "recipient inactive or without e-mail")
    return False


def _send(rows: list[Notification], build: Any) -> int:
    if not _still_ours(rows) or not _deliverable(rows):
        return 0
    try:
        build().send()
    except kinds.Obsolete as why:
        _cancel(rows, f"no longer applies: {why}"[:300])
        return 0
    except Exception as exc:  # noqa: BLE001 - the lease lets a later sweep retry
        _failed(rows, exc)
        return 0
    return _mark_sent(rows, timezone.now())


def send_claimed(rows: list[Notification], *, now: dt.datetime | None = None) -> int:
    """Send claimed rows: one e-mail per immediate row, one digest per recipient."""
    sent = 0
    digests: dict[int, list[Notification]] = defaultdict(list)
    for row in rows:
        if row.delivery == Delivery.DIGEST and row.recipient_id is not None:  # addresses get no digest
            digests[row.recipient_id].append(row)
        else:
            sent += _send([row], lambda row=row: build_message(row))
    for items in digests.values():
        sent += _send(items, lambda items=items: build_digest(items[0].recipient, items))
    return sent


def send_due(*, now: dt.datetime | None = None, limit: int = BATCH_SIZE) -> int:
    """Claim and send due e-mails and digests until none are left; returns the number of rows sent."""
    total = 0
    while rows := claim_due(now=now, limit=limit):
        total += send_claimed(rows, now=now)
    while rows := claim_digests(now=now):
        total += send_claimed(rows, now=now)
    return total
