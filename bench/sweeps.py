"""Sweeps against a small and a large table with the same number of due rows.

Each sweep runs inside a transaction that is rolled back afterwards, so every repetition (and the
large table after the small one) starts from the same due rows. Time is the median of a few runs;
peak Python memory comes from a separate run under tracemalloc (which slows Python down, so it is
never timed). The query count comes from an execute wrapper that only counts. One untimed run
before the small table takes the first-time costs (imports, templates) out of the comparison.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.management.base import CommandError
from django.db import connection, models, transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from tandem.notifications import sending
from tandem.notifications.models import Notification

from .copy import copy_rows


class _Rollback(Exception):
    pass


@dataclass
class SweepSpec:
    key: str
    title: str
    due: int
    small_rows: int
    large_rows: int
    tables: list[type[models.Model]]  # emptied before seeding; the first is the swept table
    # seed(total_rows_wanted_now, rows_already_there, due) -> None; due rows only when rows_already_there == 0
    seed: Callable[[int, int, int], None]
    run: Callable[[], Any]
    explain: Callable[[], str]
    index_hint: str  # a word the plan must contain to count as index use


def _run_once(run: Callable[[], Any]) -> tuple[float, int, Any]:
    count = [0]

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        count[0] += 1
        return execute(sql, params, many, context)

    result: Any = None
    started = time.perf_counter()
    try:
        with connection.execute_wrapper(counter), transaction.atomic():
            result = run()
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return elapsed, count[0], result


def _peak_memory(run: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        with transaction.atomic():
            run()
            peak = tracemalloc.get_traced_memory()[1]
            raise _Rollback
    except _Rollback:
        pass
    finally:
        tracemalloc.stop()
    return peak


def _measure_at(spec: SweepSpec, rows: int, repeat: int, *, warm_up: bool) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    if warm_up:  # imports, templates, caches: first-time costs that belong to neither size
        _peak_memory(spec.run)
    # One run under tracemalloc (which slows Python down, so it is not timed), then the timed runs.
    peak = _peak_memory(spec.run)
    timings = [_run_once(spec.run) for _ in range(repeat)]
    plan = spec.explain()
    return {
        "rows": rows,
        "due": spec.due,
        "handled": timings[0][2] if isinstance(timings[0][2], int) else None,
        "median_ms": round(statistics.median(t[0] for t in timings) * 1000, 1),
        "queries": timings[0][1],
        "peak_memory_kib": round(peak / 1024),
        "plan": plan,
        # An index scan on the sweep's index, and no sequential scan of the swept table. (On a
        # small table the planner may rightly prefer a sequential scan; the target is the large one.)
        "index_used": spec.index_hint.lower() in plan.lower() and f"seq scan on {_table(spec)}" not in plan.lower(),
    }


def _table(spec: SweepSpec) -> str:
    return spec.tables[0]._meta.db_table.lower()


def truncate(tables: list[type[models.Model]]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(connection.ops.quote_name(t._meta.db_table) for t in tables)} CASCADE")


def bench_sweep(spec: SweepSpec, *, repeat: int, log: Callable[[str], None]) -> dict[str, Any]:
    with override_settings(DEBUG=False, EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        truncate(spec.tables)
        started = time.perf_counter()
        spec.seed(spec.small_rows, 0, spec.due)
        log(f"  {spec.key}: {spec.small_rows:,} rows seeded ({time.perf_counter() - started:.0f} s), measuring")
        small = _measure_at(spec, spec.small_rows, repeat, warm_up=True)
        started = time.perf_counter()
        spec.seed(spec.large_rows, spec.small_rows, spec.due)
        log(f"  {spec.key}: grown to {spec.large_rows:,} rows ({time.perf_counter() - started:.0f} s), measuring")
        large = _measure_at(spec, spec.large_rows, repeat, warm_up=False)
        truncate(spec.tables)
    time_ratio = large["median_ms"] / small["median_ms"] if small["median_ms"] else None
    memory_ratio = large["peak_memory_kib"] / small["peak_memory_kib"] if small["peak_memory_kib"] else None
    return {
        "status": "ok",
        "title": spec.title,
        "small": small,
        "large": large,
        "time_ratio": round(time_ratio, 2) if time_ratio else None,
        "memory_ratio": round(memory_ratio, 2) if memory_ratio else None,
    }


# --- the outbox sender ----------------------------------------------------------------------


def _recipients(limit: int = 2000) -> list[int]:
    ids = list(User.objects.order_by("id").values_list("id", flat=True)[:limit])
    if not ids:
        raise CommandError("No users to send to: seed the network first.")
    return ids


def outbox_spec(*, due: int, small_rows: int, large_rows: int) -> SweepSpec:
    recipients = _recipients()
    now = timezone.now()

    def seed(total: int, already: int, due_count: int) -> None:
        def rows() -> Iterator[tuple[Any, ...]]:
            for n in range(already, total):
                uid = recipients[n % len(recipients)]
                if already == 0 and n < due_count:
                    # Due now: an immediate e-mail waiting for the sender.
                    yield (uid, "notifications.welcome", "email", "immediately", f"bench-due:{n}", "/notifications/",
                           {}, now - dt.timedelta(minutes=5), now - dt.timedelta(minutes=5), None, None)
                else:
                    created = now - dt.timedelta(hours=1 + n % 8000)
                    # History: sent e-mails and read in-app rows (a year of a provider's use).
                    channel = "email" if n % 2 else "in_app"
                    yield (uid, "notifications.welcome", channel, "immediately", f"bench-old:{n}", "/notifications/",
                           {}, created, created, created if channel == "email" else None,
                           created if channel == "in_app" else None)

        copy_rows(
            Notification,
            ["recipient_id", "kind", "channel", "delivery", "dedupe_key", "url", "context", "created_at", "send_after",
             "sent_at", "read_at"],
            rows(),
        )

    def explain() -> str:
        return (
            Notification.objects.email_due(timezone.now()).order_by("send_after", "id")
            .values_list("id", flat=True)[: sending.BATCH_SIZE].explain()
        )

    return SweepSpec(
        key="outbox", title=f"outbox sender, {due:,} due e-mails", due=due, small_rows=small_rows,
        large_rows=large_rows, tables=[Notification], seed=seed,
        run=lambda: sending.send_due(), explain=explain, index_hint="notification_email_due_idx",
    )

