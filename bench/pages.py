"""Main pages, measured through the Django test client as the people of organisation 0."""

from __future__ import annotations

import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from accounts.models import User
from supervision.models import SupervisionGroup
from tandem import freshness

from .seed import LEADS, MENTORS, PEERS, email_for, feed_token, org_slug


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    # Returns the e-mail of the person who looks and the path.
    locate: Callable[[], tuple[str, str]]
    # Runs before every request (e.g. to make a cached page render afresh).
    before: Callable[[], None] | None = None


def dashboard() -> tuple[str, str]:
    return email_for(0, LEADS[0]), reverse("tandems:dashboard")


def _mentees() -> tuple[str, str]:
    return email_for(0, MENTORS[0]), reverse("mentoring:mentees")


def _irritations() -> tuple[str, str]:
    return email_for(0, PEERS[0]), reverse("mentoring:my_irritations")


def _group() -> tuple[str, str]:
    group = SupervisionGroup.objects.filter(organisation__slug=org_slug(0)).order_by("id").values_list("id", flat=True)[0]
    # A member of the group (peer 0 is in group 0), the view a peer opens before a session.
    return email_for(0, PEERS[0]), reverse("supervision:group_detail", args=[group])


def _feed() -> tuple[str, str]:
    email = email_for(0, PEERS[0])
    user_id = User.objects.values_list("id", flat=True).get(email=email)
    return email, reverse("supervision:calendar_feed", args=[feed_token(user_id)])


def _home() -> tuple[str, str]:
    return email_for(0, LEADS[0]), reverse("home")


def _report() -> tuple[str, str]:
    return email_for(0, LEADS[0]), reverse("reports:report")


def _afresh() -> None:
    # What a write to anything the dashboard counts does: the next request renders it anew.
    freshness.bump("dashboard")


def _volunteer_hours() -> tuple[str, str]:
    # Peer 15 is the first volunteer of the organisation (every fifth peer volunteers), with 40 entries.
    return email_for(0, 15), reverse("volunteering:mine")


def _trivial() -> tuple[str, str]:
    return email_for(0, LEADS[0]), reverse("trivial")


PAGES = [
    Page("dashboard", "team lead dashboard", dashboard),
    # The same page right after a change to what it counts (its cached body is stale, so rendered).
    Page("dashboard_fresh", "team lead dashboard, rendered afresh", dashboard, before=_afresh),
    Page("mentees", "mentor's mentee page", _mentees),
    Page("irritations", "peer's irritation list", _irritations),
    Page("group", "supervision group page", _group),
    Page("feed", "calendar feed", _feed),
    Page("report", "year in numbers (team lead)", _report),
    Page("home", "start page (team lead)", _home),
    Page("volunteer_hours", "volunteer's hour list", _volunteer_hours),
    # The floor of a signed-in request (session, user, membership, middleware), for comparison.
    Page("trivial", "trivial view (signed in)", _trivial),
]
# Pages measured for information; the targets cover the five main pages.
EXTRA_PAGES = {"home", "trivial", "report", "volunteer_hours", "dashboard_fresh"}

_NUMBERS = re.compile(r"\b\d+\b|'[^']*'")


def repeated_query(queries: list[dict[str, Any]]) -> tuple[int, str]:
    """The most repeated query shape: a count that grows with rows shows up here first (N+1)."""
    shapes = Counter(_NUMBERS.sub("?", q["sql"]) for q in queries)
    if not shapes:
        return 0, ""
    shape, count = shapes.most_common(1)[0]
    return count, shape[:160]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def measure(page: Page, *, repeat: int) -> dict[str, Any]:
    email, path = page.locate()
    before = page.before or (lambda: None)
    client = Client()
    client.force_login(User.objects.get(email=email))
    try:
        with override_settings(DEBUG=False):
            for _ in range(2):  # warm caches, templates, the connection
                before()
                client.get(path)
            connection.queries_log.clear()  # a full log (9,000 entries) would hide every new query
            before()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            # Read now: the next request's request_started signal empties the connection's log.
            queries = list(captured.captured_queries)
            times = []
            for _ in range(repeat):
                before()
                started = time.perf_counter()
                client.get(path)
                times.append((time.perf_counter() - started) * 1000)
    except Exception as exc:  # noqa: BLE001 - a broken page is a result, not a crash of the benchmark
        return {"status": "error", "reason": f"{type(exc).__name__}: {exc}"[:300], "path": path}
    repeats, shape = repeated_query(queries)
    return {
        "status": "ok" if response.status_code == 200 else f"HTTP {response.status_code}",
        "path": path,
        "as": email,
        "http_status": response.status_code,
        "bytes": len(response.content),
        "queries": len(queries),
        # Database time inside the counted request: the rest of the median is Python (views, templates).
        "sql_ms": round(sum(float(q["time"]) for q in queries) * 1000, 2),
        "most_repeated_query": {"count": repeats, "sql": shape},
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "requests": repeat,
    }


def measure_all(*, repeat: int) -> dict[str, dict[str, Any]]:
    return {page.key: measure(page, repeat=repeat) for page in PAGES}
