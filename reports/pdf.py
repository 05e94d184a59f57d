"""The report as PDF: the page's own HTML laid out by WeasyPrint (HTML and CSS to PDF), so the
download has the same layout as the page and needs no second template language."""

from __future__ import annotations

from typing import Any


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> Any:
    # The PDF template carries its styles and charts inline: nothing is fetched, not even from us.
    raise ValueError(f"The report PDF loads no external resources ({url}).")


def render(html: str) -> bytes:
    # Imported here: WeasyPrint loads pango through cffi, which only the download needs.
    from weasyprint import HTML

    return bytes(HTML(string=html, url_fetcher=_no_fetching).write_pdf())
