"""Reads for the volunteering pages, with a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from accounts.models import Membership, Organisation, PeerProfile
from supervision.selectors import attended_sessions

from . import rules
from .models import (
    AllowanceKind,
    BillingRun,
    EntryStatus,
    HourEntry,
    RateKind,
    Statement,
    TaxFreeLimit,
    VolunteerAgreement,
)

OFFER_SESSIONS_DAYS = 62


def agreements_of(volunteer: Membership) -> list[VolunteerAgreement]:
    """Every version, newest first (history stays readable)."""
    return list(VolunteerAgreement.objects.filter(volunteer=volunteer).order_by("-valid_from", "-id"))


def agreement_on(volunteer: Membership, day: dt.date) -> VolunteerAgreement | None:
    return VolunteerAgreement.objects.filter(volunteer=volunteer).in_force_on(day).first()


def run_for(organisation: Organisation | int, day: dt.date) -> BillingRun | None:
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return BillingRun.objects.filter(organisation_id=org_id, month=day.replace(day=1)).first()


def volunteers_of(organisation: Organisation) -> Any:
    """Current volunteer peers of the organisation (by their peer details)."""
    return (
        Membership.objects.active()
        .filter(organisation=organisation, is_peer=True, peer_profile__kind=PeerProfile.Kind.VOLUNTEER)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def is_volunteer(membership: Membership | None) -> bool:
    if membership is None or not membership.is_peer or not membership.is_active:
        return False
    return PeerProfile.objects.filter(membership=membership, kind=PeerProfile.Kind.VOLUNTEER).exists()


# --- Money over a year ----------------------------------------------------------------------------


def _month_amounts(volunteer: Membership, year: int, kind: str, *, before_month: int | None = None) -> dict[int, int]:
    """Allowance per month of ``year`` from approved entries (plus a monthly flat rate), in cents."""
    entries = HourEntry.objects.approved().filter(volunteer=volunteer, date__year=year, allowance_kind=kind)
    if before_month is not None:
        entries = entries.filter(date__month__lt=before_month)
    rows = entries.values("date__month", "agreement__rate_kind", "agreement__rate_cents").annotate(total=Sum("amount_cents"))
    months: dict[int, int] = defaultdict(int)
    flat: dict[int, int] = {}
    for row in rows:
        months[row["date__month"]] += row["total"] or 0
        if row["agreement__rate_kind"] == RateKind.MONTH:
            flat[row["date__month"]] = max(flat.get(row["date__month"], 0), row["agreement__rate_cents"])
    for month, cents in flat.items():
        months[month] += cents
    return dict(months)


def limit_position(volunteer: Membership, year: int, *, kind: str | None = None, agreement: VolunteerAgreement | None = None,
                   before_month: int | None = None) -> rules.LimitPosition:
    """Year-to-date allowance against the limit of the allowance kind of ``agreement`` (or the current one)."""
    if agreement is None:
        agreement = agreement_on(volunteer, min(timezone.localdate(), dt.date(year, 12, 31))) or (
            VolunteerAgreement.objects.filter(volunteer=volunteer).order_by("valid_from").first()
        )
    kind = kind or (agreement.allowance_kind if agreement else AllowanceKind.NONE)
    ytd = sum(_month_amounts(volunteer, year, kind, before_month=before_month).values())
    elsewhere = agreement.elsewhere_in(year) if agreement else 0
    return rules.LimitPosition(limit=TaxFreeLimit.cents_for(kind, year), elsewhere=elsewhere, year_to_date=ytd)


# --- The volunteer's own page -----------------------------------------------------------------------


@dataclass
class Period:
    label: str
    minutes: int
    agreed_minutes: int

    @property
    def hours(self) -> str:
        return f"{self.minutes // 60}:{self.minutes % 60:02d}"

    @property
    def agreed_hours(self) -> str:
        return f"{self.agreed_minutes // 60}:{self.agreed_minutes % 60:02d}"


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weekly_minutes(volunteer: Membership, *, until: dt.date, weeks: int) -> list[int]:
    """Minutes recorded (not rejected) per full week before the week of ``until``, oldest first."""
    this_week = _week_start(until)
    start = this_week - dt.timedelta(weeks=weeks)
    rows = (
        HourEntry.objects.filter(volunteer=volunteer, date__gte=start, date__lt=this_week)
        .exclude(status=EntryStatus.REJECTED)
        .values_list("date", "minutes")
    )
    totals = [0] * weeks
    for day, minutes in rows:
        totals[(_week_start(day) - start).days // 7] += minutes
    return totals


@dataclass
class MyPage:
    agreement: VolunteerAgreement | None
    upcoming: VolunteerAgreement | None
    week: Period | None
    month: Period | None
    position: rules.LimitPosition | None
    overworking: bool
    entries: list[HourEntry] = field(default_factory=list)
    offered_sessions: list[Any] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    certificate_years: list[int] = field(default_factory=list)


def my_page(volunteer: Membership, *, today: dt.date | None = None, limit: int = 50) -> MyPage:
    today = today or timezone.localdate()
    agreement = agreement_on(volunteer, today)
    upcoming = VolunteerAgreement.objects.filter(volunteer=volunteer, valid_from__gt=today).order_by("valid_from").first()
    entries = list(
        HourEntry.objects.filter(volunteer=volunteer).select_related("support_process", "statement__run")[:limit]
    )
    week = month = None
    overworking = False
    if agreement is not None:
        agreed_week = int(agreement.hours_per_week * 60)
        recorded = HourEntry.objects.filter(volunteer=volunteer).exclude(status=EntryStatus.REJECTED)
        sums = recorded.aggregate(
            week=Sum("minutes", filter=Q(date__gte=_week_start(today), date__lte=today)),
            month=Sum("minutes", filter=Q(date__year=today.year, date__month=today.month)),
        )
        week = Period("week", sums["week"] or 0, agreed_week)
        # A month has 52/12 weeks on average.
        month = Period("month", sums["month"] or 0, int(Decimal(agreed_week) * 52 / 12))
        overworking = rules.is_overworking(
            weekly_minutes(volunteer, until=today, weeks=rules.OVERWORK_WEEKS), agreement.hours_per_week
        )
    position = limit_position(volunteer, today.year, agreement=agreement) if (agreement or upcoming) else None
    statements = list(
        Statement.objects.filter(volunteer=volunteer).select_related("run").order_by("-run__month")[:24]
    )
    years = sorted(
        {d.year for d in HourEntry.objects.approved().filter(volunteer=volunteer, date__year__lt=today.year).dates("date", "year")},
        reverse=True,
    )
    return MyPage(
        agreement=agreement,
        upcoming=upcoming,
        week=week,
        month=month,
        position=position,
        overworking=overworking,
        entries=entries,
        offered_sessions=offered_sessions(volunteer, today=today),
        statements=statements,
        certificate_years=years,
    )


def offered_sessions(volunteer: Membership, *, today: dt.date | None = None) -> list[Any]:
    """Peer-supervision sessions she attended that are not yet hours, in months still open."""
    today = today or timezone.localdate()
    since = timezone.now() - dt.timedelta(days=OFFER_SESSIONS_DAYS)
    sessions = [s for s in attended_sessions(volunteer, since=since) if s.starts_at <= timezone.now()]
    if not sessions:
        return []
    confirmed = set(
        HourEntry.objects.filter(volunteer=volunteer, supervision_session__in=sessions).values_list("supervision_session_id", flat=True)
    )
    closed = set(
        BillingRun.objects.filter(organisation_id=volunteer.organisation_id)
        .exclude(state=BillingRun.State.REVIEW)
        .values_list("month", flat=True)
    )
    first = VolunteerAgreement.objects.filter(volunteer=volunteer).order_by("valid_from").values_list("valid_from", flat=True).first()
    offered = []
    for session in sessions:
        day = timezone.localtime(session.starts_at).date()
        if session.pk in confirmed or day.replace(day=1) in closed or first is None or day < first:
            continue
        offered.append(session)
    return offered


# --- The team lead's pages ---------------------------------------------------------------------------


@dataclass
class VolunteerRow:
    volunteer: Membership
    minutes: int
    submitted: int
    approved_cents: int


def lead_overview(organisation: Organisation, month: dt.date) -> list[VolunteerRow]:
    """Totals per volunteer for approval, alphabetical: never a ranking of people."""
    volunteers = list(volunteers_of(organisation))
    figures = {
        row["volunteer"]: row
        for row in HourEntry.objects.filter(volunteer__in=volunteers)
        .in_month(month)
        .values("volunteer")
        .annotate(
            minutes=Sum("minutes", filter=~Q(status=EntryStatus.REJECTED)),
            submitted=Count("id", filter=Q(status=EntryStatus.SUBMITTED)),
            cents=Sum("amount_cents", filter=Q(status=EntryStatus.APPROVED)),
        )
    }
    return [
        VolunteerRow(
            volunteer=v,
            minutes=(figures.get(v.pk) or {}).get("minutes") or 0,
            submitted=(figures.get(v.pk) or {}).get("submitted") or 0,
            approved_cents=(figures.get(v.pk) or {}).get("cents") or 0,
        )
        for v in volunteers
    ]


def person_entries(volunteer: Membership, month: dt.date) -> list[HourEntry]:
    return list(
        HourEntry.objects.filter(volunteer=volunteer).in_month(month).select_related("support_process", "recorded_by").order_by("date", "id")
    )


def run_statements(run: BillingRun) -> list[Statement]:
    return list(run.statements.select_related("volunteer__user", "agreement").order_by("volunteer__user__full_name", "id"))


def pending_in_month(organisation: Organisation, month: dt.date) -> int:
    return HourEntry.objects.filter(organisation=organisation, status=EntryStatus.SUBMITTED).in_month(month).count()


def statement_entries(statement: Statement) -> list[HourEntry]:
    return list(statement.entries.select_related("support_process").order_by("date", "id"))


@dataclass
class Certificate:
    volunteer: Membership
    year: int
    agreement: VolunteerAgreement | None
    minutes: int
    allowance_cents: int
    tax_free_cents: int
    taxable_cents: int
    expenses_cents: int
    position: rules.LimitPosition
    months: list[tuple[int, int, int]]  # (month, minutes, allowance)


def certificate(volunteer: Membership, year: int) -> Certificate:
    """The year's approved allowance and reimbursements of one person."""
    agreement = agreement_on(volunteer, dt.date(year, 12, 31))
    kind = agreement.allowance_kind if agreement else AllowanceKind.NONE
    position = limit_position(volunteer, year, kind=kind, agreement=agreement)
    entries = HourEntry.objects.approved().filter(volunteer=volunteer, date__year=year)
    totals = entries.aggregate(minutes=Sum("minutes"), expenses=Sum("expense_cents"))
    per_month = _month_amounts(volunteer, year, kind)
    minutes_per_month = dict(entries.values_list("date__month").annotate(m=Sum("minutes")).values_list("date__month", "m"))
    allowance = sum(per_month.values())
    taxable = min(position.above, allowance)
    return Certificate(
        volunteer=volunteer,
        year=year,
        agreement=agreement,
        minutes=totals["minutes"] or 0,
        allowance_cents=allowance,
        tax_free_cents=allowance - taxable,
        taxable_cents=taxable,
        expenses_cents=totals["expenses"] or 0,
        position=position,
        months=[(m, minutes_per_month.get(m, 0), per_month.get(m, 0)) for m in range(1, 13) if m in per_month or m in minutes_per_month],
    )


def year_totals(organisation: Organisation, start: dt.date, end: dt.date) -> dict[str, Any]:
    """For the year report: volunteers with approved hours and their hours; the allowance and the
    reimbursed costs as paid on the statements of the months in the period. Two queries."""
    figures = HourEntry.objects.filter(organisation=organisation, date__gte=start, date__lte=end).aggregate(
        people=Count("volunteer", distinct=True, filter=Q(status=EntryStatus.APPROVED)),
        minutes=Sum("minutes", filter=Q(status=EntryStatus.APPROVED)),
    )
    paid = Statement.objects.filter(run__organisation=organisation, run__month__gte=start.replace(day=1), run__month__lte=end).aggregate(
        allowance=Sum("allowance_cents"), expenses=Sum("expenses_cents")
    )
    return {
        "people": figures["people"] or 0,
        "minutes": figures["minutes"] or 0,
        "allowance_cents": paid["allowance"] or 0,
        "expenses_cents": paid["expenses"] or 0,
    }
