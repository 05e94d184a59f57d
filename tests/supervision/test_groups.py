"""Setting up groups: supervisors, peers only as members, sharing between organisations."""

from django.urls import reverse

from supervision.models import GroupMember, GroupShare, GroupSupervisor, SupervisionGroup

from ..factories import member


def test_supervisor_sets_up_a_group_and_leads_it(cast):
    client = cast.client_for(cast.supervisor)
    response = client.post(reverse("supervision:group_create"), {"name": "Peer-Gruppe Süd", "description": ""})
    group = SupervisionGroup.objects.get(name="Peer-Gruppe Süd")
    assert response.status_code == 302 and response["Location"] == group.get_absolute_url()
    assert group.organisation == cast.organisation
    assert GroupSupervisor.objects.filter(group=group, membership=cast.supervisor).exists()


def test_only_internal_supervisors_can_set_up_groups(cast):
    for who in (cast.peer, cast.professional, cast.team_lead, cast.org_admin):
        assert cast.client_for(who).post(reverse("supervision:group_create"), {"name": "x"}).status_code == 404
    assert not SupervisionGroup.objects.exists()


def test_empty_group_name_is_422(cast):
    response = cast.client_for(cast.supervisor).post(reverse("supervision:group_create"), {"name": ""})
    assert response.status_code == 422
    assert not SupervisionGroup.objects.exists()


def test_supervisor_adds_a_peer(cast, group):
    newcomer = member(cast.organisation, is_peer=True, email="neu@example.org")
    response = cast.client_for(cast.supervisor).post(reverse("supervision:member_add", args=[group.pk]), {"membership": newcomer.pk})
    assert response.status_code == 302
    assert GroupMember.objects.filter(group=group, membership=newcomer, left_at__isnull=True).exists()


def test_non_peer_member_is_refused_with_a_message(cast, group):
    client = cast.client_for(cast.supervisor)
    for who in (cast.professional, cast.team_lead, cast.mentor):
        response = client.post(reverse("supervision:member_add", args=[group.pk]), {"membership": who.pk})
        assert response.status_code == 422
        assert "Nur Genesungsbegleiter*innen" in response.content.decode()
        assert not GroupMember.objects.filter(group=group, membership=who).exists()


def test_non_peer_message_in_english(cast, group):
    cast.supervisor.user.preferred_language = "en"
    cast.supervisor.user.save()
    response = cast.client_for(cast.supervisor).post(reverse("supervision:member_add", args=[group.pk]), {"membership": cast.professional.pk})
    assert response.status_code == 422
    assert "Only peers can be members" in response.content.decode()


def test_peer_of_another_organisation_only_after_it_agreed_to_share(cast, group):
    foreign_peer = member(cast.outsider_organisation, is_peer=True, email="peer-sued@example.org")
    client = cast.client_for(cast.supervisor)
    refused = client.post(reverse("supervision:member_add", args=[group.pk]), {"membership": foreign_peer.pk})
    assert refused.status_code == 422
    assert client.post(reverse("supervision:share_request", args=[group.pk]), {"organisation": "sued"}).status_code == 302
    share = GroupShare.objects.get(group=group, organisation=cast.outsider_organisation)
    assert share.is_pending
    # Not yet agreed: still refused.
    assert client.post(reverse("supervision:member_add", args=[group.pk]), {"membership": foreign_peer.pk}).status_code == 422
    # The other organisation's admin sees the request (and nothing of the group) and agrees.
    outsider = cast.client_for(cast.outsider)
    assert group.name in outsider.get(reverse("supervision:share_list")).content.decode()
    assert outsider.get(group.get_absolute_url()).status_code == 404
    assert outsider.post(reverse("supervision:share_accept", args=[share.pk])).status_code == 302
    share.refresh_from_db()
    assert share.accepted_at is not None and share.accepted_by == cast.outsider.user
    assert client.post(reverse("supervision:member_add", args=[group.pk]), {"membership": foreign_peer.pk}).status_code == 302
    assert cast.client_for(foreign_peer).get(group.get_absolute_url()).status_code == 200


def test_only_the_asked_organisation_can_agree(cast, group):
    share = GroupShare.objects.create(group=group, organisation=cast.outsider_organisation)
    assert cast.client_for(cast.org_admin).post(reverse("supervision:share_accept", args=[share.pk])).status_code == 404
    share.refresh_from_db()
    assert share.accepted_at is None


def test_share_with_unknown_organisation_is_422(cast, group):
    response = cast.client_for(cast.supervisor).post(reverse("supervision:share_request", args=[group.pk]), {"organisation": "gibtsnicht"})
    assert response.status_code == 422
    assert not GroupShare.objects.exists()


def test_supervisor_must_be_a_supervisor(cast, group):
    response = cast.client_for(cast.supervisor).post(reverse("supervision:supervisor_add", args=[group.pk]), {"membership": cast.peer.pk})
    assert response.status_code == 422
    assert not GroupSupervisor.objects.filter(membership=cast.peer).exists()
    ok = cast.client_for(cast.supervisor).post(reverse("supervision:supervisor_add", args=[group.pk]), {"membership": cast.other_supervisor.pk})
    assert ok.status_code == 302


def test_removing_a_member_asks_first(cast, group):
    row = GroupMember.objects.get(group=group, membership=cast.peer)
    client = cast.client_for(cast.supervisor)
    url = reverse("supervision:member_remove", args=[group.pk, row.pk])
    assert client.get(url).status_code == 200
    assert GroupMember.objects.current().filter(pk=row.pk).exists()
    assert client.post(url).status_code == 302
    assert not GroupMember.objects.current().filter(pk=row.pk).exists()
