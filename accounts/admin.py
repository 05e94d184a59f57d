"""Django admin for the operator. Confidential declarations are not shown here at all."""

from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from tandem.notifications.models import Notification

from .models import (
    Invitation,
    Membership,
    Organisation,
    PeerProfile,
    ProfessionalProfile,
    Service,
    Team,
    TeamMembership,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_active", "is_staff"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "preferred_language", "time_zone")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ("groups",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "mfa_required"]
    search_fields = ["name"]

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # The outbox is read-only in admin so that nobody deletes a single e-mail row; that must not
        # stop an organisation from being deleted with its rows (its audit trail stays in any case).
        outbox = str(Notification._meta.verbose_name)
        return deleted, counts, {p for p in perms_needed if str(p) != outbox}, protected


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "archived_at"]
    list_filter = ["organisation"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "service", "organisation", "archived_at"]
    list_filter = ["organisation"]


class PeerProfileInline(admin.StackedInline):
    model = PeerProfile
    extra = 0


class ProfessionalProfileInline(admin.StackedInline):
    model = ProfessionalProfile
    extra = 0
    # Disclosure of lived experience is the professional's own decision: not editable here.
    exclude = ["has_lived_experience", "lived_experience_visible_to"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "is_org_admin", "is_team_lead", "is_peer", "is_professional", "is_mentor", "is_supervisor", "ended_on"]
    list_filter = ["organisation", "is_peer", "is_professional", "is_mentor"]
    search_fields = ["user__email", "user__full_name"]
    inlines = [PeerProfileInline, ProfessionalProfileInline]


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    list_display = ["membership", "team", "function", "started_on", "ended_on"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "created_at", "expires_at", "accepted_at", "revoked_at"]
    exclude = ["token_hash"]
    readonly_fields = ["accepted_by", "invited_by"]


# allauth's own admin shows an authenticator's data, which holds the TOTP secret and the
# recovery-code seed. The operator may remove a lost second factor, never read one.
if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__email"]
    readonly_fields = ("user", "type", "created_at", "last_used_at")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
