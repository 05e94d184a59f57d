"""Health: liveness (/health/live/, the process answers) apart from readiness (/health/ready/ and
/health/, database, Redis, sweeps that missed two intervals, backlog); `manage.py health` and the
outbox command for containers without HTTP."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tandem.notifications import services, sweeps
from tandem.notifications.models import SweepRun

from .conftest import berlin

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def fresh_sweeps(time_machine):
    time_machine.move_to(berlin(2026, 6, 10, 12, 0), tick=False)
    sweeps.ensure_schedules()
    for name in sweeps.SWEEPS:
        with sweeps.running(name):
            pass
    return time_machine


def test_healthy_when_every_sweep_ran_recently(client, fresh_sweeps):
    response = client.get("/health/")
    data = response.json()
    assert response.status_code == 200 and data["healthy"] is True
    assert data["database"] is True and data["redis"] is True
    assert data["stale_sweeps"] == []
    assert data["sweeps"]["notifications.send"]["seconds_since_completed"] == 0
    assert data["outbox"]["due"] == 0


def test_a_sweep_missing_two_intervals_is_unhealthy(client, fresh_sweeps):
    fresh_sweeps.move_to(berlin(2026, 6, 10, 12, 2, 1), tick=False)  # send runs every 60 s
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["stale_sweeps"] == ["notifications.send"]


def test_one_missed_interval_is_still_fine(client, fresh_sweeps):
    fresh_sweeps.move_to(berlin(2026, 6, 10, 12, 1, 59), tick=False)
    assert client.get("/health/").status_code == 200


def test_a_new_installation_gets_two_intervals_before_it_counts_as_stale(client, time_machine):
    time_machine.move_to(berlin(2026, 6, 10, 12, 0), tick=False)
    SweepRun.objects.all().delete()
    sweeps.ensure_schedules()
    assert sweeps.stale_sweeps() == []
    time_machine.move_to(berlin(2026, 6, 10, 12, 3), tick=False)
    assert sweeps.stale_sweeps() == ["notifications.send"]


def test_a_failed_sweep_does_not_count_as_completed(fresh_sweeps):
    fresh_sweeps.move_to(berlin(2026, 6, 10, 12, 5), tick=False)
    with pytest.raises(RuntimeError), sweeps.running("notifications.send"):
        raise RuntimeError("boom")
    assert SweepRun.objects.get(name="notifications.send").last_completed_at == berlin(2026, 6, 10, 12, 0)


def test_redis_down_is_unhealthy(client, fresh_sweeps, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/health/")
    assert response.status_code == 503 and response.json()["redis"] is False


def test_outbox_command_prints_the_backlog(fresh_sweeps, person):
    user = person()
    services.notify(recipients=[user], kind="notifications.welcome", event_key="w:1")
    fresh_sweeps.move_to(berlin(2026, 6, 10, 12, 0, 30), tick=False)
    out = StringIO()
    call_command("outbox", stdout=out)
    text = out.getvalue()
    assert "due now:            1" in text
    assert "oldest due since:   30 s" in text
    assert "notifications.send" in text and "ok" in text


def test_outbox_check_fails_on_stale_sweeps(fresh_sweeps):
    fresh_sweeps.move_to(timezone.now() + dt.timedelta(hours=1), tick=False)
    out = StringIO()
    with pytest.raises(CommandError, match="Stale sweeps"):
        call_command("outbox", "--check", stdout=out)
    assert "STALE" in out.getvalue()


# --- Liveness apart from readiness -----------------------------------------------------------------


def test_readiness_is_ready_when_every_sweep_ran_recently(client, fresh_sweeps):
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json()["healthy"] is True and response.json()["stale_sweeps"] == []


def test_readiness_is_not_ready_when_a_sweep_is_late_and_says_which(client, fresh_sweeps):
    fresh_sweeps.move_to(berlin(2026, 6, 10, 12, 2, 1), tick=False)
    response = client.get("/health/ready/")
    assert response.status_code == 503
    data = response.json()
    assert data["healthy"] is False and data["stale_sweeps"] == ["notifications.send"]
    assert data["database"] is True and data["outbox"]["due"] == 0


def test_health_stays_an_alias_of_readiness(client, fresh_sweeps):
    assert client.get("/health/").json() == client.get("/health/ready/").json()
    fresh_sweeps.move_to(berlin(2026, 6, 10, 12, 2, 1), tick=False)
    assert client.get("/health/").status_code == client.get("/health/ready/").status_code == 503


def test_liveness_does_not_care_about_a_late_sweep_or_redis(client, fresh_sweeps, settings):
    fresh_sweeps.move_to(berlin(2026, 6, 10, 12, 30), tick=False)
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    assert client.get("/health/ready/").status_code == 503
    response = client.get("/health/live/")
    assert response.status_code == 200 and response.json() == {"alive": True}


def test_health_urls_take_get_only(client):
    for url in ("/health/live/", "/health/ready/", "/health/"):
        assert client.post(url).status_code == 405


PROBE = """
import json
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
client = Client()
answers = {url: client.get(url) for url in ("/health/live/", "/health/ready/")}
print(json.dumps({url: [r.status_code, r.json()] for url, r in answers.items()}))
"""


def _unreachable_database_env() -> dict[str, str]:
    # A real connection attempt to a port nothing listens on: refused at once.
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL"}}
    return env | {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/tandem",
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }


def test_liveness_answers_with_the_database_unreachable_and_readiness_does_not():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=_unreachable_database_env(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert answers["/health/live/"] == [200, {"alive": True}]
    status, report = answers["/health/ready/"]
    assert status == 503
    assert report["healthy"] is False and report["database"] is False and report["redis"] is False


def test_health_command_fails_when_the_database_is_unreachable():
    command = [sys.executable, "manage.py", "health", "--ready"]
    result = subprocess.run(command, cwd=ROOT, env=_unreachable_database_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "Not ready: database, redis" in result.stderr
    live = subprocess.run(
        [*command[:-1], "--live"], cwd=ROOT, env=_unreachable_database_env(), capture_output=True, text=True, timeout=120
    )
    assert live.returncode == 0, live.stderr[-3000:]


def test_health_command_passes_when_ready_and_prints_the_report(fresh_sweeps):
    out = StringIO()
    call_command("health", "--ready", stdout=out)
    report = json.loads(out.getvalue())
    assert report["healthy"] is True and report["stale_sweeps"] == []


def test_health_command_fails_on_a_late_sweep(fresh_sweeps):
    fresh_sweeps.move_to(berlin(2026, 6, 10, 12, 2, 1), tick=False)
    out = StringIO()
    with pytest.raises(CommandError, match="stale sweep notifications.send"):
        call_command("health", "--ready", stdout=out)
    assert json.loads(out.getvalue())["stale_sweeps"] == ["notifications.send"]
