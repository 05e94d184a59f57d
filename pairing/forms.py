"""Forms of the pairing pages. They only parse input; the rules live in pairing.rules and services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation, Service, Team, TeamMembership
from tandem.idempotency import OnceFormMixin
from tandem.validators import plausible_date

from .models import PairingSettings, Tandem, validate_client_code


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), validators=[plausible_date], **kwargs)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.user.display_name


class ProposeForm(OnceFormMixin, forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    peer = MemberChoiceField(label=_("Peer"), queryset=Membership.objects.none())
    professional = MemberChoiceField(label=_("Professional"), queryset=Membership.objects.none())
    started_on = _date_field(_("Start"), initial=timezone.localdate)
    planned_end_on = _date_field(_("Planned end (optional)"), required=False)
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the two want to do together. No client names."),
    )
    placement_justification = forms.CharField(
        label=_("Justification (only if a placement conflict is declared)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the peer should work in this service anyway. Recorded in the audit trail."),
    )
    accept_warnings = forms.BooleanField(
        label=_("I have read the notes on the rules of practice and want to go ahead."), required=False
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(organisation=organisation).active().select_related("service")
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = teams
        self.selected_team = self.chosen_team(teams, self.data.get("team") if self.is_bound else self.initial.get("team"))
        if self.selected_team is None:
            # The people follow the team: without one there is nobody to choose yet.
            for name in ("peer", "professional"):
                cast(forms.ModelChoiceField, self.fields[name]).queryset = Membership.objects.none()
                self.fields[name].error_messages["invalid_choice"] = _("Please choose the team first.")
            return
        self.fields["team"].widget = forms.HiddenInput()
        self.fields["team"].error_messages["invalid_choice"] = _("Please choose the team again.")
        # Everybody currently in the chosen team is a valid choice, so that choosing a peer as the
        # professional gets its own clear message; the lists offer only the fitting people.
        members = (
            Membership.objects.active()
            .filter(organisation=organisation, team_memberships__in=TeamMembership.objects.current().filter(team=self.selected_team))
            .select_related("user")
            .distinct()
        )
        outside = _("This person does not work in %(team)s. Please choose someone from the list.") % {"team": self.selected_team.name}
        for name in ("peer", "professional"):
            cast(forms.ModelChoiceField, self.fields[name]).queryset = members
            self.fields[name].error_messages["invalid_choice"] = outside
        people = list(members)
        blank = [("", "---------")]
        cast(forms.Select, self.fields["peer"].widget).choices = blank + [(m.pk, m.user.display_name) for m in people if m.is_peer]
        cast(forms.Select, self.fields["professional"].widget).choices = blank + [
            (m.pk, m.user.display_name) for m in people if m.is_professional
        ]

    @staticmethod
    def chosen_team(teams: Any, value: Any) -> Team | None:
        """The team the person chose (step one of the proposal), or None if none or not hers."""
        if isinstance(value, Team):
            value = value.pk
        try:
            return teams.get(pk=int(value)) if value not in (None, "") else None
        except (Team.DoesNotExist, TypeError, ValueError):
            return None

    def clean(self) -> dict[str, Any]:
        from .services import validate_pairing

        data = super().clean() or {}
        start, planned_end = data.get("started_on"), data.get("planned_end_on")
        if start and planned_end and planned_end <= start:
            self.add_error("planned_end_on", _("The planned end must be after the start."))
        team = data.get("team")
        if team is not None:
            for name, message in validate_pairing(
                team=team, peer=data.get("peer"), professional=data.get("professional")
            ).items():
                self.add_error(name, message)
        return data


class PauseForm(forms.Form):
    on = _date_field(_("Paused from"), initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), max_length=200, help_text=_("For example: parental leave. No health details."))


class ResumeForm(forms.Form):
    on = _date_field(_("Resumed on"), initial=timezone.localdate)


class EndForm(forms.Form):
    on = _date_field(_("End"), initial=timezone.localdate)
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[(value, label) for value, label in Tandem.EndReason.choices if value != Tandem.EndReason.DECLINED],
    )


class ReflectionForm(OnceFormMixin, forms.Form):
    how_it_goes = forms.CharField(label=_("How is our collaboration going?"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))
    what_helps = forms.CharField(label=_("What helps us?"), max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    what_irritates = forms.CharField(
        label=_("What irritates me?"), max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    share = forms.BooleanField(
        label=_("Share this reflection with my tandem partner"),
        required=False,
        help_text=_("Otherwise only you can read it. Nobody else ever reads it."),
    )


class SupportProcessForm(OnceFormMixin, forms.Form):
    client_code = forms.CharField(
        label=_("Client code"),
        max_length=16,
        help_text=_("A pseudonymous code, e.g. K-0417. No names, no diagnoses."),
    )
    started_on = _date_field(_("Start"), initial=timezone.localdate)
    goals = forms.CharField(
        label=_("Agreed goals"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In the client's words; no diagnoses."),
    )

    def clean_client_code(self) -> str:
        code = self.cleaned_data["client_code"].strip().upper()
        validate_client_code(code)
        return code


class MeetingForm(OnceFormMixin, forms.Form):
    held_on = _date_field(_("Date of the three-way meeting"), initial=timezone.localdate)


class SupportEndForm(forms.Form):
    on = _date_field(_("End"), initial=timezone.localdate)


class PairingSettingsForm(forms.ModelForm):
    class Meta:
        model = PairingSettings
        fields = ["max_active_per_peer", "max_active_per_professional", "reflection_every_weeks"]


class DashboardFilterForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none(), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["service"]).queryset = Service.objects.filter(organisation=organisation).active()
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = Team.objects.filter(organisation=organisation).active().select_related("service")

