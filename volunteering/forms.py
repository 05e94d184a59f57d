from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Membership
from pairing.models import SupportProcess
from tandem.idempotency import OnceFormMixin

from .models import MAX_MINUTES_PER_ENTRY, AllowanceKind, ApprovalMode, EntryKind, RateKind

# Quick choices for the phone: one tap instead of typing.
QUICK_DURATIONS = [(30, "0:30"), (60, "1:00"), (90, "1:30"), (120, "2:00"), (180, "3:00"), (240, "4:00")]


def euros_to_cents(value: Any, *, field: str) -> int:
    """"12,50" or "12.50" € to 1250 cents (half up); a clear message for anything else."""
    if value in (None, ""):
        return 0
    text = str(value).strip().replace("€", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise forms.ValidationError(_("Please enter an amount in euros, e.g. 12,50.")) from None
    if not amount.is_finite() or amount < 0:
        raise forms.ValidationError(_("Please enter an amount of 0 € or more."))
    if amount > Decimal("100000"):
        raise forms.ValidationError(_("This amount is too large."))
    return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


class HoursForm(OnceFormMixin, forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.IntegerField(
        label=gettext_lazy("Hours"), min_value=0, max_value=MAX_MINUTES_PER_ENTRY // 60, initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    minutes = forms.IntegerField(
        label=gettext_lazy("Minutes"), min_value=0, max_value=59, initial=0, required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5}),
    )
    kind = forms.ChoiceField(label=gettext_lazy("What for"), choices=EntryKind.choices, widget=forms.RadioSelect, initial=EntryKind.CLIENT_SUPPORT)
    support_process = forms.ModelChoiceField(
        label=gettext_lazy("Support process (client code)"), queryset=SupportProcess.objects.none(), required=False,
        help_text=gettext_lazy("Only the pseudonymous code is shown, never a name."),
    )
    expense = forms.CharField(
        label=gettext_lazy("Expense in € (optional)"), required=False, max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=gettext_lazy("Actual costs such as a ticket are reimbursed separately from the allowance, with a receipt."),
    )
    expense_note = forms.CharField(label=gettext_lazy("What the expense was for"), required=False, max_length=120)
    receipt = forms.FileField(
        label=gettext_lazy("Receipt (photo or PDF)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )

    def __init__(self, *args: Any, volunteer: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate
        cast(forms.ModelChoiceField, self.fields["support_process"]).queryset = (
            SupportProcess.objects.filter(tandem__peer=volunteer).running()
        )

    def clean_expense(self) -> int:
        return euros_to_cents(self.cleaned_data.get("expense"), field="expense")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hours, minutes = data.get("hours"), data.get("minutes") or 0
        if hours is not None:
            data["duration"] = hours * 60 + minutes
        return data


class ChangeEntryForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.IntegerField(label=gettext_lazy("Hours"), min_value=0, max_value=MAX_MINUTES_PER_ENTRY // 60)
    minutes = forms.IntegerField(label=gettext_lazy("Minutes"), min_value=0, max_value=59, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("What for"), choices=EntryKind.choices, widget=forms.RadioSelect)
    support_process = forms.ModelChoiceField(
        label=gettext_lazy("Support process (client code)"), queryset=SupportProcess.objects.none(), required=False
    )

    def __init__(self, *args: Any, volunteer: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["support_process"]).queryset = SupportProcess.objects.filter(tandem__peer=volunteer)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("hours") is not None:
            data["duration"] = data["hours"] * 60 + (data.get("minutes") or 0)
        return data


class AgreementForm(OnceFormMixin, forms.Form):
    valid_from = forms.DateField(label=gettext_lazy("Valid from"), widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=gettext_lazy("Today or later: an allowance is never agreed retroactively."))
    activity = forms.CharField(label=gettext_lazy("Activity"), max_length=200,
                               initial=gettext_lazy("Volunteer peer support (Genesungsbegleitung)"))
    allowance_kind = forms.ChoiceField(label=gettext_lazy("Tax-free allowance"), choices=AllowanceKind.choices, widget=forms.RadioSelect)
    rate_kind = forms.ChoiceField(label=gettext_lazy("Rate"), choices=RateKind.choices, widget=forms.RadioSelect, initial=RateKind.HOUR)
    rate = forms.CharField(label=gettext_lazy("Amount in €"), max_length=12, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    hours_per_week = forms.DecimalField(label=gettext_lazy("Agreed hours per week"), min_value=0, max_value=40, decimal_places=1)
    uses_allowance_elsewhere = forms.BooleanField(
        label=gettext_lazy("She declared in writing that she uses the same allowance elsewhere"), required=False
    )
    elsewhere = forms.CharField(label=gettext_lazy("Amount used elsewhere in €"), max_length=12, required=False,
                                widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    elsewhere_year = forms.IntegerField(label=gettext_lazy("For the year"), min_value=2000, max_value=2200, required=False)
    declared_on = forms.DateField(label=gettext_lazy("Declaration signed on"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_rate(self) -> int:
        cents = euros_to_cents(self.cleaned_data.get("rate"), field="rate")
        if cents > 100_000:
            raise forms.ValidationError(_("This amount is too large."))
        return cents

    def clean_elsewhere(self) -> int:
        return euros_to_cents(self.cleaned_data.get("elsewhere"), field="elsewhere")


class RejectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class SettingsForm(forms.Form):
    approval_mode = forms.ChoiceField(label=gettext_lazy("Approval of hours"), choices=ApprovalMode.choices, widget=forms.RadioSelect)


class MonthForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("Month"), widget=forms.TextInput(attrs={"type": "month"}))

    def clean_month(self) -> dt.date:
        return parse_month(self.cleaned_data["month"])


def parse_month(value: str | None, default: dt.date | None = None) -> dt.date:
    """"2026-03" to 1 March 2026; the current month for nothing; a clear message for nonsense."""
    if not value:
        return (default or timezone.localdate()).replace(day=1)
    try:
        year, month = (int(part) for part in value.split("-")[:2])
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        raise forms.ValidationError(_("Please choose a month, e.g. 2026-03.")) from None
