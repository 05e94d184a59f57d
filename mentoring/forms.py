from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation
from pairing.selectors import open_tandems_of_peer
from tandem.idempotency import OnceFormMixin

from .models import Irritation, MentoringSettings


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.user.display_name


class TandemPartnerChoiceField(forms.ModelChoiceField):
    """A peer's tandem, named after her partner."""

    def label_from_instance(self, obj: Any) -> str:
        return obj.professional.user.display_name


class AssignMentorForm(OnceFormMixin, forms.Form):
    peer = PersonChoiceField(label=_("Peer"), queryset=Membership.objects.none())
    mentor = PersonChoiceField(label=_("Mentor"), queryset=Membership.objects.none())
    check_in_every_weeks = forms.IntegerField(label=_("Check-in every (weeks)"), min_value=1, max_value=26, initial=4)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = Membership.objects.active().filter(organisation=organisation).select_related("user")
        cast(forms.ModelChoiceField, self.fields["peer"]).queryset = people.filter(is_peer=True)
        cast(forms.ModelChoiceField, self.fields["mentor"]).queryset = people.filter(is_mentor=True)
        self.fields["mentor"].help_text = _(
            "A professional or an experienced peer. Not the peer's tandem partner. "
            "The mentoring begins when the peer has accepted and the mentor has agreed."
        )


class DeclineMentoringForm(forms.Form):
    reason = forms.CharField(
        label=_("Your reason (optional; only you can read it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class RequestMentorForm(OnceFormMixin, forms.Form):
    mentor = PersonChoiceField(label=_("Whom would you like as your mentor? (optional)"), queryset=Membership.objects.none(), required=False)
    reason = forms.CharField(
        label=_("Your reason (optional; only you can read it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args: Any, peer: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["mentor"]).queryset = (
            Membership.objects.active()
            .filter(organisation=peer.organisation, is_mentor=True)
            .exclude(pk=peer.pk)
            .select_related("user")
        )
        self.fields["mentor"].help_text = _(
            "If you name someone, they are asked whether they agree. Otherwise your team lead proposes someone, "
            "and you decide whether you accept."
        )


class CheckInForm(OnceFormMixin, forms.Form):
    held_on = forms.DateField(label=_("Date of the talk"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(
        label=_("Private note (only you can read it)"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000, required=False
    )

    def clean_held_on(self) -> dt.date:
        held_on: dt.date = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(_("A talk that took place cannot be in the future."))
        return held_on


class CheckInIntervalForm(forms.Form):
    check_in_every_weeks = forms.IntegerField(label=_("Check-in every (weeks)"), min_value=1, max_value=26)


class IrritationForm(OnceFormMixin, forms.Form):
    title = forms.CharField(label=_("In a few words"), max_length=120)
    what_happened = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 6}), max_length=4000)
    happened_on = forms.DateField(label=_("When did it happen?"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    category = forms.ChoiceField(label=_("Category"), choices=Irritation.Category.choices)
    tandem = TandemPartnerChoiceField(
        label=_("Tandem involved (optional)"), queryset=Membership.objects.none(), required=False
    )
    colleague = PersonChoiceField(label=_("Colleague involved (optional)"), queryset=Membership.objects.none(), required=False)
    wish = forms.CharField(
        label=_("What do you wish for? (optional)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )
    urgent = forms.BooleanField(label=_("Urgent"), required=False)
    clarify_by = forms.DateField(
        label=_("Clarify by (optional)"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), required=False
    )
    start_mode = forms.ChoiceField(
        label=_("How do you want to start?"), choices=Irritation.StartMode.choices, widget=forms.RadioSelect
    )
    backup_may_name_me = forms.BooleanField(
        label=_("If my mentor does not answer in time, the backup person may learn my name (never the content)"),
        required=False,
    )

    def __init__(self, *args: Any, peer: Membership, settings: MentoringSettings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["tandem"]).queryset = open_tandems_of_peer(peer)
        cast(forms.ModelChoiceField, self.fields["colleague"]).queryset = (
            Membership.objects.active().filter(organisation=peer.organisation).exclude(pk=peer.pk).select_related("user")
        )
        self.fields["clarify_by"].help_text = _(
            "Empty: in %(days)d days, or in %(urgent)d days if urgent."
        ) % {"days": settings.clarify_within_days, "urgent": settings.urgent_clarify_within_days}
        self.fields["start_mode"].help_text = _(
            "Your mentor sees the irritation only if you ask for help now, or when it is not resolved by its date."
        )


class AddressForm(forms.Form):
    """Which of her notes for herself the peer shares with her mentor when she asks for help."""

    share_notes = forms.TypedMultipleChoiceField(
        label=_("Notes your mentor may read"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only the notes you tick. The others stay yours: your mentor never reads them."),
    )

    def __init__(self, *args: Any, notes: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedMultipleChoiceField, self.fields["share_notes"])
        field.choices = [(note.pk, note.body) for note in notes]
        if not notes:
            field.widget = forms.MultipleHiddenInput()


class ClarifyByForm(forms.Form):
    clarify_by = forms.DateField(label=_("New date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)


class ResolutionForm(forms.Form):
    proposal = forms.CharField(
        label=_("Proposed resolution"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


class ShareWithLeadForm(forms.Form):
    lead = PersonChoiceField(label=_("Team lead"), queryset=Membership.objects.none())

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["lead"]).queryset = (
            Membership.objects.active().filter(organisation=organisation, is_team_lead=True).select_related("user")
        )


class MentoringSettingsForm(forms.ModelForm):
    class Meta:
        model = MentoringSettings
        fields = [
            "clarify_within_days",
            "urgent_clarify_within_days",
            "acknowledge_within_days",
            "backup_after_days",
            "backup",
            "resolve_requires_peer_confirmation",
            "retention_months",
            "reopen_within_days",
        ]
        field_classes = {"backup": PersonChoiceField}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Left empty, the period stays as it is (a form from before the field existed, say).
        self.fields["reopen_within_days"].required = False
        backup = cast(forms.ModelChoiceField, self.fields["backup"])
        backup.queryset = (
            Membership.objects.active()
            .filter(organisation=organisation)
            .filter(Q(is_mentor=True) | Q(is_team_lead=True))
            .select_related("user")
        )

    def clean_reopen_within_days(self) -> int:
        value: int | None = self.cleaned_data.get("reopen_within_days")
        return self.instance.reopen_within_days if value is None else value

