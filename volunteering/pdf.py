"""Statements and annual certificates as PDF, laid out by WeasyPrint from a template."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import selectors
from .models import Statement


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> Any:
    # The templates carry their styles inline: nothing is fetched.
    raise ValueError(f"The statement PDF loads no external resources ({url}).")


def _render(template: str, context: dict[str, Any], language: str) -> bytes:
    # Imported here: WeasyPrint loads pango through cffi, which only the download needs.
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(template, {**context, "language": language, "printed_on": timezone.localdate()})
    return bytes(HTML(string=html, url_fetcher=_no_fetching).write_pdf())


def statement(statement: Statement, *, language: str = "de") -> bytes:
    entries = selectors.statement_entries(statement)
    return _render("volunteering/pdf/statement.html", {"s": statement, "entries": entries}, language)


def certificate(certificate: selectors.Certificate, *, language: str = "de") -> bytes:
    return _render("volunteering/pdf/certificate.html", {"c": certificate}, language)
