"""Health, in two questions a container orchestrator asks separately.

Liveness: does this process answer? It touches neither the database nor Redis, so a database
outage or a late scheduler never gets a healthy web process restarted. Readiness: can Tandem do
its work? The database, the broker (Redis), every periodic sweep completed within two of its
intervals, and the outbox backlog for the operator.
"""

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


def liveness() -> dict[str, Any]:
    """The process is up and serves requests; deliberately checks nothing else."""
    return {"alive": True}


def readiness() -> dict[str, Any]:
    """The full report; ``healthy`` is False when the database or Redis is down or a sweep is late."""
    from tandem.notifications.models import SweepRun
    from tandem.notifications.selectors import outbox_backlog
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
    outbox = outbox_backlog() if database else None
    # Given-up e-mails do not make the instance unready (restarting it would not help), but the
    # readiness report names them, so a monitor that reads it sees that someone must look.
    attention = []
    if outbox and outbox["given_up"]:
        attention.append(f"{outbox['given_up']} e-mail(s) given up: see manage.py outbox or the admin")
    return {
        "outbox": outbox,
        "needs_attention": attention,
        "healthy": healthy,
        "database": database,
        "redis": redis_state,
        "sweeps": sweeps,
        "stale_sweeps": stale,
    }
