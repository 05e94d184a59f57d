"""A billing month as CSV for the bookkeeping: one row per person, amounts in euros with a decimal
comma (German spreadsheets), semicolon-separated."""

from __future__ import annotations

import csv as csv_module
import io

from django.utils.translation import gettext as _

from .models import BillingRun, Statement


def euros(cents: int | None) -> str:
    if cents is None:
        return ""
    return f"{cents // 100},{cents % 100:02d}"


def _cell(value: str) -> str:
    # A cell a spreadsheet would run as a formula is written as text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def render(run: BillingRun, statements: list[Statement]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # a byte-order mark, so that spreadsheet programs read umlauts as UTF-8
    writer = csv_module.writer(out, delimiter=";")
    writer.writerow([_("Expense allowance"), run.organisation.name, run.month.strftime("%m/%Y"), run.get_state_display()])
    writer.writerow([_("Each entry is rounded half up to a full cent; the month is the sum of the rounded entries.")])
    writer.writerow([
        _("Person"), _("Person number"), _("Period"), _("Allowance"), _("Hours"), _("Allowance (€)"), _("of which tax-free (€)"),
        _("of which taxable (€)"), _("Reimbursed expenses (€)"), _("Total payout (€)"), _("Year to date (€)"),
        _("Remaining tax-free limit (€)"),
    ])
    for s in statements:
        writer.writerow([
            _cell(s.volunteer.user.display_name), s.volunteer_id, run.month.strftime("%Y-%m"), s.get_allowance_kind_display(),
            f"{s.minutes // 60}:{s.minutes % 60:02d}", euros(s.allowance_cents), euros(s.tax_free_cents), euros(s.taxable_cents),
            euros(s.expenses_cents), euros(s.total_cents), euros(s.year_to_date_cents), euros(s.remaining_cents),
        ])
    return out.getvalue()
