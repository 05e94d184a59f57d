"""Navigation entries and start-page items of the pairing domain."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import TeamMembership
from pairing.models import Tandem


def test_team_lead_sees_dashboard_entry_and_peer_sees_my_tandems(cast):
    lead_page = cast.client_for(cast.team_lead).get("/").content.decode()
    assert reverse("tandems:dashboard") in lead_page
    assert f'href="{reverse("tandems:mine")}"' not in lead_page
    peer_page = cast.client_for(cast.peer).get("/").content.decode()
    assert f'href="{reverse("tandems:mine")}"' in peer_page
    assert reverse("tandems:dashboard") not in peer_page


def test_start_page_tells_the_lead_about_lonely_teams(cast):
    TeamMembership.objects.filter(membership=cast.other_peer).delete()
    response = cast.client_for(cast.team_lead).get("/")
    texts = [str(item.text) for item in response.context["attention"]]
    assert any("weniger als zwei" in t for t in texts), texts


def test_start_page_asks_the_partner_to_confirm(cast, make_tandem):
    make_tandem(Tandem.State.PROPOSED, peer_confirmed_at=None, professional_confirmed_at=None)
    response = cast.client_for(cast.professional).get("/")
    texts = [str(item.text) for item in response.context["attention"]]
    assert any("Bestätigung" in t for t in texts), texts
