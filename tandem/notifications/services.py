"""Creating notifications (outbox rows) and deciding when their e-mails may go out."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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


def _instants_at_local(day: dt.date, at: dt.time, zone: zoneinfo.ZoneInfo) -> list[dt.datetime]:
    """Every instant whose wall clock reads ``at`` on ``day``, earliest first.

    Usually one; two inside the hour repeated in autumn (02:30 summer time, then 02:30 winter
    time); in the spring gap the one moved forward by ``_at_local``.
    """
    # Compared in UTC: Python compares two datetimes of the same zone by wall clock, ignoring fold.
    first = _at_local(day, at, zone).astimezone(dt.UTC)
    second = dt.datetime.combine(day, at, tzinfo=zone).replace(fold=1).astimezone(dt.UTC)
    # In the gap fold=1 maps to an earlier hour whose wall clock does not read ``at``: not a match.
    if second != first and second.astimezone(zone).replace(tzinfo=None) == dt.datetime.combine(day, at):
        return [instant.astimezone(zone) for instant in sorted([first, second])]
    return [first.astimezone(zone)]


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
    # The first end of quiet hours after ``at``: in the repeated autumn hour an e-mail written
    # at the second 02:10 ends its wait at the second 02:30, not a day later.
    for day in (local.date(), local.date() + dt.timedelta(days=1)):
        for candidate in _instants_at_local(day, quiet_until, zone):
            if candidate.astimezone(dt.UTC) > at.astimezone(dt.UTC):
                return candidate
    raise AssertionError("unreachable: quiet hours end within a day")


def daily_instant(user: Any, day: dt.date) -> dt.datetime:
    """When the user's daily e-mail of ``day`` goes out: their digest time, or the end of the
    quiet hours if the digest time falls inside them. Exactly one instant per local day."""
    _from, _until, digest_at = _delivery_settings(user)
    return next_allowed_send(user, _at_local(day, digest_at, _user_zone(user)))


def next_digest_time(user: Any, at: dt.datetime) -> dt.datetime:
    """The first daily digest instant strictly after ``at`` (never inside quiet hours)."""
    today = at.astimezone(_user_zone(user)).date()
    for offset in range(-1, 3):
        candidate = daily_instant(user, today + dt.timedelta(days=offset))
        if candidate > at:
            return candidate
    raise AssertionError("unreachable: a daily instant exists within two days")


def due_daily(user: Any, at: dt.datetime) -> dt.date | None:
    """The local day whose daily item is due at ``at`` (its daily instant has passed), or None.

    A sweep that sends one reminder per day uses it with a dedupe key naming that day
    (``f"...:{day.isoformat()}"``): however often the sweep runs, each day fires once, at the
    user's digest time and never inside their quiet hours, across daylight-saving changes.
    """
    zone = _user_zone(user)
    today = at.astimezone(zone).date()
    if in_quiet_hours(user, at):
        return None
    for offset in (-1, 0):
        instant = daily_instant(user, today + dt.timedelta(days=offset))
        if instant <= at and instant.astimezone(zone).date() == today:
            return today
    return None


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
        rows += _rows_for(
            recipient, delivery_for(recipient, kind), kind=kind, event_key=event_key, organisation=organisation,
            content_type=content_type, obj=obj, url=url, context=context, now=now,
        )
    # ON CONFLICT DO NOTHING: a repeated event is a no-op and does not break the caller's
    # transaction the way a caught IntegrityError would on PostgreSQL.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if any(row.channel == Channel.EMAIL for row in rows):
        _kick_on_commit()
    return rows


def _rows_for(
    recipient: Any,
    delivery: str,
    *,
    kind: str,
    event_key: str,
    organisation: Any,
    content_type: ContentType | None,
    obj: models.Model | None,
    url: str,
    context: dict[str, Any] | None,
    now: dt.datetime,
) -> list[Notification]:
    """The outbox rows of one event for one recipient: in-app always, e-mail unless in-app only."""
    common = {
        "recipient": recipient,
        "organisation": organisation,
        "kind": kind,
        "content_type": content_type,
        "object_id": str(obj.pk) if obj is not None else "",
        "url": url,
        "context": context or {},
        "created_at": now,
        "delivery": delivery,
    }
    rows = [
        Notification(
            channel=Channel.IN_APP, dedupe_key=f"{event_key}:{recipient.pk}:{Channel.IN_APP}", send_after=now,
            sent_at=now, **common,
        )
    ]
    if delivery != Delivery.IN_APP_ONLY:
        send_after = next_digest_time(recipient, now) if delivery == Delivery.DIGEST else next_allowed_send(recipient, now)
        rows.append(
            Notification(
                channel=Channel.EMAIL, dedupe_key=f"{event_key}:{recipient.pk}:{Channel.EMAIL}", send_after=send_after,
                **common,
            )
        )
    return rows


@dataclass(frozen=True)
class Event:
    """One event to notify about, as the arguments of ``notify()`` (for ``notify_all``)."""

    recipients: Sequence[Any]
    kind: str
    event_key: str
    obj: models.Model | None = None
    url: str = ""
    context: dict[str, Any] | None = None
    organisation: Any | None = None


def notify_all(events: Iterable[Event], *, now: dt.datetime | None = None) -> list[Notification]:
    """``notify()`` for many events at once, with the same rows, keys and rules.

    A sweep that notifies about hundreds of events in one transaction pays a fixed number of
    queries (preferences, delivery settings, one insert) instead of a few per recipient.
    """
    from django.contrib.auth import get_user_model

    events = list(events)
    now = now or timezone.now()
    for event in events:
        kinds.get(event.kind)  # fail loudly for an unregistered kind
    users = {r.pk: r for event in events for r in event.recipients if r is not None and r.is_active}
    if not users:
        return []
    wanted = {event.kind for event in events}
    stored = {
        (user_id, kind): delivery
        for user_id, kind, delivery in NotificationPreference.objects.filter(
            user_id__in=list(users), kind__in=wanted
        ).values_list("user_id", "kind", "delivery")
    }
    # Quiet hours and digest time per recipient: one query for those not loaded with their user.
    relation: Any = get_user_model()._meta.get_field("delivery_settings")
    missing = [user for user in users.values() if not relation.is_cached(user)]
    if missing:
        found = {row.user_id: row for row in DeliverySettings.objects.filter(user_id__in=[u.pk for u in missing])}
        for user in missing:
            relation.set_cached_value(user, found.get(user.pk))
    rows: list[Notification] = []
    seen: set[str] = set()
    for event in events:
        kind = kinds.get(event.kind)
        organisation = event.organisation
        if organisation is None and event.obj is not None:
            organisation = getattr(event.obj, "organisation", None)
        content_type = (
            ContentType.objects.get_for_model(event.obj, for_concrete_model=False) if event.obj is not None else None
        )
        for recipient in {r.pk: r for r in event.recipients if r is not None}.values():
            if not recipient.is_active:
                continue
            delivery = stored.get((recipient.pk, event.kind)) or Delivery.IMMEDIATELY
            if delivery == Delivery.DIGEST and not kind.digest_allowed:
                delivery = Delivery.IMMEDIATELY
            for row in _rows_for(
                users[recipient.pk], delivery, kind=event.kind, event_key=event.event_key, organisation=organisation,
                content_type=content_type, obj=event.obj, url=event.url, context=event.context, now=now,
            ):
                if row.dedupe_key not in seen:
                    seen.add(row.dedupe_key)
                    rows.append(row)
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    if any(row.channel == Channel.EMAIL for row in rows):
        _kick_on_commit()
    return rows


def notify_address(
    *,
    address: str,
    kind: str,
    event_key: str,
    obj: models.Model | None = None,
    language: str = "",
    context: dict[str, Any] | None = None,
    organisation: Any | None = None,
    now: dt.datetime | None = None,
) -> Notification:
    """Write the outbox row of one e-mail to an address, for a person without an account (an invitation).

    Sent like every other e-mail (leased, retried, in the backlog), right away: there are no quiet
    hours or preferences to respect, and no in-app row, as the person cannot sign in yet. The row is
    written in ``language`` (the caller's best guess, e.g. the inviter's). What must not be stored
    (a link carrying a secret) the kind's ``context`` hook adds at sending time. Call it inside the
    transaction of the change; the same event for the same address is stored once.
    """
    kinds.get(kind)
    now = now or timezone.now()
    address = address.strip()
    if not address:
        raise ValueError("notify_address needs an e-mail address.")
    if organisation is None and obj is not None:
        organisation = getattr(obj, "organisation", None)
    # The address itself stays out of the key (keys are logged and compared, never exported).
    digest = hashlib.sha256(address.lower().encode()).hexdigest()[:16]
    row = Notification(
        address=address,
        language=language,
        organisation=organisation,
        kind=kind,
        channel=Channel.EMAIL,
        delivery=Delivery.IMMEDIATELY,
        dedupe_key=f"{event_key}:address-{digest}:{Channel.EMAIL}",
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        context=context or {},
        created_at=now,
        send_after=now,
    )
    Notification.objects.bulk_create([row], ignore_conflicts=True)
    _kick_on_commit()
    return row


# How long the web request may wait for the broker before giving up on the kick.
KICK_TIMEOUT_SECONDS = 0.5


# Set inside one_kick(): notify() records that e-mail was written instead of kicking.
_kick_wanted: ContextVar[list[bool] | None] = ContextVar("tandem_kick_wanted", default=None)


@contextmanager
def one_kick() -> Iterator[None]:
    """One sender kick for everything notified inside, however many transactions it spans.

    A sweep that commits one transaction per item (an escalation step, a reminder) would otherwise
    queue one send task per item; the sender sends every due row per run anyway.
    """
    if _kick_wanted.get() is not None:  # nested: the outermost block kicks
        yield
        return
    token = _kick_wanted.set([])
    try:
        yield
    finally:
        wanted = _kick_wanted.get()
        _kick_wanted.reset(token)
    if wanted:
        _kick_on_commit()


def _kick_on_commit() -> None:
    wanted = _kick_wanted.get()
    if wanted is not None:
        wanted.append(True)
        return
    # One kick per transaction, however many events it notifies about.
    connection = transaction.get_connection()
    if any(entry[1] is _kick_sender for entry in connection.run_on_commit):
        return
    transaction.on_commit(_kick_sender)


def _kick_sender() -> None:
    """Ask a worker to send now rather than at the next sweep; harmless if the broker is down.

    The row in the database is the truth, and the beat sweep sends it within a minute anyway, so
    the kick gets one short try: no publish retries, a short connect timeout, and any failure is
    swallowed. A web request never fails or hangs because Redis is away.
    """
    from .tasks import send_due_notifications

    app = send_due_notifications.app
    options: dict[str, Any] = {"max_retries": 0}
    if str(app.conf.broker_write_url).startswith(("redis", "rediss")):
        options |= {"socket_connect_timeout": KICK_TIMEOUT_SECONDS, "socket_timeout": KICK_TIMEOUT_SECONDS}
    try:
        with app.connection_for_write(connect_timeout=KICK_TIMEOUT_SECONDS, transport_options=options) as connection:
            send_due_notifications.apply_async(connection=connection, retry=False)  # type: ignore[call-arg]
    except Exception as error:  # noqa: BLE001 - the beat sweep sends it later; the row is the truth
        logger.warning("Broker unreachable (%s); notifications wait for the next sweep.", type(error).__name__)


def cancel_pending(*, event_key_prefix: str) -> int:
    """Withdraw e-mails not yet sent for events that no longer apply (e.g. a moved session)."""
    return Notification.objects.filter(
        dedupe_key__startswith=event_key_prefix, channel=Channel.EMAIL, sent_at__isnull=True, cancelled_at__isnull=True
    ).update(cancelled_at=timezone.now())


def withdraw_notifications(*, event_key_prefix: str) -> int:
    """Take back every notification of events that no longer apply (a share revoked, say): the in-app
    entries disappear from the recipients' lists and e-mails not yet sent are cancelled. Sent e-mails
    cannot be taken back; their rows stay as the record of what was sent. Returns how many rows.

    ``event_key_prefix`` must end with a separator (``"irritation:4:shared:7:"``) so that it names
    exactly the events meant, not others whose key merely starts the same.
    """
    in_app, _ = Notification.objects.filter(dedupe_key__startswith=event_key_prefix, channel=Channel.IN_APP).delete()
    return in_app + cancel_pending(event_key_prefix=event_key_prefix)


def retry_given_up(*, notification_ids: Iterable[int] | None = None, by: Any = None) -> int:
    """Put given-up e-mails back into the outbox with a fresh retry budget (an operator's decision,
    e.g. after the mail server or the address was fixed)."""
    from tandem.audit.services import record

    now = timezone.now()
    rows = Notification.objects.filter(channel=Channel.EMAIL, sent_at__isnull=True, gave_up_at__isnull=False)
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    with transaction.atomic():
        ids = list(rows.select_for_update().values_list("pk", flat=True))
        retried = Notification.objects.filter(pk__in=ids).update(
            gave_up_at=None, cancelled_at=None, failing_since=None, attempts=0, unknown_outcomes=0,
            lease_until=None, claim_token=None, send_after=now, last_error="",
        )
        if retried:
            record(actor=by, action="notifications.retry_given_up", detail={"count": retried})
            _kick_on_commit()
    return retried


def mark_read(*, user: Any, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.visible_to(user).in_app().unread()
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


def preferences_for(user: Any) -> tuple[dict[str, str], DeliverySettings]:
    """The user's delivery per registered kind (defaults filled in) and their delivery settings."""
    stored = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    deliveries = {}
    for kind in kinds.choosable():
        key = kind.key
        delivery = stored.get(key, Delivery.IMMEDIATELY)
        if delivery == Delivery.DIGEST and not kind.digest_allowed:
            delivery = Delivery.IMMEDIATELY
        deliveries[key] = delivery
    try:
        delivery_settings = DeliverySettings.objects.get(user=user)
    except DeliverySettings.DoesNotExist:
        delivery_settings = DeliverySettings(
            user=user, quiet_from=DEFAULT_QUIET_FROM, quiet_until=DEFAULT_QUIET_UNTIL, digest_at=DEFAULT_DIGEST_AT
        )
    return deliveries, delivery_settings


