"""Journey 1: a team lead invites a peer and a professional, assigns a mentor, proposes a tandem; both confirm.

Every page on the way is checked by ``Person.arrive()`` (language, axe, console); the main pages also at
360 pixels. The invitation links come from the e-mails the application really sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from celery import current_app

from accounts.models import Invitation, Membership
from mentoring import services as mentoring_services
from mentoring.models import MentorAssignment
from pairing.models import Tandem
from tandem.notifications.models import DeliverySettings

from .harness import Mailbox, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Fahrrad-Tandem-2026!"


def invite(lead: Person, *, email: str, name: str, role: str, team_id: int) -> None:
    lead.goto("/invitations/")
    lead.click_and_arrive(lead.page.locator("main a[href='/invitations/new/']").first, shot="invite", phone=True)
    form = lead.page.locator("main form[method=post]")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=full_name]").fill(name)
    form.locator(f"input[name=roles][value={role}]").check()
    form.locator("select[name=team]").select_option(str(team_id))
    lead.click_and_arrive(form.locator("button[type=submit]"), shot="invitations")
    assert lead.path() == "/invitations/", lead.text()[:500]
    assert email in lead.text()


def accept(person: Person, mailbox: Mailbox, email: str, lang: str) -> Membership:
    """The invitation e-mail and page are German first; an English reader switches after signing up.

    (Switching on the invitation page itself is lost when the account is created: see
    test_accessibility.test_language_chosen_on_the_invitation_page_is_kept.)
    """
    link = Mailbox.link(mailbox.wait_for(email), "/invitation/")
    person.goto(link, shot="invitation-accept")
    form = person.page.locator("main form[method=post]")
    form.locator("input[name=password1]").fill(NEW_PASSWORD)
    form.locator("input[name=password2]").fill(NEW_PASSWORD)
    person.click_and_arrive(form.locator("button[type=submit]"))
    assert person.path() == "/", person.text()[:500]
    if lang != "de":
        person.switch_language(lang)
    return Membership.objects.get(user__email=email)


def submit(person: Person, *, shot: str | None = None) -> None:
    person.click_and_arrive(person.page.locator("main form[method=post] button[type=submit]").last, shot=shot)


def outside_quiet_hours(user: object) -> None:
    """E-mails wait for the end of quiet hours (20:00 to 07:00 by default): move them away from now."""
    now = dt.datetime.now(ZoneInfo("Europe/Berlin"))
    DeliverySettings.objects.update_or_create(
        user=user,
        defaults={"quiet_from": (now + dt.timedelta(hours=2)).time(), "quiet_until": (now + dt.timedelta(hours=3)).time()},
    )


def test_team_lead_invites_pairs_and_both_partners_confirm(
    people: Callable[..., Person],
    staff: object,
    lang: str,
    password: str,
    mailbox: Mailbox,
    celery_worker: object,
) -> None:
    team = staff.team  # type: ignore[attr-defined]
    lead = people("team lead", lang)
    lead.sign_in(staff.team_lead.user.email, password, shot="sign-in")  # type: ignore[attr-defined]

    # The team lead invites a peer and a professional into the team.
    invite(lead, email="rosa@example.org", name="Rosa Winter", role="peer", team_id=team.pk)
    invite(lead, email="karl@example.org", name="Karl Busch", role="professional", team_id=team.pk)

    # Both set a password through the link in their e-mail.
    rosa, karl = people("new peer", "de"), people("new professional", "de")  # no language chosen yet
    peer = accept(rosa, mailbox, "rosa@example.org", lang)
    professional = accept(karl, mailbox, "karl@example.org", lang)
    assert Invitation.objects.filter(accepted_at__isnull=False).count() == 2
    assert peer.is_peer and professional.is_professional
    outside_quiet_hours(peer.user)  # so that her e-mails are due now, whenever the test runs

    # The team lead assigns a mentor to the new peer.
    lead.goto("/mentoring/mentors/", shot="mentors", phone=True)
    lead.goto(f"/mentoring/mentors/assign/?peer={peer.pk}", shot="assign-mentor", phone=True)
    form = lead.page.locator("main form[method=post]")
    form.locator("select[name=peer]").select_option(str(peer.pk))
    form.locator("select[name=mentor]").select_option(str(staff.mentor.pk))  # type: ignore[attr-defined]
    submit(lead)
    proposal = MentorAssignment.objects.proposed().get(peer=peer, mentor=staff.mentor)  # type: ignore[attr-defined]
    # Mentoring by consent: it begins when the peer has accepted and the mentor has agreed.
    mentoring_services.accept_mentoring(assignment=proposal, by=peer.user)
    mentoring_services.accept_mentoring(assignment=proposal, by=staff.mentor.user)  # type: ignore[attr-defined]
    assert MentorAssignment.objects.current().filter(peer=peer, mentor=staff.mentor).exists()  # type: ignore[attr-defined]
    assert "Mara Lindner" in lead.text()

    # ... and proposes the tandem; notes on the rules of practice are read and accepted.
    # First the team, then the people of that team (works without JavaScript).
    lead.goto("/tandems/propose/", shot="propose-team", phone=True)
    step = lead.page.locator("main form[method=get]")
    step.locator("select[name=team]").select_option(str(team.pk))
    lead.click_and_arrive(step.locator("button[type=submit]"), shot="propose")
    form = lead.page.locator("main form[method=post]")
    form.locator("select[name=peer]").select_option(str(peer.pk))
    form.locator("select[name=professional]").select_option(str(professional.pk))
    form.locator("textarea[name=purpose]").fill(
        "Gemeinsame Hausbesuche im Wohnverbund" if lang == "de" else "Home visits together in supported housing"
    )
    submit(lead)
    if lead.path() == "/tandems/propose/":
        lead.page.locator("main input[name=accept_warnings]").check()
        submit(lead)
    tandem = Tandem.objects.get(peer=peer, professional=professional)
    assert lead.path() == f"/tandems/{tandem.pk}/", lead.text()[:800]

    # The Celery worker sends the outbox: the new peer follows the link in her e-mail; the professional
    # finds the proposal under "My tandems". Both confirm after getting to know each other.
    current_app.send_task("notifications.send_due_notifications")
    proposal = mailbox.wait_for("rosa@example.org", body=f"/tandems/{tandem.pk}/")
    rosa.goto(Mailbox.link(proposal, f"/tandems/{tandem.pk}/"), shot="tandem-proposed")
    karl.goto("/")
    karl.click_and_arrive(karl.page.locator("header a[href='/tandems/']"), shot="my-tandems")
    karl.click_and_arrive(karl.page.locator(f"main a[href='/tandems/{tandem.pk}/']").first)
    for partner in (rosa, karl):
        partner.click_and_arrive(
            partner.page.locator(f"main form[action='/tandems/{tandem.pk}/confirm/'] button"), shot="tandem", phone=True
        )
    tandem.refresh_from_db()
    assert tandem.state == Tandem.State.ACTIVE

    # The team lead's dashboard counts the active tandem in the team; the count leads to the pair.
    lead.goto("/tandems/dashboard/", shot="dashboard", phone=True)
    active = lead.page.locator(f"main a[href='/tandems/all/?team={team.pk}&state=active']")
    assert active.inner_text().strip() == "1"
    lead.click_and_arrive(active, shot="tandem-list")
    listed = lead.text()
    assert "Rosa Winter" in listed and "Karl Busch" in listed
