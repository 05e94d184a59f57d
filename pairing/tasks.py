"""Sweeps of the pairing domain: thin, and safe to run twice (the database says what is due)."""

from celery import shared_task

from tandem.notifications import sweeps

from . import services


@shared_task(name="tandem.send_reflection_reminders")
def send_reflection_reminders() -> int:
    with sweeps.running("tandem.reflection_reminders") as counter:
        counter[0] = services.send_reflection_reminders()
    return counter[0]


@shared_task(name="tandem.send_transition_reminders")
def send_transition_reminders() -> int:
    with sweeps.running("tandem.transition_reminders") as counter:
        counter[0] = services.send_transition_reminders()
    return counter[0]
