"""The main pages with the keyboard alone, at 360 pixels, and free of axe violations, in both languages."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts.models import Invitation, User
from accounts.services import invite
from tandem.notifications import sending

from .harness import DESKTOP, PHONE, Mailbox, PageProblem, Person, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(person: Person, selector: str, *, limit: int = 40) -> None:
    """Press Tab until ``selector`` has the focus; fail if it is not reachable by keyboard."""
    target = person.page.locator(selector)
    for _ in range(limit):
        person.page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def test_sign_in_with_the_keyboard_alone(people: Callable[..., Person], staff: object, lang: str, password: str) -> None:
    person = people("team lead", lang)
    person.goto("/accounts/login/", shot="sign-in", phone=True)
    tab_to(person, "input[name=login]")
    person.page.keyboard.type(staff.team_lead.user.email)  # type: ignore[attr-defined]
    tab_to(person, "input[name=password]")
    person.page.keyboard.type(password)
    person.press_and_arrive("Enter", shot="start")
    assert person.path() == "/"
    assert ("Hallo, Lea Hoffmann" if lang == "de" else "Hello, Lea Hoffmann") in person.text()


def test_accept_an_invitation_with_the_keyboard_alone(
    people: Callable[..., Person], staff: object, lang: str, mailbox: Mailbox
) -> None:
    invite(
        by=staff.team_lead.user,  # type: ignore[attr-defined]
        organisation=staff.organisation,  # type: ignore[attr-defined]
        email="neu@example.org",
        full_name="Nora Neumann",
        roles=["peer"],
        team=staff.team,  # type: ignore[attr-defined]
    )
    sending.send_due()  # the outbox sender, as the worker runs it
    link = Mailbox.link(mailbox.wait_for("neu@example.org"), "/invitation/")
    person = people("invitee", "de")
    person.goto(link, shot="invitation-accept", phone=True)
    if lang == "en":
        person.switch_language("en")
    tab_to(person, "input[name=password1]")
    person.page.keyboard.type("ein-gutes-Passwort-2026")
    tab_to(person, "input[name=password2]")
    person.page.keyboard.type("ein-gutes-Passwort-2026")
    person.press_and_arrive("Enter")
    assert person.path() == "/"
    assert Invitation.objects.get(email="neu@example.org").state == Invitation.State.ACCEPTED


def test_team_lead_pages(people: Callable[..., Person], staff: object, lang: str, password: str) -> None:
    person = people("team lead", lang)
    person.sign_in(staff.team_lead.user.email, password)  # type: ignore[attr-defined]
    for path in ["/people/", "/invitations/", "/invitations/new/", "/profile/", "/notifications/"]:
        person.goto(path, shot="lead-" + path.strip("/").replace("/", "-"), phone=True)


def test_language_chosen_on_the_invitation_page_is_kept(
    people: Callable[..., Person], cast: object, mailbox: Mailbox
) -> None:
    invite(
        by=cast.team_lead.user,  # type: ignore[attr-defined]
        organisation=cast.organisation,  # type: ignore[attr-defined]
        email="new@example.org",
        roles=["professional"],
    )
    sending.send_due()
    person = people("invitee", "en")  # who chose English with the language switch
    person.goto(Mailbox.link(mailbox.wait_for("new@example.org"), "/invitation/"))
    form = person.page.locator("main form[method=post]")
    form.locator("input[name=full_name]").fill("Nick New")
    form.locator("input[name=password1]").fill("a-good-Password-2026")
    form.locator("input[name=password2]").fill("a-good-Password-2026")
    person.click_and_arrive(form.locator("button[type=submit]"))  # the next page is checked to be English
    assert User.objects.get(email="new@example.org").preferred_language == "en"


def test_german_date_fields_show_their_initial_date(people: Callable[..., Person], cast: object, password: str) -> None:
    """A type=date input only accepts an ISO value; a German-formatted one shows an empty field."""
    from tests.factories import MentorAssignmentFactory

    assignment = MentorAssignmentFactory(peer=cast.peer, mentor=cast.mentor)  # type: ignore[attr-defined]
    user = cast.mentor.user  # type: ignore[attr-defined]
    user.full_name, user.preferred_language = "Mia Mentor", "de"
    user.save()
    mentor = people("mentor", "de")
    mentor.sign_in(user.email, password)
    mentor.goto(f"/mentoring/mentees/{assignment.pk}/check-in/")
    assert mentor.page.locator("input[name=held_on]").input_value() == today().isoformat()


@pytest.mark.django_db  # no live server: rolled back instead of flushed
def test_the_checks_can_fail(chromium: object, lang: str) -> None:
    """A page with an unlabelled field, words of the other language, a too wide table, a header narrower
    than its word and touch targets too small and too close fails every check."""
    context = chromium.new_context(viewport=DESKTOP)  # type: ignore[attr-defined]
    person = Person(context, base_url="http://127.0.0.1", lang=lang, label="tester", shots=set())
    other = "Please save your password" if lang == "de" else "Bitte speichern Sie das Passwort"
    person.page.set_content(
        f'<html lang="{lang}"><head><title>T</title></head><body><main><h1>T</h1><p>{other}</p>'
        '<input type="text"><table><tr><td><div style="width:900px">x</div></td></tr></table>'
        '<table style="width:40px;table-layout:fixed"><thead><tr><th>Teamleitung</th></tr></thead></table>'
        '<a href="/a" style="font-size:8px">a</a> <a href="/b" style="font-size:8px">b</a></main></body></html>'
    )
    with pytest.raises(PageProblem) as problem:
        person.arrive(phone=True)
    context.close()
    report = str(problem.value)
    assert "label" in report  # axe: form element without a label
    assert "untranslated" in report
    assert "too wide" in report
    assert 'header cell "Teamleitung"' in report  # a header narrower than its word
    assert "target-size" in report  # WCAG 2.2: two tiny links next to each other



def test_year_in_numbers_on_a_phone_and_a_desktop(
    people: Callable[..., Person], staff: object, lang: str, password: str
) -> None:
    """The report for management and funders: axe clean, whole words at 360 px, in both languages."""
    person = people("team lead", lang)
    person.sign_in(staff.team_lead.user.email, password)  # type: ignore[attr-defined]
    person.goto("/reports/", shot="report", phone=True)
    assert ("Das Jahr in Zahlen" if lang == "de" else "The year in numbers") in person.text()
    person.goto(f"/reports/?kind=quarter&year={today().year}&quarter=1", shot="report-quarter", phone=True)


def test_the_phone_menu_opens_and_closes_with_the_keyboard(people: Callable[..., Person], staff: object, password: str, lang: str) -> None:
    person = people("team lead", lang, viewport=PHONE)
    person.sign_in(staff.team_lead.user.email, password)  # type: ignore[attr-defined]
    page = person.page
    toggle = page.locator(".nav-toggle")
    people_link = page.locator(".main-nav a[href='/people/']")
    assert toggle.is_visible() and not people_link.is_visible()
    assert page.locator(".site-header").bounding_box()["height"] <= PHONE["height"] / 4  # type: ignore[index]
    tab_to(person, ".nav-toggle")
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true" and people_link.is_visible()
    box = people_link.bounding_box()
    assert box and box["height"] >= 24  # a target a finger can hit (WCAG 2.2, 2.5.8)
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false" and not people_link.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('nav-toggle')")
    page.keyboard.press("Enter")
    person.click_and_arrive(people_link, phone=True)
    assert person.path() == "/people/"
    # On a desktop the whole navigation shows, without a menu button.
    page.set_viewport_size(DESKTOP)
    assert not toggle.is_visible() and page.locator(".main-nav a[href='/people/']").is_visible()


def test_a_failed_sign_in_is_announced_and_leads_to_the_field(people: Callable[..., Person], staff: object, lang: str) -> None:
    person = people("peer", lang)
    person.goto("/accounts/login/")
    person.page.locator("input[name=login]").fill(staff.peer.user.email)  # type: ignore[attr-defined]
    person.page.locator("input[name=password]").fill("not-her-password")
    person.press_and_arrive("Enter", shot="sign-in-failed")
    page = person.page
    summary = page.locator("[data-error-summary]")
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.title().startswith("Fehler: " if lang == "de" else "Error: ")
    assert page.locator("input[name=login]").input_value() == staff.peer.user.email  # type: ignore[attr-defined]


def test_an_error_summary_link_moves_the_focus_to_its_field(people: Callable[..., Person], staff: object, lang: str, password: str) -> None:
    person = people("team lead", lang)
    person.sign_in(staff.team_lead.user.email, password)  # type: ignore[attr-defined]
    person.goto("/invitations/new/")
    form = person.page.locator("main form[method=post]")
    form.locator("input[name=email]").fill("nicht-eine-adresse")
    person.click_and_arrive(form.locator("button[type=submit]"), phone=True)
    page = person.page
    assert page.title().startswith("Fehler: " if lang == "de" else "Error: ")
    links = page.locator("[data-error-summary] a")
    assert links.count() == 2  # the address and the roles (a checkbox group)
    links.nth(1).click()
    assert page.evaluate("document.activeElement.id") == "id_roles_0"
    assert "id_roles_error" in (page.locator("#id_roles_0").get_attribute("aria-describedby") or "")
    links.nth(0).click()
    assert page.evaluate("document.activeElement.id") == "id_email"
