"""The choice of period: a year, a quarter or a range of days."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .period import Period

# A longer range would be a history, not a report (and a long custom range draws many quarters).
MAX_RANGE_DAYS = 3 * 366


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PeriodForm(forms.Form):
    KINDS = [("year", _("Year")), ("quarter", _("Quarter")), ("range", _("Period of your choice"))]

    kind = forms.ChoiceField(label=_("Report for"), choices=KINDS, widget=forms.RadioSelect, initial="year")
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), choices=[(q, f"Q{q}") for q in range(1, 5)], coerce=int, required=False
    )
    start = forms.DateField(label=_("From"), widget=DateInput(), required=False)
    end = forms.DateField(label=_("To (included)"), widget=DateInput(), required=False)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        today = timezone.localdate()
        kwargs.setdefault(
            "initial", {"kind": "year", "year": today.year, "quarter": (today.month + 2) // 3, "start": today.replace(month=1, day=1), "end": today}
        )
        super().__init__(data, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind in ("year", "quarter") and not data.get("year"):
            self.add_error("year", _("Please choose a year."))
        if kind == "quarter" and not data.get("quarter"):
            self.add_error("quarter", _("Please choose a quarter."))
        if kind == "range":
            start, end = data.get("start"), data.get("end")
            if not start:
                self.add_error("start", _("Please enter the first day."))
            if not end:
                self.add_error("end", _("Please enter the last day."))
            if start and end and end < start:
                self.add_error("end", _("The last day cannot be before the first day."))
            elif start and end and (end - start).days >= MAX_RANGE_DAYS:
                self.add_error("end", _("Please choose at most three years."))
        return data

    def period(self) -> Period:
        data = self.cleaned_data
        if data["kind"] == "year":
            return Period.year(data["year"])
        if data["kind"] == "quarter":
            return Period.quarter(data["year"], data["quarter"])
        start: dt.date = data["start"]
        end: dt.date = data["end"]
        return Period(start, end, "range")
