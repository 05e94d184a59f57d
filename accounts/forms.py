from __future__ import annotations

from typing import Any, cast

from allauth.core import context as allauth_context
from allauth.mfa.totp import forms as allauth_totp_forms
from django import forms
from django.contrib.auth.password_validation import validate_password
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.idempotency import OnceFormMixin

from . import zones
from .middleware import record_enrolment
from .models import Membership, Organisation, PeerProfile, ProfessionalProfile, Role, Service, Team, User


class InvitationForm(OnceFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    full_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    roles = forms.MultipleChoiceField(label=_("Roles"), widget=forms.CheckboxSelectMultiple)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args: Any, roles: list[Role], organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["roles"]).choices = [(r.value, r.label) for r in roles]
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = Team.objects.active().filter(organisation=organisation).select_related("service")
        self.fields["team"].help_text = _("Peers and professionals join this team when they accept.")


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), max_length=128)
    password2 = forms.CharField(label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), max_length=128)

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        elif p1:
            try:
                validate_password(p1, User(email=self.email, full_name=data.get("full_name", "")))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "preferred_language", "time_zone"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built per request: labels are in the reader's language and show today's UTC offset.
        field = cast(forms.TypedChoiceField, self.fields["time_zone"])
        field.choices = zones.choices()
        if not self.instance.time_zone:
            self.initial["time_zone"] = zones.default()


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(label=_("Roles"), widget=forms.CheckboxSelectMultiple, choices=Role.choices)
    led_services = forms.ModelMultipleChoiceField(
        label=_("Services this team lead runs"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("She creates and runs the teams of these services. None chosen: all services of the organisation."),
    )

    def __init__(self, *args: Any, organisation: Organisation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisation is None:
            del self.fields["led_services"]
        else:
            cast(forms.ModelMultipleChoiceField, self.fields["led_services"]).queryset = Service.objects.active().filter(
                organisation=organisation
            )


class NameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none())

    def __init__(self, *args: Any, organisation: Organisation, services: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # ``services``: the ones this person runs (accounts.rules.services_run_by); others are refused.
        if services is None:
            services = Service.objects.active().filter(organisation=organisation)
        field = cast(forms.ModelChoiceField, self.fields["service"])
        field.queryset = services
        field.error_messages["invalid_choice"] = _("You can create teams only in the services you run.")


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        # Everyone offered is of the same organisation: the name is enough (and costs no query).
        return obj.user.display_name


class AddToTeamForm(forms.Form):
    member = MemberChoiceField(label=_("Person"), queryset=Membership.objects.none())

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["member"]).queryset = (
            Membership.objects.active()
            .filter(organisation=organisation)
            .filter(Q(is_peer=True) | Q(is_professional=True))
            .select_related("user")
            .order_by("user__full_name", "user__email")
        )


class OrganisationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "mfa_required"]


class PeerProfileForm(forms.ModelForm):
    class Meta:
        model = PeerProfile
        fields = ["kind", "exin_status", "exin_certified_on", "exin_trainer", "weekly_hours", "expense_allowance"]
        widgets = {"exin_certified_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("exin_status") in (PeerProfile.ExinStatus.CERTIFIED, PeerProfile.ExinStatus.TRAINER) and not data.get(
            "exin_certified_on"
        ):
            self.add_error("exin_certified_on", _("Please give the date of the EX-IN certificate."))
        if data.get("expense_allowance") and data.get("kind") != PeerProfile.Kind.VOLUNTEER:
            self.add_error("expense_allowance", _("Only volunteers receive an expense allowance."))
        return data


class ProfessionalProfileForm(forms.ModelForm):
    class Meta:
        model = ProfessionalProfile
        fields = ["profession"]


class LivedExperienceForm(forms.Form):
    has_lived_experience = forms.BooleanField(label=_("I have lived experience of crisis myself"), required=False)
    visible_to = forms.ChoiceField(
        label=_("Who may see this"), choices=ProfessionalProfile.Visibility.choices, widget=forms.RadioSelect
    )


class PlacementConflictForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none())

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["service"]).queryset = Service.objects.active().filter(organisation=organisation)


class ActivateTOTPForm(allauth_totp_forms.ActivateTOTPForm):
    """allauth's set-up form; a code it accepts also verifies this session (accounts.middleware)."""

    def clean_code(self) -> str:
        code: str = super().clean_code()
        record_enrolment(allauth_context.request, self.user)
        return code
