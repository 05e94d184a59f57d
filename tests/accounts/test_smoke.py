from django.urls import reverse


def test_login_page_is_german_by_default(client, db):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert response["Content-Language"] == "de"
    assert "<h1>Anmelden</h1>" in response.content.decode()


def test_team_lead_sees_start_page(cast):
    response = cast.client_for(cast.team_lead).get("/")
    assert response.status_code == 200
    assert cast.team_lead.user.display_name in response.content.decode()
