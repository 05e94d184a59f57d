"""Main pages, measured through the Django test client as the people of organisation 0.

A page whose view or URL has not landed yet is reported as "not measured", never guessed.
"""

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
from django.urls import NoReverseMatch, reverse

from .seed import LEADS, MENTORS, PEERS, SUPERVISORS, FeatureMissing, email_for


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    # Returns (the e-mail of the person who looks, the path) or None while the page does not exist.
    locate: Callable[[], tuple[str, str] | None]


def _reverse(candidates: list[tuple[str, list[Any]]]) -> str | None:
    for name, args in candidates:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


def _user_id(email: str) -> int:
    from accounts.models import User

    return User.objects.values_list("id", flat=True).get(email=email)


def _lead() -> tuple[str, str] | None:
    path = _reverse([("tandems:dashboard", []), ("tandem:dashboard", []), ("tandems:lead_dashboard", [])])
    return (email_for(0, LEADS[0]), path) if path else None


def _mentees() -> tuple[str, str] | None:
    path = _reverse([("mentoring:mentees", []), ("mentoring:mentee_list", []), ("mentoring:my_mentees", [])])
    return (email_for(0, MENTORS[0]), path) if path else None


def _irritations() -> tuple[str, str] | None:
    path = _reverse([("mentoring:irritation_list", []), ("mentoring:irritations", []), ("mentoring:my_irritations", [])])
    return (email_for(0, PEERS[0]), path) if path else None


def _group() -> tuple[str, str] | None:
    from .features import require

    try:
        group_model = require("supervision.SupervisionGroup")
    except FeatureMissing:
        return None
    group = group_model._default_manager.filter(organisation__slug="bench-000").order_by("id").values_list("id", flat=True).first()
    if group is None:
        return None
    path = _reverse([("supervision:group_detail", [group]), ("supervision:group", [group])])
    # A member of the group (peer 0 is in group 0), the view a peer opens before a session.
    return (email_for(0, PEERS[0]), path) if path else None


def _feed() -> tuple[str, str] | None:
    from .features import feed_token

    email = email_for(0, PEERS[0])
    token = feed_token(_user_id(email))
    path = _reverse([("supervision:feed", [token]), ("supervision:calendar_feed", [token]), ("supervision:ics", [token])])
    return (email, path) if path else None


def _report() -> tuple[str, str] | None:
    path = _reverse([("reports:report", [])])
    return (email_for(0, LEADS[0]), path) if path else None


def _home() -> tuple[str, str] | None:
    return (email_for(0, LEADS[0]), reverse("home"))


def _trivial() -> tuple[str, str] | None:
    return (email_for(0, LEADS[0]), reverse("trivial"))


PAGES = [
    Page("dashboard", "team lead dashboard", _lead),
    Page("mentees", "mentor's mentee page", _mentees),
    Page("irritations", "peer's irritation list", _irritations),
    Page("group", "supervision group page", _group),
    Page("feed", "calendar feed", _feed),
    Page("report", "year in numbers (team lead)", _report),
    Page("home", "start page (team lead)", _home),
    # The floor of a signed-in request (session, user, membership, middleware), for comparison.
    Page("trivial", "trivial view (signed in)", _trivial),
]
# Pages measured for information; the targets cover the five main pages.
EXTRA_PAGES = {"home", "trivial", "report"}
# Supervisor's view of the group is the same page; the key people are fixed in seed.py.
_ = SUPERVISORS

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
    try:
        located = page.locate()
    except FeatureMissing as missing:
        return {"status": "not measured", "reason": str(missing)}
    if located is None:
        return {"status": "not measured", "reason": "page does not exist (no URL)"}
    email, path = located
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    try:
        with override_settings(DEBUG=False):
            for _ in range(2):  # warm caches, templates, the connection
                client.get(path)
            connection.queries_log.clear()  # a full log (9,000 entries) would hide every new query
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            # Read now: the next request's request_started signal empties the connection's log.
            queries = list(captured.captured_queries)
            times = []
            for _ in range(repeat):
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
