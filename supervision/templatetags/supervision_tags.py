"""Template helpers for e-mails, which are rendered for one recipient, in their time zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def in_zone_of(value: Any, recipient: Any) -> str:
    """An ISO timestamp (as stored in a notification's context) in the recipient's time zone."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    try:
        zone = zoneinfo.ZoneInfo(getattr(recipient, "time_zone", "") or "Europe/Berlin")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("Europe/Berlin")
    return formats.date_format(moment.astimezone(zone), "DATETIME_FORMAT")
