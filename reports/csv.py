"""The report's published cells as CSV: the period and the suppression rule first, a withheld cell
as its marker, never its number."""

from __future__ import annotations

import csv as csv_module
import io

from django.utils.translation import gettext as _

from . import selectors


def render(report: selectors.Report) -> str:
    out = io.StringIO()
    # A byte-order mark, so that spreadsheet programs read the umlauts as UTF-8.
    out.write("\ufeff")
    writer = csv_module.writer(out)
    writer.writerow([_("Tandem: the year in numbers"), report.organisation.name])
    writer.writerow([_("Period"), report.period.label, report.period.start.isoformat(), report.period.end.isoformat()])
    writer.writerow([_("Small numbers"), str(selectors.SUPPRESSION_RULE % {"n": report.threshold})])
    writer.writerow([])
    writer.writerow([_("Section"), _("Figure"), *report.columns])
    for section, row in report.rows():
        writer.writerow([section.title, row.label, *(cell.text for cell in row.cells)])
    for section in report.sections:
        if not section.rows:
            writer.writerow([section.title, section.note])
    return out.getvalue()
