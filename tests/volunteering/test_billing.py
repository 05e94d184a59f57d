"""Billing runs, statements, the limits over the year boundary, the annual certificate, notices."""

from __future__ import annotations

import datetime as dt
import io
import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from tandem.notifications.models import Notification
from volunteering import services
from volunteering.models import BillingRun, Statement

from .conftest import START, agree, at, hours


def approve_month(cast: Any, month: dt.date) -> BillingRun:
    with at(month.replace(day=28)):
        run = services.open_run(organisation=cast.organisation, month=month, by=cast.team_lead.user)
        return services.approve_run(run=run, by=cast.team_lead.user)


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_approving_a_month_makes_one_statement_and_closes_the_month(cast: Any, agreement: Any) -> None:
    hours(cast.peer, cast.team_lead.user, dt.date(2025, 3, 4), 90)
    hours(cast.peer, cast.team_lead.user, dt.date(2025, 3, 5), 45)
    run = approve_month(cast, dt.date(2025, 3, 1))
    statement = Statement.objects.get(run=run)
    assert (statement.minutes, statement.allowance_cents, statement.remaining_cents) == (135, 2250, 84000 - 2250)
    with pytest.raises(ValidationError) as error:
        hours(cast.peer, cast.team_lead.user, dt.date(2025, 3, 6), 60, when=dt.date(2025, 3, 29))
    assert "Korrektur" in " ".join(error.value.messages)
    # A correction is a new entry in an open month.
    assert hours(cast.peer, cast.team_lead.user, dt.date(2025, 4, 1), 60, when=dt.date(2025, 4, 1)).pk


def test_submitted_entries_block_the_approval_of_the_month(cast: Any, agreement: Any) -> None:
    hours(cast.peer, cast.peer.user, dt.date(2025, 3, 4), 60)
    with at(dt.date(2025, 3, 28)):
        run = services.open_run(organisation=cast.organisation, month=dt.date(2025, 3, 1), by=cast.team_lead.user)
        with pytest.raises(ValidationError):
            services.approve_run(run=run, by=cast.team_lead.user)
    assert not Statement.objects.exists()


def test_locked_month_is_final(cast: Any, agreement: Any) -> None:
    hours(cast.peer, cast.team_lead.user, dt.date(2025, 3, 4), 60)
    run = approve_month(cast, dt.date(2025, 3, 1))
    services.lock_run(run=run, by=cast.org_admin.user)
    with pytest.raises(ValidationError):
        services.reopen_run(run=run, by=cast.org_admin.user)
    entry = hours(cast.peer, cast.peer.user, dt.date(2025, 4, 2), 60, when=dt.date(2025, 4, 2))
    with pytest.raises(ValidationError):
        services.change_entry(entry=entry, by=cast.peer.user, date=dt.date(2025, 3, 31), minutes=60, kind="tandem",
                              today=dt.date(2025, 4, 2))


def test_year_boundary_and_the_2025_to_2026_change_of_limits(cast: Any, volunteer: Any) -> None:
    agree(volunteer, cast.team_lead.user, valid_from=dt.date(2025, 12, 1), rate_cents=10000, hours_per_week="10")
    for day in (1, 2, 3, 4, 5, 8, 9, 10, 11):  # 9 × 1 h at 100 € = 900 € in December 2025
        hours(volunteer, cast.team_lead.user, dt.date(2025, 12, day), 60, when=dt.date(2025, 12, 12))
    december = Statement.objects.get(run=approve_month(cast, dt.date(2025, 12, 1)))
    assert (december.limit_cents, december.allowance_cents) == (84000, 90000)
    assert (december.tax_free_cents, december.taxable_cents, december.remaining_cents) == (84000, 6000, 0)
    hours(volunteer, cast.team_lead.user, dt.date(2026, 1, 2), 60, when=dt.date(2026, 1, 2))
    january = Statement.objects.get(run=approve_month(cast, dt.date(2026, 1, 1)))
    # A new year starts from zero, against the new limit of 960 €.
    assert (january.limit_cents, january.year_to_date_cents, january.remaining_cents) == (96000, 10000, 86000)
    assert january.taxable_cents == 0
    text = pdf_text(services_pdf(december))
    assert "840,00 €" in text and "60,00 €" in text and "steuerpflichtig" in text
    assert "kaufmännisch" in text, "the rounding is stated"


def services_pdf(statement: Statement, language: str = "de") -> bytes:
    from volunteering import pdf

    return pdf.statement(statement, language=language)


def test_statement_pdf_download_in_german_and_english(cast: Any, agreement: Any) -> None:
    hours(cast.peer, cast.team_lead.user, dt.date(2025, 3, 4), 90)
    statement = Statement.objects.get(run=approve_month(cast, dt.date(2025, 3, 1)))
    url = reverse("volunteering:statement_pdf", args=[statement.pk])
    response = cast.client_for(cast.peer).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert "Abrechnung der Aufwandsentschädigung" in text and "15,00 €" in text and "825,00 €" in text
    assert "Unterschrift" in text and "nicht anderswo" in text
    english = pdf_text(cast.client_for(cast.team_lead).get(url + "?lang=en").content)
    assert "Statement of the expense allowance" in english and "€825.00" in english
    for who in (cast.other_peer, cast.professional, cast.mentor, cast.supervisor, cast.outsider):
        assert cast.client_for(who).get(url).status_code == 404


