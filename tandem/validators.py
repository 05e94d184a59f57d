"""Validators every app's forms share."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

EARLIEST = dt.date(2000, 1, 1)
YEARS_AHEAD = 10


def plausible_date(value: dt.date) -> None:
    """A date of work with people: not before 2000 and at most ten years ahead. Anything else is a
    typing slip, and date arithmetic on it (a planned end a year later) would overflow."""
    latest = timezone.localdate().replace(month=1, day=1)
    latest = latest.replace(year=latest.year + YEARS_AHEAD + 1) - dt.timedelta(days=1)
    if not EARLIEST <= value <= latest:
        raise ValidationError(
            _("Please give a date between %(first)s and %(last)s.")
            % {"first": formats.date_format(EARLIEST, "SHORT_DATE_FORMAT"), "last": formats.date_format(latest, "SHORT_DATE_FORMAT")},
            code="implausible_date",
        )
