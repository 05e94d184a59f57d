"""The pairing pages in a real browser, German and English: language, axe, console, 360 pixels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from pairing.models import Reflection, SupportProcess, Tandem
from tests.factories import MentorAssignmentFactory

from .harness import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_team_lead_and_partners_use_the_pairing_pages(
    people: Callable[..., Person], staff: object, lang: str, password: str
) -> None:
    cast = staff
    today = timezone.localdate()
    MentorAssignmentFactory(organisation=cast.organisation, peer=cast.peer, mentor=cast.mentor)  # type: ignore[attr-defined]
    active = Tandem.objects.create(
        organisation=cast.organisation, team=cast.team, peer=cast.other_peer, professional=cast.professional,  # type: ignore[attr-defined]
        state="active", started_on=today - dt.timedelta(weeks=12), activated_on=today - dt.timedelta(weeks=12),
    )
    SupportProcess.objects.create(
        organisation=cast.organisation, tandem=active, client_code="K-0417",  # type: ignore[attr-defined]
        started_on=today - dt.timedelta(days=320), planned_end_on=today + dt.timedelta(days=45),
    )
    Reflection.objects.create(tandem=active, author=cast.other_peer, how_it_goes="Gut", shared_at=timezone.now())  # type: ignore[attr-defined]

    lead = people("team lead", lang)
    lead.sign_in(cast.team_lead.user.email, password)  # type: ignore[attr-defined]
    lead.goto("/tandems/dashboard/", phone=True)
    lead.goto(f"/tandems/dashboard/?team={cast.team.pk}")  # type: ignore[attr-defined]
    lead.goto(f"/tandems/all/?team={cast.team.pk}&state=active")  # type: ignore[attr-defined]
    lead.goto("/tandems/without-mentor/")
    lead.goto("/tandems/overdue-reflections/")
    lead.goto("/tandems/support/?ending=1")
    lead.goto(f"/tandems/suggestions/?team={cast.team.pk}&peer={cast.peer.pk}", phone=True)  # type: ignore[attr-defined]
    lead.goto(f"/tandems/propose/?team={cast.team.pk}&peer={cast.peer.pk}&professional={cast.professional.pk}", phone=True)  # type: ignore[attr-defined]
    form = lead.page.locator("main form[method=post]")
    lead.click_and_arrive(form.locator("button[type=submit]"))  # rule 2 / capacity notes need a confirmation
    if lead.path() == "/tandems/propose/":
        lead.page.locator("main input[name=accept_warnings]").check()
        lead.click_and_arrive(lead.page.locator("main form[method=post] button[type=submit]"))
    proposed = Tandem.objects.get(peer=cast.peer, professional=cast.professional)  # type: ignore[attr-defined]
    assert lead.path() == f"/tandems/{proposed.pk}/"
    lead.goto(f"/tandems/{active.pk}/end/", phone=True)
    lead.goto(f"/tandems/{active.pk}/pause/")

    peer = people("peer", lang)
    peer.sign_in(cast.peer.user.email, password)  # type: ignore[attr-defined]
    peer.goto("/tandems/")
    peer.click_and_arrive(peer.page.locator(f"main a[href='/tandems/{proposed.pk}/']").first, phone=True)
    peer.click_and_arrive(peer.page.locator(f"main form[action='/tandems/{proposed.pk}/confirm/'] button"))
    peer.goto(f"/tandems/{proposed.pk}/decline/")

    partner = people("professional", lang)
    partner.sign_in(cast.professional.user.email, password)  # type: ignore[attr-defined]
    partner.goto(f"/tandems/{active.pk}/", phone=True)
    partner.goto(f"/tandems/{active.pk}/reflections/new/", phone=True)
    partner.goto(f"/tandems/support/{SupportProcess.objects.get().pk}/", phone=True)
    partner.goto(f"/tandems/{active.pk}/support/new/")
