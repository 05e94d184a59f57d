"""The kinds of notification Tandem sends. Each app registers its own in AppConfig.ready().

A kind's e-mail is rendered at sending time, in the recipient's language, from
``notifications/<key>/subject.txt``, ``body.txt`` and ``body.html`` (templates of the app that
owns the kind), with the notification's stored ``context`` (which never holds confidential text).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Notification


class Obsolete(Exception):
    """Raised by a kind's ``context`` hook when its e-mail no longer applies (the object is gone or
    has moved on): the sender cancels the row instead of sending it."""


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: Any  # lazy translated string
    # Reminders and escalations may not wait for a digest: the person must see them that day.
    digest_allowed: bool = True
    # Sent to e-mail addresses of people without an account (invitations): offered in nobody's
    # notification settings.
    for_addresses: bool = False
    # Extra template context computed at sending time, for what must not be stored in the row
    # (an invitation link); returns a dict, or raises Obsolete.
    context: Callable[[Notification], dict[str, Any]] | None = field(default=None, compare=False)
    # Asked by the sender right before the e-mail goes out, with the outbox row and the time:
    # False withdraws it (a reminder for a session that started, was cancelled or moved). The app
    # that owns the kind supplies it; the kernel knows nothing about sessions.
    still_due: Callable[[Any, Any], bool] | None = None
    # The roles (accounts' Role values) of the people this kind can reach, as the app that sends it
    # declares them; empty means anybody. The settings page offers a person only the kinds that
    # can reach her with the roles she holds now.
    roles: frozenset[str] = frozenset()

    def reaches(self, roles: set[str]) -> bool:
        return not self.roles or bool(self.roles & roles)


KINDS: dict[str, NotificationKind] = {}


def register(*kinds: NotificationKind) -> None:
    for kind in kinds:
        KINDS[kind.key] = kind


def get(key: str) -> NotificationKind:
    try:
        return KINDS[key]
    except KeyError:
        raise LookupError(f"Unknown notification kind {key!r}; register it in its app's ready().") from None


def choosable() -> list[NotificationKind]:
    """The kinds a person chooses a delivery for in their notification settings."""
    return [kind for kind in KINDS.values() if not kind.for_addresses]


# Which roles a person holds, in all her organisations: the app that knows people (accounts)
# registers it, so the kernel can ask without importing it.
_roles_of_user: list[Callable[[Any], set[str]]] = []


def register_roles_of_user(fn: Callable[[Any], set[str]]) -> None:
    _roles_of_user[:] = [fn]


def roles_of_user(user: Any) -> set[str] | None:
    """The roles ``user`` holds now, or None when no app tells (then every kind is offered)."""
    return _roles_of_user[0](user) if _roles_of_user else None


def choosable_for(user: Any) -> list[NotificationKind]:
    """The kinds offered in ``user``'s notification settings: those that can reach her now."""
    roles = roles_of_user(user)
    return [kind for kind in choosable() if roles is None or kind.reaches(roles)]
