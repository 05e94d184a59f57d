"""Django admin: assignments and settings only.

Irritations, their threads and check-in notes are deliberately NOT registered: operators of the
installation must not be able to read what a peer wrote for herself and her mentor.
"""

from django.contrib import admin

from .models import MentorAssignment, MentoringSettings


@admin.register(MentorAssignment)
class MentorAssignmentAdmin(admin.ModelAdmin):
    list_display = ["id", "organisation", "started_on", "ended_on", "check_in_every_weeks"]
    list_filter = ["organisation"]
    raw_id_fields = ["peer", "mentor", "assigned_by"]


@admin.register(MentoringSettings)
class MentoringSettingsAdmin(admin.ModelAdmin):
    list_display = ["organisation", "clarify_within_days", "acknowledge_within_days", "retention_months"]
    raw_id_fields = ["backup"]
