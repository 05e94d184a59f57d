"""Creating notifications (outbox rows) and deciding when their e-mails may go out."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from . import kinds
from .models import Channel, Delivery, DeliverySettings, Notification, NotificationPreference

logger = logging.getLogger(__name__)

DEFAULT_QUIET_FROM = dt.time(20, 0)
DEFAULT_QUIET_UNTIL = dt.time(7, 0)
DEFAULT_DIGEST_AT = dt.time(7, 30)


def _user_zone(user: Any) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(getattr(user, "time_zone", "") or "Europe/Berlin")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("Europe/Berlin")


def _delivery_settings(user: Any) -> tuple[dt.time, dt.time, dt.time]:
    try:
        prefs = user.delivery_settings
    except DeliverySettings.DoesNotExist:
        return DEFAULT_QUIET_FROM, DEFAULT_QUIET_UNTIL, DEFAULT_DIGEST_AT
    return prefs.quiet_from, prefs.quiet_until, prefs.digest_at


def _at_local(day: dt.date, at: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The instant of wall-clock ``at`` on ``day`` in ``zone``.

    On the spring-forward day a wall time inside the gap (02:30) does not exist; fold=0 moves it
    forward by the gap, which is what a person expects of an alarm clock.
    """
    local = dt.datetime.combine(day, at, tzinfo=zone)
    return local.astimezone(dt.UTC).astimezone(zone)


def in_quiet_hours(user: Any, at: dt.datetime) -> bool:
    quiet_from, quiet_until, _digest = _delivery_settings(user)
    local = at.astimezone(_user_zone(user)).time()
    if quiet_from == quiet_until:
        return False
    if quiet_from < quiet_until:
        return quiet_from <= local < quiet_until
    return local >= quiet_from or local < quiet_until


def next_allowed_send(user: Any, at: dt.datetime) -> dt.datetime:
    """``at`` itself, or the end of the quiet hours it falls in."""
    if not in_quiet_hours(user, at):
        return at
    zone = _user_zone(user)
    _from, quiet_until, _digest = _delivery_settings(user)
    local = at.astimezone(zone)
    candidate = _at_local(local.date(), quiet_until, zone)
    if candidate <= at:
        candidate = _at_local(local.date() + dt.timedelta(days=1), quiet_until, zone)
    return candidate


def next_digest_time(user: Any, at: dt.datetime) -> dt.datetime:
    """The next daily digest instant strictly after ``at``, outside quiet hours."""
    zone = _user_zone(user)
    _from, _until, digest_at = _delivery_settings(user)
    local = at.astimezone(zone)
    candidate = _at_local(local.date(), digest_at, zone)
    if candidate <= at:
        candidate = _at_local(local.date() + dt.timedelta(days=1), digest_at, zone)
    return next_allowed_send(user, candidate)


def delivery_for(user: Any, kind_key: str) -> str:
    kind = kinds.get(kind_key)
    pref = NotificationPreference.objects.filter(user=user, kind=kind_key).values_list("delivery", flat=True).first()
    delivery = pref or Delivery.IMMEDIATELY
    if delivery == Delivery.DIGEST and not kind.digest_allowed:
        return Delivery.IMMEDIATELY
    return delivery


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    event_key: str,
    obj: models.Model | None = None,
    url: str = "",
    context: dict[str, Any] | None = None,
    organisation: Any | None = None,
    now: dt.datetime | None = None,
) -> list[Notification]:
    """Write outbox rows for one event: one in-app row and (by preference) one e-mail row per recipient.

    ``event_key`` names the event, e.g. ``f"irritation:{pk}:escalated"``; the same event for
    the same recipient and channel is stored once, however often this is called. Call it inside
    the transaction of the change that causes the event. ``context`` is rendered into templates
    and must not hold confidential text.
    """
    kinds.get(kind)  # fail loudly for an unregistered kind
    now = now or timezone.now()
    if organisation is None and obj is not None:
        organisation = getattr(obj, "organisation", None)
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False) if obj is not None else None
    rows: list[Notification] = []
    for recipient in {r.pk: r for r in recipients if r is not None}.values():
        if not recipient.is_active:
            continue
        delivery = delivery_for(recipient, kind)
        common = dict(
            recipient=recipient,
            organisation=organisation,
            kind=kind,
            content_type=content_type,
            object_id=str(obj.pk) if obj is not None else "",
            url=url,
            context=context or {},
            created_at=now,
            delivery=delivery,
        )
        rows.append(
            Notification(
                channel=Channel.IN_APP,
                dedupe_key=f"{event_key}:{recipient.pk}:{Channel.IN_APP}",
                send_after=now,
                sent_at=now,
                **common,
            )
        )
        if delivery == Delivery.IN_APP_ONLY:
            continue
        send_after = next_digest_time(recipient, now) if delivery == Delivery.DIGEST else next_allowed_send(recipient, now)
        rows.append(
            Notification(
                channel=Channel.EMAIL,
                dedupe_key=f"{event_key}:{recipient.pk}:{Channel.EMAIL}",
                send_after=send_after,
                **common,
            )
        )
    # ON CONFLICT DO NOTHING: a repeated event is a no-op and does not break the caller's
    # transaction the way a caught IntegrityError would on PostgreSQL.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(_kick_sender)
    return rows


def _kick_sender() -> None:
    """Ask a worker to send now rather than at the next sweep; harmless if the broker is down."""
    from .tasks import send_due_notifications

    try:
        send_due_notifications.apply_async(retry=False)
    except Exception:  # noqa: BLE001 - the beat sweep sends it later; the row is the truth
        logger.warning("Broker unreachable; notifications wait for the next sweep.")


def cancel_pending(*, event_key_prefix: str) -> int:
    """Withdraw e-mails not yet sent for events that no longer apply (e.g. a moved session)."""
    return Notification.objects.filter(
        dedupe_key__startswith=event_key_prefix, channel=Channel.EMAIL, sent_at__isnull=True, cancelled_at__isnull=True
    ).update(cancelled_at=timezone.now())


def mark_read(*, user: Any, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.visible_to(user).in_app().unread()
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
