"""Forms: they parse and check shapes; the rules live in services."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from tandem.idempotency import OnceFormMixin

from .models import WEEKDAY_CHOICES, Answer, PollAnswer, PollSlot, Series, SupervisionGroup

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
SLOT_FIELDS = 6


def _membership_label(membership: Membership) -> str:
    return f"{membership.user.display_name} ({membership.organisation.name})"


class GroupForm(OnceFormMixin, forms.ModelForm):
    class Meta:
        model = SupervisionGroup
        fields = ["name", "description"]


class _PersonForm(forms.Form):
    membership = forms.ModelChoiceField(queryset=Membership.objects.none(), label=_("Person"))

    def __init__(self, *args: Any, group: SupervisionGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Validation accepts anyone of the group's organisations, so that the service can say
        # *why* someone cannot join; the list offers only those who can.
        everyone = Membership.objects.active().filter(organisation_id__in=group.organisation_ids()).select_related(
            "user", "organisation"
        )
        field = cast(forms.ModelChoiceField, self.fields["membership"])
        field.queryset = everyone
        field.choices = [("", "---------")] + [(m.pk, _membership_label(m)) for m in everyone.filter(self.offered())]

    def offered(self) -> Any:
        raise NotImplementedError


class AddMemberForm(_PersonForm):
    def offered(self) -> Any:
        from django.db.models import Q

        return Q(is_peer=True, is_professional=False, is_team_lead=False)


class AddSupervisorForm(_PersonForm):
    def offered(self) -> Any:
        from django.db.models import Q

        return Q(is_supervisor=True)


class ShareForm(forms.Form):
    organisation = forms.SlugField(
        label=_("Short name of the other organisation"),
        help_text=_("Its admins are asked to agree; only then can its peers and supervisors join."),
    )


class SeriesForm(OnceFormMixin, forms.ModelForm):
    rotation = forms.TypedMultipleChoiceField(
        label=_("Rotate through these weekdays"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each next session moves to the next chosen weekday, at the same time of day."),
    )

    class Meta:
        model = Series
        fields = [
            "title", "frequency", "interval", "nth", "weekday", "rotation", "starts_on", "local_time", "time_zone",
            "duration_minutes", "place", "video_url", "capacity",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "local_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("place") and not data.get("video_url"):
            self.add_error("place", _("Please give a place or a video link."))
        return data


class SeriesChangeForm(forms.ModelForm):
    """A series from a chosen session on: the new time, weekday rule, place and video link."""

    rotation = forms.TypedMultipleChoiceField(
        label=_("Rotate through these weekdays"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each next session moves to the next chosen weekday, at the same time of day."),
    )

    class Meta:
        model = Series
        fields = ["frequency", "interval", "nth", "weekday", "rotation", "starts_on", "local_time", "place", "video_url"]
        labels = {"starts_on": _("First changed date")}
        help_texts = {"starts_on": _("The date of the first session under the changed rule (for the Nth weekday: its month).")}
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "local_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("place") and not data.get("video_url"):
            self.add_error("place", _("Please give a place or a video link."))
        return data

    def _post_clean(self) -> None:
        # The service builds and validates the new series; the form only parses the fields.
        pass


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Start"), widget=DATETIME_WIDGET)
    ends_at = forms.DateTimeField(label=_("End"), widget=DATETIME_WIDGET)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    video_url = forms.URLField(label=_("Video link"), required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=500, required=False)
    agenda = forms.CharField(
        label=_("Agenda (optional)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Members see it on the session page and in their calendar."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The session must end after it starts."))
        return data


class NewSessionForm(OnceFormMixin, SessionForm):
    title = forms.CharField(label=_("Title"), max_length=150)

    field_order = ["title", "starts_at", "ends_at", "place", "video_url", "capacity", "agenda"]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (shown to the members)"), max_length=300, required=False)


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(label=_("Will you come?"), choices=Answer.choices, widget=forms.RadioSelect)


class NoteForm(OnceFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=10000, widget=forms.Textarea,
        help_text=_("Only the members and supervisors of this group can read session notes."),
    )


class AttendanceForm(forms.Form):
    attended = forms.TypedMultipleChoiceField(
        label=_("Who attended?"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, members: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["attended"]).choices = [(m.pk, m.user.display_name) for m in members]


class PollForm(OnceFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=15, max_value=600, initial=120)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    video_url = forms.URLField(label=_("Video link"), required=False)
    answer_by = forms.DateTimeField(
        label=_("Answers by (optional)"), required=False, widget=DATETIME_WIDGET,
        help_text=_("Whoever has not answered a day before is reminded."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number in range(1, SLOT_FIELDS + 1):
            self.fields[f"slot_{number}"] = forms.DateTimeField(
                label=_("Proposed date %(number)d") % {"number": number}, required=False, widget=DATETIME_WIDGET
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        slots = [data.get(f"slot_{n}") for n in range(1, SLOT_FIELDS + 1)]
        data["slots"] = [s for s in slots if isinstance(s, dt.datetime)]
        if not data["slots"] and not any(self.errors.get(f"slot_{n}") for n in range(1, SLOT_FIELDS + 1)):
            raise forms.ValidationError(_("Please propose at least one date."))
        return data


class PollAnswerForm(forms.Form):
    def __init__(self, *args: Any, slots: list[PollSlot], initial_choices: dict[int, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.utils import formats, timezone

        for slot in slots:
            self.fields[f"slot_{slot.pk}"] = forms.ChoiceField(
                label=formats.date_format(timezone.localtime(slot.starts_at), "DATETIME_FORMAT"),
                choices=PollAnswer.Choice.choices,
                widget=forms.RadioSelect,
                initial=initial_choices.get(slot.pk),
            )

    def choices(self) -> dict[int, str]:
        return {int(name.removeprefix("slot_")): value for name, value in self.cleaned_data.items()}
