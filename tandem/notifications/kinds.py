"""The kinds of notification Tandem sends. Each app registers its own in AppConfig.ready().

A kind's e-mail is rendered at sending time, in the recipient's language, from
``notifications/<key>/subject.txt``, ``body.txt`` and ``body.html`` (templates of the app that
owns the kind), with the notification's stored ``context`` (which never holds confidential text).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: Any  # lazy translated string
    # Reminders and escalations may not wait for a digest: the person must see them that day.
    digest_allowed: bool = True
    # Asked by the sender right before the e-mail goes out, with the outbox row and the time:
    # False withdraws it (a reminder for a session that started, was cancelled or moved). The app
    # that owns the kind supplies it; the kernel knows nothing about sessions.
    still_due: Callable[[Any, Any], bool] | None = None


KINDS: dict[str, NotificationKind] = {}


def register(*kinds: NotificationKind) -> None:
    for kind in kinds:
        KINDS[kind.key] = kind


def get(key: str) -> NotificationKind:
    try:
        return KINDS[key]
    except KeyError:
        raise LookupError(f"Unknown notification kind {key!r}; register it in its app's ready().") from None
