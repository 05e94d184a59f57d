"""Reliability run: the outbox sender against a real SMTP sink (aiosmtpd, its own process) that is
slow, drops replies after DATA, rejects or is down, with sender processes killed by -9 and their
database connections terminated. Prints per scenario: e-mails, delivered, duplicates, lost. Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_reliability REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python scripts/reliability.py --scale 1

"delivered" counts distinct e-mails the sink accepted, "duplicates" extra copies of them, "lost"
e-mails neither delivered nor visibly given up (a given-up row shows in /health/ and the admin).
Time is compressed through settings (short leases and back-offs) and an explicit clock for the
outage; the sink's faults are injected deterministically.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _fresh(count: int) -> list[int]:
    """``count`` due e-mails to one person without quiet hours; the outbox emptied first."""
    from accounts.models import User
    from tandem.notifications import services
    from tandem.notifications.models import Channel, DeliverySettings, Notification

    Notification.objects.all().delete()
    user, _created = User.objects.get_or_create(
        email="reliability@example.org", defaults={"full_name": "Reliability", "preferred_language": "de"}
    )
    DeliverySettings.objects.update_or_create(
        user=user, defaults={"quiet_from": dt.time(0, 0), "quiet_until": dt.time(0, 0)}
    )
    run = random.randrange(10**9)
    for n in range(count):
        services.notify(recipients=[user], kind="notifications.welcome", event_key=f"reliability:{run}:{n}")
    return list(Notification.objects.filter(channel=Channel.EMAIL).values_list("pk", flat=True))


def _count(name: str, sink: Any, rows: list[int], **extra: Any) -> dict[str, Any]:
    from tandem.notifications import sending
    from tandem.notifications.models import Notification

    copies = sink.copies()
    expected = {sending.message_id([row]) for row in Notification.objects.filter(pk__in=rows)}
    delivered = len(expected & set(copies))
    given_up = Notification.objects.filter(pk__in=rows, gave_up_at__isnull=False, sent_at__isnull=True).count()
    given_up_delivered = sum(
        1
        for row in Notification.objects.filter(pk__in=rows, gave_up_at__isnull=False, sent_at__isnull=True)
        if sending.message_id([row]) in copies
    )
    result = {
        "scenario": name,
        "emails": len(rows),
        "delivered": delivered,
        "duplicates": sum(copies.values()) - len(copies),
        "lost": len(rows) - delivered - (given_up - given_up_delivered),
        "given_up_visibly": given_up,
        **extra,
    }
    print(
        f"{name:28} e-mails {result['emails']:>6}  delivered {result['delivered']:>6}  "
        f"duplicates {result['duplicates']:>4}  lost {result['lost']:>4}  given up (visible) {given_up:>4}  "
        + "  ".join(f"{k} {v}" for k, v in extra.items()),
        flush=True,
    )
    return result


def _sender_env(sink: Any, **extra: str) -> dict[str, str]:
    from django.db import connection

    db = connection.settings_dict
    return {
        **sink.env(timeout=0.3),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "OUTBOX_LEASE_SECONDS": "1",  # a lease of 1.8 s (six timeouts); batches take longer
        "OUTBOX_BATCH_SIZE": "100",
        **extra,
    }


def _all_sent(deadline: float) -> None:
    from tandem.notifications.models import Channel, Notification

    end = time.monotonic() + deadline
    pending = Notification.objects.filter(channel=Channel.EMAIL, sent_at__isnull=True, cancelled_at__isnull=True)
    while pending.exists() and time.monotonic() < end:
        time.sleep(0.25)


def _with_senders(sink: Any, count: int, work: Callable[[list[Any], dict[str, str], Path], int], tmp: Path) -> int:
    from tests.mailsink import start_sender

    stop = tmp / f"stop-{random.randrange(10**9)}"
    env = _sender_env(sink)
    senders = [start_sender(env, stop) for _ in range(count)]
    try:
        return work(senders, env, stop)
    finally:
        stop.touch()
        for sender in senders:
            try:
                sender.wait(60)
            except Exception:  # noqa: BLE001
                sender.kill()


def slow_server(tmp: Path, scale: int) -> dict[str, Any]:
    from tests.mailsink import Sink

    sink = Sink(tmp / "slow").start()
    try:
        rows = _fresh(600 * scale)
        sink.set("slow", delay=0.03)  # a batch of 100 takes 3 s, longer than its lease

        def work(senders: list[Any], env: dict[str, str], stop: Path) -> int:
            _all_sent(600 * scale)
            return 0

        _with_senders(sink, 4, work, tmp)
        return _count("slow server, 4 senders", sink, rows)
    finally:
        sink.stop()


def kill_nine(tmp: Path, scale: int) -> dict[str, Any]:
    from tests.mailsink import Sink, start_sender

    sink = Sink(tmp / "kill").start()
    try:
        rows = _fresh(600 * scale)
        sink.set("slow", delay=0.005)
        kills = 8

        def work(senders: list[Any], env: dict[str, str], stop: Path) -> int:
            for n in range(kills):
                threshold = (n + 1) * len(rows) // (kills + 2)
                end = time.monotonic() + 300
                while len(sink.received()) < threshold and time.monotonic() < end:
                    time.sleep(random.uniform(0.001, 0.02))
                victim = senders.pop(random.randrange(len(senders)))
                os.kill(victim.pid, signal.SIGKILL)
                victim.wait()
                senders.append(start_sender(env, stop))
            _all_sent(600 * scale)
            return kills

        done = _with_senders(sink, 2, work, tmp)
        return _count("kill -9 of senders", sink, rows, kills=done)
    finally:
        sink.stop()


def database_blips(tmp: Path, scale: int) -> dict[str, Any]:
    from django.db import connection

    from tests.mailsink import Sink

    sink = Sink(tmp / "blip").start()
    try:
        rows = _fresh(600 * scale)
        sink.set("slow", delay=0.005)
        rounds = 8

        def work(senders: list[Any], env: dict[str, str], stop: Path) -> int:
            for n in range(rounds):
                threshold = (n + 1) * len(rows) // (rounds + 2)
                end = time.monotonic() + 300
                while len(sink.received()) < threshold and time.monotonic() < end:
                    time.sleep(random.uniform(0.001, 0.02))
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
            _all_sent(600 * scale)
            return rounds

        done = _with_senders(sink, 2, work, tmp)
        return _count("database connections cut", sink, rows, rounds=done)
    finally:
        sink.stop()


def _in_process(sink: Any) -> Any:
    from django.test.utils import override_settings

    return override_settings(
        EMAIL_BACKEND="tandem.notifications.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=sink.port,
        EMAIL_TIMEOUT=1,
    )


def long_outage(tmp: Path, scale: int) -> dict[str, Any]:
    from django.utils import timezone

    from tandem.notifications import sending
    from tests.mailsink import Sink

    sink = Sink(tmp / "outage").start()
    try:
        rows = _fresh(200 * scale)
        sink.stop()
        now = timezone.now()
        with _in_process(sink):
            for _ in range(4 * 48):  # two days of sweeps every 15 minutes, the server down
                now += dt.timedelta(minutes=15)
                sending.send_due(now=now)
            sink.start()
            sending.send_due(now=now + dt.timedelta(hours=2))
        return _count("mail server down 48 h", sink, rows)
    finally:
        sink.stop()


def reply_lost(tmp: Path, scale: int) -> dict[str, Any]:
    from django.utils import timezone

    from tandem.notifications import sending
    from tests.mailsink import Sink

    sink = Sink(tmp / "drop").start()
    try:
        rows = _fresh(300 * scale)
        sink.set("drop")
        now = timezone.now()
        with _in_process(sink):
            for _ in range(4 * 6):  # six hours of sweeps with every reply lost after DATA
                now += dt.timedelta(minutes=15)
                sending.send_due(now=now)
            sink.set("ok")
            for _ in range(4 * 24):
                now += dt.timedelta(minutes=15)
                sending.send_due(now=now)
        return _count("reply lost after DATA 6 h", sink, rows)
    finally:
        sink.stop()


def rejected(tmp: Path, scale: int) -> dict[str, Any]:
    from tandem.notifications import sending
    from tests.mailsink import Sink

    sink = Sink(tmp / "reject").start()
    try:
        rows = _fresh(100 * scale)
        sink.set("reject")
        with _in_process(sink):
            sending.send_due()
        return _count("550 recipient refused", sink, rows)
    finally:
        sink.stop()


SCENARIOS = {
    "slow": slow_server,
    "kill": kill_nine,
    "blip": database_blips,
    "outage": long_outage,
    "drop": reply_lost,
    "reject": rejected,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="multiply every scenario's e-mails")
    parser.add_argument("scenarios", nargs="*", choices=[*SCENARIOS, []], help="default: all")
    args = parser.parse_args()
    _setup()
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.scenarios or SCENARIOS:
            SCENARIOS[name](Path(tmp), args.scale)
    return 0


if __name__ == "__main__":
    sys.exit(main())
