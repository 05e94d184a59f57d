"""Only the peer, and her current mentor once it reached the mentor, can see an irritation.

Everyone else gets the same 404 as for an id that does not exist, and finds it nowhere.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse

from mentoring import services, stats
from mentoring.models import Irritation
from tandem.audit.models import AuditEvent
from tandem.notifications.models import Notification
from tests.factories import agreed_through_services
from tests.queries import pinned_queries

from .conftest import normalised

OTHERS = ["other_peer", "other_mentor", "professional", "team_lead", "org_admin", "supervisor", "other_supervisor",
          "outsider", "superuser"]
MISSING_ID = 987654


def _url(pk: int) -> str:
    return reverse("mentoring:irritation_detail", args=[pk])


def assert_same_as_missing(client, irritation: Irritation) -> None:
    response = client.get(_url(irritation.pk))
    missing = client.get(_url(MISSING_ID))
    assert response.status_code == 404
    assert missing.status_code == 404
    assert normalised(response.content, _url(irritation.pk)) == normalised(missing.content, _url(MISSING_ID))


def test_peer_reads_her_own_irritation(cast, assignment, raise_one):
    irritation = raise_one()
    response = cast.client_for(cast.peer).get(_url(irritation.pk))
    assert response.status_code == 200
    assert "SECRET-CONTENT" in response.content.decode()


def test_mentor_reads_irritation_addressed_to_her(cast, assignment, raise_one):
    irritation = raise_one()
    response = cast.client_for(cast.mentor).get(_url(irritation.pk))
    assert response.status_code == 200
    assert "SECRET-CONTENT" in response.content.decode()


def test_self_clarify_irritation_is_invisible_to_the_mentor_until_it_escalates(cast, assignment, raise_one):
    irritation = raise_one(mode=Irritation.StartMode.SELF_FIRST)
    assert_same_as_missing(cast.client_for(cast.mentor), irritation)
    assert not Irritation.objects.visible_to(cast.mentor.user).exists()
    mentees = cast.client_for(cast.mentor).get(reverse("mentoring:mentees"))
    assert "Als Klientin" not in mentees.content.decode()


@pytest.mark.parametrize("who", OTHERS)
@pytest.mark.parametrize("mode", list(Irritation.StartMode.values))
def test_nobody_else_can_learn_that_an_irritation_exists(cast, assignment, tandem, raise_one, who, mode):
    irritation = raise_one(mode=mode)
    client = cast.client_for(getattr(cast, who))
    assert_same_as_missing(client, irritation)
    user = getattr(cast, who) if who == "superuser" else getattr(cast, who).user
    assert not Irritation.objects.visible_to(user).exists()
    # Acting on it is the same 404.
    for name in ["irritation_acknowledge", "irritation_withdraw", "irritation_resolve", "irritation_message"]:
        assert client.post(reverse(f"mentoring:{name}", args=[irritation.pk]), {"body": "x"}).status_code == 404
    irritation.refresh_from_db()
    assert irritation.state == Irritation.State.OPEN
    assert not irritation.messages.exists()


def test_anonymous_visitor_is_sent_to_login(cast, assignment, raise_one):
    irritation = raise_one()
    response = cast.client_for(None).get(_url(irritation.pk))
    assert response.status_code == 302
    from django.contrib.auth.models import AnonymousUser

    assert not Irritation.objects.visible_to(AnonymousUser()).exists()


@pytest.mark.parametrize("who", ["team_lead", "org_admin", "professional", "other_mentor", "other_peer"])
def test_lists_and_pages_of_other_roles_never_show_content_or_title(cast, assignment, raise_one, who):
    raise_one(what_happened="SECRET-CONTENT here", title="TITLE-XYZ")
    client = cast.client_for(getattr(cast, who))
    for name in ["mentoring:lead_overview", "mentoring:mentees", "mentoring:my_irritations", "home",
                 "notifications:centre"]:
        response = client.get(reverse(name))
        body = response.content.decode()
        assert "SECRET-CONTENT" not in body and "TITLE-XYZ" not in body, name


def test_member_search_does_not_reveal_irritations(cast, assignment, raise_one):
    raise_one(title="TITLE-XYZ")
    response = cast.client_for(cast.team_lead).get(reverse("accounts:member_list"), {"q": "TITLE-XYZ"})
    body = response.content.decode()
    assert "/mentoring/irritations/" not in body
    assert cast.peer.user.display_name not in body


def test_notifications_never_carry_the_content(cast, assignment, raise_one, mailoutbox):
    from tandem.notifications.sending import send_due

    irritation = raise_one(title="TITLE-XYZ", wish="WISH-XYZ")
    services.post_message(irritation=irritation, by=cast.mentor.user, body="MESSAGE-XYZ")
    services.propose_resolution(irritation=irritation, by=cast.mentor.user, proposal="PROPOSAL-XYZ")
    assert Notification.objects.exists()
    for row in Notification.objects.all():
        assert "XYZ" not in str(row.context) and "SECRET" not in str(row.context)
    send_due(now=irritation.created_at + dt.timedelta(days=1))
    assert mailoutbox
    for message in mailoutbox:
        text = message.subject + message.body + str(message.alternatives)
        assert "XYZ" not in text and "SECRET-CONTENT" not in text


def test_irritations_are_not_in_django_admin(cast):
    from mentoring.models import CheckIn, IrritationMessage

    for model in (Irritation, IrritationMessage, CheckIn):
        assert model not in admin.site._registry
    client = cast.client_for(cast.superuser)
    assert client.get("/admin/mentoring/irritation/").status_code == 404


def test_sharing_with_the_team_lead_is_revocable(cast, assignment, raise_one):
    irritation = raise_one()
    peer = cast.client_for(cast.peer)
    lead = cast.client_for(cast.team_lead)
    assert_same_as_missing(lead, irritation)
    response = peer.post(reverse("mentoring:irritation_share", args=[irritation.pk]), {"lead": cast.team_lead.pk})
    assert response.status_code == 302
    assert lead.get(_url(irritation.pk)).status_code == 200
    # Another lead or the admin still cannot see it.
    assert_same_as_missing(cast.client_for(cast.org_admin), irritation)
    response = peer.post(reverse("mentoring:irritation_revoke_share", args=[irritation.pk]))
    assert response.status_code == 302
    assert_same_as_missing(lead, irritation)


def test_team_lead_with_shared_irritation_cannot_act_on_it(cast, assignment, raise_one):
    irritation = raise_one()
    services.share_with_lead(irritation=irritation, by=cast.peer.user, lead=cast.team_lead)
    lead = cast.client_for(cast.team_lead)
    response = lead.post(reverse("mentoring:irritation_withdraw", args=[irritation.pk]))
    assert response.status_code == 422
    irritation.refresh_from_db()
    assert irritation.state == Irritation.State.OPEN


def test_only_a_team_lead_of_her_organisation_can_be_shared_with(cast, assignment, raise_one):
    irritation = raise_one()
    response = cast.client_for(cast.peer).post(
        reverse("mentoring:irritation_share", args=[irritation.pk]), {"lead": cast.outsider.pk}
    )
    assert response.status_code == 422
    irritation.refresh_from_db()
    assert irritation.shared_with_lead is None


def test_every_read_by_someone_else_is_audited(cast, assignment, raise_one):
    irritation = raise_one()
    reads = AuditEvent.objects.for_object(irritation).filter(action="read")
    cast.client_for(cast.peer).get(_url(irritation.pk))
    assert reads.count() == 0
    cast.client_for(cast.mentor).get(_url(irritation.pk))
    assert list(reads.values_list("actor", flat=True)) == [cast.mentor.user.pk]
    services.share_with_lead(irritation=irritation, by=cast.peer.user, lead=cast.team_lead)
    cast.client_for(cast.team_lead).get(_url(irritation.pk))
    assert reads.count() == 2
    assert all("SECRET" not in str(e.detail) for e in AuditEvent.objects.all())


def test_old_mentor_loses_access_and_new_mentor_needs_the_peers_consent(cast, assignment, raise_one):
    irritation = raise_one()
    agreed_through_services(cast.peer, cast.other_mentor, by=cast.team_lead.user)
    assert_same_as_missing(cast.client_for(cast.mentor), irritation)
    assert_same_as_missing(cast.client_for(cast.other_mentor), irritation)
    page = cast.client_for(cast.peer).get(reverse("mentoring:my_irritations")).content.decode()
    assert reverse("mentoring:hand_over") in page
    response = cast.client_for(cast.peer).post(reverse("mentoring:hand_over"))
    assert response.status_code == 302
    assert cast.client_for(cast.other_mentor).get(_url(irritation.pk)).status_code == 200
    assert_same_as_missing(cast.client_for(cast.mentor), irritation)


def test_a_mentor_who_left_the_organisation_sees_nothing(cast, assignment, raise_one):
    import datetime as dt

    irritation = raise_one()
    cast.mentor.ended_on = dt.date.today()
    cast.mentor.save()
    assert not Irritation.objects.visible_to(cast.mentor.user).filter(pk=irritation.pk).exists()


def test_team_counts_are_numbers_only_and_leave_private_logs_out(cast, assignment, raise_one):
    raise_one()
    raise_one(mode=Irritation.StartMode.SELF_FIRST)
    escalated = raise_one()
    Irritation.objects.filter(pk=escalated.pk).update(escalated_at=escalated.created_at)
    withdrawn = raise_one()
    services.withdraw(irritation=withdrawn, by=cast.peer.user)
    with pinned_queries(1, where="irritation_counts_per_team"):
        counts = stats.irritation_counts_per_team([cast.team.pk, 999])
    assert counts == {cast.team.pk: {"open": 2, "escalated": 1}, 999: {"open": 0, "escalated": 0}}
    body = cast.client_for(cast.team_lead).get(reverse("mentoring:lead_overview")).content.decode()
    assert "Als Klientin" not in body


def test_a_peer_counts_for_the_teams_she_belongs_to_now(cast, assignment, raise_one):
    from accounts.models import TeamMembership
    from tests.factories import TeamFactory

    raise_one()
    new_team = TeamFactory(service=cast.service)
    TeamMembership.objects.filter(membership=cast.peer).update(ended_on=TeamMembership.objects.first().started_on)
    TeamMembership.objects.create(team=new_team, membership=cast.peer, function="peer")
    counts = stats.irritation_counts_per_team([cast.team.pk, new_team.pk])
    assert counts[new_team.pk]["open"] == 1
