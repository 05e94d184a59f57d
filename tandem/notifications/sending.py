"""The outbox sender: claim due e-mail rows with a lease, send each under its own renewed lease.

A claim is a short transaction that stamps the rows with a lease and this sender's token
(``select_for_update(skip_locked=True)`` on PostgreSQL, and a conditional UPDATE everywhere), so two
senders never hold the same row. Immediately before each e-mail goes out, one conditional UPDATE
renews the lease of that message and checks that the token is still ours: a sender that was slow
(or stalled) and lost the row to another sender finds out there and sends nothing. The lease of a
message is far longer than one SMTP conversation can take (``EMAIL_TIMEOUT`` per step), so a row is
sent twice only if its sender died while that very message was on the wire, between the SMTP
hand-off and "mark sent". A batch reuses one SMTP connection, and every e-mail carries a
``Message-ID`` derived from its outbox row, so a receiver can recognise that rare duplicate.

Failures are classified: a temporary one (4xx, refused or dropped connection) retries with
exponential back-off and jitter for ``OUTBOX_RETRY_HOURS``; a permanent refusal of the recipient or
the message (5xx) stops at once and says why; a reply lost after the whole message was handed over
may have been delivered, so it retries with a longer back-off and only a few times. A row that is
given up keeps its in-app notification, shows in /health/, ``manage.py outbox`` and the admin
(which can retry it). ``attempts`` counts these real failures, never claims.

Digest rows are claimed per recipient, all at once, under a lock on the recipient: N pending items
become exactly one e-mail even with several senders running.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import smtplib
import time
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.utils import parseaddr
from functools import partial
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.template import Context, engines
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import kinds
from .models import Delivery, Notification

logger = logging.getLogger(__name__)
T = TypeVar("T")

# The defaults; settings OUTBOX_LEASE_SECONDS etc. override them (tests compress time with them).
LEASE = dt.timedelta(minutes=5)
BATCH_SIZE = 200
RETRY_HOURS = 72
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 3600
UNKNOWN_BACKOFF_SECONDS = 1800
UNKNOWN_MAX = 3

TEMPORARY, PERMANENT, UNKNOWN = "temporary", "permanent", "unknown"


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def lease_length() -> dt.timedelta:
    """One message's lease: longer than a whole SMTP conversation (five steps of EMAIL_TIMEOUT)."""
    configured = _setting("OUTBOX_LEASE_SECONDS", LEASE.total_seconds())
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or 30
    return dt.timedelta(seconds=max(configured, 6 * float(timeout)))


def retry_budget() -> dt.timedelta:
    return dt.timedelta(hours=_setting("OUTBOX_RETRY_HOURS", RETRY_HOURS))


def backoff(failures: int, *, unknown: bool = False) -> dt.timedelta:
    """Exponential back-off with jitter (half fixed, half random), capped."""
    if unknown:
        base = _setting("OUTBOX_UNKNOWN_BACKOFF_SECONDS", UNKNOWN_BACKOFF_SECONDS)
        cap = base * 2 ** UNKNOWN_MAX
    else:
        base = _setting("OUTBOX_BACKOFF_BASE_SECONDS", BACKOFF_BASE_SECONDS)
        cap = _setting("OUTBOX_BACKOFF_MAX_SECONDS", BACKOFF_MAX_SECONDS)
    delay = min(cap, base * 2 ** max(failures - 1, 0))
    return dt.timedelta(seconds=delay / 2 + random.uniform(0, delay / 2))  # noqa: S311 - jitter, not crypto


def _free(now: dt.datetime) -> Q:
    return Q(sent_at__isnull=True, cancelled_at__isnull=True) & (Q(lease_until__isnull=True) | Q(lease_until__lt=now))


def _stamp(ids: list[int], now: dt.datetime, lease: dt.timedelta, token: uuid.UUID) -> None:
    # Conditional: the row must still be free when we write our token (SQLite has no row locks).
    Notification.objects.filter(_free(now), id__in=ids).update(lease_until=now + lease, claim_token=token)


