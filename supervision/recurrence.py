"""When the sessions of a series take place: plain functions, no database.

A series is defined in local time (e.g. "18:00 Europe/Berlin"); every occurrence is computed as a
local date and the local wall time, and only then turned into UTC. So a monthly 18:00 session stays
at 18:00 on both sides of a daylight-saving change, while its UTC time moves by an hour.

Weekday rotation (rule of practice: peer groups vary the weekday so that as many people as
possible can come): the k-th occurrence uses the k-th weekday of the chosen set, cyclically, e.g.
Mon → Tue → Wed → Thu → Mon ...
"""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

MONTHLY = "monthly"  # every N months on the start date's day of month
WEEKLY = "weekly"  # every N weeks
NTH_WEEKDAY = "nth_weekday"  # the Nth (or last: -1) weekday of every N months

FREQUENCIES = (MONTHLY, WEEKLY, NTH_WEEKDAY)


@dataclass(frozen=True)
class Rule:
    frequency: str
    start: dt.date  # the first period's anchor date (local)
    at: dt.time  # local wall time
    time_zone: str = "Europe/Berlin"
    interval: int = 1
    weekday: int | None = None  # 0 = Monday; for NTH_WEEKDAY without rotation
    nth: int = 1  # 1..4, or -1 for the last one; for NTH_WEEKDAY
    rotation: Sequence[int] = field(default_factory=tuple)  # weekdays, 0 = Monday

    def __post_init__(self) -> None:
        if self.frequency not in FREQUENCIES:
            raise ValueError(f"unknown frequency {self.frequency!r}")
        if self.interval < 1:
            raise ValueError("interval must be at least 1")
        if self.frequency == NTH_WEEKDAY and not self.rotation and self.weekday is None:
            raise ValueError("the Nth-weekday rule needs a weekday or a rotation")
        if self.frequency == NTH_WEEKDAY and self.nth not in (1, 2, 3, 4, -1):
            raise ValueError("nth must be 1..4 or -1")
        if any(not 0 <= d <= 6 for d in self.rotation):
            raise ValueError("rotation weekdays are 0..6")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of month ``months`` later, clamped to the month's last day (31 Jan → 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def nth_weekday_of_month(year: int, month: int, weekday: int, nth: int) -> dt.date:
    """The ``nth`` ``weekday`` of a month; ``nth=-1`` is the last one."""
    days_in_month = calendar.monthrange(year, month)[1]
    if nth == -1:
        last = dt.date(year, month, days_in_month)
        return last - dt.timedelta(days=(last.weekday() - weekday) % 7)
    first = dt.date(year, month, 1)
    day = first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    if day.month != month:  # a fifth weekday that does not exist; not reachable for nth <= 4
        raise ValueError("no such weekday in this month")
    return day


def weekday_for(rule: Rule, index: int) -> int | None:
    if rule.rotation:
        return rule.rotation[index % len(rule.rotation)]
    return rule.weekday


def local_date(rule: Rule, index: int) -> dt.date:
    """The local date of occurrence number ``index`` (0 is the first)."""
    weekday = weekday_for(rule, index)
    if rule.frequency == NTH_WEEKDAY:
        month = add_months(rule.start.replace(day=1), index * rule.interval)
        assert weekday is not None
        return nth_weekday_of_month(month.year, month.month, weekday, rule.nth)
    if rule.frequency == MONTHLY:
        base = add_months(rule.start, index * rule.interval)
        if weekday is None:
            return base
        # With a rotation: the first day of the rotated weekday on or after the anchor day.
        return base + dt.timedelta(days=(weekday - base.weekday()) % 7)
    base = rule.start + dt.timedelta(weeks=index * rule.interval)
    if weekday is None:
        return base
    # Every N weeks with a rotation: the rotated weekday in the anchor's week (Monday to Sunday).
    monday = base - dt.timedelta(days=base.weekday())
    return monday + dt.timedelta(days=weekday)


def to_utc(day: dt.date, at: dt.time, time_zone: str) -> dt.datetime:
    """The UTC instant of local wall time ``at`` on ``day``.

    A wall time that does not exist (inside the spring-forward gap) moves forward by the gap; an
    ambiguous one (the autumn hour that happens twice) is the first of the two (fold=0).
    """
    zone = zoneinfo.ZoneInfo(time_zone)
    local = dt.datetime.combine(day, at, tzinfo=zone)
    return local.astimezone(dt.UTC)


def occurrence(rule: Rule, index: int) -> dt.datetime:
    """The UTC start of occurrence ``index``."""
    return to_utc(local_date(rule, index), rule.at, rule.time_zone)


def occurrences(rule: Rule, *, until: dt.datetime, after: dt.datetime | None = None) -> Iterator[tuple[int, dt.datetime]]:
    """(index, UTC start) of every occurrence up to ``until`` (inclusive), skipping those before ``after``.

    The index is stable for a rule, so a generator can create each occurrence once, however often
    it runs.
    """
    index = 0
    while True:
        start = occurrence(rule, index)
        if start > until:
            return
        if after is None or start >= after:
            yield index, start
        index += 1


def weekday_names(days: Sequence[int]) -> list[str]:
    """Weekday labels (translated at call time) for showing a rotation."""
    from django.utils.dates import WEEKDAYS

    return [str(WEEKDAYS[d]) for d in days]
