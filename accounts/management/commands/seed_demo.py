from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand

from accounts import demo

# Each feature app may add demo content in `<app>/demo.py` with `seed(demo: accounts.demo.Demo)`.
FEATURE_DEMOS = ("pairing.demo", "mentoring.demo", "supervision.demo", "tandem.notifications.demo")


class Command(BaseCommand):
    help = "Create (or complete) the demo organisation with known demo logins. Safe to run repeatedly."

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo.seed()
        for module_name in FEATURE_DEMOS:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as error:
                if error.name != module_name:
                    raise
                continue
            module.seed(result)
        self.stdout.write(self.style.SUCCESS(f"Demo organisation ready: {result.organisation.name}"))
        self.stdout.write(f"All demo logins use the password: {demo.DEMO_PASSWORD}")
        for person in demo.PEOPLE:
            roles = ", ".join(str(r.label) for r in person.roles)
            self.stdout.write(f"  {person.email:28} {roles}")
