"""Column names on the record of processing for fields that do not name themselves.

Django derives such a field's name from its attribute ("created at"), in English only. These are
those words as messages, so the record of processing (GDPR Art. 30) is read in the reader's language;
``tests/trust/test_privacy.py`` fails when a registered field's name has no translation.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop

NAMES = [
    gettext_noop("accepted at"),
    gettext_noop("accepted by"),
    gettext_noop("acknowledged at"),
    gettext_noop("added at"),
    gettext_noop("agreement"),
    gettext_noop("allowance cents"),
    gettext_noop("allowance kind"),
    gettext_noop("answered at"),
    gettext_noop("approved at"),
    gettext_noop("approved by"),
    gettext_noop("archived at"),
    gettext_noop("assigned by"),
    gettext_noop("assignment"),
    gettext_noop("author"),
    gettext_noop("closed at"),
    gettext_noop("content type"),
    gettext_noop("created at"),
    gettext_noop("created by"),
    gettext_noop("decided at"),
    gettext_noop("decided by"),
    gettext_noop("declared at"),
    gettext_noop("elsewhere cents"),
    gettext_noop("ended at"),
    gettext_noop("entries cents"),
    gettext_noop("escalated at"),
    gettext_noop("expenses cents"),
    gettext_noop("flat cents"),
    gettext_noop("group"),
    gettext_noop("handover pending"),
    gettext_noop("happened at"),
    gettext_noop("irritation"),
    gettext_noop("joined at"),
    gettext_noop("key"),
    gettext_noop("kind"),
    gettext_noop("last used at"),
    gettext_noop("left at"),
    gettext_noop("limit cents"),
    gettext_noop("locked at"),
    gettext_noop("locked by"),
    gettext_noop("membership"),
    gettext_noop("mentor"),
    gettext_noop("mentor accepted at"),
    gettext_noop("mentor since"),
    gettext_noop("minutes"),
    gettext_noop("object id"),
    gettext_noop("occurred at"),
    gettext_noop("organisation"),
    gettext_noop("peer accepted at"),
    gettext_noop("peer confirmed at"),
    gettext_noop("professional confirmed at"),
    gettext_noop("proposed by"),
    gettext_noop("read at"),
    gettext_noop("receipt content type"),
    gettext_noop("recorded at"),
    gettext_noop("recorded by"),
    gettext_noop("remaining cents"),
    gettext_noop("reminded at"),
    gettext_noop("requested at"),
    gettext_noop("requested by"),
    gettext_noop("resolution proposed at"),
    gettext_noop("run"),
    gettext_noop("sent at"),
    gettext_noop("session"),
    gettext_noop("shared with mentor at"),
    gettext_noop("slot"),
    gettext_noop("statement"),
    gettext_noop("supervision session"),
    gettext_noop("tax free cents"),
    gettext_noop("taxable cents"),
    gettext_noop("transition reminded at"),
    gettext_noop("type"),
    gettext_noop("updated at"),
    gettext_noop("url"),
    gettext_noop("user"),
    gettext_noop("waiting since"),
    gettext_noop("withdrawn at"),
    gettext_noop("year to date cents"),
]


def label(field: models.Field[Any, Any]) -> str:
    """The field's name in the active language: its own verbose name, or the derived one translated."""
    return capfirst(gettext(str(field.verbose_name)))
