"""The supervision reminder sweep's benchmark table: sessions whose reminder is due among many that are not.

A due session reminds every member of its group (10 per seeded group), so 1,000 due sessions are
10,000 due reminders.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from supervision import services
from supervision.models import Session, SupervisionGroup
from tandem.notifications.models import Notification

from .copy import copy_rows
from .sweeps import SweepSpec

MEMBERS_PER_GROUP = 10


def spec(*, due_reminders: int, small_rows: int, large_rows: int) -> SweepSpec:
    groups = list(SupervisionGroup.objects.order_by("id").values_list("id", flat=True)[:200])
    if not groups:
        raise CommandError("No supervision groups: seed the network first.")
    due = max(1, due_reminders // MEMBERS_PER_GROUP)
    now = timezone.now().replace(second=0, microsecond=0)

    def seed(total: int, already: int, due_count: int) -> None:
        def rows() -> Iterator[tuple[Any, ...]]:
            for n in range(already, total):
                group = groups[n % len(groups)]
                if already == 0 and n < due_count:
                    # Starts in two to six days: its 7-day reminder is due, the 1-day one is not yet.
                    starts = now + dt.timedelta(days=2 + n % 5, minutes=n % 600)
                    reminded = None
                elif n % 10 == 0:
                    # Further ahead than a week: nothing due yet.
                    starts = now + dt.timedelta(days=8 + n % 300, minutes=n % 600)
                    reminded = None
                else:
                    # The history: held sessions, both reminders sent.
                    starts = now - dt.timedelta(days=1 + n % 2000, minutes=n % 600)
                    reminded = 0
                yield (group, "Peer-Supervision", starts, starts + dt.timedelta(hours=2), "Europe/Berlin", "Raum 1",
                       "scheduled", uuid.uuid4(), reminded, reminded)

        copy_rows(
            Session,
            ["group_id", "title", "starts_at", "ends_at", "time_zone", "place", "status", "uid",
             "reminded_7d_version", "reminded_1d_version"],
            rows(),
        )

    def explain() -> str:
        # The sweep's own due query (the first query of send_due_reminders), run with EXPLAIN.
        with CaptureQueriesContext(connection) as captured:
            list(
                Session.objects.scheduled()
                .filter(starts_at__gt=timezone.now(), starts_at__lte=timezone.now() + dt.timedelta(days=7))
                .exclude(reminded_7d_version=F("time_version"))
                .values_list("pk", flat=True)
            )
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {captured.captured_queries[0]['sql']}")
            return "\n".join(row[0] for row in cursor.fetchall())

    return SweepSpec(
        key="reminders", title=f"supervision reminder sweep, {due * MEMBERS_PER_GROUP:,} due reminders ({due:,} sessions)",
        due=due, small_rows=small_rows, large_rows=large_rows,
        tables=[Session, Notification],
        seed=seed, run=lambda: services.send_due_reminders(), explain=explain, index_hint="supervision_session_due_idx",
    )