def test_csv_for_the_bookkeeping(cast: Any, agreement: Any) -> None:
    hours(cast.peer, cast.team_lead.user, dt.date(2025, 3, 4), 90, kind="travel")
    run = approve_month(cast, dt.date(2025, 3, 1))
    response = cast.client_for(cast.team_lead).get(reverse("volunteering:run_csv", args=[run.pk]))
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert "15,00" in body and "825,00" in body and cast.peer.user.display_name in body
    assert cast.client_for(cast.peer).get(reverse("volunteering:run_csv", args=[run.pk])).status_code == 404


def test_80_and_100_percent_are_told_once_each(cast: Any, volunteer: Any) -> None:
    agree(volunteer, cast.team_lead.user, valid_from=START, rate_cents=10000)
    for day in range(3, 10):  # 7 × 100 € = 700 € of 840 € → above 80 %
        hours(volunteer, cast.team_lead.user, dt.date(2025, 3, day), 60, when=dt.date(2025, 3, 10))
    hours(volunteer, cast.team_lead.user, dt.date(2025, 3, 10), 60)  # 800 €: still between
    kinds = list(Notification.objects.filter(channel="in_app").values_list("recipient_id", "kind"))
    assert kinds.count((volunteer.user_id, "volunteering.limit_80")) == 1
    assert kinds.count((cast.team_lead.user_id, "volunteering.limit_80_lead")) == 1
    assert not any(k.startswith("volunteering.limit_100") for _r, k in kinds)
    hours(volunteer, cast.team_lead.user, dt.date(2025, 3, 11), 60, when=dt.date(2025, 3, 12))
    hours(volunteer, cast.team_lead.user, dt.date(2025, 3, 12), 60)
    kinds = list(Notification.objects.filter(channel="in_app").values_list("recipient_id", "kind"))
    assert kinds.count((volunteer.user_id, "volunteering.limit_100")) == 1
    assert kinds.count((cast.team_lead.user_id, "volunteering.limit_100_lead")) == 1
    assert not Notification.objects.filter(recipient__in=[cast.other_peer.user, cast.professional.user]).exists()


def test_overwork_note_goes_to_her_only(cast: Any, volunteer: Any) -> None:
    agree(volunteer, cast.team_lead.user, valid_from=START, hours_per_week="2")
    for week in range(3):
        monday = START + dt.timedelta(weeks=week)
        hours(volunteer, cast.team_lead.user, monday, 300, when=monday)
    hours(volunteer, cast.peer.user, START + dt.timedelta(weeks=3), 60)
    notes = Notification.objects.filter(kind="volunteering.overwork", channel="in_app")
    assert list(notes.values_list("recipient_id", flat=True)) == [volunteer.user_id]
    with at(START + dt.timedelta(weeks=3)):
        note = "deutlich mehr Stunden erfasst als vereinbart"
        assert note in cast.client_for(cast.peer).get(reverse("volunteering:mine")).content.decode()
        assert note not in cast.client_for(cast.team_lead).get(reverse("volunteering:person", args=[volunteer.pk])).content.decode()


def test_annual_certificate_for_the_previous_year(cast: Any, agreement: Any) -> None:
    hours(cast.peer, cast.team_lead.user, dt.date(2025, 3, 4), 120)
    hours(cast.peer, cast.team_lead.user, dt.date(2025, 11, 4), 60)
    url = reverse("volunteering:my_certificate", args=[2025])
    with at(dt.date(2025, 12, 30)):
        assert cast.client_for(cast.peer).get(url).status_code == 422, "not before January"
    with at(dt.date(2026, 1, 5)):
        response = cast.client_for(cast.peer).get(url)
        assert response.status_code == 200
        text = pdf_text(response.content)
        assert "Jahresbescheinigung" in text and "2025" in text and "30,00 €" in text and "3:00" in text
        lead = cast.client_for(cast.team_lead).get(reverse("volunteering:certificate", args=[cast.peer.pk]) + "?year=2025")
        assert lead.status_code == 200
        assert cast.client_for(cast.other_peer).get(reverse("volunteering:certificate", args=[cast.peer.pk]) + "?year=2025").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_close_the_month_once(cast: Any, agreement: Any) -> None:
    hours(cast.peer, cast.team_lead.user, dt.date(2025, 3, 4), 60)
    with at(dt.date(2025, 3, 28)):
        run = services.open_run(organisation=cast.organisation, month=dt.date(2025, 3, 1), by=cast.team_lead.user)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(user: Any) -> None:
        try:
            barrier.wait(timeout=5)
            services.approve_run(run=run, by=user)
            outcomes.append("approved")
        except ValidationError:
            outcomes.append("refused")
        except Exception as exc:  # noqa: BLE001
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (cast.team_lead.user, cast.org_admin.user)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["approved", "refused"]
    assert Statement.objects.filter(run=run).count() == 1
    run.refresh_from_db()
    assert run.state == BillingRun.State.APPROVED
