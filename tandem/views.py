from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
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
