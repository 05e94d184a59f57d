"""Django admin: assignments and settings only.

Irritations, their threads and check-in notes are deliberately NOT registered: operators of the
installation must not be able to read what a peer wrote for herself and her mentor.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin import OperatorChangesAreAudited

from .models import MentorAssignment, MentoringSettings


@admin.register(MentorAssignment)
class MentorAssignmentAdmin(OperatorChangesAreAudited):
    """Mentoring is by consent: who mentors whom, and whether both agreed, is never set here, and an
    operator cannot make himself (or anyone) her mentor nor move an assignment to another person."""

    list_display = ["id", "organisation", "state", "started_on", "ended_on", "check_in_every_weeks"]
    list_filter = ["organisation", "state"]
    raw_id_fields = ["peer", "mentor", "assigned_by"]
    readonly_fields = [
        "organisation", "peer", "mentor", "assigned_by", "state", "peer_accepted_at", "mentor_accepted_at", "closed_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def people(self, obj: Any) -> list[Any]:
        return [obj.peer.user, obj.mentor.user]


@admin.register(MentoringSettings)
class MentoringSettingsAdmin(admin.ModelAdmin):
    list_display = ["organisation", "clarify_within_days", "acknowledge_within_days", "retention_months"]
    raw_id_fields = ["backup"]
