"""The rules of volunteer work with an expense allowance, as plain functions.

Each returns an explanation the UI can show (or None when the rule is kept), so the form, the
services, the pages and the tests ask the same function.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from .models import MAX_EXPENSE_CENTS, MAX_MINUTES_PER_ENTRY, BillingRun, RateKind

WARN_SHARE = Decimal("0.8")
# "Markedly more than agreed for several weeks": a quarter more than agreed (and at least two hours
# more) in each of the last three full weeks.
OVERWORK_FACTOR = Decimal("1.25")
OVERWORK_MIN_EXTRA_MINUTES = 120
OVERWORK_WEEKS = 3


def agreement_start_refusal(valid_from: dt.date, today: dt.date) -> str | None:
    """An allowance is agreed before the work starts, never retroactively."""
    if valid_from < today:
        return _("An agreement cannot start in the past: the allowance must be agreed before the work starts.")
    return None


def duration_refusal(minutes: int | None) -> str | None:
    if minutes is None or minutes < 1:
        return _("Please enter a duration of at least one minute.")
    if minutes > MAX_MINUTES_PER_ENTRY:
        return _("One entry can be at most %(hours)s hours. Please split longer days into several entries.") % {
            "hours": MAX_MINUTES_PER_ENTRY // 60
        }
    return None


def expense_refusal(cents: int | None, *, has_receipt: bool) -> str | None:
    """Reimbursing actual costs needs a receipt; a flat allowance does not."""
    if not cents:
        return None
    if cents < 0 or cents > MAX_EXPENSE_CENTS:
        return _("An expense must be between 0.01 € and %(max)s €.") % {"max": MAX_EXPENSE_CENTS // 100}
    if not has_receipt:
        return _("An expense is reimbursed only with a receipt (a photo or a PDF).")
    return None


def entry_date_refusal(day: dt.date, today: dt.date) -> str | None:
    if day > today:
        return _("Hours can be recorded once they are worked, not for a future date.")
    return None


def month_refusal(run: BillingRun | None) -> str | None:
    """Entries of an approved or locked month no longer change; a correction goes into an open month."""
    if run is not None and run.is_closed:
        return _(
            "The month %(month)s is closed for billing (%(state)s): its entries cannot be added or changed. "
            "Please record a correction as a new entry in an open month."
        ) % {"month": run.month.strftime("%m/%Y"), "state": run.get_state_display()}
    return None


def self_approval_refusal(approver_user_id: int, volunteer_user_id: int) -> str | None:
    if approver_user_id == volunteer_user_id:
        return _("Nobody approves their own hours.")
    return None


def amount_for(minutes: int, rate_kind: str, rate_cents: int) -> int:
    """The allowance of one entry in cents, rounded half up once (per hour: pro rata; per session:
    the rate; per month: nothing per entry, the flat rate is added to the month)."""
    if rate_kind == RateKind.HOUR:
        exact = Decimal(minutes) * Decimal(rate_cents) / Decimal(60)
        return int(exact.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    if rate_kind == RateKind.SESSION:
        return rate_cents
    return 0


@dataclass(frozen=True)
class LimitPosition:
    """Where the year stands against the tax-free limit (all in cents)."""

    limit: int | None  # None: no tax-free allowance agreed
    elsewhere: int
    year_to_date: int

    @property
    def available(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.elsewhere, 0)

    @property
    def used(self) -> int:
        return self.year_to_date + self.elsewhere

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)

    @property
    def above(self) -> int:
        """Allowance above the limit: taxable, shown separately and never cut."""
        if self.limit is None:
            return self.year_to_date
        return max(self.used - self.limit, 0)

    @property
    def threshold(self) -> int:
        """0, 80 or 100: the share of the limit reached (counting what she uses elsewhere)."""
        if not self.limit:
            return 0
        if self.used >= self.limit:
            return 100
        if Decimal(self.used) >= WARN_SHARE * self.limit:
            return 80
        return 0

    @property
    def percent(self) -> int:
        if not self.limit:
            return 0
        return min(int(Decimal(self.used) * 100 / self.limit), 999)


def split_month(*, before: LimitPosition, month_cents: int) -> tuple[int, int]:
    """(tax-free, taxable) part of a month's allowance, given the year before it."""
    if before.limit is None:
        return 0, month_cents
    room = max(before.limit - before.used, 0)
    tax_free = min(month_cents, room)
    return tax_free, month_cents - tax_free


def is_overworking(weekly_minutes: Sequence[int], agreed_hours: Decimal) -> bool:
    """Markedly more than agreed in each of the last full weeks (oldest first in the sequence)."""
    if len(weekly_minutes) < OVERWORK_WEEKS or agreed_hours <= 0:
        return False
    agreed = Decimal(agreed_hours) * 60
    bar = max(agreed * OVERWORK_FACTOR, agreed + OVERWORK_MIN_EXTRA_MINUTES)
    return all(Decimal(minutes) > bar for minutes in weekly_minutes[-OVERWORK_WEEKS:])


def certificate_refusal(year: int, today: dt.date) -> str | None:
    """The annual certificate is for a finished year (from January on, for the year before)."""
    if year >= today.year:
        return _("The annual certificate for %(year)s is available from January %(next)s.") % {
            "year": year, "next": year + 1
        }
    return None
