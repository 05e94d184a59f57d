from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tandem import demo


class Command(BaseCommand):
    help = "Create (or complete) the demo organisation with known demo logins. Safe to run repeatedly."

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo.seed_all()
        self.stdout.write(self.style.SUCCESS(f"Demo organisation ready: {result.organisation.name}"))
        self.stdout.write(f"All demo logins use the password: {demo.DEMO_PASSWORD}")
        for email, roles in demo.logins():
            self.stdout.write(f"  {email:28} {roles}")
