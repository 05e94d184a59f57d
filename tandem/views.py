from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.timesince import timesince
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health as health_checks
from .navigation import attention_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page: what needs this user's attention, from every app."""
    return render(request, "home.html", {"attention": attention_for(request)})


@require_GET
@never_cache
def health_live(request: HttpRequest) -> JsonResponse:
    """Liveness for the web container's healthcheck: answers without the database or Redis."""
    return JsonResponse(health_checks.liveness())


@require_GET
@never_cache
def health_ready(request: HttpRequest) -> JsonResponse:
    """Readiness (also served at /health/ for existing monitors): 503 with the report when not ready."""
    report = health_checks.readiness()
    return JsonResponse(report, status=200 if report["healthy"] else 503)


@require_GET
def easy_read(request: HttpRequest) -> HttpResponse:
    """Tandem explained in Leichte Sprache (German only), for everyone, signed in or not (BITV 2.0 § 4)."""
    return render(request, "easy_read.html")


@require_GET
@never_cache
@login_required
def system_status(request: HttpRequest) -> HttpResponse:
    """Readiness in words, for operators; monitors keep polling the JSON at /health/.

    Anyone else gets the 404 of a page that does not exist: the report names the infrastructure.
    """
    if not request.user.is_staff:
        raise Http404
    report = health_checks.readiness()
    now = timezone.now()

    def ago(seconds: int | None) -> str | None:
        return None if seconds is None else timesince(now - dt.timedelta(seconds=seconds), now)

    sweeps = [
        {
            "name": name,
            "ago": ago(values["seconds_since_completed"]),
            "every": timesince(now - dt.timedelta(seconds=values["interval_seconds"]), now),
            "late": name in report["stale_sweeps"],
        }
        for name, values in sorted(report["sweeps"].items())
    ]
    outbox = report["outbox"]
    oldest = ago(outbox["oldest_due_seconds"]) if outbox else None
    return render(request, "status.html", {"report": report, "sweeps": sweeps, "outbox": outbox, "oldest_due": oldest})
