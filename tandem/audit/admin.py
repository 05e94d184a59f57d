from typing import Any

from django.contrib import admin
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "action", "outcome", "actor", "content_type", "object_id", "organisation_ref"]
    list_filter = ["action", "outcome"]
    list_select_related = ["actor", "content_type", "organisation"]
    date_hierarchy = "occurred_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        # A professional's disclosure choices are his alone: not even the operator lists them.
        return super().get_queryset(request).shown_to_others()  # type: ignore[attr-defined,no-any-return]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("organisation"), ordering="organisation_id")
    def organisation_ref(self, event: AuditEvent) -> str:
        # The trail outlives its organisation: a deleted one is still named by its id.
        if event.organisation_id is None:
            return "-"
        try:
            organisation = event.organisation
        except ObjectDoesNotExist:
            organisation = None
        if organisation is None:
            return _("organisation %(id)s (deleted)") % {"id": event.organisation_id}
        return str(organisation)
