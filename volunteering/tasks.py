"""Thin Celery tasks: the database decides what is due."""

from celery import shared_task

from tandem.notifications import sweeps

from . import services


@shared_task(name="volunteering.purge_expired")
def purge_expired() -> int:
    with sweeps.running("volunteering.retention") as counter:
        counter[0] = services.purge_expired()
    return counter[0]
