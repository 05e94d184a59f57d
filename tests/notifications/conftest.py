"""Fixtures for the outbox: people with known languages, a daily test kind with templates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from accounts.models import User
from tandem.notifications import kinds
from tests.factories import UserFactory

BERLIN = ZoneInfo("Europe/Berlin")
HERE = Path(__file__).resolve().parent

DAILY = kinds.NotificationKind("tests.daily", "Daily test reminder")
URGENT = kinds.NotificationKind("tests.urgent", "Urgent test escalation", digest_allowed=False)


def berlin(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BERLIN)


@pytest.fixture
def test_kinds(settings: object) -> object:
    """Two kinds only tests use, with their e-mail templates in tests/notifications/templates."""
    templates = [dict(engine) for engine in settings.TEMPLATES]  # type: ignore[attr-defined]
    templates[0]["DIRS"] = [*templates[0].get("DIRS", []), HERE / "templates"]
    settings.TEMPLATES = templates  # type: ignore[attr-defined]
    kinds.register(DAILY, URGENT)
    yield kinds
    kinds.KINDS.pop(DAILY.key, None)
    kinds.KINDS.pop(URGENT.key, None)


@pytest.fixture
def person():  # noqa: ANN201
    def make(email: str | None = None, language: str = "de", **fields: object) -> User:
        return UserFactory(**({"email": email} if email else {}), preferred_language=language, **fields)

    return make
