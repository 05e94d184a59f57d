"""Celery tasks: thin, idempotent sweeps started by beat (or kicked after a commit)."""

from celery import shared_task

from . import sending, services, sweeps


@shared_task(name="notifications.send_due_notifications")
def send_due_notifications() -> int:
    with sweeps.running("notifications.send") as counter:
        counter[0] = sending.send_due()
    return counter[0]


@shared_task(name="notifications.welcome_new_members")
def welcome_new_members() -> int:
    with sweeps.running("notifications.welcome") as counter:
        counter[0] = services.welcome_new_members()
    return counter[0]
