"""/health/ and the outbox command: database, Redis, sweeps that missed two intervals, backlog."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tandem.notifications import services, sweeps
from tandem.notifications.models import SweepRun

from .conftest import berlin

pytestmark = pytest.mark.django_db


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
