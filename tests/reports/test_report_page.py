"""The report page and its downloads: German first, withheld cells as their marker, never the number."""

from __future__ import annotations

import csv
import io
import re

import pytest
from pypdf import PdfReader

from .world import Known, known_year

YEAR = "?kind=year&year=2025"


@pytest.fixture
def known(db: None) -> Known:
    return known_year()


def get(known: Known, path: str, *, who: str = "admin", language: str = "de") -> object:
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    membership = getattr(known, who)
    membership.user.preferred_language = language
    membership.user.save(update_fields=["preferred_language"])
    client.force_login(membership.user)
    return client.get(path)


def test_the_page_shows_withheld_cells_as_weniger_als_3_in_german(known: Known) -> None:
    response = get(known, "/reports/" + YEAR)
    body = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "Das Jahr in Zahlen" in body
    assert "weniger als 3" in body
    assert "zurückgehalten" in body


def test_the_page_says_fewer_than_3_in_english(known: Known) -> None:
    body = get(known, "/reports/" + YEAR, language="en").content.decode()  # type: ignore[attr-defined]
    assert "The year in numbers" in body
    assert "fewer than 3" in body


def test_the_page_draws_accessible_charts_with_the_numbers_in_a_table(known: Known) -> None:
    body = get(known, "/reports/" + YEAR, language="en").content.decode()  # type: ignore[attr-defined]
    for key in ("trend", "attendance"):
        assert f'<svg role="img" aria-labelledby="chart-{key}-title chart-{key}-desc"' in body
        assert f'<title id="chart-{key}-title">' in body
        assert f'<desc id="chart-{key}-desc">' in body
    assert "<caption>Attendance per peer-supervision group</caption>" in body
    assert "<script" not in body.split("<main", 1)[1]


def test_a_team_lead_reads_the_report_of_her_organisation(known: Known) -> None:
    assert get(known, "/reports/" + YEAR, who="lead").status_code == 200  # type: ignore[attr-defined]


def test_a_peer_gets_404(known: Known) -> None:
    assert get(known, "/reports/" + YEAR, who="peer").status_code == 404  # type: ignore[attr-defined]


def test_an_invalid_period_is_sent_back_with_errors(known: Known) -> None:
    response = get(known, "/reports/?kind=range&start=2025-05-01&end=2025-04-01", language="en")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "The last day cannot be before the first day." in response.content.decode()  # type: ignore[attr-defined]


def _csv_rows(known: Known, language: str = "de") -> list[list[str]]:
    response = get(known, "/reports/report.csv" + YEAR, language=language)
    assert response["Content-Type"].startswith("text/csv")  # type: ignore[index]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))  # type: ignore[attr-defined]


def test_the_csv_prints_the_period_and_the_rule_first(known: Known) -> None:
    rows = _csv_rows(known)
    assert rows[1][:4] == ["Zeitraum", "2025", "2025-01-01", "2025-12-31"]
    assert rows[2][0] == "Kleine Zahlen" and "weniger als 3" in rows[2][1]


def test_the_csv_holds_published_cells_and_markers_never_a_withheld_number(known: Known) -> None:
    rows = {row[1]: row[2:] for row in _csv_rows(known, "en") if len(row) > 2}
    assert rows["Tandems proposed"] == ["1", "4", "5"]
    assert rows["Irritations raised with a mentor"] == ["fewer than 3", "withheld", "6"]
    assert rows["Peers without a mentor for some time"] == ["fewer than 3"] * 3
    assert rows["Days without a mentor (all these peers together)"] == ["fewer than 3"] * 3


def _pdf_text(known: Known, language: str = "de") -> str:
    response = get(known, "/reports/report.pdf" + YEAR, language=language)
    assert response["Content-Type"] == "application/pdf"  # type: ignore[index]
    reader = PdfReader(io.BytesIO(response.content))  # type: ignore[attr-defined]
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_is_german_first_with_the_period_the_rule_and_the_totals(known: Known) -> None:
    text = _pdf_text(known)
    assert "Das Jahr in Zahlen · 2025" in text
    assert "Kleine Zahlen" in text and "weniger als 3" in text
    assert re.search(r"Vorgeschlagene Tandems\s+1\s+4\s+5", text)
    assert re.search(r"Mit Mentor\*in besprochene Irritationen\s+1?\s*weniger als 3\s+zurückgehalten\s+6", text) or (
        "weniger als 3 zurückgehalten 6" in " ".join(text.split())
    )


def test_the_pdf_never_prints_a_withheld_number(known: Known) -> None:
    text = " ".join(_pdf_text(known, "en").split())
    # Days without a mentor: 181 (Wohnen), 365 (Krisendienst), 546 together; the 5 irritations of Wohnen.
    for withheld in ("181", "365", "546"):
        assert withheld not in text
    assert "Irritations raised with a mentor fewer than 3 withheld 6" in text


def test_chart_coordinates_are_plain_numbers_in_german(known: Known) -> None:
    """A German page writes "38,0" for 38.0; inside an SVG attribute the browser rejects it."""
    import re

    body = get(known, "/reports/" + YEAR, language="de").content.decode()  # type: ignore[attr-defined]
    charts = re.findall(r"<svg role=\"img\".*?</svg>", body, flags=re.S)
    assert len(charts) == 2
    attributes = re.findall(r'\s(?:x|y|width|height|x1|x2|y1|y2)="([^"]*)"', "".join(charts))
    assert attributes
    assert not [value for value in attributes if "," in value]
