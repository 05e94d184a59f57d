"""docker-compose.yml: the production stack README documents, without default secrets."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")

COMPOSE = Path(__file__).resolve().parent.parent / "docker-compose.yml"
SECRET_NAMES = re.compile(r"(SECRET|PASSWORD|TOKEN|_KEY)$")
# ${NAME:?message} (required) or ${NAME:-} / ${NAME} (empty unless given): never a default value.
NO_DEFAULT = re.compile(r"^\$\{[A-Z_]+(:\?[^}]*|:-)?\}$")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def test_the_five_services(compose):
    assert set(compose["services"]) == {"web", "worker", "beat", "db", "redis"}


def test_web_runs_gunicorn_and_migrates(compose):
    command = compose["services"]["web"]["command"]
    assert "gunicorn" in command and "migrate" in command


def test_worker_and_beat_run_celery(compose):
    assert "celery" in compose["services"]["worker"]["command"] and "worker" in compose["services"]["worker"]["command"]
    assert "celery" in compose["services"]["beat"]["command"] and "beat" in compose["services"]["beat"]["command"]


@pytest.mark.parametrize("name", ["web", "worker", "beat", "db", "redis"])
def test_healthchecks(compose, name):
    check = compose["services"][name].get("healthcheck")
    assert check and check.get("test"), f"{name} has no healthcheck"


def _check(compose: dict[str, Any], name: str) -> str:
    return " ".join(compose["services"][name]["healthcheck"]["test"])


def test_web_healthcheck_asks_liveness_only(compose):
    # A database outage or a late sweep must not mark the web process unhealthy.
    check = _check(compose, "web")
    assert "/health/live/" in check
    assert "/health/ready/" not in check and "/health/'" not in check


def test_worker_healthcheck_pings_its_own_celery_worker(compose):
    check = _check(compose, "worker")
    assert "celery" in check and "inspect ping" in check and "$$HOSTNAME" in check


def test_beat_healthcheck_asks_readiness_of_the_sweeps(compose):
    assert _check(compose, "beat").split() == ["CMD", "python", "manage.py", "health", "--ready"]


def test_web_healthcheck_sends_an_allowed_host(compose):
    # Django refuses requests for hosts outside ALLOWED_HOSTS: the probe must use one of them.
    assert "ALLOWED_HOSTS" in " ".join(compose["services"]["web"]["healthcheck"]["test"])


def test_app_services_wait_for_healthy_database_and_redis(compose):
    for name in ("web", "worker", "beat"):
        depends = compose["services"][name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"


def test_app_services_run_in_production_mode(compose):
    for name in ("web", "worker", "beat"):
        env = _env(compose["services"][name])
        assert env["TANDEM_ENV"] == "production"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")


def test_no_default_secrets(compose):
    for name, service in compose["services"].items():
        for key, value in _env(service).items():
            if SECRET_NAMES.search(key):
                assert NO_DEFAULT.match(value), f"{name}: {key} has a default value ({value!r})"
        for key in ("DATABASE_URL",):
            value = _env(service).get(key)
            if value:
                assert "${POSTGRES_PASSWORD:?" in value, f"{name}: {key} must take the password from .env"
    assert _env(compose["services"]["web"])["SECRET_KEY"].startswith("${SECRET_KEY:?")


def test_database_and_redis_are_not_published_to_the_world(compose):
    for name in ("db", "redis", "web"):
        for port in compose["services"][name].get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} on every interface"


def test_data_lives_in_volumes(compose):
    assert any("/var/lib/postgresql/data" in v for v in compose["services"]["db"]["volumes"])
