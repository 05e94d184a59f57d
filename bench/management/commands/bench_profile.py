"""``manage.py bench_profile``: where the time of a page or a sweep goes, on a seeded network.

The benchmark says how fast; this says why. It profiles the benchmark's own requests (the same
person, the same path as ``manage.py bench``) with cProfile and prints the top entries, the
in-process median and the query count; ``--sweep`` does the same for the escalation sweep and the
outbox sender on the benchmark's due rows, inside a transaction that is rolled back. With
``--seed SCALE`` it first EMPTIES the database and seeds the network like ``bench`` does (same
safety rule: the database name must contain "bench" unless ``--allow-wipe``).
"""

from __future__ import annotations

import cProfile
import io
import pstats
import statistics
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from accounts.models import User
from bench import escalation, pages, sweeps
from bench.seed import SeedReport, organisations_for, seed_network

from .bench import Command as BenchCommand


class _Rollback(Exception):
    pass


# The project's own code (not Django, not the standard library): where a change can help.
PROJECT = r"^(?!.*(site-packages|/lib/python)).*/(accounts|pairing|mentoring|supervision|reports|tandem|bench)/"


def _top(profile: cProfile.Profile, *, sort: str, limit: int, project_only: bool = False) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    if project_only:
        stats.sort_stats(sort).print_stats(PROJECT, limit)
    else:
        stats.strip_dirs().sort_stats(sort).print_stats(limit)
    # Drop pstats' preamble up to the column header.
    text = out.getvalue()
    start = text.find("   ncalls")
    return text[start:].rstrip() if start >= 0 else text.rstrip()


class Command(BaseCommand):
    help = "Profile the benchmark's pages (cProfile over its requests) and sweeps on a seeded network."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=float, default=None, help="empty the database and seed the network at this scale first")
        parser.add_argument("--allow-wipe", action="store_true")
        parser.add_argument("--pages", default="dashboard,trivial", help="comma-separated page keys of bench.pages, or 'none'")
        parser.add_argument("--requests", type=int, default=30, help="profiled requests per page")
        parser.add_argument("--timed", type=int, default=30, help="timed (unprofiled) requests per page for the median")
        parser.add_argument("--top", type=int, default=20, help="profile entries to print")
        parser.add_argument("--sweep", default="none", help="comma-separated: escalation, outbox, or 'none'")
        parser.add_argument("--due", type=int, default=200, help="due rows for --sweep")

    def handle(self, *args: Any, **options: Any) -> None:
        with override_settings(DEBUG=False, ROOT_URLCONF="bench.urls",
                               EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            if options["seed"] is not None:
                self.seed(options["seed"], allow_wipe=options["allow_wipe"])
            for key in [k.strip() for k in options["pages"].split(",") if k.strip() and k.strip() != "none"]:
                self.page(key, requests=options["requests"], timed=options["timed"], top=options["top"])
            for key in [k.strip() for k in options["sweep"].split(",") if k.strip() and k.strip() != "none"]:
                self.sweep(key, due=options["due"], top=options["top"])

    def seed(self, scale: float, *, allow_wipe: bool) -> None:
        name = connection.settings_dict["NAME"]
        if "bench" not in name and not allow_wipe:
            raise CommandError(f"--seed empties the database {name!r}; use a '*bench*' database or --allow-wipe.")
        call_command("migrate", verbosity=0, interactive=False)
        BenchCommand().wipe()
        seed_network(0, organisations_for(scale), SeedReport(), self.stderr.write)

    def page(self, key: str, *, requests: int, timed: int, top: int) -> None:
        page = next((p for p in pages.PAGES if p.key == key), None)
        if page is None:
            raise CommandError(f"Unknown page {key!r}; known: {', '.join(p.key for p in pages.PAGES)}")
        email, path = page.locate()
        before = page.before or (lambda: None)
        client = Client()
        client.force_login(User.objects.get(email=email))
        for _ in range(3):
            before()
            client.get(path)
        before()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        queries = list(captured.captured_queries)
        times = []
        for _ in range(timed):
            before()
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        profile = cProfile.Profile()
        for _ in range(requests):
            before()
            profile.enable()
            client.get(path)
            profile.disable()
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
        self.stdout.write(
            f"\n== page {key} ({path}, HTTP {response.status_code}, {len(response.content):,} bytes): "
            f"{len(queries)} queries ({sql_ms:.1f} ms SQL), median {statistics.median(times):.1f} ms over {timed}; "
            f"profile of {requests} requests"
        )
        self.stdout.write("-- project code by cumulative time\n" + _top(profile, sort="cumulative", limit=top, project_only=True))
        self.stdout.write("-- by own time\n" + _top(profile, sort="tottime", limit=top))

    def sweep(self, key: str, *, due: int, top: int) -> None:
        if key == "escalation":
            spec = escalation.spec(due=due, small_rows=due * 10, large_rows=due * 10)
        elif key == "outbox":
            spec = sweeps.outbox_spec(due=due, small_rows=due * 2, large_rows=due * 2)
        else:
            raise CommandError(f"Unknown sweep {key!r} (escalation, outbox)")
        count = [0]

        def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            count[0] += 1
            return execute(sql, params, many, context)

        profile = cProfile.Profile()
        timings: list[float] = []
        handled: Any = None
        for attempt in range(3):  # a warm-up, a timed run, a profiled run: each rolled back
            try:
                with transaction.atomic():
                    spec.seed(spec.small_rows, 0, spec.due)
                    with connection.cursor() as cursor:
                        cursor.execute("ANALYZE")
                    if attempt == 2:
                        profile.enable()
                    count[0] = 0
                    started = time.perf_counter()
                    with connection.execute_wrapper(counter):
                        handled = spec.run()
                    timings.append((time.perf_counter() - started) * 1000)
                    profile.disable()
                    raise _Rollback
            except _Rollback:
                pass
        ms = timings[1]
        self.stdout.write(
            f"\n== sweep {key}: {spec.due} due, handled {handled}, {count[0]} queries "
            f"({count[0] / spec.due:.2f} per due row), {ms:.0f} ms ({ms / spec.due:.2f} ms per due row)"
        )
        self.stdout.write("-- project code by cumulative time\n" + _top(profile, sort="cumulative", limit=top, project_only=True))
        self.stdout.write("-- by own time\n" + _top(profile, sort="tottime", limit=top))
