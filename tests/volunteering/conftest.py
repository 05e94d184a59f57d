"""The cast's peer as a volunteer with an agreement, and helpers to record hours at a given time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from accounts.models import PeerProfile
from volunteering import services
from volunteering.models import VolunteerAgreement

# A Wednesday in the middle of March 2025.
START = dt.date(2025, 3, 3)


def at(day: dt.date, hour: int = 12) -> Any:
    """Travel to noon (Berlin) of ``day``; time does not tick."""
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0))), tick=False)


def make_volunteer(membership: Any) -> Any:
    PeerProfile.objects.update_or_create(membership=membership, defaults={"kind": PeerProfile.Kind.VOLUNTEER})
    return membership


def agree(volunteer: Any, by: Any, *, valid_from: dt.date, kind: str = "26a", rate_kind: str = "hour", rate_cents: int = 1000,
          hours_per_week: str = "4", elsewhere_cents: int = 0, elsewhere_year: int | None = None) -> VolunteerAgreement:
    with at(valid_from, 8):
        return services.create_agreement(
            volunteer=volunteer, by=by, valid_from=valid_from, activity="Genesungsbegleitung", allowance_kind=kind,
            rate_kind=rate_kind, rate_cents=rate_cents, hours_per_week=Decimal(hours_per_week),
            uses_allowance_elsewhere=bool(elsewhere_cents), elsewhere_cents=elsewhere_cents, elsewhere_year=elsewhere_year,
            declared_on=valid_from,
        )


def hours(volunteer: Any, by: Any, day: dt.date, minutes: int, *, kind: str = "tandem", when: dt.date | None = None, **extra: Any) -> Any:
    with at(when or day, 18):
        return services.record_hours(volunteer=volunteer, by=by, date=day, minutes=minutes, kind=kind, **extra)


@pytest.fixture
def volunteer(cast: Any) -> Any:
    return make_volunteer(cast.peer)


@pytest.fixture
def agreement(cast: Any, volunteer: Any) -> VolunteerAgreement:
    return agree(volunteer, cast.team_lead.user, valid_from=START)


@pytest.fixture
def today_agreement(cast: Any, volunteer: Any) -> Iterator[VolunteerAgreement]:
    """An agreement from the first of this month, with the clock at the 20th of it (for page tests)."""
    first = timezone.localdate().replace(day=1)
    agreement = agree(volunteer, cast.team_lead.user, valid_from=first)
    with at(first.replace(day=20)):
        yield agreement
