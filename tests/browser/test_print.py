"""Printed pages (Chromium's print to PDF, read back with pypdf): the content with the organisation, the
date and page numbers, and nothing of the screen's navigation, forms or buttons."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import formats, translation
from pypdf import PdfReader

from pairing.models import Tandem
from supervision.models import DatePoll, Session
from tandem.demo import DEMO_PASSWORD

from .harness import Person, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORGANISATION = "Gemeindepsychiatrie Musterstadt e. V."
# Words only the screen shows: the navigation, the account links, the footer, buttons of the pages printed.
SCREEN_ONLY = ["Aktionen", "Menü", "Abmelden", "Benachrichtigungen", "Profil", "Sprache", "Wechseln", "Leichte Sprache",
               "Antwort senden", "Notiz speichern", "Anwesenheit erfassen", "Zum Inhalt springen"]


def printed(person: Person, path: str) -> tuple[str, int]:
    person.goto(path)
    pdf = person.page.pdf(format="A4")
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_session_poll_and_tandem_pages_print_cleanly(people: Callable[..., Person]) -> None:
    call_command("seed_demo", stdout=StringIO())
    with translation.override("de"):
        date = formats.date_format(today(), "DATE_FORMAT")
    session = Session.objects.order_by("starts_at").first()
    poll = DatePoll.objects.first()
    assert session and poll
    supervisor = people("supervisor", "de")
    supervisor.sign_in("supervision@example.org", DEMO_PASSWORD)
    lead = people("team lead", "de")
    lead.sign_in("teamleitung@example.org", DEMO_PASSWORD)
    tandem = Tandem.objects.first()
    assert tandem

    pages = [
        (supervisor, session.get_absolute_url(), session.title),
        (supervisor, poll.get_absolute_url(), poll.title),
        (supervisor, "/supervision/groups/", None),
        (lead, f"/tandems/{tandem.pk}/", None),
        (lead, "/tandems/dashboard/", None),
    ]
    for person, path, heading in pages:
        text, count = printed(person, path)
        flat = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))  # the PDF writes "fl" as a ligature
        assert ORGANISATION in flat, f"{path}: no organisation in the print:\n{text[:500]}"
        assert f"Gedruckt am {date}" in flat, f"{path}: no date in the print:\n{text[:500]}"
        assert f"1 / {count}" in flat, f"{path}: no page number in the print:\n{text[-300:]}"
        if heading:
            assert heading in flat, flat
        shown = [word for word in SCREEN_ONLY if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", flat)]
        assert not shown, f"{path}: the print shows {shown}:\n{text}"


def test_a_long_list_prints_on_numbered_pages(people: Callable[..., Person]) -> None:
    """The page numbers count every page ("2 / 3"), not only the first."""
    call_command("seed_demo", stdout=StringIO())
    person = people("team lead", "de")
    person.sign_in("teamleitung@example.org", DEMO_PASSWORD)
    person.goto("/leichte-sprache/")
    reader = PdfReader(io.BytesIO(person.page.pdf(format="A4")))
    count = len(reader.pages)
    assert count >= 2
    for number, page in enumerate(reader.pages, start=1):
        assert f"{number} / {count}" in page.extract_text()
