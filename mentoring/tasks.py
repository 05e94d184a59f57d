"""Thin Celery tasks: the database decides what is due (see escalation.py)."""

from celery import shared_task

from tandem.notifications import sweeps

from . import escalation


@shared_task(name="mentoring.escalate_irritations")
def escalate_irritations() -> int:
    with sweeps.running("mentoring.escalation") as counter:
        counter[0] = escalation.escalate_due()
    return counter[0]


@shared_task(name="mentoring.remind_check_ins")
def remind_check_ins() -> int:
    with sweeps.running("mentoring.check_ins") as counter:
        counter[0] = escalation.remind_check_ins()
    return counter[0]


@shared_task(name="mentoring.purge_irritations")
def purge_irritations() -> int:
    with sweeps.running("mentoring.retention") as counter:
        counter[0] = escalation.purge_expired()
    return counter[0]
