"""`make run` uses SQLite with the demo data: the report must read there as it does on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

READ_THE_REPORT = """
import django
django.setup()
from django.db import connection
from django.test import Client
from accounts.models import User
assert connection.vendor == "sqlite", connection.vendor
for email in ("teamleitung@example.org", "admin@example.org"):
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(email=email))
    page = client.get("/reports/")
    assert page.status_code == 200, page.status_code
    assert "Das Jahr in Zahlen" in page.content.decode()
    quarter = client.get("/reports/?kind=quarter&year=2026&quarter=1")
    assert quarter.status_code == 200, quarter.status_code
    download = client.get("/reports/report.csv")
    assert download.status_code == 200 and "Zeitraum" in download.content.decode("utf-8-sig")
print("report read on", connection.vendor)
"""


def test_the_report_reads_the_demo_data_on_the_embedded_default(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}}
    env |= {"TANDEM_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "tandem.settings", "TANDEM_ENV": "development"}
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "-v0"], ["seed_demo"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    result = subprocess.run(
        [sys.executable, "-c", READ_THE_REPORT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "report read on sqlite" in result.stdout
