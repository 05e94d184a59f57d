"""Test settings: the real settings, on PostgreSQL and Redis by default, with test-only speed-ups."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tandem")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from tandem.settings import *  # noqa: E402,F403
from tandem.settings import INSTALLED_APPS  # noqa: E402

# The benchmark harness is tested too; production settings never install it.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A sender process started by a test (tests/mailsink.py) sends to a real SMTP sink instead.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
for _name in ["OUTBOX_LEASE_SECONDS", "OUTBOX_BACKOFF_BASE_SECONDS", "OUTBOX_BACKOFF_MAX_SECONDS",
              "OUTBOX_UNKNOWN_BACKOFF_SECONDS", "OUTBOX_RETRY_HOURS", "EMAIL_TIMEOUT", "OUTBOX_BATCH_SIZE"]:
    if _name in os.environ:
        globals()[_name] = float(os.environ[_name])
# Each test starts with empty rate-limit counters; Redis stays the broker.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = False
