"""``manage.py bench``: seed a large provider network and measure pages, sweeps and throughput.

It EMPTIES the database it runs against (every table of the project), so it refuses to run
unless the database name contains "bench" or ``--allow-wipe`` is given. See BENCHMARKS.md.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import OperationalError, connection, models
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Membership, Organisation
from bench import escalation, load, pages, reminders, report, sweeps
from bench.seed import SeedReport, organisations_for, seed_network
from mentoring.models import Irritation, IrritationMessage
from pairing.models import Tandem
from supervision.models import Rsvp, Session
from tandem.notifications.models import Notification

KEPT_TABLES_PREFIXES = ("django_migrations", "django_content_type", "auth_permission", "django_celery_beat")


class Command(BaseCommand):
    help = "Benchmark pages, sweeps and throughput on a seeded provider network (empties the database)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0,
                            help="network size; 1 = 50 organisations, 5,000 staff. Pages are measured at scale/10 and scale.")
        parser.add_argument("--sweep-scale", type=float, default=None,
                            help="sweep table size; 1 = 1,000 due among 10,000 and 1,000,000 irritations "
                                 "(default 1, or --scale with --quick)")
        parser.add_argument("--json", dest="json_path", default=None, help="write the results as JSON here")
        parser.add_argument("--repeat", type=int, default=None, help="requests per page (default 50, 5 with --quick)")
        parser.add_argument("--load-seconds", type=int, default=None, help="wrk duration per path (default 15, 2 with --quick)")
        parser.add_argument("--quick", action="store_true", help="few repetitions: a smoke run, not a measurement")
        parser.add_argument("--no-load", action="store_true", help="skip gunicorn + wrk")
        parser.add_argument("--sweeps", default="escalation,reminders,outbox",
                            help="comma-separated sweeps to measure (escalation, reminders, outbox) or 'none'")
        parser.add_argument("--sweep-repeat", type=int, default=None, help="timed runs per sweep and size (default 3, 1 with --quick)")
        parser.add_argument("--allow-wipe", action="store_true", help="run even if the database name lacks 'bench'")

    def log(self, message: str) -> None:
        self.stderr.write(message)

    def handle(self, *args: Any, **options: Any) -> None:
        # Measure the production code path: no query log growing in memory, no debug pages. The
        # floor view exists only in the harness's own URLconf.
        with override_settings(DEBUG=False, ROOT_URLCONF="bench.urls"):
            self.run(options)

    def run(self, options: dict[str, Any]) -> None:
        try:
            connection.ensure_connection()
        except OperationalError as exc:
            if self.create_database(str(exc)):
                return self.run(options)
            raise CommandError(
                f"Cannot reach the database ({exc}). Create it first, e.g. "
                "`createdb -h 127.0.0.1 -U postgres tandem_bench`, and set DATABASE_URL."
            ) from exc
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL (set DATABASE_URL).")
        name = connection.settings_dict["NAME"]
        if "bench" not in name and not options["allow_wipe"]:
            raise CommandError(
                f"The benchmark empties the database {name!r}. Point DATABASE_URL at a database whose name "
                "contains 'bench' (e.g. postgres://postgres@127.0.0.1:5432/tandem_bench) or pass --allow-wipe."
            )
        scale = options["scale"]
        if not 0 < scale <= 10:
            raise CommandError("--scale must be between 0 and 10.")
        quick = options["quick"]
        repeat = options["repeat"] or (5 if quick else 50)
        sweep_scale = options["sweep_scale"] if options["sweep_scale"] is not None else (scale if quick else 1.0)
        load_seconds = options["load_seconds"] or (2 if quick else 15)
        started = time.perf_counter()

        self.log("Migrating and emptying the database ...")
        call_command("migrate", verbosity=0, interactive=False)
        self.wipe()

        small_scale = scale / 10
        n_small, n_large = organisations_for(small_scale), organisations_for(scale)
        result: dict[str, Any] = {"meta": self.meta(scale, small_scale, sweep_scale, repeat, quick)}
        seed_report = SeedReport()

        self.log(f"Seeding {n_small} organisation(s) (scale {small_scale:g}) ...")
        seed_network(0, n_small, seed_report, self.log)
        result["meta"]["small_counts"] = self.counts()
        self.log("Measuring pages ...")
        small = pages.measure_all(repeat=repeat)

        self.log(f"Seeding up to {n_large} organisations (scale {scale:g}) ...")
        seed_network(n_small, n_large, seed_report, self.log)
        result["meta"]["large_counts"] = self.counts()
        result["seed"] = {"seconds": round(seed_report.seconds, 1), "rows": seed_report.counts}
        self.log("Measuring pages ...")
        large = pages.measure_all(repeat=repeat)
        result["pages"] = {
            page.key: {"title": page.title, "small": small[page.key], "large": large[page.key]} for page in pages.PAGES
        }

        if options["no_load"]:
            result["load"] = {"status": "not measured", "reason": "--no-load"}
        else:
            self.log("Load test (gunicorn + wrk) ...")
            email, dashboard_path = pages.dashboard()
            result["load"] = load.run(dashboard_path=dashboard_path, email=email, seconds=load_seconds, log=self.log)

        self.log("Sweeps ...")
        wanted = {name.strip() for name in options["sweeps"].split(",") if name.strip() and name.strip() != "none"}
        result["sweeps"] = self.sweeps(sweep_scale, wanted, repeat=options["sweep_repeat"] or (1 if quick else 3))

        result["targets"] = report.targets(result)
        result["meta"]["finished_at"] = timezone.now().strftime("%Y-%m-%d %H:%M UTC")
        result["meta"]["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
        result["meta"]["seconds"] = round(time.perf_counter() - started, 1)
        self.stdout.write(report.render(result))
        if options["json_path"]:
            Path(options["json_path"]).write_text(json.dumps(result, indent=2, default=str))
            self.log(f"JSON written to {options['json_path']}")

    def sweeps(self, sweep_scale: float, wanted: set[str], *, repeat: int) -> dict[str, Any]:
        results: dict[str, Any] = {}
        due, small, large = (max(1, round(n * sweep_scale)) for n in (1_000, 10_000, 1_000_000))
        outbox_due, outbox_small = (max(1, round(n * sweep_scale)) for n in (10_000, 20_000))
        builders = [
            ("escalation", lambda: escalation.spec(due=due, small_rows=small, large_rows=large)),
            ("reminders", lambda: reminders.spec(due_reminders=outbox_due, small_rows=small, large_rows=large)),
            ("outbox", lambda: sweeps.outbox_spec(due=outbox_due, small_rows=outbox_small, large_rows=large)),
        ]
        for key, build in builders:
            if key not in wanted:
                continue
            spec = build()
            try:
                results[key] = sweeps.bench_sweep(spec, repeat=repeat, log=self.log)
            except Exception as exc:  # noqa: BLE001 - a failing sweep is a result to report
                results[key] = {"status": "error", "title": spec.title, "reason": f"{type(exc).__name__}: {exc}"[:300]}
        return results

    def create_database(self, error: str) -> bool:
        """Create a missing benchmark database (only one whose name says it is one)."""
        name = connection.settings_dict["NAME"]
        if connection.vendor != "postgresql" or "bench" not in name or "does not exist" not in error:
            return False
        self.log(f"Creating the database {name} ...")
        try:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
        except Exception:  # noqa: BLE001 - fall back to the message that says how to create it
            return False
        return True

    def wipe(self) -> None:
        tables = [t for t in connection.introspection.django_table_names(only_existing=True)
                  if not t.startswith(KEPT_TABLES_PREFIXES)]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(connection.ops.quote_name(t) for t in tables)} RESTART IDENTITY CASCADE")

    def counts(self) -> str:
        counted: list[type[models.Model]] = [
            Organisation, Membership, Tandem, Irritation, IrritationMessage, Session, Rsvp, Notification,
        ]
        return ", ".join(f"{model._default_manager.count():,} {model._meta.verbose_name_plural}" for model in counted)

    def meta(self, scale: float, small_scale: float, sweep_scale: float, repeat: int, quick: bool) -> dict[str, Any]:
        try:
            commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                    cwd=settings.BASE_DIR, check=False, timeout=5).stdout.strip()
        except OSError:
            commit = ""
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg = cursor.fetchone()[0]
        return {
            "scale": scale, "small_scale": small_scale, "sweep_scale": sweep_scale, "repeat": repeat, "quick": quick,
            "commit": commit, "postgresql": pg, "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, PostgreSQL {pg}",
            # Other work on the machine skews every figure; the load average tells how much there was.
            "load_average_at_start": [round(x, 1) for x in os.getloadavg()],
        }
