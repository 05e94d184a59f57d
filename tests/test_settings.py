"""The one settings module refuses an unsafe production configuration, with a message that says why."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAFE = {
    "TANDEM_ENV": "production",
    "SECRET_KEY": "x" * 60,
    "DEBUG": "false",
    "DATABASE_URL": "postgres://tandem:secret@127.0.0.1:5432/tandem",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "tandem.example.org",
}


def _load(**overrides: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in SAFE and k not in {"CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(SAFE)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    env["DJANGO_SETTINGS_MODULE"] = "tandem.settings"
    env["TANDEM_VAR_DIR"] = str(ROOT / "var")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('loaded')"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_complete_production_configuration_loads():
    result = _load()
    assert result.returncode == 0, result.stderr
    assert "loaded" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "too-short"}, "SECRET_KEY"),
        ({"DEBUG": "true"}, "DEBUG must be off"),
        ({"DATABASE_URL": "sqlite:////tmp/tandem.sqlite3"}, "SQLite"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"REDIS_URL": None}, "REDIS_URL"),
        ({"TANDEM_ENV": "staging"}, "TANDEM_ENV"),
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
    ],
)
def test_unsafe_production_configuration_is_refused(overrides, message):
    result = _load(**overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
    assert "loaded" not in result.stdout


def test_development_defaults_need_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in SAFE and k not in {"CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update({"DJANGO_SETTINGS_MODULE": "tandem.settings", "TANDEM_VAR_DIR": str(tmp_path)})
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL.split(':')[0], s.TIME_ZONE, s.LANGUAGE_CODE)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3", "sqla+sqlite", "Europe/Berlin", "de"]


def test_production_turns_on_the_protections():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, "
        "s.TANDEM_MFA_REQUIRED_BY_DEFAULT, s.ACCOUNT_RATE_LIMITS is not False)"
    )
    env = {k: v for k, v in os.environ.items() if k not in SAFE and k not in {"CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(SAFE)
    env.update({"DJANGO_SETTINGS_MODULE": "tandem.settings", "TANDEM_VAR_DIR": str(ROOT / "var")})
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"] * 6
