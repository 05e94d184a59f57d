"""The pairing pages speak German by default and English when chosen."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pairing.models import Tandem


def _client(cast, who, language):
    client = cast.client_for(who)
    client.post(reverse("accounts:switch_language"), {"language": language, "next": "/"})
    return client


@pytest.mark.parametrize(
    ("language", "dashboard", "propose"),
    [("de", "Übersicht der Teamleitung", "Tandem vorschlagen"), ("en", "Team lead dashboard", "Propose a tandem")],
)
def test_lead_pages_in_both_languages(cast, make_tandem, language, dashboard, propose):
    tandem = make_tandem(Tandem.State.ACTIVE)
    client = _client(cast, cast.team_lead, language)
    assert dashboard in client.get(reverse("tandems:dashboard")).content.decode()
    assert propose in client.get(reverse("tandems:propose")).content.decode()
    body = client.get(tandem.get_absolute_url()).content.decode()
    assert ("Tandem beenden" if language == "de" else "End the tandem") in body


def test_refusal_in_english(cast):
    client = _client(cast, cast.team_lead, "en")
    response = client.post(
        reverse("tandems:propose"),
        {"team": cast.team.pk, "peer": cast.peer.pk, "professional": cast.peer.pk, "started_on": "2026-05-01"},
    )
    assert response.status_code == 422
    assert "A person cannot form a tandem with themselves." in response.content.decode()


def test_partner_sees_my_tandems_in_english(cast, make_tandem):
    make_tandem(Tandem.State.PROPOSED)
    client = _client(cast, cast.peer, "en")
    body = client.get(reverse("tandems:mine")).content.decode()
    assert "My tandems" in body and "Proposed" in body
