"""Every number of the report, read with a fixed number of queries whatever the size of the organisation.

Counts are read as sets (grouped aggregates, or narrow value lists of ids and dates that are
folded here); no query runs per service, tandem or person. Nothing here reads a name, a text or a
note: only ids, dates and states.

A person counts for every service she worked in during the period (through her teams); the
organisation column counts each person once. Tandems and support processes belong to exactly one
service (their team's). Only irritations that reached a mentor are counted: a peer's private log of
what happened stays private, also as a number (the rule of mentoring/stats.py).
"""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, DateField, F, Q, Value
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Membership, Organisation, PeerProfile, Service, TeamMembership
from mentoring.models import CheckIn, Irritation, MentorAssignment
from pairing.models import SupportProcess, Tandem
from supervision.models import Attendance, Session, SupervisionGroup
from tandem import suppression
from tandem.db import DatePlusDays
from tandem.suppression import TOTAL, Protected
from volunteering import selectors as volunteering_selectors

from . import rules
from .period import Period

# "Within the first three months" of being active, in days (three months of 30.4 days).
EARLY_END_DAYS = 91


@dataclass(frozen=True)
class Cell:
    text: str  # what is printed: the number, or the marker; never the number of a withheld cell
    value: float | int | None  # None when withheld or not applicable
    withheld: str = ""  # "", "small" (fewer than N) or "protecting" (hides a small one)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: list[Cell]  # one per service, then the organisation
    sensitive: bool = False
    note: str = ""

    @property
    def total(self) -> Cell:
        return self.cells[-1]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: list[Row]
    note: str = ""


@dataclass(frozen=True)
class Bar:
    label: str
    values: list[int | float]


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    series: list[str]  # what each value of a bar is
    bars: list[Bar]

    @property
    def maximum(self) -> float:
        return max([v for bar in self.bars for v in bar.values] + [1])


@dataclass(frozen=True)
class Report:
    organisation: Organisation
    period: Period
    columns: list[str]  # the services, then the organisation
    sections: list[Section]
    charts: list[Chart] = field(default_factory=list)
    threshold: int = rules.MINIMUM_THRESHOLD

    def rows(self) -> Iterable[tuple[Section, Row]]:
        for section in self.sections:
            for row in section.rows:
                yield section, row


# --- cells --------------------------------------------------------------------------------------


def _marker(kind: str, limit: int) -> str:
    if kind == "small":
        return _("fewer than %(n)s") % {"n": limit}
    return _("withheld")


def _plain(values: list[int], total: int) -> list[Cell]:
    return [Cell(str(v), v) for v in [*values, total]]


def _protected(line: Protected, limit: int, *, texts: dict[int, str] | None = None) -> list[Cell]:
    cells = []
    for key in [*line.cells, TOTAL]:
        if key in line.primary:
            cells.append(Cell(_marker("small", limit), None, "small"))
        elif key in line.secondary:
            cells.append(Cell(_marker("protecting", limit), None, "protecting"))
        else:
            value = line.values[key]
            cells.append(Cell(texts[key] if texts and key in texts else str(value), value))
    return cells


def _localised(text: str) -> str:
    """ "2.5" as the reader writes it ("2,5" in German); the figure itself stays a number for the CSV."""
    return text.replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def _derived(count: Protected, figures: dict[int, float | None], limit: int, fmt: str) -> list[Cell]:
    """Cells of a share or median: withheld where its count is, empty where there is nothing to divide."""
    cells = []
    for key in [*count.cells, TOTAL]:
        if count.is_suppressed(key):
            kind = "small" if key in count.primary else "protecting"
            cells.append(Cell(_marker(kind, limit), None, kind))
        elif figures.get(key) is None:
            cells.append(Cell("–", None))
        else:
            value = figures[key]
            assert value is not None
            cells.append(Cell(_localised(fmt % value), value))
    return cells


