from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Notification, SweepRun


class ReadOnlyAdmin(admin.ModelAdmin):
    """Operators look; the sender and the sweeps write."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "channel", "delivery", "recipient", "address", "send_after", "sent_at", "attempts", "last_error"]
    list_filter = ["channel", "delivery", "kind"]
    list_select_related = ["recipient"]
    # The context is non-confidential by contract, but it is still nobody's business here.
    exclude = ["context"]


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    list_display = ["name", "interval_seconds", "last_started_at", "last_completed_at", "last_processed"]
