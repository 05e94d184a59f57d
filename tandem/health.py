"""Health: database, broker (Redis) and the age of each periodic sweep."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - health reports, it does not raise
        return False


def _redis_ok() -> bool | None:
    if not settings.REDIS_URL:
        return None
    try:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        return bool(client.ping())
    except Exception:  # noqa: BLE001
        return False


def report() -> dict[str, Any]:
    from tandem.notifications.models import SweepRun
    from tandem.notifications.sweeps import stale_sweeps

    database = _database_ok()
    redis_state = _redis_ok()
    sweeps: dict[str, Any] = {}
    stale: list[str] = []
    if database:
        now = timezone.now()
        stale = stale_sweeps(now)
        for run in SweepRun.objects.all():
            sweeps[run.name] = {
                "seconds_since_completed": (
                    int((now - run.last_completed_at).total_seconds()) if run.last_completed_at else None
                ),
                "interval_seconds": run.interval_seconds,
            }
    healthy = database and redis_state is not False and not stale
    return {
        "healthy": healthy,
        "database": database,
        "redis": redis_state,
        "sweeps": sweeps,
        "stale_sweeps": stale,
    }
