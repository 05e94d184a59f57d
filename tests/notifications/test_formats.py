"""E-mails and pages write dates, times and numbers as people of the reader's language do.

A notification's context is stored as JSON, so its dates arrive as ISO text: an e-mail must still say
"am 2. Dezember 2026" and "17:00 Uhr", never "2026-12-02" or "4.5" in German.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from tandem.notifications.sending import render_email
from tests.factories import UserFactory

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
URL = "https://tandem.example.org/x/"


@pytest.mark.parametrize(
    "kind,context,german,english",
    [
        ("mentoring.check_in_soon", {"due": "2026-12-02"}, "2. Dezember 2026", "Dec. 2, 2026"),
        ("mentoring.check_in_overdue", {"due": "2026-12-02"}, "2. Dezember 2026", "Dec. 2, 2026"),
        ("tandem.support_transition", {"client_code": "K-17", "planned_end": "2027-01-29"}, "29. Januar 2027", "Jan. 29, 2027"),
    ],
)
def test_dates_in_emails_are_written_out_in_the_readers_language(db, kind, context, german, english):
    de = render_email(UserFactory(preferred_language="de"), f"notifications/{kind}", {**context, "url": URL})
    en = render_email(UserFactory(preferred_language="en"), f"notifications/{kind}", {**context, "url": URL})
    for message, expected in ((de, german), (en, english)):
        text = message.body.replace(URL, "")
        html = message.alternatives[0][0].replace(URL, "")
        assert expected in text and expected in html
        assert not ISO_DATE.search(text) and not ISO_DATE.search(html)


def test_supervision_reminder_says_uhr_in_german(db):
    user = UserFactory(preferred_language="de", time_zone="Europe/Berlin")
    message = render_email(user, "notifications/supervision.reminder", {
        "url": URL, "group": "Gruppe Nord", "title": "Supervision", "starts_at": "2026-12-02T16:00:00+00:00",
    })
    assert "am 2. Dezember 2026, 17:00 Uhr" in message.body
    assert "am 2. Dezember 2026, 17:00 Uhr" in message.subject


def _render(source: str, **context: object) -> str:
    return Template("{% load tandem_format %}" + source).render(Context(context))


def test_the_filters_read_values_and_iso_text_alike():
    moment = dt.datetime(2026, 12, 2, 16, 0, tzinfo=dt.UTC)
    with translation.override("de"), timezone.override("Europe/Berlin"):
        assert _render("{{ d|long_date }}", d="2026-12-02") == "2. Dezember 2026"
        assert _render("{{ d|long_date }}", d=dt.date(2026, 12, 2)) == "2. Dezember 2026"
        assert _render("{{ d|short_date }}", d="2026-12-02") == "02.12.2026"
        assert _render("{{ m|moment }}", m=moment) == "2. Dezember 2026, 17:00 Uhr"
        assert _render("{{ m|moment }}", m=moment.isoformat()) == "2. Dezember 2026, 17:00 Uhr"
        assert _render("{{ m|clock }}", m=moment) == "17:00 Uhr"
        assert _render("{{ n|decimal:1 }}", n=4.5) == "4,5"
        assert _render("{{ d|long_date }}", d="not a date") == ""
    with translation.override("en"):
        assert _render("{{ n|decimal:1 }}", n=4.5) == "4.5"
        assert _render("{{ d|long_date }}", d="2026-12-02") == "Dec. 2, 2026"


def test_german_pages_write_times_with_uhr():
    moment = dt.datetime(2026, 12, 2, 16, 0, tzinfo=dt.UTC)
    with translation.override("de"), timezone.override("Europe/Berlin"):
        assert _render('{{ m|date:"DATETIME_FORMAT" }}', m=moment) == "2. Dezember 2026, 17:00 Uhr"
        assert _render('{{ m|date:"SHORT_DATETIME_FORMAT" }}', m=moment) == "02.12.2026, 17:00 Uhr"
        assert _render('{{ m|time:"TIME_FORMAT" }}', m=moment) == "17:00 Uhr"
