"""A small organisation with a known year 2025, and a scalable one for the query-count tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import Membership, Organisation, PeerProfile, Service, Team, TeamMembership
from mentoring.models import CheckIn, Irritation
from pairing.models import SupportProcess, Tandem, TandemPause
from supervision.models import Attendance, Series, Session, SupervisionGroup
from tests.factories import MentorAssignmentFactory, OrganisationFactory, ServiceFactory, TeamFactory, member

D = dt.date
SINCE = D(2024, 1, 1)


def moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def person(organisation: Organisation, team: Team | None, *, kind: str = PeerProfile.Kind.EMPLOYED, **roles: bool) -> Membership:
    membership = member(organisation, team=team, **roles)
    Membership.objects.filter(pk=membership.pk).update(started_on=SINCE)
    TeamMembership.objects.filter(membership=membership).update(started_on=SINCE)
    if membership.is_peer:
        PeerProfile.objects.filter(membership=membership).update(kind=kind)
    membership.refresh_from_db()
    return membership


def tandem(team: Team, peer: Membership, professional: Membership, *, started: dt.date, activated: dt.date | None = None,
           ended: dt.date | None = None, reason: str = "") -> Tandem:
    state = Tandem.State.ENDED if ended else (Tandem.State.ACTIVE if activated else Tandem.State.PROPOSED)
    return Tandem.objects.create(
        organisation=team.organisation, team=team, peer=peer, professional=professional, state=state,
        started_on=started, activated_on=activated, ended_on=ended, end_reason=reason or (Tandem.EndReason.OTHER if ended else ""),
    )


def irritation(peer: Membership, mentor: Membership | None, *, raised: dt.date, escalated: dt.date | None = None,
               resolved: dt.date | None = None) -> Irritation:
    item = Irritation.objects.create(
        organisation=peer.organisation, peer=peer, title="Titel geheim", what_happened="Text geheim", happened_on=raised,
        category=Irritation.Category.OTHER, clarify_by=raised + dt.timedelta(days=7), start_mode=Irritation.StartMode.MENTOR_NOW,
        mentor=mentor, shared_with_mentor_at=moment(raised) if mentor else None,
        escalated_at=moment(escalated) if escalated else None,
        state=Irritation.State.RESOLVED if resolved else Irritation.State.OPEN,
        closed_at=moment(resolved) if resolved else None,
    )
    Irritation.objects.filter(pk=item.pk).update(created_at=moment(raised))
    return item


@dataclass
class Known:
    organisation: Organisation
    wohnen: Service
    krise: Service
    lead: Membership
    admin: Membership
    peer: Membership


def known_year(organisation: Organisation | None = None) -> Known:
    """The year 2025 of one organisation; the expected figures are written next to the tests."""
    organisation = organisation or OrganisationFactory(name="Träger West", slug="west")
    wohnen = ServiceFactory(organisation=organisation, name="Wohnen")
    krise = ServiceFactory(organisation=organisation, name="Krisendienst")
    team_a = TeamFactory(service=wohnen, name="Team A")
    team_b = TeamFactory(service=krise, name="Team B")
    p1, p2, p3, p4 = (person(organisation, team_a, is_peer=True) for _ in range(4))
    v1 = person(organisation, team_b, is_peer=True, kind=PeerProfile.Kind.VOLUNTEER)
    f1, f2 = (person(organisation, team_a, is_professional=True) for _ in range(2))
    f3 = person(organisation, team_b, is_professional=True)
    mentor = person(organisation, None, is_mentor=True, is_professional=True)

    t1 = tandem(team_a, p1, f1, started=D(2025, 1, 10), activated=D(2025, 2, 1))
    tandem(team_a, p2, f1, started=D(2025, 1, 15), activated=D(2025, 1, 20), ended=D(2025, 3, 1))  # early
    t3 = tandem(team_a, p3, f2, started=D(2024, 6, 1), activated=D(2024, 7, 1), ended=D(2025, 6, 1))
    t4 = tandem(team_b, v1, f3, started=D(2025, 3, 1), activated=D(2025, 3, 15), ended=D(2025, 4, 1))  # early
    tandem(team_a, p4, f2, started=D(2025, 5, 1), ended=D(2025, 5, 10), reason=Tandem.EndReason.DECLINED)
    tandem(team_a, p4, f1, started=D(2025, 5, 20), activated=D(2025, 6, 1), ended=D(2025, 7, 1))  # early
    TandemPause.objects.create(tandem=t1, started_on=D(2025, 4, 1), ended_on=D(2025, 4, 15), reason="Urlaub")

    # Mentors: p1, p2, p3 all year; p4 from July (181 days without); v1 never (365 days without).
    for peer, start in ((p1, SINCE), (p2, SINCE), (p3, SINCE), (p4, D(2025, 7, 1))):
        assignment = MentorAssignmentFactory(organisation=organisation, peer=peer, mentor=mentor, started_on=start)
        CheckIn.objects.create(assignment=assignment, held_on=D(2025, 9, 1), recorded_by=mentor.user)

    # Irritations that reached the mentor in 2025: five from Wohnen, one from the Krisendienst.
    irritation(p1, mentor, raised=D(2025, 2, 1), resolved=D(2025, 2, 11))
    irritation(p1, mentor, raised=D(2025, 3, 1), resolved=D(2025, 3, 5))
    irritation(p2, mentor, raised=D(2025, 4, 1), escalated=D(2025, 4, 9), resolved=D(2025, 4, 21))
    irritation(p3, mentor, raised=D(2025, 5, 1))
    irritation(p3, mentor, raised=D(2025, 6, 1))
    irritation(v1, mentor, raised=D(2025, 7, 1))
    irritation(p2, None, raised=D(2025, 8, 1))  # still in her private log: never counted

    SupportProcess.objects.create(organisation=organisation, tandem=t1, client_code="K-0001", started_on=D(2025, 2, 1), planned_end_on=D(2026, 2, 1))
    SupportProcess.objects.create(organisation=organisation, tandem=t3, client_code="K-0002", started_on=D(2024, 3, 1), planned_end_on=D(2025, 3, 1), ended_on=D(2025, 3, 1))
    SupportProcess.objects.create(organisation=organisation, tandem=t4, client_code="K-0003", started_on=D(2025, 3, 20), planned_end_on=D(2026, 3, 20), ended_on=D(2025, 4, 1))

    group = SupervisionGroup.objects.create(organisation=organisation, name="Peer-Gruppe Nord")
    series = Series.objects.create(group=group, title="Peer-Supervision", starts_on=D(2025, 1, 6), local_time=dt.time(10), rotation=[0, 2, 4])
    for day, present in ((D(2025, 1, 6), 3), (D(2025, 2, 5), 1), (D(2025, 3, 7), 2)):
        session = Session.objects.create(group=group, series=series, title="Peer-Supervision", starts_at=moment(day), ends_at=moment(day, 12))
        for who in (p1, p2, p3)[:present]:
            Attendance.objects.create(session=session, membership=who, attended=True)
    lead = person(organisation, None, is_team_lead=True)
    admin = person(organisation, None, is_org_admin=True)
    return Known(organisation, wohnen, krise, lead, admin, p1)


def scaled(organisation: Organisation, rows: int) -> None:
    """``rows`` of everything the report counts, in one service, during 2025."""
    service = ServiceFactory(organisation=organisation)
    team = TeamFactory(service=service)
    mentor = person(organisation, None, is_mentor=True, is_professional=True)
    group = SupervisionGroup.objects.create(organisation=organisation, name=f"Gruppe {rows}")
    for i in range(rows):
        peer = person(organisation, team, is_peer=True)
        professional = person(organisation, team, is_professional=True)
        t = tandem(team, peer, professional, started=D(2025, 1, 1 + i % 28), activated=D(2025, 2, 1 + i % 28), ended=D(2025, 3, 1 + i % 28) if i % 2 else None)
        TandemPause.objects.create(tandem=t, started_on=D(2025, 2, 1 + i % 27), ended_on=D(2025, 2, 2 + i % 27), reason="Pause")
        assignment = MentorAssignmentFactory(organisation=organisation, peer=peer, mentor=mentor, started_on=D(2025, 4, 1))
        CheckIn.objects.create(assignment=assignment, held_on=D(2025, 5, 1 + i % 28), recorded_by=mentor.user)
        irritation(peer, mentor, raised=D(2025, 6, 1 + i % 28), escalated=D(2025, 6, 10), resolved=D(2025, 7, 1) if i % 3 else None)
        SupportProcess.objects.create(organisation=organisation, tandem=t, client_code=f"K-{rows}-{i}", started_on=D(2025, 2, 1), planned_end_on=D(2026, 2, 1), ended_on=D(2025, 5, 1) if i % 2 else None)
        session = Session.objects.create(group=group, title="S", starts_at=moment(D(2025, 1 + i % 12, 3)), ends_at=moment(D(2025, 1 + i % 12, 3), 12))
        Attendance.objects.create(session=session, membership=peer, attended=True)
