"""`manage.py health [--ready|--live]`: the health checks for containers that serve no HTTP.

The scheduler (beat) container runs ``health --ready``: it exits non-zero when the database or
Redis is down or a periodic sweep is late, which is what a stopped scheduler looks like from outside.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem import health


class Command(BaseCommand):
    help = "Print the readiness report (database, Redis, sweeps, outbox) and fail when Tandem is not ready."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--ready", action="store_true", help="Readiness (the default): database, Redis, sweeps fresh, outbox."
        )
        mode.add_argument("--live", action="store_true", help="Liveness only: Django loads; checks nothing else.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = health.liveness() if options["live"] else health.readiness()
        self.stdout.write(json.dumps(report, indent=2, sort_keys=True))
        if not options["live"] and not report["healthy"]:
            reasons = [name for name in ("database", "redis") if report[name] is False]
            reasons += [f"stale sweep {name}" for name in report["stale_sweeps"]]
            raise CommandError(f"Not ready: {', '.join(reasons)}")
