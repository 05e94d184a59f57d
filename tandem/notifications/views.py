from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tandem import web
from tandem.navigation import AttentionItem

from . import kinds, services
from .forms import PreferencesForm
from .models import Notification


def _get_notification(request: HttpRequest, pk: int) -> Notification:
    """The one access helper: a user's own in-app notification, or 404."""
    return web.get_or_404(Notification.objects.visible_to(request.user).in_app(), pk)


@login_required
def centre(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.visible_to(request.user).in_app()
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    unread = Notification.objects.visible_to(request.user).in_app().unread().count()
    return render(request, "notifications/centre.html", {"page": page, "unread": unread})


@require_POST
@login_required
def mark_read(request: HttpRequest) -> HttpResponse:
    services.mark_read(user=request.user)
    return redirect("notifications:centre")


@require_POST
@login_required
def mark_one_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = _get_notification(request, pk)
    services.mark_read(user=request.user, notification_ids=[notification.pk])
    return redirect("notifications:centre")


@require_POST
@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    notification = _get_notification(request, pk)
    services.mark_read(user=request.user, notification_ids=[notification.pk])
    target = notification.url or reverse("notifications:centre")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("notifications:centre")
    return redirect(target)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    deliveries, delivery_settings = services.preferences_for(request.user)
    shown = kinds.choosable_for(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST, shown=shown)
    else:
        form = PreferencesForm(initial=PreferencesForm.initial_for(deliveries, delivery_settings), shown=shown)
    return web.submit(
        request,
        form,
        lambda data: services.save_preferences(
            user=request.user,
            deliveries=form.deliveries(),
            quiet_from=data["quiet_from"],
            quiet_until=data["quiet_until"],
            digest_at=data["digest_at"],
        ),
        template="notifications/preferences.html",
        # The user model is the project's; the kernel only reads its time zone if it has one.
        context={"time_zone": getattr(request.user, "time_zone", "")},
        success=_("Your notification settings are saved."),
        next_url=reverse("notifications:preferences"),
    )


def unread_attention(request: HttpRequest) -> list[AttentionItem]:
    """Start page: unread notifications, if any."""
    if not request.user.is_authenticated:
        return []
    count = Notification.objects.visible_to(request.user).in_app().unread().count()
    if not count:
        return []
    text = ngettext("%(count)d unread notification", "%(count)d unread notifications", count) % {"count": count}
    return [AttentionItem(text, reverse("notifications:centre"), count)]
