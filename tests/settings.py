"""Test settings: the real settings, on PostgreSQL and Redis by default, with test-only speed-ups."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tandem")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from tandem.settings import *  # noqa: E402,F403
from tandem.settings import INSTALLED_APPS  # noqa: E402

# The benchmark harness is tested too; production settings never install it.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Each test starts with empty rate-limit counters; Redis stays the broker.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = False
