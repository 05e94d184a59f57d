"""Every mentoring e-mail renders in German and English, says *that* something happened, and links back."""

from __future__ import annotations

import pytest

from tandem.notifications import kinds
from tandem.notifications.sending import render_email
from tests.factories import UserFactory

MENTORING_KINDS = sorted(k for k in kinds.KINDS if k.startswith("mentoring."))
CONTEXT = {"url": "https://tandem.example.org/x/", "what": "escalated", "due": "2026-03-30", "peer_name": "Paula",
           "mentor_name": "Mia", "escalated": True, "handover_question": True, "clarify_by": "2026-03-09"}


def test_every_kind_is_registered():
    assert len(MENTORING_KINDS) == 18


@pytest.mark.parametrize("kind", MENTORING_KINDS)
def test_email_renders_in_both_languages(db, kind):
    german = UserFactory(preferred_language="de")
    english = UserFactory(preferred_language="en")
    de = render_email(german, f"notifications/{kind}", CONTEXT)
    en = render_email(english, f"notifications/{kind}", CONTEXT)
    assert de.subject.startswith("[Tandem] ") and len(de.subject) > 12
    assert de.subject != en.subject, "German subject is not translated"
    assert de.body.strip() != en.body.strip(), "German body is not translated"
    assert "https://tandem.example.org/x/" in de.body and "https://tandem.example.org/x/" in de.alternatives[0][0]
    assert "{%" not in de.body and "{{" not in de.body


def test_backup_email_names_the_peer_only_when_she_agreed(db):
    user = UserFactory(preferred_language="en")
    anonymous = render_email(user, "notifications/mentoring.irritation_backup", {**CONTEXT, "peer_name": ""})
    named = render_email(user, "notifications/mentoring.irritation_backup", CONTEXT)
    assert "Paula" in named.body
    assert "Paula" not in anonymous.body and "a peer" in anonymous.body


def test_backup_email_says_what_is_expected_of_her_in_german(db):
    user = UserFactory(preferred_language="de")
    email = render_email(user, "notifications/mentoring.irritation_backup", {**CONTEXT, "peer_name": ""})
    assert "Das wird von Ihnen erwartet: die*den Mentor*in erinnern" in email.body
    assert "Mentor*in erinnern oder eine*n andere*n Mentor*in anbieten" in email.alternatives[0][0]


@pytest.mark.parametrize("what,words", [("backup_offer", "andere*n Mentor*in"), ("reopened", "wieder geöffnet")])
def test_the_new_irritation_notices_render_in_german(db, what, words):
    user = UserFactory(preferred_language="de")
    kind = "mentoring.irritation_update" if what == "backup_offer" else "mentoring.irritation_closed"
    assert words in render_email(user, f"notifications/{kind}", {**CONTEXT, "what": what}).body
