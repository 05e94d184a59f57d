"""Demo volunteering for `make run`: Valentina volunteers with an agreement from two months ago; the
month before last is billed and locked (one statement), last month has an approved and a rejected
entry, this month one entry waits for the team lead. Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import PeerProfile

from . import services
from .models import VolunteerAgreement


def _first_of_months_ago(today: dt.date, months: int) -> dt.date:
    day = today.replace(day=1)
    for _ in range(months):
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return day


@transaction.atomic
def seed(demo: Any) -> None:
    volunteer = demo.members["volunteer"]
    lead = demo.members["lead"].user
    if VolunteerAgreement.objects.filter(volunteer=volunteer).exists():
        return
    PeerProfile.objects.filter(membership=volunteer).update(kind=PeerProfile.Kind.VOLUNTEER)
    today = timezone.localdate()
    first, second = _first_of_months_ago(today, 2), _first_of_months_ago(today, 1)
    # Agreed before the work started, as the rules require (seeded as it was then).
    VolunteerAgreement.objects.create(
        organisation=demo.organisation, volunteer=volunteer, valid_from=first, activity="Ehrenamtliche Genesungsbegleitung",
        allowance_kind="26a", rate_kind="hour", rate_cents=1200, hours_per_week=4, declared_on=first, created_by=lead,
    )
    for offset, minutes, kind in ((1, 120, "client_support"), (8, 90, "peer_supervision"), (15, 60, "qualification")):
        services.record_hours(volunteer=volunteer, by=lead, date=first + dt.timedelta(days=offset), minutes=minutes, kind=kind)
    run = services.open_run(organisation=demo.organisation, month=first, by=lead)
    services.lock_run(run=services.approve_run(run=run, by=lead), by=lead)
    services.record_hours(volunteer=volunteer, by=lead, date=second + dt.timedelta(days=2), minutes=150, kind="tandem")
    rejected = services.record_hours(volunteer=volunteer, by=volunteer.user, date=second + dt.timedelta(days=9), minutes=600, kind="tandem")
    services.reject_entry(entry=rejected, by=lead, reason="Bitte prüfen: 10 Stunden an einem Tag? Vermutlich 1 Stunde.")
    if today.day > 1:
        services.record_hours(volunteer=volunteer, by=volunteer.user, date=today - dt.timedelta(days=1), minutes=90, kind="travel")
