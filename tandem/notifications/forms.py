from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from . import kinds
from .models import Delivery


def _app_title(prefix: str) -> Any:
    try:
        return apps.get_app_config(prefix).verbose_name
    except LookupError:
        return prefix


def _kind_field_name(key: str) -> str:
    return "kind__" + key.replace(".", "__")


class PreferencesForm(forms.Form):
    """One choice per registered kind, then quiet hours and the digest time."""

    quiet_from = forms.TimeField(
        label=_("Quiet hours from"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("No e-mails during quiet hours; they wait until the quiet hours end. Same start and end: no quiet hours."),
    )
    quiet_until = forms.TimeField(
        label=_("Quiet hours until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    digest_at = forms.TimeField(
        label=_("Daily digest at"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("If this falls inside your quiet hours, the digest comes when they end."),
    )

    def __init__(self, *args: Any, shown: list[kinds.NotificationKind] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the kinds that can reach this person; the choices she made for others stay stored.
        self.shown = kinds.choosable() if shown is None else shown
        kind_fields = {}
        for kind in sorted(self.shown, key=lambda k: str(k.label)):
            choices = [(value, label) for value, label in Delivery.choices if value != Delivery.DIGEST or kind.digest_allowed]
            kind_fields[_kind_field_name(kind.key)] = forms.ChoiceField(
                label=kind.label,
                choices=choices,
                widget=forms.RadioSelect,
                help_text="" if kind.digest_allowed else _("This cannot wait for a digest: it concerns you the same day."),
            )
        # Kinds first, then the times.
        self.fields = {**kind_fields, **self.fields}

    @staticmethod
    def initial_for(deliveries: dict[str, str], settings: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {_kind_field_name(key): value for key, value in deliveries.items()}
        initial.update(quiet_from=settings.quiet_from, quiet_until=settings.quiet_until, digest_at=settings.digest_at)
        return initial

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """The kinds grouped by the app that sends them (Tandems, Mentoring...), then the times."""
        groups: dict[str, list[forms.BoundField]] = {}
        for kind in sorted(self.shown, key=lambda k: (k.key.split(".")[0], str(k.label))):
            groups.setdefault(kind.key.split(".")[0], []).append(self[_kind_field_name(kind.key)])
        sections: list[tuple[Any, list[forms.BoundField]]] = []
        for prefix, fields in sorted(groups.items(), key=lambda item: str(_app_title(item[0]))):
            sections.append((_app_title(prefix), fields))
        sections.append((_("When e-mails come"), [self["quiet_from"], self["quiet_until"], self["digest_at"]]))
        return sections

    def deliveries(self) -> dict[str, str]:
        return {kind.key: self.cleaned_data[_kind_field_name(kind.key)] for kind in self.shown}
