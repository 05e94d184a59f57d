"""Seed a provider network with COPY, one organisation block at a time.

Every organisation has the same shape (at scale 1: 100 staff, 8 teams, 400 tandems, 4,000
irritations, 400 supervision sessions), so organisation 0, whose people the page benchmark signs
in as, looks the same at every scale: a larger scale adds organisations, i.e. rows the measured
users do not see. That is exactly what the target "a page costs what its user sees" asks about.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.utils import timezone

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
    skipped: dict[str, str] = field(default_factory=dict)

    def add(self, label: str, count: int) -> None:
        self.counts[label] = self.counts.get(label, 0) + count


def model_or_none(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def field_names(model: type[models.Model]) -> set[str]:
    return {f.attname for f in model._meta.concrete_fields}


_PASSWORD: list[str] = []


def _password() -> str:
    # One hash for everybody: hashing 5,000 passwords would dominate the seed time. Nobody
    # signs in with it (the benchmark uses force_login), but the row looks like a real one.
    if not _PASSWORD:
        _PASSWORD.append(make_password("bench-not-a-login-2026"))
    return _PASSWORD[0]


# --- people and teams -----------------------------------------------------------------------


def seed_people(orgs: list[int], report: SeedReport) -> list[OrgIds]:
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
    from pairing.models import Tandem

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
    if "activated_on" not in {f.attname for f in Tandem._meta.concrete_fields}:
        columns.pop()
        report.add("tandems", copy_rows(Tandem, columns, (row[:-1] for row in rows())))
    else:
        report.add("tandems", copy_rows(Tandem, columns, rows()))
    seed_reflections(blocks, report)


def seed_reflections(blocks: list[OrgIds], report: SeedReport) -> None:
    """Each partner of each active tandem reflected every six weeks; every fifth pair is overdue now."""
    reflection = model_or_none("tandem.Reflection")
    if reflection is None:
        return
    from pairing.models import Tandem

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
        reflection, ["tandem_id", "author_id", "how_it_goes", "what_helps", "what_irritates", "shared_at", "created_at"], rows(),
    ))


def seed_mentor_assignments(blocks: list[OrgIds], report: SeedReport) -> None:
    from mentoring.models import MentorAssignment

    today = timezone.localdate()
    mentors = list(MENTORS)

    def rows() -> Iterator[tuple[Any, ...]]:
        for b in blocks:
            for n, p in enumerate(PEERS):
                # An ended assignment with another mentor, then the current one.
                yield (b.id, b.memberships[p], b.memberships[mentors[(n + 1) % len(mentors)]],
                       today - dt.timedelta(days=700), today - dt.timedelta(days=365), b.users[LEADS[0]])
                yield (b.id, b.memberships[p], b.memberships[mentors[n % len(mentors)]],
                       today - dt.timedelta(days=364), None, b.users[LEADS[0]])

    report.add("mentor assignments", copy_rows(
        MentorAssignment, ["organisation_id", "peer_id", "mentor_id", "started_on", "ended_on", "assigned_by_id"], rows(),
    ))
    check_in = model_or_none("mentoring.CheckIn")
    if check_in is None:
        return
    current = list(MentorAssignment.objects.filter(
        organisation_id__in=[b.id for b in blocks], ended_on__isnull=True
    ).values_list("id", "mentor__user_id"))

    def check_ins() -> Iterator[tuple[Any, ...]]:
        # A talk every four weeks over the year; every seventh pair's next talk is overdue.
        for n, (assignment, mentor_user) in enumerate(current):
            last = 40 if n % 7 == 0 else 7
            for k in range(12):
                yield (assignment, today - dt.timedelta(days=last + 28 * k), "", mentor_user)

    report.add("check-ins", copy_rows(check_in, ["assignment_id", "held_on", "note", "recorded_by_id"], check_ins()))


# --- notifications --------------------------------------------------------------------------


def seed_notifications(blocks: list[OrgIds], report: SeedReport) -> None:
    """Read in-app rows and sent e-mail rows: the history a year of use leaves behind."""
    from tandem.notifications.models import Notification

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


# --- the seeding run ------------------------------------------------------------------------

BlockSeeder = Callable[[list[OrgIds], SeedReport], None]


def feature_seeders() -> list[tuple[str, BlockSeeder]]:
    """Seeders per feature; a feature whose models have not landed is reported as skipped."""
    from . import features

    return [
        ("tandems", seed_tandems),
        ("mentor assignments", seed_mentor_assignments),
        ("notifications", seed_notifications),
        *features.SEEDERS,
    ]


CHUNK = 5  # organisations per COPY batch: keeps the seeder's memory flat at any scale


def seed_network(first_org: int, last_org: int, report: SeedReport, log: Callable[[str], None]) -> None:
    """Seed organisations ``first_org`` .. ``last_org - 1``."""
    started = time.perf_counter()
    for start in range(first_org, last_org, CHUNK):
        orgs = list(range(start, min(start + CHUNK, last_org)))
        blocks = seed_people(orgs, report)
        for label, seeder in feature_seeders():
            try:
                seeder(blocks, report)
            except FeatureMissing as missing:
                report.skipped[label] = str(missing)
        log(f"  seeded organisations {orgs[0]}..{orgs[-1]} ({time.perf_counter() - started:.0f} s)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    report.seconds += time.perf_counter() - started


class FeatureMissing(Exception):
    """A feature's models are not (yet) in the code base."""
