"""A professional's lived-experience disclosure: the audience he chose sees it, nobody else, at once.

The cast's professional works in Team A with the peer (his tandem partner) and the other peer.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import services
from accounts.disclosure import audience, sees_lived_experience
from accounts.models import ProfessionalProfile
from pairing.models import Tandem
from tandem.audit.models import AuditEvent
from tests.factories import member

Visibility = ProfessionalProfile.Visibility
LINE = "has lived experience of crisis and shares this with you"
LINE_DE = "hat eigene Krisenerfahrung und teilt das mit Ihnen"


@pytest.fixture
def tandem(cast):
    return Tandem.objects.create(
        organisation=cast.organisation, team=cast.team, peer=cast.peer, professional=cast.professional,
        state=Tandem.State.ACTIVE,
    )


def _disclose(cast, visible_to: str, has: bool = True) -> None:  # type: ignore[no-untyped-def]
    response = cast.client_for(cast.professional).post(
        reverse("accounts:lived_experience"), {"has_lived_experience": "on" if has else "", "visible_to": visible_to}
    )
    assert response.status_code == 302


def _viewers(cast):  # type: ignore[no-untyped-def]
    return {
        "peer": cast.peer,  # his tandem partner, in his team
        "other_peer": cast.other_peer,  # in his team, not his partner
        "mentor": cast.mentor,  # a professional of the organisation, in no team
        "team_lead": cast.team_lead,
        "org_admin": cast.org_admin,
        "supervisor": cast.supervisor,
        "other_mentor": cast.other_mentor,
        "other_supervisor": cast.other_supervisor,
        "outsider": cast.outsider,
    }


EXPECTED = {
    Visibility.NOBODY: set(),
    Visibility.TANDEM: {"peer"},
    Visibility.TEAM: {"peer", "other_peer"},
    Visibility.PEERS: {"peer", "other_peer"},
    Visibility.ORGANISATION: {
        "peer", "other_peer", "mentor", "team_lead", "org_admin", "supervisor", "other_mentor", "other_supervisor",
    },
}


@pytest.mark.parametrize("choice", list(EXPECTED))
def test_the_chosen_audience_sees_it_and_nobody_else(cast, tandem, choice):
    _disclose(cast, choice)
    seen = {name for name, who in _viewers(cast).items() if sees_lived_experience(who.user, cast.professional)}
    assert seen == EXPECTED[choice]
    # What he is told on his profile is computed by the same rule.
    assert {m.pk for m in audience(cast.professional)} == {_viewers(cast)[name].pk for name in EXPECTED[choice]}
    assert sees_lived_experience(cast.professional.user, cast.professional)


def test_peers_of_the_organisation_outside_his_team(cast, tandem):
    elsewhere = member(cast.organisation, is_peer=True, email="peer-elsewhere@example.org")
    _disclose(cast, Visibility.TEAM)
    assert not sees_lived_experience(elsewhere.user, cast.professional)
    _disclose(cast, Visibility.PEERS)
    assert sees_lived_experience(elsewhere.user, cast.professional)


def test_his_tandem_partner_sees_it_on_the_tandem_page(cast, tandem):
    _disclose(cast, Visibility.TANDEM)
    page = cast.client_for(cast.peer).get(tandem.get_absolute_url())
    assert page.status_code == 200
    assert LINE_DE in page.content.decode()
    # The team lead opens the same page and does not see it.
    lead_page = cast.client_for(cast.team_lead).get(tandem.get_absolute_url()).content.decode()
    assert LINE_DE not in lead_page


def test_the_organisation_sees_it_on_the_people_page(cast, tandem):
    url = reverse("accounts:member_detail", args=[cast.professional.pk])
    _disclose(cast, Visibility.TEAM)
    assert LINE_DE not in cast.client_for(cast.team_lead).get(url).content.decode()
    _disclose(cast, Visibility.ORGANISATION)
    assert LINE_DE in cast.client_for(cast.team_lead).get(url).content.decode()


def test_the_line_speaks_the_viewers_language(cast, tandem):
    cast.peer.user.preferred_language = "en"
    cast.peer.user.save()
    _disclose(cast, Visibility.TANDEM)
    assert LINE in cast.client_for(cast.peer).get(tandem.get_absolute_url()).content.decode()


def test_he_withdraws_it_at_once(cast, tandem):
    _disclose(cast, Visibility.ORGANISATION)
    client = cast.client_for(cast.peer)
    assert LINE_DE in client.get(tandem.get_absolute_url()).content.decode()
    profile_page = cast.client_for(cast.professional).get(reverse("accounts:profile")).content.decode()
    assert cast.peer.user.display_name in profile_page  # he is told who sees it now
    _disclose(cast, Visibility.NOBODY)  # the "withdraw now" button sends exactly this
    assert LINE_DE not in client.get(tandem.get_absolute_url()).content.decode()
    assert not sees_lived_experience(cast.peer.user, cast.professional)
    assert audience(cast.professional) == []
    assert "Außer Ihnen sieht das niemand." in cast.client_for(cast.professional).get(reverse("accounts:profile")).content.decode()


def test_unticking_the_experience_hides_it_whatever_the_audience(cast, tandem):
    _disclose(cast, Visibility.ORGANISATION)
    _disclose(cast, Visibility.ORGANISATION, has=False)
    profile = ProfessionalProfile.objects.get(membership=cast.professional)
    assert profile.lived_experience_visible_to == Visibility.NOBODY
    assert not any(sees_lived_experience(who.user, cast.professional) for who in _viewers(cast).values())


def test_the_audience_follows_the_current_tandems_and_teams(cast, tandem):
    _disclose(cast, Visibility.TANDEM)
    assert sees_lived_experience(cast.peer.user, cast.professional)
    tandem.state = Tandem.State.ENDED
    tandem.save()
    assert not sees_lived_experience(cast.peer.user, cast.professional)
    _disclose(cast, Visibility.TEAM)
    assert sees_lived_experience(cast.other_peer.user, cast.professional)
    team_membership = cast.other_peer.team_memberships.get()
    services.end_team_membership(team_membership=team_membership, by=cast.team_lead.user)
    assert not sees_lived_experience(cast.other_peer.user, cast.professional)


def test_someone_who_left_sees_it_no_more(cast, tandem):
    _disclose(cast, Visibility.ORGANISATION)
    services.end_membership(membership=cast.other_peer, by=cast.org_admin.user)
    assert not sees_lived_experience(cast.other_peer.user, cast.professional)


def test_a_change_appears_in_nobody_elses_timeline(cast, tandem):
    _disclose(cast, Visibility.TANDEM)
    _disclose(cast, Visibility.NOBODY)
    assert AuditEvent.objects.filter(action="lived_experience.changed").count() == 2  # recorded
    lead_page = cast.client_for(cast.team_lead).get(reverse("accounts:member_detail", args=[cast.professional.pk]))
    admin_page = cast.client_for(cast.org_admin).get(reverse("accounts:member_detail", args=[cast.professional.pk]))
    for page in (lead_page, admin_page):
        body = page.content.decode()
        assert "Offenlegung" not in body
        assert "Disclosure" not in body
    operator = cast.client_for(cast.superuser).get(reverse("admin:audit_auditevent_changelist")).content.decode()
    assert "lived_experience.changed" not in operator
    # His own profile lists his changes, for him alone.
    own = cast.client_for(cast.professional).get(reverse("accounts:profile")).content.decode()
    assert "Ihre Änderungen (nur Sie sehen sie)" in own


def test_nobody_else_can_change_it(cast):
    from django.core.exceptions import ValidationError

    profile = ProfessionalProfile.objects.get(membership=cast.professional)
    with pytest.raises(ValidationError):
        services.set_lived_experience(
            profile=profile, by=cast.team_lead.user, has_lived_experience=True, visible_to=Visibility.ORGANISATION
        )
