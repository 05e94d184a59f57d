"""Periodic sweeps: registered by each app, scheduled by django-celery-beat, watched by /health/.

The database decides what is due; a sweep only looks for due rows and handles them, so running
one twice in a row, or two at once, does nothing twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone

from .models import SweepRun


@dataclass(frozen=True)
class Sweep:
    name: str
    task: str
    every_seconds: int


SWEEPS: dict[str, Sweep] = {}


def register_sweep(name: str, task: str, every_seconds: int) -> None:
    SWEEPS[name] = Sweep(name=name, task=task, every_seconds=every_seconds)


@contextlib.contextmanager
def running(name: str) -> Iterator[list[int]]:
    """Record the start and completion of one sweep run; yields a one-item counter."""
    sweep = SWEEPS[name]
    SweepRun.objects.update_or_create(
        name=name, defaults={"interval_seconds": sweep.every_seconds, "last_started_at": timezone.now()}
    )
    counter = [0]
    yield counter
    SweepRun.objects.filter(name=name).update(last_completed_at=timezone.now(), last_processed=counter[0])


def stale_sweeps(now: dt.datetime | None = None) -> list[str]:
    """Sweeps that have not completed for two intervals.

    A sweep that never completed counts from when it was scheduled (its row is created at
    migrate), so a fresh installation is not reported unhealthy before beat had a chance.
    """
    now = now or timezone.now()
    runs = {run.name: run for run in SweepRun.objects.all()}
    stale = []
    for sweep in SWEEPS.values():
        run = runs.get(sweep.name)
        limit = dt.timedelta(seconds=2 * sweep.every_seconds)
        if run is None or now - (run.last_completed_at or run.created_at) > limit:
            stale.append(sweep.name)
    return sorted(stale)


def ensure_schedules() -> None:
    """Create a beat schedule for every registered sweep; operators' later changes are kept."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    for sweep in SWEEPS.values():
        interval, _ = IntervalSchedule.objects.get_or_create(every=sweep.every_seconds, period=IntervalSchedule.SECONDS)
        PeriodicTask.objects.get_or_create(name=sweep.name, defaults={"task": sweep.task, "interval": interval})
        SweepRun.objects.get_or_create(name=sweep.name, defaults={"interval_seconds": sweep.every_seconds})
