"""Celery application.

Tasks here are short sweeps started by beat; the database decides what is due, so a lost or
doubled broker message costs nothing (see tandem.notifications.sweeps).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")

app = Celery("tandem")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