def _claimed(token: uuid.UUID) -> list[Notification]:
    return list(
        Notification.objects.filter(claim_token=token, sent_at__isnull=True, cancelled_at__isnull=True)
        .select_related("recipient")
        .order_by("send_after", "id")
    )


def claim_due(
    *, now: dt.datetime | None = None, limit: int = BATCH_SIZE, lease: dt.timedelta | None = None
) -> list[Notification]:
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
        _stamp(ids, now, lease or lease_length(), token)
    return _claimed(token)


def claim_digests(
    *, now: dt.datetime | None = None, recipients: int = 50, lease: dt.timedelta | None = None
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
        _stamp(ids, now, lease or lease_length(), token)
    return _claimed(token)


def addressee(row: Notification) -> str:
    """Where a row's e-mail goes: its recipient's address while they are active, or (for a row
    addressed to someone without an account, such as an invitation) the row's own address."""
    recipient = row.recipient
    if recipient is not None:
        return recipient.email if recipient.is_active else ""
    return str(getattr(row, "address", "") or "")


def message_id(rows: list[Notification]) -> str:
    """The same Message-ID for every attempt at the same e-mail, so a receiver can drop a duplicate."""
    pks = sorted(row.pk for row in rows)
    digest = hashlib.sha256(",".join(map(str, pks)).encode() + rows[0].dedupe_key.encode()).hexdigest()[:20]
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "tandem.invalid"
    return f"<outbox.{pks[0]}.{digest}@{domain}>"


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
    recipient: Any, template_base: str, context: dict[str, Any], *, to: str | None = None, language: str = ""
) -> EmailMultiAlternatives:
    """One e-mail in the recipient's language and time zone, plain text with an HTML alternative.

    ``to`` is where it goes (see ``addressee``); without a recipient (``None``, an invitation to
    someone without an account) it is written in ``language`` and the site's time zone.
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
    to = to if to is not None else recipient.email
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
    recipient = notification.recipient if notification.recipient_id is not None else None
    return render_email(
        recipient, f"notifications/{notification.kind}", context, to=addressee(notification), language=notification.language
    )


def build_digest(recipient: Any, items: list[Notification]) -> EmailMultiAlternatives:
    # Labels stay lazy here and are rendered inside the recipient's language.
    entries = [
        {"notification": n, "label": n.kind_label, "url": _absolute(n.url), "created_at": n.created_at}
        for n in sorted(items, key=lambda n: (n.created_at, n.pk))
    ]
    return render_email(
        recipient, "notifications/digest", {"entries": entries, "count": len(items)}, to=addressee(items[0])
    )


def classify(error: Exception, *, body_sent: bool) -> tuple[str, str]:
    """(TEMPORARY | PERMANENT | UNKNOWN, the reason in a few words) for a failed send."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        replies = "; ".join(f"{code} {_text!r}" for code, _text in error.recipients.values())
        if codes and all(500 <= code < 600 for code in codes):
            return PERMANENT, f"recipient refused: {replies}"
        return TEMPORARY, f"recipient deferred: {replies}"
    if isinstance(error, smtplib.SMTPResponseException):
        # The server answered, so the outcome is known even after DATA. A 5xx to the message
        # itself is final; a 5xx to the connection or the sender is our configuration or the
        # server's outage, worth the whole retry budget.
        reply = f"{error.smtp_code} {error.smtp_error!r}"
        if isinstance(error, smtplib.SMTPDataError) and 500 <= error.smtp_code < 600:
            return PERMANENT, f"message refused: {reply}"
        return TEMPORARY, f"{type(error).__name__}: {reply}"
    if body_sent:
        return UNKNOWN, f"reply lost after the message was handed over ({type(error).__name__})"
    return TEMPORARY, type(error).__name__


