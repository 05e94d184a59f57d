"""Redis stopped while people work: requests succeed, nothing is lost, and it all goes out later.

Uses a PRIVATE redis-server on its own port (started and stopped here), a real Celery worker
process, and the test database, because the point is what happens between real processes.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from email import message_from_bytes
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tandem.notifications import services
from tandem.notifications.models import Channel, DeliverySettings, Notification
from tandem.notifications.tasks import send_due_notifications
from tests.conftest import require
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.urls("tests.notifications.urls")]

ROOT = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    def __init__(self, directory: Path) -> None:
        self.port = _free_port()
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def _cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True, timeout=10)

    def start(self) -> None:
        subprocess.run(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory), "--daemonize", "yes", "--pidfile", str(self.directory / "redis.pid")],
            check=True, timeout=10,
        )
        deadline = time.monotonic() + 10
        while self._cli("ping").stdout.strip() != "PONG":
            assert time.monotonic() < deadline, "private redis did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        # Only this instance, by its own port: the shared Redis on 6379 stays untouched.
        self._cli("shutdown", "nosave")
        deadline = time.monotonic() + 10
        while self._cli("ping").returncode == 0 and self._cli("ping").stdout.strip() == "PONG":
            assert time.monotonic() < deadline, "private redis did not stop"
            time.sleep(0.05)

    def queue_length(self) -> int:
        return int(self._cli("llen", "celery").stdout.strip() or 0)


@pytest.fixture
def private_redis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    require(bool(shutil.which("redis-server") and shutil.which("redis-cli")), "redis-server")
    redis = PrivateRedis(tmp_path)
    redis.start()
    # Celery reads CELERY_BROKER_URL from the environment before its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", redis.url)
    yield redis
    redis.stop()


def _start_worker(broker_url: str, mail_dir: Path, tmp_path: Path) -> subprocess.Popen[bytes]:
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tandem.settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_BROKER_URL": broker_url,
        "REDIS_URL": broker_url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "TANDEM_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tandem", "worker", "--pool=solo", "--without-heartbeat",
         "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "worker.log", "wb"),  # noqa: SIM115
    )


def _mails(mail_dir: Path) -> list:
    messages = []
    for path in sorted(mail_dir.glob("*.log")):
        # The file backend separates messages with a line of 79 dashes.
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(message_from_bytes(chunk.lstrip()))
    return messages


def test_redis_down_requests_succeed_and_everything_goes_out_once_it_is_back(
    private_redis, tmp_path, caplog, client
):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs the shared PostgreSQL test database")
    user = UserFactory(email="peer@example.org")
    DeliverySettings.objects.create(user=user, quiet_from="00:00", quiet_until="00:00")  # no waiting at night
    client.force_login(user)

    # Broker up: the kick after commit reaches the queue.
    assert client.post("/test-change/", {"n": 0}).status_code == 200
    assert private_redis.queue_length() == 1

    private_redis.stop()
    caplog.set_level(logging.WARNING, logger="tandem.notifications.services")
    for n in (1, 2, 3):
        response = client.post("/test-change/", {"n": n})
        assert response.status_code == 200 and response.content == b"changed"
    assert "Broker unreachable" in caplog.text
    emails = Notification.objects.filter(recipient=user, channel=Channel.EMAIL)
    assert emails.count() == 4 and not emails.filter(sent_at__isnull=False).exists()

    # Redis comes back (empty: it lost the first kick too). Beat publishes its sweep; a worker runs it.
    private_redis.start()
    assert private_redis.queue_length() == 0
    with send_due_notifications.app.connection_for_write() as conn:
        send_due_notifications.apply_async(connection=conn)
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    worker = _start_worker(private_redis.url, mail_dir, tmp_path)
    try:
        deadline = time.monotonic() + 60
        while emails.filter(sent_at__isnull=True).exists():
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
            time.sleep(0.2)
        # A later change is kicked straight to the worker again.
        assert client.post("/test-change/", {"n": 4}).status_code == 200
        while emails.filter(sent_at__isnull=True).exists() or emails.count() < 5:
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    messages = _mails(mail_dir)
    assert len(messages) == 5
    assert {m["To"] for m in messages} == {"peer@example.org"}
    assert all(m["Subject"] == "[Tandem] Willkommen bei Tandem" for m in messages)


def test_the_kick_gives_up_fast_and_quietly_when_the_broker_is_unreachable(monkeypatch, caplog):
    # Nothing listens on this port; the kick must neither raise nor retry.
    monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{_free_port()}/0")
    caplog.set_level(logging.WARNING, logger="tandem.notifications.services")
    services._kick_sender()
    assert "Broker unreachable" in caplog.text


def test_the_kick_works_on_the_embedded_sqlite_broker(monkeypatch, caplog, tmp_path):
    # make run: Celery over SQLite; Redis-only connection options must not break the kick there.
    monkeypatch.setenv("CELERY_BROKER_URL", f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}")
    # The test settings carry Redis transport options; the embedded default has none.
    monkeypatch.setitem(send_due_notifications.app.conf, "broker_transport_options", {})
    caplog.set_level(logging.WARNING, logger="tandem.notifications.services")
    services._kick_sender()
    assert "Broker unreachable" not in caplog.text