# --- the report ---------------------------------------------------------------------------------


def _overlapping(prefix: str, period: Period) -> Q:
    """Rows whose [started_on, ended_on] overlaps the period."""
    return Q(**{f"{prefix}started_on__lte": period.end}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": period.start})
    )


def _counted_days(start: dt.date, end: dt.date | None, period: Period, today: dt.date) -> tuple[dt.date, dt.date] | None:
    first = max(start, period.start)
    last = min(end or period.end, period.end, today)
    return (first, last) if first <= last else None


def year_report(organisation: Organisation, period: Period, *, today: dt.date | None = None) -> Report:
    """The whole report for one organisation (every service). Fifteen queries, whatever the size."""
    today = today or timezone.localdate()
    limit = rules.threshold()
    start_at, end_at = period.bounds()

    # 1. The services (also archived ones: the period may predate the archiving).
    services = list(Service.objects.filter(organisation=organisation).order_by("name", "id").values_list("id", "name"))
    index = {service_id: i for i, (service_id, _name) in enumerate(services)}
    n = len(services)

    def per_service(sets: dict[int, set[int]], everyone: set[int]) -> list[int]:
        return [len(sets.get(sid, set())) for sid, _name in services] + [len(everyone)]

    # 2. Where each peer and professional worked during the period (their teams' services).
    service_of: dict[int, set[int]] = defaultdict(set)
    for membership_id, service_id in (
        TeamMembership.objects.filter(_overlapping("", period), team__organisation=organisation)
        .values_list("membership_id", "team__service_id")
        .distinct()
    ):
        service_of[membership_id].add(service_id)

    # 3. The peers who were members during the period, with their kind.
    peers = list(
        Membership.objects.filter(_overlapping("", period), organisation=organisation, is_peer=True).values_list(
            "id", "started_on", "ended_on", "peer_profile__kind"
        )
    )
    kinds: dict[str, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    kind_totals: dict[str, set[int]] = defaultdict(set)
    for peer_id, _start, _end, kind in peers:
        kind = kind or PeerProfile.Kind.EMPLOYED
        kind_totals[kind].add(peer_id)
        for sid in service_of.get(peer_id, ()):
            kinds[kind][sid].add(peer_id)

    # 4. Their mentor assignments during the period: days without a mentor (never who).
    covered: dict[int, set[dt.date]] = defaultdict(set)
    for peer_id, a_start, a_end in MentorAssignment.objects.accepted().filter(
        _overlapping("", period), organisation=organisation, peer__is_peer=True
    ).values_list("peer_id", "started_on", "ended_on"):
        span = _counted_days(a_start, a_end, period, today)
        if span:
            covered[peer_id].update(span[0] + dt.timedelta(days=d) for d in range((span[1] - span[0]).days + 1))
    days_without: dict[int, int] = {}
    for peer_id, m_start, m_end, _kind in peers:
        span = _counted_days(m_start, m_end, period, today)
        if span:
            member_days = {span[0] + dt.timedelta(days=d) for d in range((span[1] - span[0]).days + 1)}
            missing = len(member_days - covered.get(peer_id, set()))
            if missing:
                days_without[peer_id] = missing
    without_sets: dict[int, set[int]] = defaultdict(set)
    without_days = [0] * n
    for peer_id, days in days_without.items():
        for sid in service_of.get(peer_id, ()):
            without_sets[sid].add(peer_id)
            without_days[index[sid]] += days
    # The organisation counts each person once: its cell is the distinct count, not the sum.
    without_line = suppression.protect_line(per_service(without_sets, set())[:n], total=len(days_without), limit=limit)
    days_line = suppression.follows(without_line, without_days, total=sum(days_without.values()))

    # 5. Tandems, per service (each tandem belongs to one team, so the services add up).
    early_end = DatePlusDays(F("activated_on"), Value(EARLY_END_DAYS), output_field=DateField())
    ended = Q(ended_on__range=(period.start, period.end)) & ~Q(end_reason=Tandem.EndReason.DECLINED)
    tandem_rows = {
        row["team__service_id"]: row
        for row in Tandem.objects.filter(organisation=organisation)
        .values("team__service_id")
        .annotate(
            proposed=Count("id", filter=Q(started_on__range=(period.start, period.end)), distinct=True),
            started=Count("id", filter=Q(activated_on__range=(period.start, period.end)), distinct=True),
            active=Count(
                "id",
                filter=Q(activated_on__lte=period.end) & (Q(ended_on__isnull=True) | Q(ended_on__gte=period.start)),
                distinct=True,
            ),
            paused=Count(
                "id",
                filter=Q(pauses__started_on__lte=period.end)
                & (Q(pauses__ended_on__isnull=True) | Q(pauses__ended_on__gte=period.start)),
                distinct=True,
            ),
            ended=Count("id", filter=ended, distinct=True),
            early=Count("id", filter=ended & Q(activated_on__isnull=False, ended_on__lt=early_end), distinct=True),
        )
        .order_by()
    }

    def tandem_line(name: str) -> list[int]:
        return [tandem_rows.get(sid, {}).get(name, 0) for sid, _name in services]

    # 6. Professionals in tandems that were active during the period (distinct people).
    professionals: dict[int, set[int]] = defaultdict(set)
    all_professionals: set[int] = set()
    for service_id, professional_id in (
        Tandem.objects.filter(organisation=organisation, activated_on__lte=period.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period.start))
        .values_list("team__service_id", "professional_id")
        .distinct()
    ):
        professionals[service_id].add(professional_id)
        all_professionals.add(professional_id)

    # 7. Mentor check-ins held (counted for the services of the peer).
    check_ins: dict[int, set[int]] = defaultdict(set)
    all_check_ins: set[int] = set()
    for check_in_id, peer_id in CheckIn.objects.filter(
        assignment__organisation=organisation, held_on__range=(period.start, min(period.end, today))
    ).values_list("id", "assignment__peer_id"):
        all_check_ins.add(check_in_id)
        for sid in service_of.get(peer_id, ()):
            check_ins[sid].add(check_in_id)

    # 8. Twelve-month support processes, per service.
    support_rows = {
        row["tandem__team__service_id"]: row
        for row in SupportProcess.objects.filter(organisation=organisation)
        .values("tandem__team__service_id")
        .annotate(
            started=Count("id", filter=Q(started_on__range=(period.start, period.end))),
            completed=Count(
                "id", filter=Q(ended_on__range=(period.start, period.end), ended_on__gte=F("planned_end_on"))
            ),
            early=Count("id", filter=Q(ended_on__range=(period.start, period.end), ended_on__lt=F("planned_end_on"))),
        )
        .order_by()
    }

    def support_line(name: str) -> list[int]:
        return [support_rows.get(sid, {}).get(name, 0) for sid, _name in services]

    # 9. Irritations that reached a mentor: only dates and states, never a title or a text.
    raised: dict[int, set[int]] = defaultdict(set)
    clarified: dict[int, set[int]] = defaultdict(set)
    escalated: dict[int, set[int]] = defaultdict(set)
    totals: dict[str, set[int]] = defaultdict(set)
    clarify_days: dict[int, list[int]] = defaultdict(list)
    all_clarify_days: list[int] = []
    irritations = (
        Irritation.objects.with_mentor()
        .filter(organisation=organisation)
        .filter(
            Q(shared_with_mentor_at__range=(start_at, end_at))
            | Q(escalated_at__range=(start_at, end_at))
            | Q(closed_at__range=(start_at, end_at), state=Irritation.State.RESOLVED)
        )
        .values_list("id", "peer_id", "created_at", "shared_with_mentor_at", "escalated_at", "closed_at", "state")
    )

    def inside(moment: dt.datetime | None) -> bool:
        return moment is not None and start_at <= moment < end_at

    for irritation_id, peer_id, created_at, shared_at, escalated_at, closed_at, state in irritations:
        peer_services = service_of.get(peer_id, set())
        if inside(shared_at):
            totals["raised"].add(irritation_id)
            for sid in peer_services:
                raised[sid].add(irritation_id)
        if inside(escalated_at):
            totals["escalated"].add(irritation_id)
            for sid in peer_services:
                escalated[sid].add(irritation_id)
        if state == Irritation.State.RESOLVED and closed_at is not None and inside(closed_at):
            days = (closed_at - created_at).days
            totals["clarified"].add(irritation_id)
            all_clarify_days.append(days)
            for sid in peer_services:
                clarified[sid].add(irritation_id)
                clarify_days[sid].append(days)

    # 10.–12. Peer supervision: groups, held sessions with their attendance (organisation-wide:
    # groups belong to the organisation, not to a service).
    groups = dict(
        SupervisionGroup.objects.filter(organisation=organisation).order_by("name", "id").values_list("id", "name")
    )
    sessions = list(
        Session.objects.filter(
            group__organisation=organisation,
            status=Session.Status.SCHEDULED,
            starts_at__gte=start_at,
            starts_at__lt=min(end_at, timezone.now()),
        ).values_list("id", "group_id", "starts_at", "time_zone", "series__rotation")
    )
    present = dict(
        Attendance.objects.filter(session_id__in=[s[0] for s in sessions], attended=True)
        .values("session_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("session_id", "n")
    )

    # --- lines -----------------------------------------------------------------------------
    def protected(sets: dict[int, set[int]], everyone: set[int]) -> Protected:
        return suppression.protect_line(per_service(sets, everyone)[:n], total=len(everyone), limit=limit)

    people_rows = [
        Row("peers_employed", _("Peers, employed"), _plain(per_service(kinds[PeerProfile.Kind.EMPLOYED], kind_totals[PeerProfile.Kind.EMPLOYED])[:n], len(kind_totals[PeerProfile.Kind.EMPLOYED]))),
        Row("peers_volunteer", _("Peers, volunteer"), _plain(per_service(kinds[PeerProfile.Kind.VOLUNTEER], kind_totals[PeerProfile.Kind.VOLUNTEER])[:n], len(kind_totals[PeerProfile.Kind.VOLUNTEER]))),
        Row("peers_relative", _("Relative peers"), _plain(per_service(kinds[PeerProfile.Kind.RELATIVE], kind_totals[PeerProfile.Kind.RELATIVE])[:n], len(kind_totals[PeerProfile.Kind.RELATIVE]))),
        Row("professionals_in_tandems", _("Professionals in tandems"), _plain(per_service(professionals, all_professionals)[:n], len(all_professionals))),
    ]

    early = suppression.protect_line(tandem_line("early"), limit=limit)
    ended_line = tandem_line("ended")
    shares: dict[int, float | None] = {
        key: (round(100 * early.values[key] / ended_value) if ended_value else None)
        for key, ended_value in [*enumerate(ended_line), (TOTAL, sum(ended_line))]
    }
    tandem_section = [
        Row("tandems_proposed", _("Tandems proposed"), _plain(tandem_line("proposed"), sum(tandem_line("proposed")))),
        Row("tandems_started", _("Tandems started (became active)"), _plain(tandem_line("started"), sum(tandem_line("started")))),
        Row("tandems_active", _("Tandems active"), _plain(tandem_line("active"), sum(tandem_line("active")))),
        Row("tandems_paused", _("Tandems paused"), _plain(tandem_line("paused"), sum(tandem_line("paused")))),
        Row("tandems_ended", _("Tandems ended"), _plain(ended_line, sum(ended_line)), note=_("Not counting proposals that were not continued after getting to know each other.")),
        Row("tandems_ended_early", _("… of which within the first three months"), _protected(early, limit), sensitive=True),
        Row("tandems_ended_early_share", _("Share ended within the first three months"), _derived(early, shares, limit, "%d %%"), sensitive=True),
    ]

    mentor_section = [
        Row("peers_without_mentor", _("Peers without a mentor for some time"), _protected(without_line, limit), sensitive=True),
        Row("days_without_mentor", _("Days without a mentor (all these peers together)"), _protected(days_line, limit), sensitive=True),
        Row("check_ins", _("Mentor check-ins held"), _plain(per_service(check_ins, all_check_ins)[:n], len(all_check_ins))),
    ]

    support_early = suppression.protect_line(support_line("early"), limit=limit)
    support_section = [
        Row("support_started", _("Started"), _plain(support_line("started"), sum(support_line("started")))),
        Row("support_completed", _("Completed"), _plain(support_line("completed"), sum(support_line("completed")))),
        Row("support_ended_early", _("Ended early"), _protected(support_early, limit), sensitive=True),
    ]

    clarified_line = protected(clarified, totals["clarified"])
    medians: dict[int, float | None] = {
        index[sid]: statistics.median(days) for sid, days in clarify_days.items() if days
    }
    medians[TOTAL] = statistics.median(all_clarify_days) if all_clarify_days else None
    irritation_section = [
        Row("irritations_raised", _("Irritations raised with a mentor"), _protected(protected(raised, totals["raised"]), limit), sensitive=True),
        Row("irritations_clarified", _("Clarified with the mentor"), _protected(clarified_line, limit), sensitive=True),
        Row("irritations_escalated", _("Escalated to the mentor"), _protected(protected(escalated, totals["escalated"]), limit), sensitive=True),
        Row("irritations_median_days", _("Median days to clarify"), _derived(clarified_line, medians, limit, "%g"), sensitive=True),
        Row(
            "irritations_self",
            _("Clarified by the peer herself"),
            [Cell(_("not counted"), None)] * (n + 1),
            note=_("An irritation the peer clarified on her own never left her private log, so it is not counted, not even as a number."),
        ),
    ]

    # Supervision figures and the attendance chart.
    held = len(sessions)
    attended = sum(present.values())
    rotating = sum(1 for s in sessions if len(s[4] or []) > 1)
    per_group: dict[int, list[int]] = defaultdict(list)
    weekdays: set[int] = set()
    for session_id, group_id, starts_at, zone, _rotation in sessions:
        per_group[group_id].append(present.get(session_id, 0))
        weekdays.add(starts_at.astimezone(zoneinfo.ZoneInfo(zone)).weekday())
    supervision_rows = [
        (_("Peer-supervision sessions held"), str(held)),
        (_("Average attendance per session"), formats.number_format(round(attended / held, 1), 1) if held else "–"),
        (_("Share of sessions in series with rotating weekdays"), f"{round(100 * rotating / held)} %" if held else "–"),
        (_("Different weekdays used"), str(len(weekdays))),
    ]

    columns = [name for _sid, name in services] + [_("Organisation")]
    sections = [
        Section("people", _("People"), people_rows, note=_("A person who worked in two services counts in both; the organisation counts everyone once.")),
        Section("tandems", _("Tandems"), tandem_section),
        Section("mentoring", _("Mentoring"), mentor_section),
        Section("support", _("Twelve-month support processes"), support_section),
        Section("irritations", _("Irritations and concerns"), irritation_section),
        Section(
            "supervision",
            _("Peer supervision"),
            [Row(f"supervision_{i}", label, [Cell("", None)] * n + [Cell(text, None)]) for i, (label, text) in enumerate(supervision_rows)],
            note=_("Supervision groups belong to the organisation, not to a service."),
        ),
        Section(
            "volunteering",
            _("Volunteer hours and expense allowance"),
            _volunteering_rows(organisation, period, n, limit),
            note=_("Approved hours of volunteer peers in the period, for the whole organisation. With fewer volunteers than the threshold every figure is withheld: a sum of one person's allowance is her pay."),
        ),
    ]
    charts = [_trend_chart(organisation, period, held_sessions=sessions), _attendance_chart(groups, per_group)]
    return Report(organisation, period, columns, sections, charts, limit)


def _volunteering_rows(organisation: Organisation, period: Period, n: int, limit: int) -> list[Row]:
    """Two queries: volunteers with approved hours, their hours, the allowance and the reimbursed costs paid."""
    figures = volunteering_selectors.year_totals(organisation, period.start, period.end)
    people = figures["people"]
    withheld = suppression.is_small(people, limit)

    def row(key: str, label: Any, text: str, value: float | int) -> Row:
        cell = Cell(_marker("small" if key == "volunteers" else "protecting", limit), None, "small" if key == "volunteers" else "protecting") if withheld else Cell(text, value)
        return Row(f"volunteering_{key}", label, [Cell("", None)] * n + [cell], sensitive=True)

    hours = figures["minutes"] / 60
    return [
        row("volunteers", _("Volunteers with approved hours"), str(people), people),
        row("hours", _("Approved volunteer hours"), f"{hours:.1f}", round(hours, 1)),
        row("allowance", _("Expense allowance (€)"), f"{figures['allowance_cents'] / 100:.2f}", figures["allowance_cents"] / 100),
        row("expenses", _("Reimbursed expenses (€)"), f"{figures['expenses_cents'] / 100:.2f}", figures["expenses_cents"] / 100),
    ]


def _trend_chart(organisation: Organisation, period: Period, *, held_sessions: list[Any]) -> Chart:
    quarters = period.quarters()
    aggregates: dict[str, Any] = {}
    for i, quarter in enumerate(quarters):
        aggregates[f"started_{i}"] = Count("id", filter=Q(activated_on__range=(quarter.start, quarter.end)))
        aggregates[f"active_{i}"] = Count(
            "id", filter=Q(activated_on__lte=quarter.end) & (Q(ended_on__isnull=True) | Q(ended_on__gte=quarter.start))
        )
    # One query for every quarter of the period.
    row = Tandem.objects.filter(organisation=organisation).aggregate(**aggregates) if aggregates else {}
    sessions_per_quarter = [0] * len(quarters)
    for _id, _group, starts_at, _zone, _rotation in held_sessions:
        day = timezone.localtime(starts_at).date()
        for i, quarter in enumerate(quarters):
            if quarter.start <= day <= quarter.end:
                sessions_per_quarter[i] += 1
    bars = [
        Bar(quarter.label, [row[f"started_{i}"], row[f"active_{i}"], sessions_per_quarter[i]])
        for i, quarter in enumerate(quarters)
    ]
    return Chart(
        "trend",
        _("Trend per quarter"),
        _("Tandems started, tandems active and peer-supervision sessions held in each quarter of the period."),
        [_("Tandems started"), _("Tandems active"), _("Supervision sessions held")],
        bars,
    )


def _attendance_chart(groups: dict[int, str], per_group: dict[int, list[int]]) -> Chart:
    bars = [
        Bar(name, [round(sum(per_group[gid]) / len(per_group[gid]), 1) if per_group.get(gid) else 0, len(per_group.get(gid, []))])
        for gid, name in groups.items()
    ]
    return Chart(
        "attendance",
        _("Attendance per peer-supervision group"),
        _("The average number of peers present per session held, and the number of sessions held, for each group."),
        [_("Average attendance"), _("Sessions held")],
        bars,
    )


SUPPRESSION_RULE = gettext_lazy(
    "Figures about irritations, people without a mentor and early endings that could stand for fewer than "
    "%(n)s people read “fewer than %(n)s”. So that they cannot be worked out from a total and the other "
    "cells, further cells read “withheld”."
)
