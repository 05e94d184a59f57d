"""Seed a provider network with COPY, one organisation block at a time.

Every organisation has the same shape (at scale 1: 100 staff, 8 teams, 400 tandems, 4,000
irritations, 400 supervision sessions), so organisation 0, whose people the page benchmark signs
in as, looks the same at every scale: a larger scale adds organisations, i.e. rows the measured
users do not see. That is exactly what the target "a page costs what its user sees" asks about.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from accounts.models import (
    Membership,
    Organisation,
    PeerProfile,
    ProfessionalProfile,
    Service,
    Team,
    TeamMembership,
    User,
)
from mentoring.models import CheckIn, Irritation, IrritationMessage, MentorAssignment
from pairing.models import Reflection, Tandem
from supervision.models import (
    CalendarFeed,
    GroupMember,
    GroupSupervisor,
    Rsvp,
    Series,
    Session,
    SupervisionGroup,
)
from tandem.notifications.models import Notification
from volunteering.models import HourEntry, VolunteerAgreement

from .copy import copy_rows, reserve_ids

# Per organisation, at every scale.
STAFF_PER_ORG = 100
SERVICES_PER_ORG = 4
TEAMS_PER_SERVICE = 2
TANDEMS_PER_PEER = 10  # one open, the rest ended: a provider's history
IRRITATIONS_PER_ORG = 4_000
MESSAGES_PER_IRRITATION = 3
SUPERVISION_GROUPS_PER_ORG = 4
SESSIONS_PER_ORG = 400
NOTIFICATIONS_PER_PERSON = 10

# Who is who inside an organisation, by position 0..99.
ADMIN = range(0, 1)
LEADS = range(1, 4)
MENTORS = range(4, 10)
SUPERVISORS = range(10, 12)
PEERS = range(12, 52)
PROFESSIONALS = range(52, 100)

FIRST = ["Anna", "Ben", "Clara", "Deniz", "Emil", "Fatma", "Greta", "Hannes", "Ilka", "Jonas", "Katrin", "Lukas",
         "Mira", "Nils", "Olga", "Paul", "Rosa", "Sven", "Tara", "Umut", "Vera", "Willi", "Yara", "Zoe"]
LAST = ["Albers", "Brandt", "Celik", "Dietrich", "Engel", "Fischer", "Graf", "Hoffmann", "Ivanova", "Jung", "Krause",
        "Lange", "Meyer", "Neumann", "Otto", "Peters", "Richter", "Schulz", "Thiel", "Urban", "Vogel", "Wolf"]


def organisations_for(scale: float) -> int:
    return max(1, round(50 * scale))


def org_slug(index: int) -> str:
    return f"bench-{index:03d}"


def email_for(org: int, position: int) -> str:
    return f"bench{org:03d}-{position:03d}@bench.example.org"


# The calendar feed token of every seeded peer is derived from this, so the page benchmark can
# build the feed's address without storing secrets anywhere.
FEED_SECRET = "bench-feed"


def feed_token(user_id: int) -> str:
    return f"{FEED_SECRET}-{user_id}"


@dataclass
class OrgIds:
    index: int
    id: int
    services: list[int] = field(default_factory=list)
    teams: list[int] = field(default_factory=list)
    users: list[int] = field(default_factory=list)  # by position
    memberships: list[int] = field(default_factory=list)  # by position

    def team_of(self, position: int) -> int:
        return self.teams[position % len(self.teams)]


@dataclass
class SeedReport:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, label: str, count: int) -> None:
        self.counts[label] = self.counts.get(label, 0) + count


_PASSWORD: list[str] = []


def _password() -> str:
    # One hash for everybody: hashing 5,000 passwords would dominate the seed time. Nobody
    # signs in with it (the benchmark uses force_login), but the row looks like a real one.
    if not _PASSWORD:
        _PASSWORD.append(make_password("bench-not-a-login-2026"))
    return _PASSWORD[0]


# --- people and teams -----------------------------------------------------------------------


def seed_people(orgs: list[int], report: SeedReport) -> list[OrgIds]:
    now = timezone.now()
    today = timezone.localdate()
    org_first = reserve_ids(Organisation, len(orgs))
    blocks = [OrgIds(index=o, id=org_first + i) for i, o in enumerate(orgs)]
    report.add("organisations", copy_rows(
        Organisation, ["id", "name", "slug", "mfa_required", "created_at"],
        ((b.id, f"Träger {b.index:03d} (Benchmark)", org_slug(b.index), False, now) for b in blocks),
    ))

    service_first = reserve_ids(Service, len(blocks) * SERVICES_PER_ORG)
    service_rows = []
    for i, b in enumerate(blocks):
        for s in range(SERVICES_PER_ORG):
            sid = service_first + i * SERVICES_PER_ORG + s
            b.services.append(sid)
            service_rows.append((sid, b.id, ["Wohnen", "Krisendienst", "Tagesstätte", "Jobcenter"][s]))
    report.add("services", copy_rows(Service, ["id", "organisation_id", "name"], service_rows))

    per_org_teams = SERVICES_PER_ORG * TEAMS_PER_SERVICE
    team_first = reserve_ids(Team, len(blocks) * per_org_teams)
    team_rows = []
    for i, b in enumerate(blocks):
        for t in range(per_org_teams):
            tid = team_first + i * per_org_teams + t
            b.teams.append(tid)
            team_rows.append((tid, b.id, b.services[t // TEAMS_PER_SERVICE], f"Team {t % TEAMS_PER_SERVICE + 1}"))
    report.add("teams", copy_rows(Team, ["id", "organisation_id", "service_id", "name"], team_rows))

    user_first = reserve_ids(User, len(blocks) * STAFF_PER_ORG)
    member_first = reserve_ids(Membership, len(blocks) * STAFF_PER_ORG)
    password = _password()
    user_rows, member_rows = [], []
    for i, b in enumerate(blocks):
        for p in range(STAFF_PER_ORG):
            uid = user_first + i * STAFF_PER_ORG + p
            mid = member_first + i * STAFF_PER_ORG + p
            b.users.append(uid)
            b.memberships.append(mid)
            name = f"{FIRST[(p + b.index) % len(FIRST)]} {LAST[(p * 7 + b.index) % len(LAST)]}"
            user_rows.append((uid, email_for(b.index, p), name, password, True, False, False, now))
            member_rows.append((
                mid, uid, b.id,
                p in ADMIN, p in LEADS, p in PEERS,
                p in PROFESSIONALS or p in LEADS or p in MENTORS or p in SUPERVISORS,
                p in MENTORS, p in SUPERVISORS, False, today - dt.timedelta(days=400), None,
            ))
    report.add("users", copy_rows(
        User, ["id", "email", "full_name", "password", "is_active", "is_staff", "is_superuser", "date_joined"], user_rows,
    ))
    report.add("memberships", copy_rows(
        Membership,
        ["id", "user_id", "organisation_id", "is_org_admin", "is_team_lead", "is_peer", "is_professional",
         "is_mentor", "is_supervisor", "is_external", "started_on", "ended_on"],
        member_rows,
    ))
    report.add("peer profiles", copy_rows(
        PeerProfile, ["membership_id", "kind"],
        ((b.memberships[p], "volunteer" if p % 5 == 0 else "employed") for b in blocks for p in PEERS),
    ))
    report.add("professional profiles", copy_rows(
        ProfessionalProfile, ["membership_id", "profession"],
        ((b.memberships[p], "Sozialarbeit") for b in blocks for p in range(STAFF_PER_ORG) if p not in PEERS and p not in ADMIN),
    ))
    report.add("team memberships", copy_rows(
        TeamMembership, ["team_id", "membership_id", "function", "started_on"],
        ((b.team_of(p), b.memberships[p], "peer" if p in PEERS else "professional", today - dt.timedelta(days=300))
         for b in blocks for p in [*PEERS, *PROFESSIONALS]),
    ))
    return blocks


# --- tandems and mentor assignments ---------------------------------------------------------


def seed_tandems(blocks: list[OrgIds], report: SeedReport) -> None:
    now = timezone.now()
    today = timezone.localdate()
    pros = list(PROFESSIONALS)

    def rows() -> Iterator[tuple[Any, ...]]:
        for b in blocks:
            lead_user = b.users[LEADS[0]]
            for n, p in enumerate(PEERS):
                for k in range(TANDEMS_PER_PEER):
                    professional = pros[(n + k) % len(pros)]
                    if k == 0:
                        state, start, end, reason = "active", today - dt.timedelta(days=90), None, ""
                    elif k == 1 and n % 4 == 0:
                        state, start, end, reason = "getting_to_know", today - dt.timedelta(days=5), None, ""
                    else:
                        start = today - dt.timedelta(days=400 + 30 * k)
                        state, end, reason = "ended", start + dt.timedelta(days=200), "completed"
                    yield (b.id, b.team_of(p), b.memberships[p], b.memberships[professional], "Gemeinsame Begleitung",
                           state, start, end, reason, now, now, lead_user, now,
                           start if state in ("active", "ended") else None)

    columns = ["organisation_id", "team_id", "peer_id", "professional_id", "purpose", "state", "started_on", "ended_on",
               "end_reason", "peer_confirmed_at", "professional_confirmed_at", "proposed_by_id", "created_at",
               "activated_on"]
    report.add("tandems", copy_rows(Tandem, columns, rows()))


def seed_reflections(blocks: list[OrgIds], report: SeedReport) -> None:
    """Each partner of each active tandem reflected every six weeks; every fifth pair is overdue now."""
    now = timezone.now()
    # A list, not a lazy query: the connection is busy with the COPY while rows() runs.
    active = list(Tandem.objects.filter(organisation_id__in=[b.id for b in blocks], state="active").values_list(
        "id", "peer_id", "professional_id"
    ))

    def rows() -> Iterator[tuple[Any, ...]]:
        for n, (tandem, peer, professional) in enumerate(active):
            latest = 10 if n % 5 else 50  # days ago
            for back in (latest, latest + 42):
                for author in (peer, professional):
                    yield (tandem, author, "Wir sprechen Dinge offen an.", "", "", now - dt.timedelta(days=back), now - dt.timedelta(days=back))

    report.add("reflections", copy_rows(
        Reflection, ["tandem_id", "author_id", "how_it_goes", "what_helps", "what_irritates", "shared_at", "created_at"], rows(),
    ))


def seed_mentor_assignments(blocks: list[OrgIds], report: SeedReport) -> None:
    today = timezone.localdate()
    mentors = list(MENTORS)

    def rows() -> Iterator[tuple[Any, ...]]:
        for b in blocks:
            for n, p in enumerate(PEERS):
                # An ended assignment with another mentor, then the current one.
                # Both agreed to each (mentoring by consent): accepted, with both agreements recorded.
                began = timezone.now() - dt.timedelta(days=700)
                yield (b.id, b.memberships[p], b.memberships[mentors[(n + 1) % len(mentors)]],
                       today - dt.timedelta(days=700), today - dt.timedelta(days=365), b.users[LEADS[0]],
                       "accepted", began, began)
                began = timezone.now() - dt.timedelta(days=364)
                yield (b.id, b.memberships[p], b.memberships[mentors[n % len(mentors)]],
                       today - dt.timedelta(days=364), None, b.users[LEADS[0]], "accepted", began, began)

    report.add("mentor assignments", copy_rows(
        MentorAssignment,
        ["organisation_id", "peer_id", "mentor_id", "started_on", "ended_on", "assigned_by_id", "state",
         "peer_accepted_at", "mentor_accepted_at"],
        rows(),
    ))
    current = list(MentorAssignment.objects.filter(
        organisation_id__in=[b.id for b in blocks], ended_on__isnull=True
    ).values_list("id", "mentor__user_id"))

    def check_ins() -> Iterator[tuple[Any, ...]]:
        # A talk every four weeks over the year; every seventh pair's next talk is overdue.
        for n, (assignment, mentor_user) in enumerate(current):
            last = 40 if n % 7 == 0 else 7
            for k in range(12):
                yield (assignment, today - dt.timedelta(days=last + 28 * k), "", mentor_user)

    report.add("check-ins", copy_rows(CheckIn, ["assignment_id", "held_on", "note", "recorded_by_id"], check_ins()))


# --- notifications --------------------------------------------------------------------------


def seed_notifications(blocks: list[OrgIds], report: SeedReport) -> None:
    """Read in-app rows and sent e-mail rows: the history a year of use leaves behind."""
    now = timezone.now()

    def rows() -> Iterator[tuple[Any, ...]]:
        for b in blocks:
            for p, uid in enumerate(b.users):
                for n in range(NOTIFICATIONS_PER_PERSON):
                    created = now - dt.timedelta(days=n * 7 + 1)
                    key = f"bench:{b.index}:{p}:{n}"
                    yield (uid, b.id, "bench.history", "in_app", f"{key}:in_app", "/", {}, created, created,
                           created, None)
                    yield (uid, b.id, "bench.history", "email", f"{key}:email", "/", {}, created, created,
                           None, created)

    report.add("notifications", copy_rows(
        Notification,
        ["recipient_id", "organisation_id", "kind", "channel", "dedupe_key", "url", "context", "created_at",
         "send_after", "read_at", "sent_at"],
        rows(),
    ))


# --- mentoring: irritations with their conversation ----------------------------------------

IRRITATIONS_PER_PEER = IRRITATIONS_PER_ORG // len(PEERS)


def irritation_row(
    b: OrgIds, p: int, n: int, *, state: str, created: dt.datetime, clarify_by: dt.date, with_mentor: bool,
    acknowledged: bool = True,
) -> tuple[Any, ...]:
    mentor = b.memberships[MENTORS[PEERS.index(p) % len(MENTORS)]] if with_mentor else None
    closed = created + dt.timedelta(days=10) if state in ("resolved", "withdrawn") else None
    return (
        b.id, b.memberships[p], f"Irritation {n}", "Im Teamgespräch wurde über mich statt mit mir gesprochen.",
        created.date(), ["treated_as_client", "not_heard", "role_unclear", "workload"][n % 4], False,
        clarify_by, "mentor_now" if with_mentor else "self_first", False, state, mentor,
        created if with_mentor else None, created if with_mentor else None,
        created + dt.timedelta(hours=5) if with_mentor and acknowledged else None,
        None,  # escalated_at: the escalation sweep's benchmark seeds its own due rows
        closed, created, closed or created,
    )


IRRITATION_COLUMNS = [
    "organisation_id", "peer_id", "title", "what_happened", "happened_on", "category", "urgent", "clarify_by",
    "start_mode", "backup_may_name_me", "state", "mentor_id", "shared_with_mentor_at", "mentor_since",
    "acknowledged_at", "escalated_at", "closed_at", "created_at", "updated_at",
]


def seed_irritations(blocks: list[OrgIds], report: SeedReport) -> None:
    """Per peer: mostly resolved irritations of the last year, a few open ones with the mentor,
    one she is clarifying herself; none due for escalation (the sweep benchmark seeds those)."""
    now = timezone.now()
    today = timezone.localdate()
    rows: list[tuple[Any, ...]] = []
    authors: list[tuple[int, int]] = []  # (peer user, mentor user) per row
    for b in blocks:
        for i, p in enumerate(PEERS):
            mentor_user = b.users[MENTORS[i % len(MENTORS)]]
            for n in range(IRRITATIONS_PER_PEER):
                created = now - dt.timedelta(days=1 + (n * 360) // IRRITATIONS_PER_PEER, hours=n % 24)
                if n == 0:
                    row = irritation_row(b, p, n, state="open", created=created,
                                         clarify_by=today + dt.timedelta(days=6), with_mentor=False, acknowledged=False)
                elif n <= 3:
                    row = irritation_row(b, p, n, state="in_clarification", created=created,
                                         clarify_by=today + dt.timedelta(days=n), with_mentor=True)
                else:
                    row = irritation_row(b, p, n, state="resolved" if n % 10 else "withdrawn",
                                         created=created, clarify_by=created.date() + dt.timedelta(days=7), with_mentor=True)
                rows.append(row)
                authors.append((b.users[p], mentor_user))
    first = reserve_ids(Irritation, len(rows))
    report.add("irritations", copy_rows(Irritation, ["id", *IRRITATION_COLUMNS], ((first + k, *row) for k, row in enumerate(rows))))

    def messages() -> Iterator[tuple[Any, ...]]:
        for k, (row, (peer_user, mentor_user)) in enumerate(zip(rows, authors, strict=True)):
            created = row[IRRITATION_COLUMNS.index("created_at")]
            for m in range(MESSAGES_PER_IRRITATION):
                yield (first + k, peer_user if m % 2 == 0 else mentor_user,
                       "Danke, lass uns am Donnerstag darüber sprechen." if m % 2 else "Kurze Ergänzung von mir.",
                       created + dt.timedelta(hours=m + 1))

    report.add("irritation messages", copy_rows(IrritationMessage, ["irritation_id", "author_id", "body", "created_at"], messages()))


# --- supervision: groups, sessions, RSVPs, calendar feeds ----------------------------------


def seed_supervision(blocks: list[OrgIds], report: SeedReport) -> None:
    now = timezone.now()
    today = timezone.localdate()
    per_group = SESSIONS_PER_ORG // SUPERVISION_GROUPS_PER_ORG
    past = per_group * 4 // 5  # weekly: most sessions lie in the past, a fifth ahead

    group_first = reserve_ids(SupervisionGroup, len(blocks) * SUPERVISION_GROUPS_PER_ORG)
    groups: list[tuple[OrgIds, int, int, list[int]]] = []  # block, group id, group number, peer positions
    for i, b in enumerate(blocks):
        for g in range(SUPERVISION_GROUPS_PER_ORG):
            peers = [p for n, p in enumerate(PEERS) if n % SUPERVISION_GROUPS_PER_ORG == g]
            groups.append((b, group_first + i * SUPERVISION_GROUPS_PER_ORG + g, g, peers))
    report.add("supervision groups", copy_rows(
        SupervisionGroup, ["id", "organisation_id", "name", "description", "created_by_id", "created_at"],
        ((gid, b.id, f"Peer-Supervision {g + 1}", "", b.users[SUPERVISORS[0]], now) for b, gid, g, _ in groups),
    ))
    report.add("group members", copy_rows(
        GroupMember, ["group_id", "membership_id", "joined_at"],
        ((gid, b.memberships[p], now - dt.timedelta(days=400)) for b, gid, _, peers in groups for p in peers),
    ))
    report.add("group supervisors", copy_rows(
        GroupSupervisor, ["group_id", "membership_id", "added_at"],
        ((gid, b.memberships[SUPERVISORS[g % len(SUPERVISORS)]], now - dt.timedelta(days=400)) for b, gid, g, _ in groups),
    ))
    series_first = reserve_ids(Series, len(groups))
    start = today - dt.timedelta(weeks=past)
    report.add("series", copy_rows(
        Series,
        ["id", "group_id", "title", "frequency", "interval", "weekday", "starts_on", "local_time", "duration_minutes",
         "created_by_id", "created_at"],
        ((series_first + k, gid, "Peer-Supervision", "weekly", 1, start.weekday(), start, dt.time(15, 0), 120,
          b.users[SUPERVISORS[0]], now) for k, (b, gid, _, _) in enumerate(groups)),
    ))
    session_first = reserve_ids(Session, len(groups) * per_group)
    base = now.replace(hour=14, minute=0, second=0, microsecond=0) - dt.timedelta(weeks=past)

    def sessions() -> Iterator[tuple[Any, ...]]:
        for k, (_, gid, _, _) in enumerate(groups):
            for n in range(per_group):
                starts = base + dt.timedelta(weeks=n, days=k % 5)
                yield (session_first + k * per_group + n, gid, series_first + k, n, "Peer-Supervision", starts,
                       starts + dt.timedelta(hours=2), "Europe/Berlin", "Raum 1", "scheduled", uuid.uuid4(), n <= past, n <= past)

    report.add("supervision sessions", copy_rows(
        Session,
        ["id", "group_id", "series_id", "series_index", "title", "starts_at", "ends_at", "time_zone", "place", "status",
         "uid", "reminded_7d_version", "reminded_1d_version"],
        ((*row[:-2], 0 if row[-2] else None, 0 if row[-1] else None) for row in sessions()),
    ))

    def rsvps() -> Iterator[tuple[Any, ...]]:
        for k, (b, _, _, peers) in enumerate(groups):
            for n in range(per_group):
                for j, p in enumerate(peers):
                    yield (session_first + k * per_group + n, b.memberships[p], ["yes", "yes", "maybe", "no"][(n + j) % 4],
                           base + dt.timedelta(weeks=n) - dt.timedelta(days=3))

    report.add("rsvps", copy_rows(Rsvp, ["session_id", "membership_id", "answer", "answered_at"], rsvps()))
    report.add("calendar feeds", copy_rows(
        CalendarFeed, ["user_id", "token_hash", "created_at"],
        ((b.users[p], hashlib.sha256(feed_token(b.users[p]).encode()).hexdigest(), now) for b in blocks for p in PEERS),
    ))


# --- the seeding run ------------------------------------------------------------------------

BlockSeeder = Callable[[list[OrgIds], SeedReport], None]

VOLUNTEERS = [p for p in PEERS if p % 5 == 0]  # as in the peer profiles above
HOURS_PER_VOLUNTEER = 40


def seed_volunteering(blocks: list[OrgIds], report: SeedReport) -> None:
    """Each volunteer has an agreement from 90 days ago and 40 entries over the last 60 days."""
    today = timezone.localdate()
    agreements = VolunteerAgreement.objects.bulk_create(
        VolunteerAgreement(
            organisation_id=b.id, volunteer_id=b.memberships[p], valid_from=today - dt.timedelta(days=90),
            activity="Genesungsbegleitung", allowance_kind="26a", rate_kind="hour", rate_cents=1000, hours_per_week=4,
            declared_on=today - dt.timedelta(days=90), created_by_id=b.users[LEADS[0]],
        )
        for b in blocks for p in VOLUNTEERS
    )
    report.add("volunteer agreements", len(agreements))
    rows = [
        (a.organisation_id, a.volunteer_id, a.pk, today - dt.timedelta(days=k * 60 // HOURS_PER_VOLUNTEER), 60 + k % 3 * 30,
         "tandem", "26a", (60 + k % 3 * 30) * 1000 // 60, 0, "", "", "", "approved" if k % 4 else "submitted", "",
         timezone.now())
        for a in agreements for k in range(HOURS_PER_VOLUNTEER)
    ]
    report.add("hour entries", copy_rows(
        HourEntry,
        ["organisation_id", "volunteer_id", "agreement_id", "date", "minutes", "kind", "allowance_kind", "amount_cents",
         "expense_cents", "expense_note", "receipt", "receipt_content_type", "status", "reject_reason", "created_at"],
        rows,
    ))


SEEDERS: list[BlockSeeder] = [
    seed_tandems,
    seed_reflections,
    seed_mentor_assignments,
    seed_notifications,
    seed_irritations,
    seed_supervision,
    seed_volunteering,
]

CHUNK = 5  # organisations per COPY batch: keeps the seeder's memory flat at any scale


def seed_network(first_org: int, last_org: int, report: SeedReport, log: Callable[[str], None]) -> None:
    """Seed organisations ``first_org`` .. ``last_org - 1``."""
    started = time.perf_counter()
    for start in range(first_org, last_org, CHUNK):
        orgs = list(range(start, min(start + CHUNK, last_org)))
        blocks = seed_people(orgs, report)
        for seeder in SEEDERS:
            seeder(blocks, report)
        log(f"  seeded organisations {orgs[0]}..{orgs[-1]} ({time.perf_counter() - started:.0f} s)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    report.seconds += time.perf_counter() - started
