from celery import shared_task

from . import sending, sweeps


@shared_task(name="notifications.send_due_notifications")
def send_due_notifications() -> int:
    with sweeps.running("notifications.send") as counter:
        counter[0] = sending.send_due()
    return counter[0]
