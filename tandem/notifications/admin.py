from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Notification, SweepRun


class ReadOnlyAdmin(admin.ModelAdmin):
    """Operators look; the sender and the sweeps write."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class GivenUpFilter(admin.SimpleListFilter):
    title = _("delivery given up")
    parameter_name = "given_up"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Given up")), ("no", _("Not given up"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
        if self.value() == "yes":
            return queryset.filter(gave_up_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(gave_up_at__isnull=True)
        return queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at", "kind", "channel", "delivery", "recipient", "address", "send_after", "sent_at", "attempts",
        "gave_up_at", "last_error",
    ]
    list_filter = [GivenUpFilter, "channel", "delivery", "kind"]
    actions = ["retry_delivery"]
    list_select_related = ["recipient"]
    # The context is non-confidential by contract, but it is still nobody's business here.
    exclude = ["context"]

    @admin.action(description=_("Retry the e-mail of the selected given-up notifications"))
    def retry_delivery(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        from .services import retry_given_up

        count = retry_given_up(notification_ids=queryset.values_list("pk", flat=True), by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d e-mail is queued again.", "%(count)d e-mails are queued again.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    list_display = ["name", "interval_seconds", "last_started_at", "last_completed_at", "last_processed"]
