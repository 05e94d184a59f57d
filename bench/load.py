"""Throughput under load: gunicorn on loopback, driven by wrk, dashboard against the trivial view.

Both paths are driven with the same signed-in sessions (one per connection, rotated by a small
wrk Lua script: every request saves its session, and one shared session row would serialise the
workers on its row lock), so the ratio compares the page's work with the floor every signed-in
request pays: session, user, membership, middleware.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client

from accounts.models import User

SESSIONS = 16
ROUNDS = 3


def _combine(runs: list[dict[str, Any]], seconds: int) -> dict[str, Any]:
    requests = sum(r["requests"] or 0 for r in runs)
    latencies = [r["mean_latency_ms"] for r in runs if r["mean_latency_ms"] is not None]
    return {
        "requests_per_second": round(requests / (seconds * len(runs)), 1),
        "rounds_requests_per_second": [r["requests_per_second"] for r in runs],
        "mean_latency_ms": round(sum(latencies) / len(latencies), 2) if latencies else None,
        "requests": requests,
        "non_2xx": sum(r["non_2xx"] for r in runs),
    }


def _free_port() -> int:
    # BENCH_PORT pins the port (a shared machine hands each user a range); otherwise any free one.
    if os.environ.get("BENCH_PORT"):
        return int(os.environ["BENCH_PORT"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sessions(email: str) -> list[str]:
    user = User.objects.get(email=email)
    cookies = []
    for _ in range(SESSIONS):
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return cookies


def _lua(cookies: list[str]) -> str:
    listed = ", ".join(f'"{settings.SESSION_COOKIE_NAME}={c}"' for c in cookies)
    return (
        f"local cookies = {{{listed}}}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        "  wrk.headers[\"Cookie\"] = cookies[(n % #cookies) + 1]\n"
        "  return wrk.format(nil)\n"
        "end\n"
    )


_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_LATENCY = re.compile(r"Latency\s+([\d.]+)(us|ms|s)")
_TOTAL = re.compile(r"(\d+) requests in")


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _wrk(url: str, script: Path, *, seconds: int, connections: int, threads: int) -> dict[str, Any]:
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url],
        capture_output=True, text=True, timeout=seconds + 60, check=False,
    ).stdout
    rps = _RPS.search(out)
    latency = _LATENCY.search(out)
    total = _TOTAL.search(out)
    non2xx = _NON2XX.search(out)
    return {
        "requests_per_second": float(rps.group(1)) if rps else None,
        "mean_latency_ms": round(_ms(*latency.groups()), 2) if latency else None,
        "requests": int(total.group(1)) if total else None,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
    }


def run(*, dashboard_path: str, email: str, seconds: int, log: Any) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        return {"status": "not measured", "reason": "wrk is not installed (apt-get install -y wrk)"}
    workers = os.cpu_count() or 2
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        # The harness's settings: the production stack plus the floor view it compares with.
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "LOG_LEVEL": "WARNING",
        # The database the benchmark seeded, whatever settings module chose it.
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "600",
    }
    cookies = _sessions(email)
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tandem.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", "sync", "--log-level", "warning"],
        env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        if not _wait(f"{base}/bench/trivial/"):
            return {"status": "error", "reason": "gunicorn did not answer within 30 s"}
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "sessions.lua"
            script.write_text(_lua(cookies))
            connections = 2 * workers
            result: dict[str, Any] = {
                "status": "ok",
                "server": f"gunicorn, {workers} sync workers, 127.0.0.1",
                "load": f"wrk, 1 thread, {connections} connections, {ROUNDS} alternating rounds of {seconds} s per path",
            }
            targets = {"trivial": "/bench/trivial/", "dashboard": dashboard_path}
            # Warm every worker (imports, templates, connections) before anything counts.
            for path in targets.values():
                _wrk(f"{base}{path}", script, seconds=1, connections=connections, threads=1)
            # Alternate the paths so that a neighbour's load on a shared machine hits both alike.
            runs: dict[str, list[dict[str, Any]]] = {key: [] for key in targets}
            for round_ in range(ROUNDS):
                for key, path in targets.items():
                    log(f"  wrk round {round_ + 1}/{ROUNDS}: {seconds} s against {path}")
                    runs[key].append(_wrk(f"{base}{path}", script, seconds=seconds, connections=connections, threads=1))
            for key, path in targets.items():
                result[key] = {"path": path, **_combine(runs[key], seconds)}
            trivial_rps = result["trivial"]["requests_per_second"]
            dashboard_rps = result["dashboard"]["requests_per_second"]
            if trivial_rps and dashboard_rps is not None:
                result["ratio"] = round(dashboard_rps / trivial_rps, 3)
            return result
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait(url: str) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def _database_url() -> str:
    db = settings.DATABASES["default"]
    name = connection.settings_dict["NAME"]
    user = db.get("USER") or "postgres"
    password = db.get("PASSWORD") or ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{auth}{host}:{port}/{name}"
