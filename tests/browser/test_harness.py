"""The untranslated-word check itself, without a browser."""

from __future__ import annotations

import pytest

from .harness import untranslated


@pytest.mark.parametrize(
    ("text", "lang", "found"),
    [
        ("Einladung senden · Abbrechen", "de", []),
        ("Einladung senden · Cancel", "de", ["Cancel"]),
        ("Send the invitation to your team", "en", []),
        ("Send the invitation · Abbrechen", "en", ["Abbrechen"]),
    ],
)
def test_untranslated_words(text: str, lang: str, found: list[str]) -> None:
    assert [hit.split("'")[1] for hit in untranslated(text, lang)] == found
