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
def health(request: HttpRequest) -> JsonResponse:
    report = health_checks.report()
    return JsonResponse(report, status=200 if report["healthy"] else 503)