def _retry_db(operation: Callable[[], T]) -> T:
    """Run a bookkeeping UPDATE after a send, through a short database blip.

    The e-mail has left; failing to record it would send it again after the lease. Outside a
    transaction the connection can be dropped and opened again; inside one, the error is the caller's.
    """
    for pause in (0.2, 0.5, 1, 2, 4, 8):
        try:
            return operation()
        except (OperationalError, InterfaceError):
            if connection.in_atomic_block:
                raise
            logger.warning("Database unavailable while recording a send; retrying in %s s", pause)
            connection.close()
            time.sleep(pause)
    return operation()


class _Batch:
    """One sender's pass over its claimed rows: one SMTP connection, a lease renewed per message."""

    def __init__(self, token: uuid.UUID, now: dt.datetime | None) -> None:
        self.token = token
        self.fixed_now = now
        self.lease = lease_length()
        self.renewed = self.now()
        self.backend: Any = None

    def now(self) -> dt.datetime:
        return self.fixed_now or timezone.now()

    def mine(self) -> Any:
        return Notification.objects.filter(claim_token=self.token, sent_at__isnull=True, cancelled_at__isnull=True)

    def take(self, rows: list[Notification]) -> bool:
        """Renew the lease on ``rows`` right before sending them; False if any is no longer ours."""
        now = self.now()
        if now - self.renewed > self.lease / 2:
            # The rest of the batch waits behind slow messages; keep it ours.
            self.mine().update(lease_until=now + self.lease)
            self.renewed = now
        ids = [row.pk for row in rows]
        return self.mine().filter(pk__in=ids).update(lease_until=now + self.lease) == len(ids)

    def connection(self) -> Any:
        if self.backend is None:
            self.backend = get_connection()
            self.backend.open()
        return self.backend

    def drop_connection(self) -> None:
        # After an error the SMTP session is in an unknown state: the next message opens a new one.
        if self.backend is not None:
            try:
                self.backend.close()
            except Exception:  # noqa: BLE001 - the connection is broken already
                pass
        self.backend = None

    def body_sent(self) -> bool:
        check = getattr(self.backend, "outcome_unknown", None)
        return bool(check()) if check else False


def _cancel(rows: list[Notification], token: uuid.UUID, reason: str, now: dt.datetime) -> None:
    Notification.objects.filter(pk__in=[row.pk for row in rows], claim_token=token).update(
        cancelled_at=now, lease_until=None, last_error=reason[:300]
    )


def _still_wanted(rows: list[Notification], batch: _Batch) -> list[Notification]:
    """The rows that should still go out now: an addressee, and the kind's own check (a reminder
    whose session started, was cancelled or moved is withdrawn here, at send time)."""
    now = batch.now()
    if not addressee(rows[0]):
        _cancel(rows, batch.token, "recipient inactive or without e-mail", now)
        return []
    wanted = []
    for row in rows:
        kind = kinds.KINDS.get(row.kind)
        if kind is not None and kind.still_due is not None and not kind.still_due(row, now):
            _cancel([row], batch.token, "no longer due", now)
        else:
            wanted.append(row)
    return wanted


def _mark_sent(rows: list[Notification], now: dt.datetime) -> int:
    # Conditional on our token: a sender that lost its lease must not mark another's work.
    return _retry_db(
        lambda: Notification.objects.filter(
            pk__in=[row.pk for row in rows], claim_token=rows[0].claim_token, sent_at__isnull=True
        ).update(sent_at=now, lease_until=None, last_error="")
    )


def _give_up(row: Notification, token: uuid.UUID, now: dt.datetime, reason: str, **counters: Any) -> None:
    logger.error("Giving up e-mail %s (%s): %s", row.pk, row.kind, reason)
    Notification.objects.filter(pk=row.pk, claim_token=token).update(
        cancelled_at=now, gave_up_at=now, lease_until=None, claim_token=None, last_error=reason[:300], **counters
    )


