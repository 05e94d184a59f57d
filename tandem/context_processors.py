from typing import Any

from django.http import HttpRequest

from .navigation import nav_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_items": [], "unread_notifications": 0}
    from tandem.notifications.models import Notification

    return {
        "nav_items": nav_for(request),
        "current_membership": getattr(request, "membership", None),
        "unread_notifications": Notification.objects.visible_to(request.user).in_app().unread().count(),
    }
