"""Property-based tests: hostile input to every form never gives a 500, never saves a partial
record, and always tells the person what is wrong.

The fields of each form are read from the rendered page (inputs, selects, textareas), so a field
added later is fuzzed too. Values mix hostile text (very long, control characters, HTML and
script, SQL, numbers and dates out of range) with the select options the page offers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), max_size=10),  # control characters, NUL
    st.just("x" * 5000),
    st.just("<script>alert(1)</script>"),
    st.just("'; DROP TABLE mentoring_irritation; --"),
    st.just("<img src=x onerror=alert(1)>"),
    st.sampled_from(["-1", "0", "99999999999999999999", "1e309", "NaN", "3.5", "-32769"]),
    st.sampled_from(["0000-00-00", "9999-12-31", "0001-01-01", "2026-02-31", "31.02.2026", "24:61", "2026-13-01T25:00"]),
    st.sampled_from(["not-an-email", "a@b", "@@", "peer@example.org"]),
)

_FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.IGNORECASE)
_NAME = re.compile(r'name="([^"]+)"')
_TYPE = re.compile(r'type="([^"]+)"')
_SELECT = re.compile(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', re.IGNORECASE | re.DOTALL)
_OPTION = re.compile(r'<option[^>]*value="([^"]*)"')
_MESSAGE = re.compile(r'class="[^"]*(errorlist|error|warning)[^"]*"|role="alert"')


def form_fields(page: str, action: str) -> dict[str, list[str]]:
    """The fields of the form posting to ``action`` (a form without an action posts to its page)."""
    forms = re.findall(r'(<form[^>]*method="post"[^>]*>.*?</form>)', page, re.IGNORECASE | re.DOTALL)
    chosen = [f for f in forms if f'action="{action}"' in f.split(">", 1)[0]]
    if not chosen:
        chosen = [f for f in forms if "action=" not in f.split(">", 1)[0]]
    assert chosen, f"no form posting to {action} on the page"
    body = chosen[0]
    fields: dict[str, list[str]] = {}
    for _tag, attrs in _FIELD.findall(body):
        name = _NAME.search(attrs)
        kind = _TYPE.search(attrs)
        if not name or name.group(1) == "csrfmiddlewaretoken" or (kind and kind.group(1) in {"submit", "hidden"}):
            continue
        fields.setdefault(name.group(1), [])
    for name, options in _SELECT.findall(body):
        fields[name] = _OPTION.findall(options)
    return fields


def _counts(labels: list[str]) -> dict[str, int]:
    return {label: apps.get_model(label)._base_manager.count() for label in labels}


class _Rollback(Exception):
    pass


def read_form(client: Client, page_url: str, url: str) -> dict[str, list[str]]:
    page = client.get(page_url)
    assert page.status_code == 200, page_url
    fields = form_fields(page.content.decode(), url)
    assert fields, f"no form fields found on {url}"
    return fields


@dataclass(frozen=True)
class Form:
    client: Client
    url: str  # where it posts
    fields: dict[str, list[str]]  # name -> the options of a select (empty for other fields)
    signed_in: bool


def fuzz(form: Form, labels: list[str], data: st.DataObject) -> None:
    """One example, rolled back afterwards: an accepted form (say, requiring MFA for the whole
    organisation) must not change what the next example sees (so the form read once stays valid)."""
    try:
        with transaction.atomic():
            _fuzz_once(form, labels, data)
            raise _Rollback
    except _Rollback:
        pass


def _fuzz_once(form: Form, labels: list[str], data: st.DataObject) -> None:
    client, url, fields = form.client, form.url, form.fields
    # A browser always sends something; an unknown field keeps the form bound when nothing else is.
    post: dict[str, Any] = {"fuzz": "1"}
    for name, options in fields.items():
        choices = HOSTILE_TEXT if not options else st.one_of(st.sampled_from(options), HOSTILE_TEXT)
        if data.draw(st.booleans(), label=f"send {name}"):
            post[name] = data.draw(choices, label=name)
    before = _counts(labels)
    response = client.post(url, post)
    assert response.status_code < 500, (url, post)
    # Still signed in: an example that lost the session would only prove the redirect to the sign-in page.
    assert response.wsgi_request.user.is_authenticated or not form.signed_in, (url, post)
    if response.status_code in (301, 302, 303):
        return  # accepted: valid input (after cleaning) is allowed to save
    assert response.status_code in (200, 422), (url, response.status_code)
    assert _MESSAGE.search(response.content.decode()), f"{url}: refused without a message for {post!r}"
    assert _counts(labels) == before, f"{url}: a refused form saved something: {post!r}"


FORMS = [
    # (role, url template ["page -> action" when the form posts elsewhere], models that must not
    # change when the form is refused)
    ("peer", "/mentoring/irritations/new/", ["mentoring.Irritation", "mentoring.IrritationMessage"]),
    ("peer", "/mentoring/irritations/{irritation}/ -> message/", ["mentoring.IrritationMessage"]),
    ("mentor", "/mentoring/irritations/{irritation}/ -> propose/", []),
    ("org_admin", "/invitations/new/", ["accounts.Invitation"]),
    ("team_lead", "/tandems/propose/?team={team}", ["tandem.Tandem"]),  # the team is chosen first
    ("team_lead", "/mentoring/mentors/assign/", ["mentoring.MentorAssignment"]),
    ("peer", "/tandems/{tandem}/reflections/new/", ["tandem.Reflection"]),
    ("team_lead", "/tandems/{tandem}/support/new/", ["tandem.SupportProcess"]),
    ("team_lead", "/tandems/{tandem}/end/", ["tandem.Tandem"]),
    ("mentor", "/mentoring/mentees/{mentor_assignment}/check-in/", ["mentoring.CheckIn"]),
    ("supervisor", "/supervision/groups/new/", ["supervision.SupervisionGroup"]),
    ("supervisor", "/supervision/groups/{group}/sessions/new/", ["supervision.Session"]),
    ("supervisor", "/supervision/groups/{group}/series/new/", ["supervision.Series", "supervision.Session"]),
    ("supervisor", "/supervision/groups/{group}/polls/new/", ["supervision.DatePoll", "supervision.PollSlot"]),
    ("supervisor", "/supervision/sessions/{session}/change/", []),
    ("peer", "/profile/", []),
    ("peer", "/notifications/settings/", ["notifications.NotificationPreference"]),
    ("org_admin", "/organisation/", ["accounts.Organisation"]),
    ("org_admin", "/tandems/settings/", []),
    ("org_admin", "/mentoring/settings/", []),
    ("anon", "/invitation/{invitation_token}/", ["accounts.User", "accounts.Membership"]),
    ("team_lead", "/people/{peer_membership}/", []),
    ("org_admin", "/organisation/ -> services/new/", ["accounts.Service"]),
    ("org_admin", "/organisation/ -> teams/new/", ["accounts.Team"]),
    ("peer", "/profile/ -> placements/", ["accounts.PlacementConflict"]),
    ("peer", "/mentoring/irritations/{irritation}/ -> date/", []),
    ("peer", "/supervision/sessions/{session}/ -> answer/", ["supervision.Rsvp"]),
    ("peer", "/supervision/sessions/{session}/ -> notes/", ["supervision.SessionNote"]),
    ("peer", "/supervision/polls/{poll}/ -> answer/", ["supervision.PollAnswer"]),
    ("team_lead", "/tandems/{tandem}/pause/", ["tandem.TandemPause"]),
]


@pytest.fixture
def hostile_form(world: Any, role: str, url: str) -> Form:
    """The form, read once from its page for all examples of a test (a fixture is set up once per test,
    not per example; each example is rolled back, so the page does not change between examples)."""
    client = world.cast.client_for(None if role == "anon" else getattr(world.cast, role))
    values = {**world.values, **{k: v.pk for k, v in world.objects.items()}}
    page, _arrow, action = url.format(**values).partition(" -> ")
    return Form(client, page + action, read_form(client, page, page + action), signed_in=role != "anon")


@pytest.mark.parametrize(("role", "url", "labels"), FORMS, ids=[f[1] for f in FORMS])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_input_never_breaks_a_form(hostile_form: Form, labels: list[str], data: st.DataObject) -> None:
    fuzz(hostile_form, labels, data)
