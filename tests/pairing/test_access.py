"""Every tandem page is fetched through one scoped helper: anything not yours is a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pairing.models import Tandem
from tests.factories import member
from tests.queries import assert_constant_queries


@pytest.mark.parametrize("who", ["outsider", "other_peer", "mentor", "supervisor"])
def test_people_outside_the_tandem_get_404(cast, make_tandem, who):
    tandem = make_tandem(Tandem.State.ACTIVE)
    client = cast.client_for(getattr(cast, who))
    missing = client.get(reverse("tandems:detail", args=[999999]))
    response = client.get(tandem.get_absolute_url())
    assert response.status_code == 404
    assert _main(response) == _main(missing)


def _main(response) -> str:
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


@pytest.mark.parametrize("who", ["peer", "professional", "team_lead", "org_admin"])
def test_partners_and_managers_see_the_tandem(cast, make_tandem, who):
    tandem = make_tandem(Tandem.State.ACTIVE)
    assert cast.client_for(getattr(cast, who)).get(tandem.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("url_name", ["tandems:dashboard", "tandems:propose", "tandems:list", "tandems:suggestions"])
def test_peers_cannot_open_team_lead_pages(cast, url_name):
    assert cast.client_for(cast.peer).get(reverse(url_name)).status_code == 404


def test_outsider_lead_cannot_end_our_tandem(cast, make_tandem):
    tandem = make_tandem(Tandem.State.ACTIVE)
    response = cast.client_for(cast.outsider).post(reverse("tandems:end", args=[tandem.pk]), {"on": "2026-01-01", "reason": "completed"})
    assert response.status_code == 404
    tandem.refresh_from_db()
    assert tandem.state == Tandem.State.ACTIVE


def test_only_org_admin_changes_pairing_settings(cast):
    assert cast.client_for(cast.team_lead).get(reverse("tandems:settings")).status_code == 404
    response = cast.client_for(cast.org_admin).post(
        reverse("tandems:settings"), {"max_active_per_peer": 3, "max_active_per_professional": 4, "reflection_every_weeks": 0}
    )
    assert response.status_code == 422
    response = cast.client_for(cast.org_admin).post(
        reverse("tandems:settings"), {"max_active_per_peer": 3, "max_active_per_professional": 4, "reflection_every_weeks": 8}
    )
    assert response.status_code == 302
    assert cast.organisation.pairing_settings.reflection_every_weeks == 8


def test_my_tandems_lists_only_mine(cast, make_tandem):
    make_tandem(Tandem.State.ACTIVE)
    someone = member(cast.organisation, team=cast.team, is_professional=True)
    make_tandem(Tandem.State.ACTIVE, peer=cast.other_peer, professional=someone)
    response = cast.client_for(cast.peer).get(reverse("tandems:mine"))
    assert response.status_code == 200
    assert [t.professional for t in response.context["page"]] == [cast.professional]


def test_my_tandems_query_count_is_pinned(cast, make_tandem):
    def tandems(n: int) -> None:
        for _ in range(n):
            make_tandem(Tandem.State.ACTIVE, peer=member(cast.organisation, team=cast.team, is_peer=True))

    url = reverse("tandems:mine")
    responses = assert_constant_queries(cast.client_for(cast.professional), url, tandems, expected=10)
    assert {n: len(response.context["page"]) for n, response in responses[url].items()} == {3: 3, 30: 25}  # 25 a page
