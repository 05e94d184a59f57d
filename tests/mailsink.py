"""A real SMTP server (aiosmtpd) in its own process, with faults injected on demand, and a real
sender process. Used by tests/notifications/test_delivery_faults.py and scripts/reliability.py.

The sink records every message it accepted (one JSON line: Message-ID, recipient) in
``<dir>/received.jsonl``; its behaviour is read from ``<dir>/mode.json`` at every command, so a test
switches faults without restarting it:

    ok                       accept
    slow       delay=s       accept after ``delay`` seconds per message
    defer                    451 to RCPT (temporary)
    reject                   550 to RCPT (permanent)
    hang                     never answer RCPT (the client times out; certainly not delivered)
    drop                     take the whole message, then close without a reply (outcome unknown)

"Refuse" is the sink not running: stop() it and start() it again on the same port.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, up: bool, deadline: float = 20.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                if up:
                    return
        except OSError:
            if not up:
                return
        time.sleep(0.05)
    raise RuntimeError(f"port {port} did not come {'up' if up else 'down'}")


@dataclass
class Sink:
    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Sink:
        self.directory.mkdir(parents=True, exist_ok=True)
        if not (self.directory / "mode.json").exists():
            self.set("ok")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, __file__, "sink", str(self.port), str(self.directory)], cwd=ROOT
        )
        _wait_for_port(self.port, up=True)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None
        _wait_for_port(self.port, up=False)

    def set(self, mode: str, **options: Any) -> None:
        path = self.directory / "mode.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"mode": mode, **options}))
        tmp.replace(path)  # atomic: the sink never reads half a file

    def received(self) -> list[dict[str, str]]:
        path = self.directory / "received.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def copies(self) -> Counter[str]:
        """How often each Message-ID arrived."""
        return Counter(entry["message_id"] for entry in self.received())

    def env(self, timeout: float = 1.0) -> dict[str, str]:
        """Environment for a process whose e-mail should go to this sink."""
        return {
            "EMAIL_BACKEND": "tandem.notifications.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
            "EMAIL_TIMEOUT": str(timeout),
        }


def start_sender(env: dict[str, str], stop_file: Path) -> subprocess.Popen[bytes]:
    """A sender process that sweeps the outbox until ``stop_file`` exists (what a worker's beat does)."""
    return subprocess.Popen(  # noqa: S603
        [sys.executable, __file__, "sender", str(stop_file)], cwd=ROOT, env={**os.environ, **env}
    )


# --- Inside the processes ------------------------------------------------------------------------


class _Handler:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.log = open(directory / "received.jsonl", "a", buffering=1)  # noqa: SIM115 - for the process's life

    def mode(self) -> dict[str, Any]:
        try:
            return dict(json.loads((self.directory / "mode.json").read_text()))
        except (OSError, ValueError):
            return {"mode": "ok"}

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        mode = self.mode()
        if mode["mode"] == "defer":
            return "451 4.3.0 Try again later"
        if mode["mode"] == "reject":
            return "550 5.1.1 No such user"
        if mode["mode"] == "hang":
            await asyncio.sleep(3600)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        mode = self.mode()
        if mode["mode"] == "slow":
            await asyncio.sleep(float(mode.get("delay", 1)))
        message = message_from_bytes(envelope.content)
        entry = {"message_id": str(message.get("Message-ID", "")), "to": ",".join(envelope.rcpt_tos)}
        self.log.write(json.dumps(entry) + "\n")
        if mode["mode"] == "drop":
            server.transport.close()  # received and kept, but the client never hears so
        return "250 OK"


def _run_sink(port: int, directory: Path) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(_Handler(directory), hostname="127.0.0.1", port=port)
    controller.start()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


def _run_sender(stop_file: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import InterfaceError, OperationalError, connection

    from tandem.notifications import sending

    while not stop_file.exists():
        try:
            if sending.send_due() == 0:
                time.sleep(0.05)
        except (OperationalError, InterfaceError):
            # The database went away (a blip, a restart): like the next beat run, start over.
            connection.close()
            time.sleep(0.2)


if __name__ == "__main__":
    if sys.argv[1] == "sink":
        _run_sink(int(sys.argv[2]), Path(sys.argv[3]))
    elif sys.argv[1] == "sender":
        _run_sender(Path(sys.argv[2]))
