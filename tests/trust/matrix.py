"""Machinery of the authorization matrix: walk the URL resolver, fill URL arguments, run one cell.

The declarations (what each role must get) live in test_matrix.py; this module only knows how to
enumerate every URL pattern and how to turn a response into a comparable outcome.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import time_machine
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

# The fixed cast, in the order of the issue: anonymous, the peer who owns the objects, another
# peer, her mentor, another mentor, her tandem professional, the team lead, the org admin, the
# supervisor of her group, a supervisor of another group, a user of another organisation (org
# admin and team lead there), a superuser (operator, no membership).
ROLES: tuple[str, ...] = (
    "anon",
    "peer",
    "other_peer",
    "mentor",
    "other_mentor",
    "professional",
    "team_lead",
    "org_admin",
    "supervisor",
    "other_supervisor",
    "outsider",
    "superuser",
)
SIGNED_IN = ROLES[1:]
METHODS = ("GET", "POST", "POST-without-CSRF")

# Outcomes: an HTTP status (int), or one of these for redirects that mean "sign in first".
LOGIN = "login"  # 302 to allauth's login page with ?next=
ADMIN_LOGIN = "admin-login"  # 302 to Django admin's login page
Outcome = int | str

MISSING_PK = 987654321
# A POST carries one unknown field, so that forms are bound (and invalid) rather than unbound.
POST_DATA = {"matrix": "1"}


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the route text for unnamed patterns
    route: str  # the full pattern text, for messages
    parts: tuple[Any, ...]  # the pattern objects from the root to the leaf
    callback: Callable[..., Any]
    params: tuple[str, ...]

    @property
    def namespace(self) -> str:
        return self.key.split(":", 1)[0] if ":" in self.key else ""

    def path(self, values: dict[str, Any]) -> str:
        out = ""
        for part in self.parts:
            if isinstance(part, RoutePattern):
                text = str(part._route)
                out += re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), text)
            elif isinstance(part, RegexPattern):
                text = str(part._regex).lstrip("^").rstrip("$")
                text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), text)
                out += text.replace("\\", "")
            else:  # LocalePrefixPattern and friends are not used by Tandem
                raise AssertionError(f"Unknown pattern type {type(part)!r} in {self.route}")
        return "/" + out


def _params(pattern: Any) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return re.findall(r"<(?:\w+:)?(\w+)>", str(pattern._route))
    return list(pattern.regex.groupindex)


def routes() -> list[Route]:
    """Every URL pattern of the project, recursively, with its namespaced name."""
    found: list[Route] = []

    def walk(resolver: URLResolver, parts: tuple[Any, ...], namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, (*parts, entry.pattern), ns)
            else:
                assert isinstance(entry, URLPattern)
                full = (*parts, entry.pattern)
                text = "".join(str(p) for p in full)
                if entry.name:
                    key = f"{namespace}:{entry.name}" if namespace else entry.name
                else:
                    key = f"{namespace}:<{text}>" if namespace else f"<{text}>"
                params = tuple(p for part in full for p in _params(part))
                found.append(Route(key=key, route=text, parts=full, callback=entry.callback, params=params))

    walk(get_resolver(), (), "")
    return found


def outcome(response: Any) -> Outcome:
    if response.status_code in (301, 302, 303, 307, 308):
        location = response["Location"]
        if location.startswith(reverse(settings.LOGIN_URL) + "?next="):
            return LOGIN
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
    return int(response.status_code)


_CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def normalised_body(response: Any, path: str) -> str:
    """The body without per-request noise: the masked CSRF token differs on every render, and the
    language switch carries the requested path (which differs by the id asked for).

    The clock is not noise to strip here: the two requests of a comparison are served at one
    moment instead (``Runner.request(at=...)``), so that a page that renders the time (the print
    header's "Gedruckt am ..., 03:07 Uhr") compares equal across a minute boundary while every
    other difference still counts."""
    body = response.content.decode(errors="replace")
    body = _CSRF_VALUE.sub('name="csrfmiddlewaretoken" value=""', body)
    return body.replace(path, "{path}")


class _Rollback(Exception):
    pass


@dataclass
class Result:
    outcome: Outcome
    body: str
    error: str = ""


class Runner:
    """One logged-in client per role; each request runs in a savepoint that is rolled back,
    so that a POST by one role (ending a membership, archiving a team) cannot change what the
    next cell sees."""

    def __init__(self, members: dict[str, Any]) -> None:
        self.clients: dict[tuple[str, bool], Client] = {}
        self.cookies: dict[tuple[str, bool], SimpleCookie] = {}
        for role in ROLES:
            for enforce in (False, True):
                client = Client(enforce_csrf_checks=enforce, raise_request_exception=False)
                who = members.get(role)
                if who is not None:
                    client.force_login(getattr(who, "user", who))
                self.clients[(role, enforce)] = client
                self.cookies[(role, enforce)] = copy.deepcopy(client.cookies)
        self.count = 0
        self._errors: list[str] = []
        got_request_exception.connect(self._on_exception)

    def close(self) -> None:
        got_request_exception.disconnect(self._on_exception)

    def _on_exception(self, sender: Any, request: Any = None, **kwargs: Any) -> None:
        import sys

        exc = sys.exc_info()[1]
        self._errors.append(f"{type(exc).__name__}: {exc}")

    def request(self, role: str, method: str, path: str, *, at: dt.datetime | None = None) -> Result:
        """One cell. ``at`` serves the request with the clock stopped at that moment: the 404 of an
        existing object and that of a missing id are compared at one moment, not a minute apart."""
        enforce = method == "POST-without-CSRF"
        key = (role, enforce)
        client = self.clients[key]
        client.cookies = copy.deepcopy(self.cookies[key])
        cache.clear()  # rate-limit counters
        mail.outbox = []
        self._errors = []
        self.count += 1
        response: Any = None
        clock = time_machine.travel(at, tick=False) if at is not None else nullcontext()
        try:
            with clock, transaction.atomic():
                response = client.get(path) if method == "GET" else client.post(path, POST_DATA)
                raise _Rollback
        except _Rollback:
            pass
        return Result(outcome(response), normalised_body(response, path), "; ".join(self._errors))


def check_resolves(route: Route, path: str) -> None:
    match = resolve(path.split("?")[0])
    assert match.func == route.callback, f"{path} resolves to {match.view_name}, not {route.key}"


def iter_cells(roles: tuple[str, ...] = ROLES) -> Iterator[tuple[str, str]]:
    for method in METHODS:
        for role in roles:
            yield method, role
