"""The escalation sweep's benchmark table: due irritations among many that are not due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentoring import escalation
from mentoring.models import EscalationStep, Irritation, IrritationMessage, MentorAssignment
from tandem.audit.models import AuditEvent
from tandem.notifications.models import Notification

from .copy import copy_rows
from .sweeps import SweepSpec

COLUMNS = [
    "organisation_id", "peer_id", "title", "what_happened", "happened_on", "category", "urgent", "clarify_by",
    "start_mode", "backup_may_name_me", "state", "mentor_id", "shared_with_mentor_at", "mentor_since",
    "acknowledged_at", "escalated_at", "closed_at", "created_at", "updated_at",
]


def _peers_and_mentors() -> list[tuple[int, int, int]]:
    """(organisation, peer membership, mentor membership) of every seeded peer with a current mentor."""
    pairs = list(
        MentorAssignment.objects.filter(ended_on__isnull=True).order_by("id")
        .values_list("organisation_id", "peer_id", "mentor_id")[:2000]
    )
    if not pairs:
        raise CommandError("No mentor assignments: seed the network first.")
    return pairs


def spec(*, due: int, small_rows: int, large_rows: int) -> SweepSpec:
    pairs = _peers_and_mentors()
    now = timezone.now()
    today = timezone.localdate()

    def seed(total: int, already: int, due_count: int) -> None:
        def rows() -> Iterator[tuple[Any, ...]]:
            for n in range(already, total):
                org, peer, mentor = pairs[n % len(pairs)]
                if already == 0 and n < due_count:
                    # Kept to herself, clarify-by date passed two days ago: goes to her mentor now.
                    created = now - dt.timedelta(days=9)
                    yield (org, peer, "Fällig", "Text", created.date(), "not_heard", False, today - dt.timedelta(days=2),
                           "self_first", False, "open", None, None, None, None, None, None, created, created)
                elif n % 25 == 0:
                    # Open with her mentor, acknowledged, date ahead: nothing to do (4 % of the table).
                    created = now - dt.timedelta(days=3)
                    yield (org, peer, "Offen", "Text", created.date(), "role_unclear", False, today + dt.timedelta(days=5),
                           "mentor_now", False, "in_clarification", mentor, created, created,
                           created + dt.timedelta(hours=4), None, None, created, created)
                else:
                    # History: resolved within the retention period.
                    created = now - dt.timedelta(days=1 + n % 330)
                    closed = created + dt.timedelta(days=10)
                    yield (org, peer, "Geklärt", "Text", created.date(), "workload", False, created.date() + dt.timedelta(days=7),
                           "mentor_now", False, "resolved", mentor, created, created, created + dt.timedelta(hours=4),
                           None, closed, created, closed)

        copy_rows(Irritation, COLUMNS, rows())

    def explain() -> str:
        # The sweep's candidate query, as it runs (see mentoring.escalation._candidates).
        with CaptureQueriesContext(connection) as captured:
            list(escalation._candidates(timezone.localdate()).order_by("pk").values_list("pk", flat=True)[:100])
        sql = captured.captured_queries[0]["sql"]
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}")
            return "\n".join(row[0] for row in cursor.fetchall())

    return SweepSpec(
        key="escalation", title=f"escalation sweep, {due:,} due irritations", due=due, small_rows=small_rows,
        large_rows=large_rows,
        tables=[Irritation, IrritationMessage, EscalationStep, Notification, AuditEvent],
        seed=seed, run=lambda: escalation.escalate_due(), explain=explain, index_hint="index",
    )
