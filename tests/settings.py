"""Test settings: the real settings, on PostgreSQL and Redis by default, with test-only speed-ups."""

import os
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tandem")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/12")

# pytest-xdist runs the suite in worker processes gw0, gw1, ...; pytest-django gives each its own test
# database (test_<name>_gw0, ...). Each also gets its own Redis database, the base index of REDIS_URL plus
# the worker's number, so that one worker's Celery worker never takes (or purges) another's tasks.
# Processes the tests start inherit the environment as changed here and must not shift it again.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_redis_databases = 16  # Redis's default number of databases


def _redis_for_worker(url: str, number: int) -> str:
    parts = urlsplit(url)
    index = int(parts.path.strip("/") or 0) + number
    if index >= _redis_databases:
        raise ImproperlyConfigured(
            f"pytest-xdist worker {number} would use Redis database {index} of {url}; Redis has "
            f"{_redis_databases}. Use a lower database index in REDIS_URL or fewer workers."
        )
    return urlunsplit(parts._replace(path=f"/{index}"))


if _worker and os.environ.get("TANDEM_TEST_WORKER") != _worker:
    os.environ["TANDEM_TEST_WORKER"] = _worker
    for _name in ("REDIS_URL", "CELERY_BROKER_URL"):
        if os.environ.get(_name, "").startswith("redis"):
            os.environ[_name] = _redis_for_worker(os.environ[_name], int(_worker.removeprefix("gw")))

from tandem.settings import *  # noqa: E402,F403
from tandem.settings import INSTALLED_APPS, VAR_DIR  # noqa: E402

# The benchmark harness is tested too; production settings never install it.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A sender process started by a test (tests/mailsink.py) sends to a real SMTP sink instead.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
for _name in ["OUTBOX_LEASE_SECONDS", "OUTBOX_BACKOFF_BASE_SECONDS", "OUTBOX_BACKOFF_MAX_SECONDS",
              "OUTBOX_UNKNOWN_BACKOFF_SECONDS", "OUTBOX_RETRY_HOURS", "EMAIL_TIMEOUT", "OUTBOX_BATCH_SIZE"]:
    if _name in os.environ:
        globals()[_name] = float(os.environ[_name])
# A test that switches to the file backend without a directory of its own writes here, per worker.
EMAIL_FILE_PATH = str(VAR_DIR / "test-mail" / (_worker or "serial"))
# Receipts uploaded by tests stay in a directory of this worker.
TANDEM_PRIVATE_FILES_DIR = VAR_DIR / "test-private" / (_worker or "serial")
# Each test starts with empty rate-limit counters; Redis stays the broker.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = False
