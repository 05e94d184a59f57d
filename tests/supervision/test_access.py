"""Peer supervision is peer-only: professionals, team leads, org admins and outsiders get a 404."""

import re

import pytest
from django.urls import reverse

from supervision import services
from supervision.models import GroupMember, Session, SessionNote, SupervisionGroup

from ..factories import member
from .conftest import make_session


@pytest.fixture
def note(session, cast):
    return services.add_note(session=session, by=cast.peer.user, text="Vertraulich: was uns beschäftigt hat")


@pytest.fixture
def poll(group, cast):
    from django.utils import timezone

    return services.create_poll(
        group=group, by=cast.supervisor.user, title="Termin", slots=[timezone.now() + timezone.timedelta(days=20)]
    )


def _neutral(response, url):
    """The body without what differs per request anyway (the CSRF token, the page's own path)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode()).replace(url, "")


def _urls(group, session, poll):
    return [
        reverse("supervision:group_detail", args=[group.pk]),
        reverse("supervision:session_detail", args=[session.pk]),
        reverse("supervision:session_ics", args=[session.pk]),
        reverse("supervision:poll_detail", args=[poll.pk]),
    ]


@pytest.mark.parametrize("who", ["professional", "team_lead", "org_admin", "mentor", "outsider", "other_supervisor"])
def test_people_outside_the_group_get_404_on_group_session_notes_and_poll(cast, group, session, note, poll, who):
    client = cast.client_for(getattr(cast, who))
    missing_url = reverse("supervision:group_detail", args=[999999])
    missing = _neutral(client.get(missing_url), missing_url)
    for url in _urls(group, session, poll):
        response = client.get(url)
        assert response.status_code == 404, url
        assert _neutral(response, url) == missing
    body = client.get(reverse("supervision:overview")).content.decode()
    assert "beschäftigt" not in body and group.name not in body


def test_members_and_supervisors_see_the_group_and_its_notes(cast, group, session, note, poll):
    for who in (cast.peer, cast.other_peer, cast.supervisor):
        client = cast.client_for(who)
        for url in _urls(group, session, poll):
            assert client.get(url).status_code == 200, url
        assert "beschäftigt" in client.get(session.get_absolute_url()).content.decode()


def test_a_member_who_left_loses_access(cast, group, session):
    services.remove_member(member=GroupMember.objects.get(group=group, membership=cast.peer), by=cast.supervisor.user)
    assert cast.client_for(cast.peer).get(session.get_absolute_url()).status_code == 404


def test_members_cannot_do_what_only_supervisors_do(cast, group, session):
    client = cast.client_for(cast.peer)
    assert client.get(reverse("supervision:session_edit", args=[session.pk])).status_code == 404
    assert client.post(reverse("supervision:session_cancel", args=[session.pk])).status_code == 404
    assert client.get(reverse("supervision:series_create", args=[group.pk])).status_code == 404
    assert client.get(reverse("supervision:group_statistics", args=[group.pk])).status_code == 404
    assert client.post(reverse("supervision:member_add", args=[group.pk]), {"membership": cast.peer.pk}).status_code == 404
    assert Session.objects.get(pk=session.pk).status == Session.Status.SCHEDULED


def test_every_visible_to_derives_from_group_membership(cast, group, session, note):
    for model in (SupervisionGroup, Session, SessionNote):
        assert model.objects.visible_to(cast.professional.user).count() == 0
        assert model.objects.visible_to(cast.team_lead.user).count() == 0
        assert model.objects.visible_to(cast.peer.user).count() == 1


def test_external_supervisor_sees_only_the_groups_they_lead(cast, group):
    external = member(cast.organisation, is_supervisor=True, is_external=True, email="extern@example.org")
    other = services.create_group(supervisor=cast.other_supervisor, name="Andere Gruppe", by=cast.other_supervisor.user)
    services.add_supervisor(group=group, membership=external, by=cast.supervisor.user)
    client = cast.client_for(external)
    assert client.get(group.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(reverse("supervision:group_create")).status_code == 404
    listing = client.get(reverse("supervision:group_list")).content.decode()
    assert group.name in listing and "Andere Gruppe" not in listing


def test_team_lead_sees_only_the_aggregate_rate(cast, group, session):
    response = cast.client_for(cast.team_lead).get(reverse("supervision:organisation_rate"))
    assert response.status_code == 200
    body = response.content.decode()
    assert group.name not in body and cast.peer.user.display_name not in body
    assert cast.client_for(cast.professional).get(reverse("supervision:organisation_rate")).status_code == 404
    assert cast.client_for(cast.peer).get(reverse("supervision:organisation_rate")).status_code == 404


def test_navigation_entries_by_role(cast, group):
    assert "Supervisionsgruppen" in cast.client_for(cast.supervisor).get("/").content.decode()
    assert "Peer-Supervision" in cast.client_for(cast.peer).get("/").content.decode()
    professional_page = cast.client_for(cast.professional).get("/").content.decode()
    assert "Supervisionsgruppen" not in professional_page and "Peer-Supervision" not in professional_page


def test_anonymous_is_sent_to_login(client, group, session):
    response = client.get(session.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    make_session  # noqa: B018 - imported for other modules' reuse
