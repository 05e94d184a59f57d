"""Attendance figures: per member and per weekday for the supervisor, one number for the organisation."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass

from django.db.models import Count, Q

from accounts.models import Organisation

from .models import WEEKDAY_CHOICES, Attendance, GroupMember, Session, SupervisionGroup


@dataclass(frozen=True)
class Rate:
    label: str
    present: int
    recorded: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.present / self.recorded) if self.recorded else None


def by_member(group: SupervisionGroup) -> list[Rate]:
    counts = {
        row["membership_id"]: row
        for row in Attendance.objects.filter(session__group=group, session__status=Session.Status.SCHEDULED)
        .values("membership_id")
        .annotate(recorded=Count("id"), present=Count("id", filter=Q(attended=True)))
    }
    members = GroupMember.objects.current().filter(group=group).select_related("membership__user")
    result = []
    for member in members:
        row = counts.get(member.membership_id, {"recorded": 0, "present": 0})
        result.append(Rate(member.membership.user.display_name, row["present"], row["recorded"]))
    return sorted(result, key=lambda r: r.label.lower())


def by_weekday(group: SupervisionGroup) -> list[Rate]:
    """Attendance per local weekday of the sessions, so a supervisor can judge the rotation."""
    sessions = (
        Session.objects.filter(group=group, status=Session.Status.SCHEDULED)
        .annotate(recorded=Count("attendance"), present=Count("attendance", filter=Q(attendance__attended=True)))
        .filter(recorded__gt=0)
        .values("starts_at", "time_zone", "recorded", "present")
    )
    totals: dict[int, list[int]] = {}
    for row in sessions:
        weekday = row["starts_at"].astimezone(zoneinfo.ZoneInfo(row["time_zone"])).weekday()
        total = totals.setdefault(weekday, [0, 0])
        total[0] += row["present"]
        total[1] += row["recorded"]
    return [Rate(str(label), totals[day][0], totals[day][1]) for day, label in WEEKDAY_CHOICES if day in totals]


def organisation_rate(organisation: Organisation) -> int | None:
    """The share (percent) of recorded places that were attended, over the organisation's groups."""
    row = Attendance.objects.filter(
        session__group__organisation=organisation, session__status=Session.Status.SCHEDULED
    ).aggregate(recorded=Count("id"), present=Count("id", filter=Q(attended=True)))
    return Rate("", row["present"], row["recorded"]).percent
