"""The base layout shows each person the navigation of the roles they hold."""

from __future__ import annotations

from django.urls import reverse


def _nav(response) -> str:  # type: ignore[no-untyped-def]
    body = response.content.decode()
    start = body.index('class="main-nav"')
    return body[start : body.index("</nav>", start)]


def test_peer_sees_no_management_entries(cast):
    nav = _nav(cast.client_for(cast.peer).get(reverse("home")))
    assert f'href="{reverse("home")}"' in nav
    for name in ("accounts:member_list", "accounts:invitation_list", "accounts:organisation"):
        assert f'href="{reverse(name)}"' not in nav


def test_team_lead_sees_people_and_invitations_but_not_organisation_settings(cast):
    nav = _nav(cast.client_for(cast.team_lead).get(reverse("home")))
    assert f'href="{reverse("accounts:member_list")}"' in nav
    assert f'href="{reverse("accounts:invitation_list")}"' in nav
    assert f'href="{reverse("accounts:organisation")}"' not in nav


def test_org_admin_sees_organisation_settings(cast):
    nav = _nav(cast.client_for(cast.org_admin).get(reverse("home")))
    for name in ("accounts:member_list", "accounts:invitation_list", "accounts:organisation"):
        assert f'href="{reverse(name)}"' in nav


def test_current_page_is_marked(cast):
    nav = _nav(cast.client_for(cast.team_lead).get(reverse("accounts:member_list")))
    assert f'href="{reverse("accounts:member_list")}" aria-current="page"' in nav


def test_anonymous_visitor_gets_no_navigation(client, db):
    body = client.get(reverse("account_login")).content.decode()
    assert 'class="main-nav"' not in body


def test_management_pages_are_404_for_roles_without_them(cast):
    client = cast.client_for(cast.peer)
    for name in ("accounts:member_list", "accounts:invitation_list", "accounts:organisation", "accounts:invitation_create"):
        assert client.get(reverse(name)).status_code == 404
    assert cast.client_for(cast.team_lead).get(reverse("accounts:organisation")).status_code == 404


def test_base_layout_is_accessible(cast):
    body = cast.client_for(cast.peer).get(reverse("home")).content.decode()
    assert '<a class="skip-link" href="#main">' in body
    assert '<main id="main"' in body
    assert "<header" in body and "<footer" in body
    assert body.count("<nav aria-label=") >= 2
    assert '<label for="language-select">' in body
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in body
