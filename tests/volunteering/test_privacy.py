"""Her hours in the export, erasure (keep booking records pseudonymised, delete the rest), retention."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tandem import privacy
from volunteering import services
from volunteering.models import BillingRun, HourEntry, Statement, VolunteerAgreement, private_storage

from .conftest import START, at, hours


def test_her_hours_and_statements_are_in_her_export_only(cast: Any, agreement: Any) -> None:
    hours(cast.peer, cast.team_lead.user, dt.date(2025, 3, 4), 60)
    with at(dt.date(2025, 3, 28)):
        services.approve_run(run=services.open_run(organisation=cast.organisation, month=dt.date(2025, 3, 1), by=cast.team_lead.user),
                             by=cast.team_lead.user)
    data = json.loads(cast.client_for(cast.peer).get(reverse("privacy:export")).content)["data"]
    assert {"volunteering.HourEntry", "volunteering.Statement", "volunteering.VolunteerAgreement"} <= set(data)
    assert data["volunteering.HourEntry"]["rows"][0]["minutes"] == 60
    other = json.loads(cast.client_for(cast.other_peer).get(reverse("privacy:export")).content)["data"]
    assert "volunteering.HourEntry" not in other and "volunteering.Statement" not in other


def test_erasure_keeps_booking_records_and_deletes_the_rest(cast: Any, agreement: Any) -> None:
    billed = hours(cast.peer, cast.team_lead.user, dt.date(2025, 3, 4), 60)
    with at(dt.date(2025, 3, 28)):
        services.approve_run(run=services.open_run(organisation=cast.organisation, month=dt.date(2025, 3, 1), by=cast.team_lead.user),
                             by=cast.team_lead.user)
    pdf = SimpleUploadedFile("t.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    unbilled = hours(cast.peer, cast.peer.user, dt.date(2025, 4, 2), 60, kind="travel", expense_cents=300, receipt=pdf)
    name = unbilled.receipt.name
    assert private_storage().exists(name)
    cast.peer.ended_on = dt.date(2025, 5, 1)
    cast.peer.save()
    with at(dt.date(2025, 5, 2)):
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            privacy.erase_person(user=cast.peer.user)
    assert list(HourEntry.objects.values_list("pk", flat=True)) == [billed.pk]
    assert Statement.objects.count() == 1 and VolunteerAgreement.objects.count() == 1
    assert not private_storage().exists(name)
    cast.peer.user.refresh_from_db()
    assert cast.peer.user.erased_at is not None


def test_retention_deletes_booking_records_after_ten_full_years(cast: Any, agreement: Any) -> None:
    hours(cast.peer, cast.team_lead.user, dt.date(2025, 3, 4), 60)
    with at(dt.date(2025, 3, 28)):
        services.approve_run(run=services.open_run(organisation=cast.organisation, month=dt.date(2025, 3, 1), by=cast.team_lead.user),
                             by=cast.team_lead.user)
    services.purge_expired(today=dt.date(2035, 12, 31))
    assert HourEntry.objects.count() == 1 and Statement.objects.count() == 1, "kept through 2035"
    services.purge_expired(today=dt.date(2036, 1, 1))
    assert not HourEntry.objects.exists() and not Statement.objects.exists() and not BillingRun.objects.exists()


def test_registry_states_purpose_basis_and_retention(db: None) -> None:
    registry = privacy.registry()
    for label in ("volunteering.HourEntry", "volunteering.Statement", "volunteering.VolunteerAgreement", "volunteering.BillingRun"):
        entry = registry[label]
        assert entry.purpose and entry.retention and entry.legal_basis
        assert "§ 147 AO" in str(entry.retention)


def test_start_is_a_constant(db: None) -> None:
    assert START.year == 2025
