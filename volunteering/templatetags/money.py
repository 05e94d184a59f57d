"""Cents as euros in the active language: 1.234,50 € in German, €1,234.50 in English."""

from __future__ import annotations

from django import template
from django.utils import translation

register = template.Library()


@register.filter
def euro(cents: int | None) -> str:
    if cents is None:
        return "–"
    sign = "-" if cents < 0 else ""
    cents = abs(int(cents))
    whole = f"{cents // 100:,}"
    if translation.get_language() == "en":
        return f"{sign}€{whole}.{cents % 100:02d}"
    return f"{sign}{whole.replace(',', '.')},{cents % 100:02d} €"


@register.filter
def hours(minutes: int | None) -> str:
    minutes = int(minutes or 0)
    return f"{minutes // 60}:{minutes % 60:02d}"
