"""Every page each role can reach, checked like a person would meet it: a crawl per role.

The demo organisation (``seed_demo``: tandems, irritations, groups, sessions, polls) gives pages with
content; the fixed cast of the other tests, with almost nothing in it yet, gives the empty states. Each
crawl runs at phone width (360 × 740), where axe, the sideways scroll, the table headers and the
navigation are checked on every page; two crawls run on a desktop. Every form found is sent back empty
once, and its error state must be announced (see ``crawl.ERROR_STATE_JS``).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import call_command

from tandem.demo import DEMO_PASSWORD

from .crawl import crawl
from .harness import PHONE, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO = {
    "org_admin": "admin@example.org",
    "team_lead": "teamleitung@example.org",
    "peer": "peer@example.org",
    "mentor": "mentorin@example.org",
    "professional": "fachkraft@example.org",
    "supervisor": "supervision@example.org",
}


@pytest.fixture
def demo() -> None:
    from io import StringIO

    call_command("seed_demo", stdout=StringIO())


@pytest.mark.parametrize("role", list(DEMO))
def test_every_page_of_a_role_at_phone_width(people: Callable[..., Person], demo: None, role: str) -> None:
    person = people(role, "de", viewport=PHONE)
    person.sign_in(DEMO[role], DEMO_PASSWORD)
    result = crawl(person, "/", phone=True)
    result.assert_clean()
    assert len(result.visited) >= 5, result.visited


def test_every_page_without_an_account(people: Callable[..., Person], demo: None) -> None:
    person = people("visitor", "de", viewport=PHONE)
    result = crawl(person, "/accounts/login/", phone=True)
    result.assert_clean()
    assert "/leichte-sprache/" in result.visited
    assert "/accounts/login/" in result.error_states  # the sign-in sent empty


@pytest.mark.parametrize("role", ["team_lead", "peer"])
def test_empty_states_on_a_desktop_in_english(people: Callable[..., Person], staff: object, role: str, password: str, lang: str) -> None:
    if lang != "en":
        pytest.skip("one language is enough for the empty states; the phone crawls read German")
    person = people(role, "en")
    person.sign_in(getattr(staff, role).user.email, password)
    result = crawl(person, "/")
    result.assert_clean()
    assert result.error_states, "no form was sent back with errors"
