"""The period a report covers: a calendar year, a quarter or a range of days (both ends included)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # included
    kind: str = "range"  # "year", "quarter" or "range"

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), "year")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        start = dt.date(year, 3 * quarter - 2, 1)
        return cls(start, _quarter_end(start), "quarter")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.kind == "year":
            return str(self.start.year)
        if self.kind == "quarter":
            return _("Q%(quarter)s %(year)s") % {"quarter": (self.start.month + 2) // 3, "year": self.start.year}
        return _("%(start)s to %(end)s") % {
            "start": formats.date_format(self.start, "SHORT_DATE_FORMAT"),
            "end": formats.date_format(self.end, "SHORT_DATE_FORMAT"),
        }

    @property
    def slug(self) -> str:
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as a half-open range of aware datetimes in the current time zone."""
        zone = timezone.get_current_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return start, end

    def quarters(self) -> list[Period]:
        """The calendar quarters the period touches, each cut to the period."""
        found = []
        start = dt.date(self.start.year, 3 * ((self.start.month - 1) // 3) + 1, 1)
        while start <= self.end:
            end = _quarter_end(start)
            label_period = Period(start, end, "quarter")
            found.append(Period(max(start, self.start), min(end, self.end), "quarter" if label_period.start >= self.start and end <= self.end else "range"))
            start = end + dt.timedelta(days=1)
        return found


def _quarter_end(start: dt.date) -> dt.date:
    next_start = dt.date(start.year + (start.month + 3 > 12), (start.month + 2) % 12 + 1, 1)
    return next_start - dt.timedelta(days=1)
