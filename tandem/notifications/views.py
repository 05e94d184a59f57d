from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import services
from .models import Notification


@login_required
def centre(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.visible_to(request.user).in_app()
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return render(request, "notifications/centre.html", {"page": page})


@require_POST
@login_required
def mark_read(request: HttpRequest) -> HttpResponse:
    services.mark_read(user=request.user)
    return redirect("notifications:centre")


@require_POST
@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notification = Notification.objects.visible_to(request.user).in_app().get(pk=pk)
    except Notification.DoesNotExist:
        raise Http404 from None
    services.mark_read(user=request.user, notification_ids=[notification.pk])
    target = notification.url or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)
