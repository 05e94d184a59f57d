"""What every page shares: forms that announce their errors, the footer's links, the operators' status
page and the page in Leichte Sprache. (The browser tests check the same in Chromium: focus, axe, print.)"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import translation

from tandem.notifications import sweeps
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match
    return match.group(1).strip()


def ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


def test_an_invalid_form_starts_its_title_with_error_and_lists_each_error_as_a_link(cast):
    response = cast.client_for(cast.team_lead).post("/invitations/new/", {"email": "not an address"})
    html = response.content.decode()
    assert response.status_code == 422
    assert title(html).startswith("Fehler: ")
    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert summary and 'role="alert"' in summary.group(0) and 'tabindex="-1"' in summary.group(0)
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(1))
    assert {target for target, _ in links} == {"id_email", "id_roles_0"}  # a group links to its first box
    assert all(target in ids(html) for target, _ in links)
    assert any(text.startswith("E-Mail-Adresse: ") for _, text in links)


def test_every_error_is_tied_to_its_field_also_in_a_checkbox_group(cast):
    html = cast.client_for(cast.team_lead).post("/invitations/new/", {"email": ""}).content.decode()
    assert re.search(r'<input type="email"[^>]*aria-describedby="id_email_error"', html)
    assert '<ul class="errorlist" id="id_email_error">' in html
    # Each box of the group and the group itself point at the group's error.
    boxes = re.findall(r'<input type="checkbox" name="roles"[^>]*>', html)
    assert boxes and all('aria-describedby="id_roles_error"' in box and 'aria-invalid="true"' in box for box in boxes)
    assert re.search(r'<fieldset aria-describedby="id_roles_error">', html)
    assert '<ul class="errorlist" id="id_roles_error">' in html


def test_an_english_page_with_errors_says_error(cast):
    user = cast.team_lead.user
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    html = cast.client_for(cast.team_lead).post("/invitations/new/", {"email": ""}).content.decode()
    translation.activate("de")
    assert title(html).startswith("Error: ")
    assert "Please correct the following" in html


def test_a_valid_page_has_no_error_title(cast):
    html = cast.client_for(cast.team_lead).get("/invitations/new/").content.decode()
    assert not title(html).startswith("Fehler")
    assert "error-summary" not in html


def test_a_failed_sign_in_is_announced(cast):
    response = Client().post("/accounts/login/", {"login": cast.peer.user.email, "password": "wrong"})
    html = response.content.decode()
    assert title(html).startswith("Fehler: ")
    summary = re.search(r'<div class="error-summary"[^>]*role="alert"[^>]*>(.*?)</div>', html, re.S)
    assert summary and "nicht korrekt" in summary.group(1) or "falsch" in summary.group(1)  # type: ignore[union-attr]


def test_a_correct_sign_in_still_works(cast):
    response = Client().post("/accounts/login/", {"login": cast.peer.user.email, "password": PASSWORD})
    assert response.status_code == 302


# --- the footer and the operators' status page

def test_the_status_link_is_only_shown_to_operators(cast):
    assert "/status/" not in cast.client_for(cast.org_admin).get("/").content.decode()
    assert "/status/" not in Client().get("/accounts/login/").content.decode()
    assert 'href="/status/"' in cast.client_for(cast.superuser).get("/status/").content.decode()


def test_the_status_page_is_words_for_operators_and_missing_for_everyone_else(cast, time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC), tick=False)
    sweeps.ensure_schedules()
    for name in sweeps.SWEEPS:
        with sweeps.running(name):
            pass
    time_machine.move_to(dt.datetime(2026, 6, 10, 12, 2, 1, tzinfo=dt.UTC), tick=False)  # send: every 60 s
    response = cast.client_for(cast.superuser).get("/status/")
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "<h1>Systemstatus</h1>" in html and "Tandem ist nicht vollständig bereit" in html
    assert "<dt>Datenbank</dt><dd>antwortet</dd>" in html
    late = re.search(r"<code>notifications.send</code></th><td>vor 2\xa0Minuten</td><td>1\xa0Minute</td><td>(.*?)</td>", html)
    assert late and "verspätet" in late.group(1)
    assert '{"' not in html
    assert cast.client_for(cast.org_admin).get("/status/").status_code == 404
    assert Client().get("/status/").status_code == 302


def test_the_status_page_says_when_all_is_well(cast):
    html = cast.client_for(cast.superuser).get("/status/").content.decode()
    assert "Tandem ist bereit" in html


def test_machines_still_read_json_at_health(cast):
    response = Client().get("/health/")
    assert response["Content-Type"] == "application/json" and "healthy" in response.json()


# --- Leichte Sprache

def test_the_easy_read_page_is_public_and_german(cast):
    response = Client().get("/leichte-sprache/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div class="easy-read" lang="de">' in html
    for heading in ("Was ist Tandem?", "Was passiert mit einer Irritation?", "Wer kann Ihre Irritation lesen?",
                    "Wie geht Peer-Supervision?", "Wo bekommen Sie Hilfe?"):
        assert f">{heading}</h2>" in html


def test_the_easy_read_page_stays_german_for_an_english_reader(cast):
    user = cast.peer.user
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    html = cast.client_for(cast.peer).get("/leichte-sprache/").content.decode()
    translation.activate("de")
    assert '<html lang="en">' in html and "<title>Easy read · Tandem</title>" in html
    assert '<div class="easy-read" lang="de">' in html and "Tandem ist eine Internet-Seite." in html


def test_the_easy_read_sentences_are_short():
    """Leichte Sprache: one statement per sentence; a sentence of more than 12 words has more than one."""
    from django.template.loader import render_to_string

    html = render_to_string("easy_read.html")
    text = re.sub(r"<[^>]+>", "\n", html.split('<div class="easy-read" lang="de">', 1)[1])
    sentences = [s.strip() for s in re.split(r"[.?!:]\s|\n", text) if s.strip()]
    assert len(sentences) > 40
    long = [s for s in sentences if len(s.split()) > 12]
    assert not long, long
    # No passive voice ("wird gelesen", "werden informiert").
    assert not re.search(r"\b(wird|werden|wurde|wurden)\b", text)


@pytest.mark.parametrize("who", ["anon", "peer", "team_lead"])
def test_every_footer_links_the_easy_read_page(cast, who):
    client = Client() if who == "anon" else cast.client_for(getattr(cast, who))
    for path in ("/accounts/login/", "/leichte-sprache/") if who == "anon" else ("/", "/profile/", "/notifications/"):
        html = client.get(path, follow=True).content.decode()
        footer = html.split('<footer class="site-footer">', 1)[1]
        assert '<a href="/leichte-sprache/" lang="de" hreflang="de">Leichte Sprache</a>' in footer, path


def test_the_start_page_links_the_easy_read_page(cast):
    main = cast.client_for(cast.peer).get("/").content.decode().split("<main", 1)[1].split("</main>")[0]
    assert 'href="/leichte-sprache/"' in main


def test_a_page_whose_invalid_form_has_another_name_still_says_error(rf, cast):
    """``render_form`` tells the layout about every form sent back with errors, whatever its name."""
    from django import forms
    from django.contrib.auth.models import AnonymousUser

    from tandem import web

    class Answer(forms.Form):
        choice = forms.CharField()

    request = rf.post("/", {})
    request.user = AnonymousUser()
    context = {"errors": [], "back_url": "/", "back_label": "Zurück", "answer_form": Answer({})}
    response = web.render_form(request, "refused.html", context, context["answer_form"])
    assert response.status_code == 422
    assert title(response.content.decode()).startswith("Fehler: ")
    fine = web.render_form(request, "refused.html", {**context, "answer_form": Answer({"choice": "x"})}, Answer({"choice": "x"}))
    assert fine.status_code == 200 and not title(fine.content.decode()).startswith("Fehler")
