"""Seeders for the feature apps (mentoring irritations, supervision), one organisation block at a time.

Each raises FeatureMissing when its models or tables are not in this code base, so the benchmark
reports the feature as "not measured" instead of failing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any

from django.db import connection, models
from django.utils import timezone

from .copy import copy_rows, reserve_ids
from .seed import (
    IRRITATIONS_PER_ORG,
    MENTORS,
    MESSAGES_PER_IRRITATION,
    PEERS,
    SESSIONS_PER_ORG,
    SUPERVISION_GROUPS_PER_ORG,
    SUPERVISORS,
    FeatureMissing,
    OrgIds,
    SeedReport,
    model_or_none,
)

# The calendar feed token of every seeded peer is derived from this, so the page benchmark can
# build the feed's address without storing secrets anywhere.
FEED_SECRET = "bench-feed"


def feed_token(user_id: int) -> str:
    return f"{FEED_SECRET}-{user_id}"


def require(label: str) -> type[models.Model]:
    model = model_or_none(label)
    if model is None:
        raise FeatureMissing(f"{label} does not exist")
    if model._meta.db_table not in connection.introspection.table_names():
        raise FeatureMissing(f"{label} has no table (migration missing)")
    return model


# --- mentoring: irritations with their conversation ----------------------------------------

IRRITATIONS_PER_PEER = IRRITATIONS_PER_ORG // len(PEERS)


def irritation_row(
    b: OrgIds, p: int, n: int, *, now: dt.datetime, state: str, created: dt.datetime, clarify_by: dt.date,
    with_mentor: bool, acknowledged: bool = True, escalated: bool = False,
) -> tuple[Any, ...]:
    mentor = b.memberships[MENTORS[PEERS.index(p) % len(MENTORS)]] if with_mentor else None
    closed = created + dt.timedelta(days=10) if state in ("resolved", "withdrawn") else None
    return (
        b.id, b.memberships[p], f"Irritation {n}", "Im Teamgespräch wurde über mich statt mit mir gesprochen.",
        created.date(), ["treated_as_client", "not_heard", "role_unclear", "workload"][n % 4], False,
        clarify_by, "mentor_now" if with_mentor else "self_first", False, state, mentor,
        created if with_mentor else None, created if with_mentor else None,
        created + dt.timedelta(hours=5) if with_mentor and acknowledged else None,
        created + dt.timedelta(days=7) if escalated else None, closed, created, closed or created,
    )


IRRITATION_COLUMNS = [
    "organisation_id", "peer_id", "title", "what_happened", "happened_on", "category", "urgent", "clarify_by",
    "start_mode", "backup_may_name_me", "state", "mentor_id", "shared_with_mentor_at", "mentor_since",
    "acknowledged_at", "escalated_at", "closed_at", "created_at", "updated_at",
]


def seed_irritations(blocks: list[OrgIds], report: SeedReport) -> None:
    """Per peer: mostly resolved irritations of the last year, a few open ones with the mentor,
    one she is clarifying herself; none due for escalation (the sweep benchmark seeds those)."""
    irritation = require("mentoring.Irritation")
    message = require("mentoring.IrritationMessage")
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
                    row = irritation_row(b, p, n, now=now, state="open", created=created,
                                         clarify_by=today + dt.timedelta(days=6), with_mentor=False, acknowledged=False)
                elif n <= 3:
                    row = irritation_row(b, p, n, now=now, state="in_clarification", created=created,
                                         clarify_by=today + dt.timedelta(days=n), with_mentor=True)
                else:
                    row = irritation_row(b, p, n, now=now, state="resolved" if n % 10 else "withdrawn",
                                         created=created, clarify_by=created.date() + dt.timedelta(days=7), with_mentor=True)
                rows.append(row)
                authors.append((b.users[p], mentor_user))
    first = reserve_ids(irritation, len(rows))
    report.add("irritations", copy_rows(irritation, ["id", *IRRITATION_COLUMNS], ((first + k, *row) for k, row in enumerate(rows))))

    def messages() -> Iterator[tuple[Any, ...]]:
        for k, (row, (peer_user, mentor_user)) in enumerate(zip(rows, authors, strict=True)):
            created = row[IRRITATION_COLUMNS.index("created_at")]
            for m in range(MESSAGES_PER_IRRITATION):
                yield (first + k, peer_user if m % 2 == 0 else mentor_user,
                       "Danke, lass uns am Donnerstag darüber sprechen." if m % 2 else "Kurze Ergänzung von mir.",
                       created + dt.timedelta(hours=m + 1))

    report.add("irritation messages", copy_rows(message, ["irritation_id", "author_id", "body", "created_at"], messages()))


# --- supervision: groups, sessions, RSVPs, calendar feeds ----------------------------------


def seed_supervision(blocks: list[OrgIds], report: SeedReport) -> None:
    group_model = require("supervision.SupervisionGroup")
    member_model = require("supervision.GroupMember")
    supervisor_model = require("supervision.GroupSupervisor")
    series_model = require("supervision.Series")
    session_model = require("supervision.Session")
    rsvp_model = require("supervision.Rsvp")
    feed_model = require("supervision.CalendarFeed")
    now = timezone.now()
    today = timezone.localdate()
    per_group = SESSIONS_PER_ORG // SUPERVISION_GROUPS_PER_ORG
    past = per_group * 4 // 5  # weekly: most sessions lie in the past, a fifth ahead

    group_first = reserve_ids(group_model, len(blocks) * SUPERVISION_GROUPS_PER_ORG)
    groups: list[tuple[OrgIds, int, int, list[int]]] = []  # block, group id, group number, peer positions
    for i, b in enumerate(blocks):
        for g in range(SUPERVISION_GROUPS_PER_ORG):
            peers = [p for n, p in enumerate(PEERS) if n % SUPERVISION_GROUPS_PER_ORG == g]
            groups.append((b, group_first + i * SUPERVISION_GROUPS_PER_ORG + g, g, peers))
    report.add("supervision groups", copy_rows(
        group_model, ["id", "organisation_id", "name", "description", "created_by_id", "created_at"],
        ((gid, b.id, f"Peer-Supervision {g + 1}", "", b.users[SUPERVISORS[0]], now) for b, gid, g, _ in groups),
    ))
    report.add("group members", copy_rows(
        member_model, ["group_id", "membership_id", "joined_at"],
        ((gid, b.memberships[p], now - dt.timedelta(days=400)) for b, gid, _, peers in groups for p in peers),
    ))
    report.add("group supervisors", copy_rows(
        supervisor_model, ["group_id", "membership_id", "added_at"],
        ((gid, b.memberships[SUPERVISORS[g % len(SUPERVISORS)]], now - dt.timedelta(days=400)) for b, gid, g, _ in groups),
    ))
    series_first = reserve_ids(series_model, len(groups))
    start = today - dt.timedelta(weeks=past)
    report.add("series", copy_rows(
        series_model,
        ["id", "group_id", "title", "frequency", "interval", "weekday", "starts_on", "local_time", "duration_minutes",
         "created_by_id", "created_at"],
        ((series_first + k, gid, "Peer-Supervision", "weekly", 1, start.weekday(), start, dt.time(15, 0), 120,
          b.users[SUPERVISORS[0]], now) for k, (b, gid, _, _) in enumerate(groups)),
    ))
    session_first = reserve_ids(session_model, len(groups) * per_group)
    base = now.replace(hour=14, minute=0, second=0, microsecond=0) - dt.timedelta(weeks=past)
    import uuid

    def sessions() -> Iterator[tuple[Any, ...]]:
        for k, (_, gid, _, _) in enumerate(groups):
            for n in range(per_group):
                starts = base + dt.timedelta(weeks=n, days=k % 5)
                yield (session_first + k * per_group + n, gid, series_first + k, n, "Peer-Supervision", starts,
                       starts + dt.timedelta(hours=2), "Europe/Berlin", "Raum 1", "scheduled", uuid.uuid4(), n <= past, n <= past)

    report.add("supervision sessions", copy_rows(
        session_model,
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

    report.add("rsvps", copy_rows(rsvp_model, ["session_id", "membership_id", "answer", "answered_at"], rsvps()))
    report.add("calendar feeds", copy_rows(
        feed_model, ["user_id", "token_hash", "created_at"],
        ((b.users[p], hashlib.sha256(feed_token(b.users[p]).encode()).hexdigest(), now) for b in blocks for p in PEERS),
    ))


SEEDERS = [
    ("irritations", seed_irritations),
    ("supervision", seed_supervision),
]
