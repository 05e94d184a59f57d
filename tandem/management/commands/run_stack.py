"""`make run`: the web server, a Celery worker and the beat scheduler together; Ctrl-C stops all three."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from tandem import demo


class Command(BaseCommand):
    help = "Run web server, Celery worker and Celery beat on the configured (by default embedded) services."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        commands = {
            "web": [python, "manage.py", "runserver", options["addrport"], "--noreload"],
            # One process, one thread: SQLite allows one writer at a time anyway.
            "worker": [python, "-m", "celery", "-A", "tandem", "worker", "--pool=solo", "--loglevel=INFO"],
            "beat": [python, "-m", "celery", "-A", "tandem", "beat", "--loglevel=INFO",
                     "--schedule", str(settings.VAR_DIR / "celerybeat-schedule")],
        }
        processes = {name: subprocess.Popen(cmd, env=env, cwd=settings.BASE_DIR) for name, cmd in commands.items()}
        # Every sweep once right away (they are idempotent), so the demo's due reminders arrive now
        # rather than after each sweep's first interval.
        from tandem.celery import app
        from tandem.notifications.sweeps import SWEEPS

        for sweep in SWEEPS.values():
            app.send_task(sweep.task)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Tandem runs at http://{options['addrport']}/  (Ctrl-C stops everything)"))
        self.stdout.write(f"Demo logins (password {demo.DEMO_PASSWORD}):")
        for email, roles in demo.logins():
            self.stdout.write(f"  {email:28} {roles}")
        self.stdout.write(f"E-mails are printed here by the worker ({settings.EMAIL_BACKEND.rsplit('.', 2)[-2]} backend).")
        self.stdout.write("")
        stopped_by_user = False
        try:
            while all(p.poll() is None for p in processes.values()):
                time.sleep(0.5)
        except KeyboardInterrupt:
            stopped_by_user = True
        finally:
            # The children got the terminal's Ctrl-C too; a second Ctrl-C must not leave them orphaned.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            if not stopped_by_user:
                failed = [name for name, p in processes.items() if p.poll() is not None]
                self.stderr.write(f"Stopped because {', '.join(failed)} exited.")
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            deadline = time.time() + 10
            for process in processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    process.kill()
            self.stdout.write("Tandem stopped.")