@transaction.atomic
def save_preferences(
    *,
    user: Any,
    deliveries: dict[str, str],
    quiet_from: dt.time,
    quiet_until: dt.time,
    digest_at: dt.time,
    now: dt.datetime | None = None,
) -> None:
    """Store the user's choices and reschedule their e-mails that have not gone out yet."""
    from django.contrib.auth import get_user_model

    from tandem.audit.services import record

    now = now or timezone.now()
    for key, delivery in deliveries.items():
        kind = kinds.get(key)
        if delivery == Delivery.DIGEST and not kind.digest_allowed:
            raise ValidationError(_("%(kind)s cannot wait for the daily digest.") % {"kind": kind.label})
        NotificationPreference.objects.update_or_create(user=user, kind=key, defaults={"delivery": delivery})
    DeliverySettings.objects.update_or_create(
        user=user, defaults={"quiet_from": quiet_from, "quiet_until": quiet_until, "digest_at": digest_at}
    )
    user = get_user_model().objects.select_related("delivery_settings").get(pk=user.pk)
    # Pending e-mails follow the new choices; rows a sender holds right now are left alone.
    pending = Notification.objects.filter(
        recipient=user, channel=Channel.EMAIL, sent_at__isnull=True, cancelled_at__isnull=True
    ).filter(models.Q(lease_until__isnull=True) | models.Q(lease_until__lt=now))
    for row in pending.select_for_update():
        delivery = deliveries.get(row.kind, row.delivery)
        if delivery == Delivery.IN_APP_ONLY:
            row.cancelled_at = now
        elif delivery == Delivery.DIGEST:
            row.send_after = next_digest_time(user, now)
        else:
            row.send_after = next_allowed_send(user, max(now, row.created_at))
        row.delivery = delivery
        row.save(update_fields=["cancelled_at", "send_after", "delivery"])
    record(actor=user, action="notifications.preferences_changed", detail={"kinds": sorted(deliveries)})


WELCOME_BATCH = 100

# Who has joined an organisation: accounts knows, and registers it (the kernel knows only users).
_members: list[Callable[[], models.QuerySet[Any]]] = []


def register_members(members: Callable[[], models.QuerySet[Any]]) -> None:
    """``members()`` is the queryset of users who currently belong to an organisation."""
    _members[:] = [members]


def welcome_new_members(*, limit: int = WELCOME_BATCH) -> int:
    """Greet people who joined an organisation, once each: what Tandem sends and where to change it.

    The sweep behind it is also the demo's first e-mail: after ``make run`` it prints on the console.
    """
    from django.urls import reverse

    if not _members:
        return 0
    welcomed = Notification.objects.filter(kind="notifications.welcome", channel=Channel.IN_APP).values("recipient_id")
    newcomers = list(
        _members[0]()
        .filter(is_active=True)
        .exclude(pk__in=welcomed)
        .select_related("delivery_settings")
        .order_by("pk")[:limit]
    )
    url = reverse("notifications:preferences")
    with one_kick():
        for user in newcomers:
            with transaction.atomic():
                notify(recipients=[user], kind="notifications.welcome", event_key=f"welcome:{user.pk}", url=url)
    return len(newcomers)
