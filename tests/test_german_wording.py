"""German as a native speaker writes it: no literal translations, one word for one thing, no informal
address, placeholders filled, and checkbox labels without a trailing colon."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(p for p in ROOT.glob("**/locale/de/LC_MESSAGES/django.po") if ".venv" not in p.parts)

# (pattern, why it reads wrong)
WRONG = [
    (r"Wenn etwas Sie braucht", "a literal translation of 'when something needs you'"),
    (r"\bN-te[rn]?\b|\bN-ter\b", "a placeholder letter shown to a person"),
    (r"Platzierungskonflikt", "the placement conflict is called Einsatzkonflikt everywhere"),
    (r"\b(weise|wähle|klicke|gib|prüfe)\b [a-zäöü*]+ .*\bzu\b|\bdu\b|\bdein(e|en|er)?\b|\bdich\b|\bdir\b", "Tandem says Sie"),
    (r"Mentorin oder (einen|ein|der) [a-z]* ?Mentor\b|Partnerin oder der", "a gender form different from the *-form used everywhere else"),
    (r"\bIhre[rn]? Organisation\b|\bBitte bitten\b", "the organisation is called Träger, and one 'bitte' is enough"),
    (r"\b(eine|keine|Ihre|meine) (aktive )?Mentor\*in\b(?! (hat|sieht|liest|kann|sehen))", "the article does not fit the *-form"),
]


def _strings():
    for path in CATALOGUES:
        for entry in polib.pofile(str(path)):
            for text in [entry.msgstr, *entry.msgstr_plural.values()]:
                if text:
                    yield path.relative_to(ROOT), entry.msgid, text


def test_the_catalogues_are_found():
    assert len(CATALOGUES) >= 8


@pytest.mark.parametrize("pattern,why", WRONG)
def test_no_german_string_reads_wrong(pattern, why):
    found = [(str(path), msgid) for path, msgid, text in _strings() if re.search(pattern, text)]
    assert not found, f"{why}: {found[:5]}"


def test_every_placeholder_of_the_english_text_is_in_the_german_one():
    missing = []
    for path, msgid, text in _strings():
        wanted = set(re.findall(r"%\(\w+\)[sd]", msgid))
        if wanted - set(re.findall(r"%\(\w+\)[sd]", text)):
            missing.append((str(path), msgid))
    assert not missing, missing[:5]


class _Consent(forms.Form):
    agree = forms.BooleanField(label="Ich stimme zu")
    name = forms.CharField(label="Name")


def test_checkbox_labels_have_no_trailing_colon():
    with translation.override("de"):
        html = render_to_string("_form.html", {"form": _Consent()})
    assert re.search(r'<label for="id_agree">Ich stimme zu</label>', html)
    assert "Ich stimme zu:" not in html
