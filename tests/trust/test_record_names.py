"""The record of processing names every field in the reader's language, also fields whose name
Django derives from the attribute ("created at")."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tandem import field_names, privacy

# Words that are the same in German and English.
SAME_IN_BOTH = {"Irritation", "Status", "Name", "Token", "Code", "ID", "Details", "Team", "Person", "Tandem"}


def _shown_fields():
    for entry in privacy.registry().values():
        for field in entry.model._meta.concrete_fields:
            listed = entry.fields is None or field.attname in entry.fields or field.name in entry.fields
            if listed and field.name not in privacy.SECRET_FIELDS and not field.primary_key:
                yield entry.model, field


def test_every_field_on_the_record_has_a_german_name():
    untranslated = []
    for model, field in _shown_fields():
        with translation.override("de"):
            german = field_names.label(field)
        with translation.override("en"):
            english = field_names.label(field)
        if german == english and german not in SAME_IN_BOTH:
            untranslated.append(f"{model._meta.label}.{field.name}: {english}")
    assert not untranslated, untranslated


@pytest.mark.django_db
def test_the_record_page_shows_the_german_names(world):
    page = world.cast.client_for(world.cast.peer).get(reverse("privacy:record")).content.decode()
    assert "Angelegt am" in page and "Created at" not in page
