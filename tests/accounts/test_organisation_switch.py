"""A person in two organisations works in one at a time and can switch between them."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import Membership


def test_person_in_two_organisations_switches(cast):
    second = Membership.objects.create(user=cast.outsider.user, organisation=cast.organisation, is_supervisor=True)
    client = cast.client_for(cast.outsider)
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert cast.organisation.name in profile and cast.outsider_organisation.name in profile
    # First the older membership: org admin of the other organisation.
    assert client.get(reverse("accounts:member_list")).status_code == 200

    response = client.post(reverse("accounts:switch_organisation"), {"membership": second.pk})
    assert response.status_code == 302
    home = client.get(reverse("home")).content.decode()
    assert cast.organisation.name in home
    # Now a supervisor here: the admin pages of the other organisation are out of reach.
    assert client.get(reverse("accounts:member_list")).status_code == 404


def test_cannot_switch_into_someone_elses_membership(cast):
    client = cast.client_for(cast.outsider)
    missing = client.post(reverse("accounts:switch_organisation"), {"membership": 987654})
    response = client.post(reverse("accounts:switch_organisation"), {"membership": cast.peer.pk})
    assert response.status_code == 404
    assert missing.status_code == 404
    assert client.get(reverse("accounts:member_list")).status_code == 200  # still in their own organisation


def test_single_organisation_shows_no_switch(cast):
    body = cast.client_for(cast.peer).get(reverse("accounts:profile")).content.decode()
    assert reverse("accounts:switch_organisation") not in body
