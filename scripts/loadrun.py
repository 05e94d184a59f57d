"""Load run: concurrent peers raising irritations and answering supervision dates, with wrk against
gunicorn on loopback. Prints its figures; exits non-zero on any 5xx or lost write. Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_load REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python scripts/loadrun.py --users 20 --seconds 15 --connections 16 --port 8765

Bounded in time (--seconds) and in count (--max-requests per connection is enforced by wrk's
script: each connection stops after that many requests). Needs PostgreSQL and the `wrk` tool.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LUA = r"""
-- Thread 1 raises irritations, thread 2 answers RSVPs; each counts its own answers.
local users = %(users)s
local session_pk = %(session)d
local max_requests = %(max_requests)d
local counter = 0
local stats = {}

local thread_no = 0
function setup(thread)
  thread_no = thread_no + 1
  thread:set("kind", thread_no %% 2 == 1 and "irritation" or "rsvp")
  table.insert(stats, thread)
end

function init(args)
  c2xx, c3xx, c4xx, c5xx, sent = 0, 0, 0, 0, 0
end

function request()
  counter = counter + 1
  if counter > max_requests then
    wrk.thread:stop()
  end
  sent = sent + 1
  local user = users[(counter %% #users) + 1]
  local headers = {
    ["Cookie"] = user.cookie,
    ["X-CSRFToken"] = user.token,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  if kind == "irritation" then
    local body = "title=Last+" .. counter .. "&what_happened=Im+Team+nicht+gehoert+" .. counter ..
      "&happened_on=%(today)s&category=not_heard&start_mode=self_first"
    return wrk.format("POST", "/mentoring/irritations/new/", headers, body)
  end
  local answers = {"yes", "no", "maybe"}
  return wrk.format("POST", "/supervision/sessions/" .. session_pk .. "/answer/", headers,
    "answer=" .. answers[(counter %% 3) + 1])
end

function response(status, headers, body)
  if status >= 500 then c5xx = c5xx + 1
  elseif status >= 400 then c4xx = c4xx + 1
  elseif status >= 300 then c3xx = c3xx + 1
  else c2xx = c2xx + 1 end
end

function done(summary, latency, requests)
  local out = {}
  for _, thread in ipairs(stats) do
    table.insert(out, string.format('{"kind": "%%s", "2xx": %%d, "3xx": %%d, "4xx": %%d, "5xx": %%d}',
      thread:get("kind"), thread:get("c2xx"), thread:get("c3xx"), thread:get("c4xx"), thread:get("c5xx")))
  end
  io.write("LOADRUN " .. "[" .. table.concat(out, ",") .. "]\n")
  io.write(string.format("LATENCY {\"p50_ms\": %%.1f, \"p99_ms\": %%.1f, \"max_ms\": %%.1f}\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def seed(users: int) -> dict:
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.models import Membership, Organisation, PeerProfile, Service, Team, TeamMembership, User
    from mentoring.models import MentorAssignment
    from supervision import services as supervision

    call_command("migrate", verbosity=0)
    stamp = get_random_string(8).lower()
    org = Organisation.objects.create(name=f"Lastlauf {stamp}", slug=f"load-{stamp}")
    service = Service.objects.create(organisation=org, name="Wohnen")
    team = Team.objects.create(organisation=org, service=service, name="Team")
    mentor_user = User.objects.create_user(f"mentor-{stamp}@example.org", "load-run-password-1", full_name="Mentor*in")
    mentor = Membership.objects.create(user=mentor_user, organisation=org, is_mentor=True, is_professional=True)
    sup_user = User.objects.create_user(f"sup-{stamp}@example.org", "load-run-password-1", full_name="Supervision")
    supervisor = Membership.objects.create(user=sup_user, organisation=org, is_supervisor=True)
    group = supervision.create_group(supervisor=supervisor, name="Last", by=sup_user)
    soon = timezone.now() + timezone.timedelta(days=10)
    session = supervision.create_session(
        group=group, by=sup_user, title="Last", starts_at=soon, ends_at=soon + timezone.timedelta(hours=2)
    )
    people = []
    for n in range(users):
        user = User.objects.create_user(f"peer{n}-{stamp}@example.org", "load-run-password-1", full_name=f"Peer {n}")
        member = Membership.objects.create(user=user, organisation=org, is_peer=True)
        PeerProfile.objects.create(membership=member)
        TeamMembership.objects.create(team=team, membership=member, function=TeamMembership.Function.PEER)
        MentorAssignment.objects.create(organisation=org, peer=member, mentor=mentor)
        supervision.add_member(group=group, membership=member, by=sup_user)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store["tandem_session_started"] = time.time()
        store.create()
        token = get_random_string(32)
        people.append({"cookie": f"sessionid={store.session_key}; csrftoken={token}", "token": token})
    return {"organisation": org.pk, "session": session.pk, "people": people}


def lua_table(people: list[dict]) -> str:
    rows = ",".join(f'{{cookie="{p["cookie"]}", token="{p["token"]}"}}' for p in people)
    return "{" + rows + "}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--max-requests", type=int, default=400, help="per wrk thread")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("DATABASE_URL must point to a PostgreSQL database for the load run.", file=sys.stderr)
        return 2
    if not shutil.which("wrk"):
        print("The load run needs `wrk` (apt-get install wrk).", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    os.environ.setdefault("TANDEM_VAR_DIR", "/tmp/loadrun-var")
    os.environ["DEBUG"] = "false"

    world = seed(args.users)
    from django.utils import timezone

    script = Path(tempfile.mkdtemp()) / "loadrun.lua"
    script.write_text(
        LUA
        % {
            "users": lua_table(world["people"]),
            "session": world["session"],
            "max_requests": args.max_requests,
            "today": timezone.localdate().isoformat(),
        }
    )
    env = dict(os.environ)
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "tandem.wsgi", "-b", f"127.0.0.1:{args.port}", "-w", str(args.workers),
         "--access-logfile", "/dev/null", "--error-logfile", "-", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{args.port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/health/", timeout=2)
                break
            except urllib.error.HTTPError:
                break  # 503 from health is an answer: the server is up
            except OSError:
                time.sleep(0.2)
        started = time.monotonic()
        run = subprocess.run(
            ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "-s", str(script), base],
            capture_output=True, text=True, timeout=args.seconds + 60,
        )
        elapsed = time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    print(run.stdout)
    threads = json.loads(next(line for line in run.stdout.splitlines() if line.startswith("LOADRUN "))[8:])
    by_kind: dict[str, dict[str, int]] = {}
    for thread in threads:
        totals = by_kind.setdefault(thread["kind"], {"2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0})
        for key in totals:
            totals[key] += int(thread[key])

    from mentoring.models import Irritation
    from supervision.models import Rsvp

    created = Irritation.objects.filter(organisation_id=world["organisation"]).count()
    accepted = by_kind.get("irritation", {}).get("3xx", 0)
    rsvp_rows = Rsvp.objects.filter(session_id=world["session"])
    duplicate_rsvps = rsvp_rows.count() - rsvp_rows.values("membership").distinct().count()
    errors = sum(t["5xx"] for t in by_kind.values())
    figures = {
        "seconds": round(elapsed, 1),
        "requests": {kind: sum(t.values()) for kind, t in by_kind.items()},
        "answers": by_kind,
        "irritations_accepted": accepted,
        "irritations_in_database": created,
        "lost_or_extra_writes": abs(created - accepted),
        "rsvp_rows": rsvp_rows.count(),
        "duplicate_rsvps": duplicate_rsvps,
        "server_errors_5xx": errors,
    }
    print(json.dumps(figures, indent=2))
    ok = errors == 0 and created == accepted and duplicate_rsvps == 0 and accepted > 0
    print("LOAD RUN", "OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
