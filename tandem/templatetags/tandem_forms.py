"""Form rendering shared by every page: each field's widget tied to its help text and its errors.

Django ties a single input to its help text and errors itself (``aria-describedby``); for choices
shown as a group (checkboxes, radio buttons) it leaves the inputs untied, so a screen reader would
announce a checkbox without the error that concerns it. ``field_widget`` ties every input of the
group too, and ``error_target`` names the element an error summary links to.
"""

from __future__ import annotations

from django import forms, template
from django.utils.safestring import SafeString

register = template.Library()


def described_by(field: forms.BoundField) -> str:
    """The ids that describe ``field``: its help text and its errors, as rendered by ``_form.html``."""
    if not field.auto_id:
        return ""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return " ".join(ids)


@register.simple_tag
def field_widget(field: forms.BoundField) -> SafeString:
    """The field's widget; inputs of a group carry the group's description like a single input does."""
    if field.use_fieldset and (ids := described_by(field)):
        return field.as_widget(attrs={"aria-describedby": ids})
    return field.as_widget()


@register.filter
def described(field: forms.BoundField) -> str:
    return described_by(field)


@register.filter
def error_target(field: forms.BoundField) -> str:
    """The id of the element that receives the focus from an error summary's link to ``field``."""
    if field.use_fieldset and field.auto_id:
        # A group's first input (Django numbers the inputs of a group from 0).
        return f"{field.auto_id}_0"
    return field.id_for_label or field.auto_id or ""
