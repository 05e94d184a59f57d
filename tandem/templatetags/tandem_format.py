"""Dates, times and numbers in the language being rendered, also where the value arrives as ISO text.

A notification's stored context is JSON, so its dates are ISO strings ("2026-12-02"); an e-mail that
printed them as they are would say "am 2026-12-02". These filters read either a value or its ISO text
and format it with the active language's formats (tandem/formats/) in the active time zone, which the
sender sets to the recipient's.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import formats, timezone

register = template.Library()


def _parse(value: Any) -> dt.date | dt.datetime | None:
    if isinstance(value, dt.date):  # a datetime is a date too
        return value
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromisoformat(value) if "T" in value or " " in value else dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def long_date(value: Any) -> str:
    """ "2. Dezember 2026" / "2 December 2026"."""
    parsed = _parse(value)
    return "" if parsed is None else formats.date_format(_local(parsed), "DATE_FORMAT")


@register.filter
def short_date(value: Any) -> str:
    """ "02.12.2026" / "02/12/2026"."""
    parsed = _parse(value)
    return "" if parsed is None else formats.date_format(_local(parsed), "SHORT_DATE_FORMAT")


@register.filter
def moment(value: Any) -> str:
    """A point in time: "2. Dezember 2026, 17:00 Uhr" / "2 December 2026, 17:00"."""
    parsed = _parse(value)
    if parsed is None:
        return ""
    if not isinstance(parsed, dt.datetime):
        return formats.date_format(parsed, "DATE_FORMAT")
    return formats.date_format(_local(parsed), "DATETIME_FORMAT")


@register.filter
def clock(value: Any) -> str:
    """ "17:00 Uhr" / "17:00"."""
    parsed = _parse(value)
    if not isinstance(parsed, dt.datetime):
        return ""
    local = _local(parsed)
    assert isinstance(local, dt.datetime)
    return formats.time_format(local, "TIME_FORMAT")


@register.filter
def decimal(value: Any, places: Any = 1) -> str:
    """A number with the language's decimal separator: "4,5" / "4.5"."""
    try:
        number = Decimal(str(value))
        digits = int(places)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return formats.number_format(number, digits)
