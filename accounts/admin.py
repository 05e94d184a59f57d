"""Django admin for the operator. Confidential declarations are not shown here at all.

Operators cannot become someone: nobody's membership can be moved to another person, nobody's
password can be set here (only the reset e-mail, which goes to her own address), and there is no
impersonation. Every change an operator makes to a person is recorded in the audit trail and the
person is told, in Tandem and by e-mail (``OperatorChangesAreAudited``).
"""

from __future__ import annotations

from typing import Any

from allauth.account.forms import ResetPasswordForm
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from .services import operator_changed


class OperatorChangesAreAudited(admin.ModelAdmin):
    """Every add, change and delete an operator makes here is audited, and the person is told.

    Other apps' admins of objects about people use it too and name the people in ``people``.
    """

    def people(self, obj: Any) -> list[Any] | None:
        """Who is told about a change of ``obj`` (None: the person ``person_of`` finds)."""
        return None

    def save_model(self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if not change or form.changed_data:
                operator_changed(
                    request,
                    obj,
                    action="operator.changed" if change else "operator.added",
                    fields=form.changed_data,
                    people=self.people(obj),
                )

    def save_formset(self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                operator_changed(request, obj, action="operator.added")
            for obj, fields in formset.changed_objects:
                operator_changed(request, obj, action="operator.changed", fields=fields)
            for obj in formset.deleted_objects:
                operator_changed(request, obj, action="operator.deleted")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            operator_changed(request, obj, action="operator.deleted", people=self.people(obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                operator_changed(request, obj, action="operator.deleted", people=self.people(obj))
            super().delete_queryset(request, queryset)


class OperatorUserCreationForm(forms.ModelForm):
    """A new account without a password: she chooses it herself through the e-mail link."""

    class Meta:
        model = User
        fields = ["email", "full_name", "preferred_language"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].required = False

    def save(self, commit: bool = True) -> User:
        user: User = super().save(commit=False)
        user.email = user.email.strip().lower()
        user.preferred_language = user.preferred_language or User.Language.GERMAN
        user.set_unusable_password()
        if commit:
            user.save()
        return user


class OperatorUserChangeForm(forms.ModelForm):
    """What an operator may change about an account: no password, no address."""

    class Meta:
        model = User
        fields = ["full_name", "preferred_language", "time_zone", "is_active", "is_staff", "is_superuser", "groups"]


def send_password_reset(request: HttpRequest, user: User) -> bool:
    """allauth's reset e-mail to her own address: the only way an operator helps with a password."""
    form = ResetPasswordForm(data={"email": user.email})
    if not form.is_valid() or not getattr(form, "users", None):
        return False
    form.save(request)
    return True


@admin.register(User)
class UserAdmin(OperatorChangesAreAudited, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_active", "is_staff"]
    # No password field and no password form: an operator never sets another person's password.
    # The address is hers: changing it here would send her reset e-mail to someone else.
    fieldsets = (
        (None, {"fields": ("email",)}),
        ("Person", {"fields": ("full_name", "preferred_language", "time_zone")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    form = OperatorUserChangeForm
    add_form = OperatorUserCreationForm
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "preferred_language")}),)
    filter_horizontal = ("groups",)
    actions = ["send_password_reset_email"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("email", "last_login", "date_joined") if obj is not None else ()

    def get_urls(self) -> list[URLPattern]:
        # Django's UserAdmin adds "<id>/password/" (set any password): here it is gone, and its
        # address answers 404 for operators (everyone else is sent to admin's sign-in, as always).
        kept = [url for url in super().get_urls() if getattr(url, "name", "") != "auth_user_password_change"]
        gone = path("<id>/password/", self.admin_site.admin_view(self.user_change_password))
        return [gone, *kept]

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        raise Http404

    def save_model(self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            # A new account chooses her own password through the link in her inbox.
            send_password_reset(request, obj)

    @admin.action(description=gettext_lazy("Send a link to choose a new password (to her own address)"))
    def send_password_reset_email(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        sent = 0
        for user in queryset:
            if send_password_reset(request, user):
                with transaction.atomic():
                    operator_changed(request, user, action="operator.password_reset_sent")
                sent += 1
        self.message_user(
            request, _("Sent %(count)d link(s) to choose a new password.") % {"count": sent}, messages.SUCCESS
        )


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
class MembershipAdmin(OperatorChangesAreAudited):
    list_display = ["user", "organisation", "is_org_admin", "is_team_lead", "is_peer", "is_professional", "is_mentor", "is_supervisor", "ended_on"]
    list_filter = ["organisation", "is_peer", "is_professional", "is_mentor"]
    search_fields = ["user__email", "user__full_name"]
    inlines = [PeerProfileInline, ProfessionalProfileInline]
    # Which services a team lead runs is decided in Tandem by the org admin; the list of services would
    # also show the places a peer declared a placement conflict with.
    exclude = ["led_services"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Whose membership it is, and where, never changes: moving it to another account would
        # hand that account everything the membership reads (a mentor's irritations).
        return ("user", "organisation") if obj is not None else ()


@admin.register(TeamMembership)
class TeamMembershipAdmin(OperatorChangesAreAudited):
    list_display = ["membership", "team", "function", "started_on", "ended_on"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("membership", "team") if obj is not None else ()


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "created_at", "expires_at", "accepted_at", "revoked_at"]
    exclude = ["token_hash"]
    readonly_fields = ["accepted_by", "invited_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Invitations are made in Tandem, by the organisation's admins and team leads.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # An operator who changed the address or the roles would invite himself in someone's place.
        return False


# allauth's own admin lets an operator add a verified address to anyone's account, and a reset
# e-mail to that address would hand him the account: addresses are hers, shown here, never edited.
if admin.site.is_registered(EmailAddress):
    admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(admin.ModelAdmin):
    list_display = ["email", "user", "primary", "verified"]
    search_fields = ["email", "user__email"]
    readonly_fields = ("user", "email", "primary", "verified")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            operator_changed(request, obj, action="operator.second_factor_removed")
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                operator_changed(request, obj, action="operator.second_factor_removed")
            super().delete_queryset(request, queryset)
