"""Empty pages say what they are for and offer the first step (where the person may take it)."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import Team, TeamMembership
from tests.factories import OrganisationFactory, member


def _body(client, url, **params):  # type: ignore[no-untyped-def]
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_my_tandems_explains_what_a_tandem_is_and_who_proposes_it(cast):
    body = _body(cast.client_for(cast.peer), reverse("tandems:mine"))
    assert "Sie sind noch in keinem Tandem." in body and "Ihre Teamleitung schlägt es vor" in body


def test_the_leads_tandem_list_offers_the_first_proposal(cast):
    body = _body(cast.client_for(cast.team_lead), reverse("tandems:list"))
    assert "Es gibt noch kein Tandem." in body
    assert f'href="{reverse("tandems:propose")}"' in body
    filtered = _body(cast.client_for(cast.team_lead), reverse("tandems:list"), state="active")
    assert "Kein Tandem passt zu dieser Auswahl." in filtered and f'href="{reverse("tandems:list")}"' in filtered


def test_suggestions_page_says_what_to_do_first(cast):
    client = cast.client_for(cast.team_lead)
    body = _body(client, reverse("tandems:suggestions"))
    assert "Wählen Sie zuerst das Team" in body
    body = _body(client, reverse("tandems:suggestions"), team=cast.team.pk)
    assert "Wählen Sie jetzt eine Genesungsbegleiter*in" in body


def test_suggestions_for_an_empty_team_link_to_the_team(cast):
    empty = Team.objects.create(organisation=cast.organisation, service=cast.service, name="Team Leer")
    body = _body(cast.client_for(cast.team_lead), reverse("tandems:suggestions"), team=empty.pk)
    assert "In Team Leer arbeitet noch niemand." in body
    assert f'href="{empty.get_absolute_url()}"' in body


def test_suggestions_without_a_candidate_say_whom_to_add(cast):
    TeamMembership.objects.filter(team=cast.team, function="professional").delete()
    body = _body(cast.client_for(cast.team_lead), reverse("tandems:suggestions"), team=cast.team.pk, peer=cast.peer.pk)
    assert "arbeitet außer der gewählten Person keine Fachkraft" in body


def test_an_organisation_without_teams_is_led_to_create_the_first(db):
    organisation = OrganisationFactory(name="Neu", slug="neu")
    lead = member(organisation, is_team_lead=True, email="lead@neu.example.org")
    from django.test import Client

    client = Client()
    client.force_login(lead.user)
    for url in (reverse("tandems:propose"), reverse("tandems:suggestions")):
        body = _body(client, url)
        assert "Es gibt noch kein Team." in body, url
    body = _body(client, reverse("accounts:team_list"))
    assert "Bitten Sie die Administration" in body  # no service yet, and she cannot create one


def test_people_invitations_and_notifications_explain_the_first_step(db):
    organisation = OrganisationFactory(name="Neu", slug="neu")
    admin = member(organisation, is_org_admin=True, email="admin@neu.example.org")
    from django.test import Client

    client = Client()
    client.force_login(admin.user)
    body = _body(client, reverse("accounts:invitation_list"))
    assert "Über eine Einladung erhält eine Person ihr Konto" in body
    body = _body(client, reverse("accounts:member_list"), q="niemand-hier")
    assert "Niemand passt zu Ihrer Suche." in body and "Alle anzeigen" in body
    body = _body(client, reverse("notifications:centre"))
    assert f'href="{reverse("notifications:preferences")}"' in body


def test_support_list_empty_states(cast):
    client = cast.client_for(cast.team_lead)
    assert "Es läuft keine Begleitung." in _body(client, reverse("tandems:support_list"))
    assert "In den nächsten acht Wochen endet keine Begleitung." in _body(client, reverse("tandems:support_list"), ending="1")
