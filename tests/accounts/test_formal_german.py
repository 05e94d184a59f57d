"""Tandem speaks to people formally ("Sie"), also on allauth's pages and in its e-mails."""

from __future__ import annotations

from pathlib import Path

import allauth
from django.urls import reverse
from django.utils import translation

from tests.test_i18n import parse_po

ROOT = Path(__file__).resolve().parent.parent.parent
ALLAUTH_DE = Path(allauth.__file__).parent / "locale" / "de" / "LC_MESSAGES" / "django.po"
PROJECT_DE = ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"
OVERRIDES = ROOT / "templates" / "allauth" / "formal_address_de.txt"


def _overridden() -> dict[str, str]:
    allauth_ids = {e.msgid for e in parse_po(ALLAUTH_DE)}
    return {e.msgid: e.msgstr[0] for e in parse_po(PROJECT_DE) if e.msgid in allauth_ids and e.msgid_plural is None}


def test_every_listed_override_matches_an_allauth_message():
    listed = OVERRIDES.read_text().count("{% blocktranslate %}")
    assert listed > 0
    assert len(_overridden()) >= listed


def test_project_translation_wins_over_allauths():
    overridden = _overridden()
    with translation.override("de"):
        for msgid, formal in overridden.items():
            assert translation.gettext(msgid) == formal
            assert " du " not in f" {formal} " and " dein" not in formal


def test_password_reset_page_is_formal(client, db):
    body = client.get(reverse("account_reset_password")).content.decode()
    assert "Geben Sie unten Ihre E-Mail-Adresse ein" in body
    assert "Gib deine" not in body


def test_password_reset_mail_is_formal(cast, client):
    from django.core import mail

    client.post(reverse("account_reset_password"), {"email": cast.peer.user.email})
    assert len(mail.outbox) == 1
    assert "Sie erhalten diese E-Mail" in mail.outbox[0].body
