"""Settings for the Celery worker that the browser tests start: the test settings, with e-mail on disk.

The worker is a separate process, so the tests read what it sent from ``EMAIL_FILE_PATH``.
"""

import os

from tests.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
