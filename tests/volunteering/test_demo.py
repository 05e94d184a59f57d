"""The demo shows a volunteer with an agreement, hours in several states and one locked statement."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD
from volunteering.models import BillingRun, HourEntry, Statement, VolunteerAgreement

from .conftest import at


def test_demo_volunteer_has_agreement_hours_and_a_locked_statement(db: None) -> None:
    with at(dt.date(2026, 11, 20)):
        call_command("seed_demo", stdout=StringIO())
        call_command("seed_demo", stdout=StringIO())
        assert VolunteerAgreement.objects.count() == 1
        assert set(HourEntry.objects.values_list("status", flat=True)) == {"approved", "rejected", "submitted"}
        statement = Statement.objects.get()
        assert statement.run.state == BillingRun.State.LOCKED
        client = Client()
        assert client.login(email="ehrenamt@example.org", password=DEMO_PASSWORD)
        page = client.get(reverse("volunteering:mine")).content.decode()
        assert "Meine Ehrenamtsstunden" in page and "nicht genehmigt" in page
        assert client.get(reverse("volunteering:statement_pdf", args=[statement.pk])).status_code == 200
