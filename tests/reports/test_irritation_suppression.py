"""Irritation figures of the report are withheld by the number of peers who could be behind them.

A count of irritations is something people did: "5" in a service with one peer is hers, however
large it is. Such a cell reads "fewer than 3" (German "weniger als 3"), and further cells or the
total are withheld so that it cannot be worked out from the rest. The page, the CSV and the PDF
print the same cells.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from accounts.models import Membership, Organisation, Service
from reports import selectors
from reports.period import Period
from tests.factories import OrganisationFactory, ServiceFactory, TeamFactory

from .world import D, irritation, person

YEAR = Period.year(2025)
TODAY = dt.date(2026, 1, 15)
QUERY = "?kind=year&year=2025"
IRRITATION_ROWS = ("irritations_raised", "irritations_clarified", "irritations_escalated", "irritations_median_days")


def service_with(organisation: Organisation, name: str, peers: int, irritations: int, mentor: Membership) -> Service:
    """A service whose ``peers`` peers raise ``irritations`` with the mentor in 2025 (the first peer all
    of them), each escalated and clarified after ten days."""
    service = ServiceFactory(organisation=organisation, name=name)
    team = TeamFactory(service=service, name=f"Team {name}")
    members = [person(organisation, team, is_peer=True) for _ in range(peers)]
    for i in range(irritations):
        day = D(2025, 2, 1) + dt.timedelta(days=7 * i)
        irritation(
            members[0], mentor, raised=day, escalated=day + dt.timedelta(days=2), resolved=day + dt.timedelta(days=10)
        )
    return service


def lines(organisation: Organisation, language: str = "en") -> dict[str, list[str]]:
    with translation.override(language):
        report = selectors.year_report(organisation, YEAR, today=TODAY)
    return {row.key: [cell.text for cell in row.cells] for _section, row in report.rows() if row.key in IRRITATION_ROWS}


@pytest.fixture
def organisation(db: None) -> Organisation:
    # Columns by name: Allein (one peer, five irritations), Gross (four peers, seven), Mitte (three, one).
    organisation = OrganisationFactory(name="Träger Nord", slug="nord")
    mentor = person(organisation, None, is_mentor=True, is_professional=True)
    service_with(organisation, "Allein", 1, 5, mentor)
    service_with(organisation, "Gross", 4, 7, mentor)
    service_with(organisation, "Mitte", 3, 1, mentor)
    return organisation


def test_a_service_with_one_peer_and_many_irritations_reads_fewer_than_three(organisation: Organisation) -> None:
    found = lines(organisation)
    # Five is no small count, but all five are hers.
    assert found["irritations_raised"][0] == "fewer than 3"
    assert found["irritations_clarified"][0] == "fewer than 3"
    assert found["irritations_escalated"][0] == "fewer than 3"
    assert found["irritations_median_days"][0] == "fewer than 3"


def test_the_withheld_service_cannot_be_worked_out_from_the_total(organisation: Organisation) -> None:
    found = lines(organisation)
    # 13 - 7 would be her 5 (with the 1 of Mitte shown): the smallest other cell is withheld too.
    for key in ("irritations_raised", "irritations_clarified", "irritations_escalated"):
        assert found[key] == ["fewer than 3", "7", "withheld", "13"], key
    assert found["irritations_median_days"] == ["fewer than 3", "10", "withheld", "10"]


def test_services_with_three_peers_or_more_show_their_count(db: None) -> None:
    organisation = OrganisationFactory(name="Träger Ost", slug="ost")
    mentor = person(organisation, None, is_mentor=True, is_professional=True)
    service_with(organisation, "Drei", 3, 1, mentor)
    service_with(organisation, "Vier", 4, 6, mentor)
    found = lines(organisation)
    # One irritation in a service of three peers stands for none of them in particular.
    assert found["irritations_raised"] == ["1", "6", "7"]
    assert found["irritations_escalated"] == ["1", "6", "7"]
    assert found["irritations_median_days"] == ["10", "10", "10"]


def test_an_organisation_with_two_peers_withholds_its_total_too(db: None) -> None:
    organisation = OrganisationFactory(name="Träger Klein", slug="klein")
    mentor = person(organisation, None, is_mentor=True, is_professional=True)
    service_with(organisation, "Zwei", 2, 8, mentor)
    found = lines(organisation, "de")
    assert found["irritations_raised"] == ["weniger als 3", "weniger als 3"]
    assert found["irritations_median_days"] == ["weniger als 3", "weniger als 3"]


def test_a_peer_in_no_service_counts_for_the_organisation(db: None) -> None:
    # Two peers in the service, a third in no team: three could be behind the total, two behind the cell.
    organisation = OrganisationFactory(name="Träger Rand", slug="rand")
    mentor = person(organisation, None, is_mentor=True, is_professional=True)
    service_with(organisation, "Zwei", 2, 4, mentor)
    person(organisation, None, is_peer=True)
    found = lines(organisation)
    # The only cell withheld beside a shown total would be the total itself: the total goes too.
    assert found["irritations_raised"] == ["fewer than 3", "withheld"]


def test_two_small_services_at_the_bound_are_not_given_away_by_the_others(db: None) -> None:
    # 2 and 2 read "fewer than 3" beside 10 and 14: a reader taking them for 0..2 would pin both at 2.
    organisation = OrganisationFactory(name="Träger Süd", slug="sued")
    mentor = person(organisation, None, is_mentor=True, is_professional=True)
    service_with(organisation, "A", 1, 2, mentor)
    service_with(organisation, "B", 1, 2, mentor)
    service_with(organisation, "C", 5, 10, mentor)
    found = lines(organisation)
    assert found["irritations_raised"] == ["fewer than 3", "fewer than 3", "withheld", "14"]


def get(organisation: Organisation, path: str, language: str) -> object:
    admin = person(organisation, None, is_org_admin=True)
    admin.user.preferred_language = language
    admin.user.save(update_fields=["preferred_language"])
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(admin.user)
    return client.get(path + QUERY)


def test_the_page_prints_weniger_als_3_for_the_lone_peers_service(organisation: Organisation) -> None:
    body = get(organisation, "/reports/", "de").content.decode()  # type: ignore[attr-defined]
    row = body.split("Mit Mentor*in besprochene Irritationen", 1)[1].split("</tr>", 1)[0]
    assert ">weniger als 3<" in row and ">7<" in row and ">zurückgehalten<" in row and ">13<" in row
    assert ">5<" not in row and ">1<" not in row
    assert "Irritationen einer Einrichtung oder der Organisation mit weniger als 3" in body  # the rule says so


def test_the_csv_and_the_pdf_print_the_same_cells(organisation: Organisation) -> None:
    response = get(organisation, "/reports/report.csv", "en")
    rows = {row[1]: row[2:] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) if len(row) > 2}  # type: ignore[attr-defined]
    assert rows["Irritations raised with a mentor"] == ["fewer than 3", "7", "withheld", "13"]
    response = get(organisation, "/reports/report.pdf", "en")
    text = " ".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split())  # type: ignore[attr-defined]
    assert "Irritations raised with a mentor fewer than 3 7 withheld 13" in text
