"""Journey 2: a peer's irritations with her mentor, one clarified together, one escalating on time.

Time is controlled by the test: time-machine moves this process (the live server runs in it) three days
ahead and the escalation sweep runs as its Celery task would (``escalate_irritations.apply()``), so the
database decides what is due exactly as in production. The browser's clock is not involved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.utils import timezone

from mentoring.models import Irritation
from mentoring.tasks import escalate_irritations
from pairing import services as pairing
from pairing.models import Tandem
from tests.factories import agreed_through_services

from .harness import Person, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "de": {
        "title": "Wie eine Klientin behandelt",
        "happened": "In der Teamsitzung wurde über meine Medikation gesprochen, als wäre ich Klientin.",
        "title2": "Zu viele Termine am Montag",
        "happened2": "Montags habe ich sechs Hausbesuche hintereinander.",
        "mentor": "Danke, dass Sie das aufschreiben. Wollen wir am Donnerstag telefonieren?",
        "peer": "Donnerstag passt gut.",
        "proposal": "Ich spreche die Teamleitung an: Gesundheitsfragen gehören nicht in die Teamsitzung.",
    },
    "en": {
        "title": "Treated like a client",
        "happened": "In the team meeting my medication came up as if I were a client.",
        "title2": "Too many appointments on Monday",
        "happened2": "On Mondays I have six home visits in a row.",
        "mentor": "Thank you for writing it down. Shall we talk on Thursday?",
        "peer": "Thursday suits me well.",
        "proposal": "I will raise it with the team lead: health questions do not belong in the team meeting.",
    },
}


@pytest.fixture
def paired(staff: object) -> Tandem:
    """The peer has her mentor and an active tandem with the professional."""
    lead = staff.team_lead.user  # type: ignore[attr-defined]
    agreed_through_services(staff.peer, staff.mentor, by=lead)  # type: ignore[attr-defined]
    tandem = pairing.propose(
        team=staff.team, peer=staff.peer, professional=staff.professional, by=lead, accept_warnings=True  # type: ignore[attr-defined]
    )
    pairing.confirm(tandem=tandem, by=staff.peer)  # type: ignore[attr-defined]
    return pairing.confirm(tandem=tandem, by=staff.professional)  # type: ignore[attr-defined]


def post(person: Person, action: str, *, shot: str | None = None, **fields: str) -> None:
    """Fill and submit the form that posts to ``action`` on the current page."""
    form = person.page.locator(f"main form[action='{action}']")
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    person.click_and_arrive(form.locator("button[type=submit]").first, shot=shot)


def raise_irritation(peer: Person, *, title: str, happened: str, mode: str, clarify_by: str = "") -> Irritation:
    peer.goto("/")
    peer.click_and_arrive(peer.page.locator("header a[href='/mentoring/irritations/']"), shot="my-irritations")
    peer.click_and_arrive(peer.page.locator("main a[href='/mentoring/irritations/new/']").first, shot="irritation-new", phone=True)
    form = peer.page.locator("main form[method=post]")
    form.locator("[name=title]").fill(title)
    form.locator("[name=what_happened]").fill(happened)
    form.locator("[name=happened_on]").fill(today().isoformat())
    form.locator("[name=category]").select_option("treated_as_client" if mode == "mentor_now" else "workload")
    form.locator("[name=tandem]").select_option(index=1)
    form.locator(f"[name=start_mode][value={mode}]").check()
    if clarify_by:
        form.locator("[name=clarify_by]").fill(clarify_by)
    peer.click_and_arrive(form.locator("button[type=submit]"))
    irritation = Irritation.objects.get(title=title)
    assert peer.path() == f"/mentoring/irritations/{irritation.pk}/", peer.text()[:800]
    return irritation


def test_irritation_clarified_with_the_mentor_and_one_escalating_on_time(
    people: Callable[..., Person], staff: object, paired: Tandem, lang: str, password: str
) -> None:
    text = TEXT[lang]
    peer, mentor = people("peer", lang), people("mentor", lang)
    peer.sign_in(staff.peer.user.email, password)  # type: ignore[attr-defined]
    mentor.sign_in(staff.mentor.user.email, password)  # type: ignore[attr-defined]

    # She raises an irritation and asks her mentor for help now.
    first = raise_irritation(peer, title=text["title"], happened=text["happened"], mode="mentor_now")
    url = f"/mentoring/irritations/{first.pk}/"

    # The mentor finds it among her mentees, acknowledges it and writes to her.
    mentor.goto("/mentoring/mentees/", shot="mentees", phone=True)
    mentor.click_and_arrive(mentor.page.locator(f"main a[href='{url}']"))
    post(mentor, f"{url}acknowledge/")
    post(mentor, f"{url}message/", body=text["mentor"])
    assert text["mentor"] in mentor.text()

    # They exchange messages.
    peer.goto(url)
    assert text["mentor"] in peer.text()
    post(peer, f"{url}message/", body=text["peer"])

    # The mentor proposes a resolution; she confirms it.
    mentor.goto(url)
    assert text["peer"] in mentor.text()
    post(mentor, f"{url}propose/", proposal=text["proposal"])
    peer.goto(url, shot="irritation", phone=True)
    assert text["proposal"] in peer.text()
    post(peer, f"{url}resolve/")
    first.refresh_from_db()
    assert first.state == Irritation.State.RESOLVED

    # A second irritation she keeps to herself, to be clarified by today; the mentor cannot see it yet.
    second = raise_irritation(
        peer, title=text["title2"], happened=text["happened2"], mode="self_first", clarify_by=today().isoformat()
    )
    second_url = f"/mentoring/irritations/{second.pk}/"
    assert mentor.goto(second_url).status == 404

    # Nobody touches it. Two days later the sweep finds it unresolved and escalates it to the mentor.
    later = timezone.now() + dt.timedelta(days=2)
    with time_machine.travel(later, tick=True):
        assert escalate_irritations.apply().get() >= 1
        second.refresh_from_db()
        assert second.escalated_at is not None and second.mentor_id == staff.mentor.pk  # type: ignore[attr-defined]

        mentor = people("mentor, two days later", lang)
        mentor.sign_in(staff.mentor.user.email, password)  # type: ignore[attr-defined]
        mentor.goto("/mentoring/mentees/")
        entry = mentor.page.locator(f"main li:has(a[href='{second_url}'])")
        assert entry.locator(".badge.warning").count() >= 1  # "escalated"
        mentor.click_and_arrive(entry.locator(f"a[href='{second_url}']"), shot="irritation-escalated")
        assert text["happened2"] in mentor.text()

        # The tandem professional signs in and finds no trace of either irritation.
        professional = people("tandem professional", lang)
        professional.sign_in(staff.professional.user.email, password)  # type: ignore[attr-defined]
        seen = []
        for path in ["/", "/notifications/", "/tandems/", f"/tandems/{paired.pk}/"]:
            professional.goto(path)
            seen.append(professional.page.locator("body").inner_text())
        for secret in (text["title"], text["happened"], text["title2"], text["happened2"], text["proposal"]):
            assert not any(secret in page for page in seen), f"the professional saw {secret!r}"
        for path in (url, second_url):
            assert professional.goto(path).status == 404