def _failed(rows: list[Notification], token: uuid.UUID, error: Exception, body_sent: bool, now: dt.datetime) -> None:
    from .services import next_allowed_send

    outcome, reason = classify(error, body_sent=body_sent)
    logger.warning("Sending e-mail %s failed (%s): %s", [row.pk for row in rows], outcome, reason)
    for row in rows:
        failing_since = row.failing_since or now
        if outcome == PERMANENT:
            _give_up(row, token, now, f"permanent: {reason}", attempts=F("attempts") + 1, failing_since=failing_since)
            continue
        if outcome == UNKNOWN:
            failures = row.unknown_outcomes + 1
            if failures >= _setting("OUTBOX_UNKNOWN_MAX", UNKNOWN_MAX):
                _give_up(row, token, now, f"gave up, may have been delivered: {reason}",
                         unknown_outcomes=failures, failing_since=failing_since)
                continue
            delay, counters = backoff(failures, unknown=True), {"unknown_outcomes": failures}
        else:
            failures = row.attempts + 1
            if now - failing_since >= retry_budget():
                _give_up(row, token, now, f"gave up after {retry_budget()}: {reason}",
                         attempts=failures, failing_since=failing_since)
                continue
            delay, counters = backoff(failures), {"attempts": failures}
        retry_at = now + delay
        if row.recipient_id is not None:
            retry_at = next_allowed_send(row.recipient, retry_at)  # a retry respects quiet hours too
        Notification.objects.filter(pk=row.pk, claim_token=token).update(
            send_after=retry_at, lease_until=None, claim_token=None, failing_since=failing_since,
            last_error=reason[:300], **counters,
        )


def _send(rows: list[Notification], build: Callable[[list[Notification]], EmailMultiAlternatives], batch: _Batch) -> int:
    # Connect first (a first connection may wait for DNS): between renewing the lease and the end
    # of the SMTP conversation only that conversation may take time.
    try:
        backend = batch.connection()
    except Exception as error:  # noqa: BLE001 - the server is unreachable: a temporary failure
        batch.drop_connection()
        if batch.take(rows):
            _retry_db(partial(_failed, rows, batch.token, error, False, batch.now()))
        return 0
    if not batch.take(rows):
        return 0  # another sender holds it now: it is theirs to send
    rows = _still_wanted(rows, batch)
    if not rows:
        return 0
    try:
        message = build(rows)
        message.extra_headers["Message-ID"] = message_id(rows)
        message.connection = backend
        message.send()
    except kinds.Obsolete as why:
        _cancel(rows, batch.token, f"no longer applies: {why}", batch.now())
        return 0
    except Exception as error:  # noqa: BLE001 - classified and retried, never lost
        body_sent = batch.body_sent()
        batch.drop_connection()
        _retry_db(partial(_failed, rows, batch.token, error, body_sent, batch.now()))
        return 0
    return _mark_sent(rows, batch.now())


@contextmanager
def _batch(token: uuid.UUID, now: dt.datetime | None) -> Iterator[_Batch]:
    batch = _Batch(token, now)
    try:
        yield batch
    finally:
        batch.drop_connection()


def send_claimed(rows: list[Notification], *, now: dt.datetime | None = None) -> int:
    """Send claimed rows: one e-mail per immediate row, one digest per recipient."""
    if not rows:
        return 0
    sent = 0
    digests: dict[Any, list[Notification]] = defaultdict(list)
    with _batch(rows[0].claim_token, now) as batch:  # type: ignore[arg-type]
        for row in rows:
            if row.delivery == Delivery.DIGEST and row.recipient_id is not None:  # addresses get no digest
                digests[row.recipient_id].append(row)
            else:
                sent += _send([row], lambda rows: build_message(rows[0]), batch)
        for items in digests.values():
            sent += _send(items, lambda items: build_digest(items[0].recipient, items), batch)
    return sent


def send_due(*, now: dt.datetime | None = None, limit: int | None = None) -> int:
    """Claim and send due e-mails and digests until none are left; returns the number of rows sent."""
    limit = limit or int(_setting("OUTBOX_BATCH_SIZE", BATCH_SIZE))
    total = 0
    while rows := claim_due(now=now, limit=limit):
        total += send_claimed(rows, now=now)
    while rows := claim_digests(now=now):
        total += send_claimed(rows, now=now)
    return total
