from celery import shared_task

from tandem.notifications import sweeps

from . import services


@shared_task(name="supervision.send_reminders")
def send_reminders() -> int:
    with sweeps.running("supervision.reminders") as counter:
        counter[0] = services.send_due_reminders() + services.remind_poll_answers()
    return counter[0]


@shared_task(name="supervision.generate_sessions")
def generate_sessions() -> int:
    with sweeps.running("supervision.generate") as counter:
        counter[0] = services.generate_all()
    return counter[0]
