"""`make run` uses SQLite and Celery over SQLite: every sweep must run there as well as on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RUN_EVERY_SWEEP = """
import django
django.setup()
from tandem.celery import app
app.loader.import_default_modules()  # what a worker does at start: find every app's tasks
from tandem.notifications.sweeps import SWEEPS
assert SWEEPS, "no sweeps registered"
for sweep in SWEEPS.values():
    app.tasks[sweep.task].apply(throw=True)
    print("ran", sweep.name)
"""


def test_every_sweep_runs_on_the_embedded_default(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}}
    env |= {"TANDEM_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "tandem.settings", "TANDEM_ENV": "development"}
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "-v0"], ["seed_demo"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    result = subprocess.run(
        [sys.executable, "-c", RUN_EVERY_SWEEP], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "tandem.sqlite3").exists()
    assert "ran mentoring" in result.stdout and "ran notifications.send" in result.stdout
