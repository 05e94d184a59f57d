"""Team leads propose mentors (the mentoring begins when both agree); history is kept; a tandem partner
cannot be the mentor."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from mentoring import escalation, services
from mentoring.models import CheckIn, Irritation, MentorAssignment
from tandem.audit.models import AuditEvent
from tandem.notifications.models import Notification
from tests.factories import agreed_through_services, member


def _post_assign(client, peer, mentor, **extra):
    data = {"peer": peer.pk, "mentor": mentor.pk, "check_in_every_weeks": 4}
    data.update(extra)
    return client.post(reverse("mentoring:assign"), data)


@pytest.mark.parametrize("who", ["team_lead", "org_admin"])
def test_lead_or_admin_proposes_a_mentor_and_it_begins_when_both_agree(cast, who):
    response = _post_assign(cast.client_for(getattr(cast, who)), cast.peer, cast.mentor)
    assert response.status_code == 302
    proposal = MentorAssignment.objects.get(peer=cast.peer)
    assert proposal.is_proposed and proposal.mentor == cast.mentor
    assert not MentorAssignment.objects.current().exists()
    assert AuditEvent.objects.filter(action="mentor.proposed").exists()
    url = reverse("mentoring:proposal", args=[proposal.pk])
    assert Notification.objects.get(recipient=cast.peer.user, kind="mentoring.mentor_proposed", channel="in_app").url == url
    assert Notification.objects.get(recipient=cast.mentor.user, kind="mentoring.mentee_proposed", channel="in_app").url == url
    for person in (cast.peer, cast.mentor):
        assert cast.client_for(person).post(reverse("mentoring:proposal_accept", args=[proposal.pk])).status_code == 302
    assignment = MentorAssignment.objects.current().get(peer=cast.peer)
    assert assignment.mentor == cast.mentor
    assert AuditEvent.objects.filter(action="mentor.assigned").exists()
    assert Notification.objects.filter(recipient=cast.peer.user, kind="mentoring.mentor_assigned").exists()
    assert Notification.objects.filter(recipient=cast.mentor.user, kind="mentoring.mentee_assigned").exists()


def test_assign_page_preselects_the_peer(cast):
    response = cast.client_for(cast.team_lead).get(reverse("mentoring:assign"), {"peer": cast.peer.pk})
    assert response.status_code == 200
    assert f'<option value="{cast.peer.pk}" selected>' in response.content.decode()


def test_assign_page_refuses_a_peer_of_another_organisation(cast):
    other_peer = member(cast.outsider_organisation, is_peer=True)
    response = cast.client_for(cast.team_lead).get(reverse("mentoring:assign"), {"peer": other_peer.pk})
    assert response.status_code == 404
    assert cast.client_for(cast.team_lead).get(reverse("mentoring:assign"), {"peer": "abc"}).status_code == 404


@pytest.mark.parametrize("who", ["peer", "mentor", "professional", "supervisor"])
def test_other_roles_cannot_assign(cast, who):
    client = cast.client_for(getattr(cast, who))
    assert client.get(reverse("mentoring:assign")).status_code == 404
    assert _post_assign(client, cast.peer, cast.mentor).status_code == 404
    assert not MentorAssignment.objects.exists()


def test_lead_of_another_organisation_cannot_assign_our_people(cast):
    response = _post_assign(cast.client_for(cast.outsider), cast.peer, cast.mentor)
    assert response.status_code == 422  # "not a valid choice", as for an id that does not exist
    assert not MentorAssignment.objects.exists()


def test_tandem_partner_cannot_be_the_mentor(cast, tandem):
    cast.professional.is_mentor = True
    cast.professional.save()
    response = _post_assign(cast.client_for(cast.team_lead), cast.peer, cast.professional)
    assert response.status_code == 422
    # The team lead reads German (the profile default).
    assert (
        "Die*der Mentor*in vermittelt gerade bei den Konflikten, die zwischen Tandempartner*innen entstehen können."
        in response.content.decode()
    )
    assert not MentorAssignment.objects.exists()
    assert AuditEvent.objects.filter(action="mentor.assign_refused", outcome="refused").exists()


def test_tandem_partner_refusal_is_explained_in_german(cast, tandem):
    cast.professional.is_mentor = True
    cast.professional.save()
    client = cast.client_for(cast.team_lead)
    cast.team_lead.user.preferred_language = "de"
    cast.team_lead.user.save()
    body = _post_assign(client, cast.peer, cast.professional).content.decode()
    assert "Tandem" in body and "Mentor*in" in body


def test_ended_tandem_partner_may_become_mentor(cast, tandem):
    tandem.state = tandem.State.ENDED
    tandem.ended_on = timezone.localdate()
    tandem.save()
    cast.professional.is_mentor = True
    cast.professional.save()
    assert _post_assign(cast.client_for(cast.team_lead), cast.peer, cast.professional).status_code == 302


def test_mentor_must_have_the_mentor_role(cast):
    # Not offered in the form, and refused by the service too.
    response = _post_assign(cast.client_for(cast.team_lead), cast.peer, cast.professional)
    assert response.status_code == 422
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.propose_mentor(peer=cast.peer, mentor=cast.professional, by=cast.team_lead.user)
    assert not MentorAssignment.objects.exists()


def test_bad_interval_is_refused(cast):
    response = _post_assign(cast.client_for(cast.team_lead), cast.peer, cast.mentor, check_in_every_weeks=0)
    assert response.status_code == 422
    assert not MentorAssignment.objects.exists()


def test_reassigning_keeps_history_and_one_active(cast, assignment):
    response = _post_assign(cast.client_for(cast.team_lead), cast.peer, cast.other_mentor)
    assert response.status_code == 302
    assert MentorAssignment.objects.filter(peer=cast.peer).count() == 2
    # The current mentoring goes on until the new one is agreed by both.
    assert MentorAssignment.objects.current().get(peer=cast.peer) == assignment
    proposal = MentorAssignment.objects.proposed().get(peer=cast.peer)
    services.accept_mentoring(assignment=proposal, by=cast.peer.user)
    services.accept_mentoring(assignment=proposal, by=cast.other_mentor.user)
    current = MentorAssignment.objects.current().get(peer=cast.peer)
    assert current.mentor == cast.other_mentor
    assignment.refresh_from_db()
    assert assignment.ended_on is not None
    history = cast.client_for(cast.team_lead).get(reverse("mentoring:peer_history", args=[cast.peer.pk]))
    body = history.content.decode()
    assert cast.mentor.user.display_name in body and cast.other_mentor.user.display_name in body


def test_assigning_the_same_mentor_again_is_refused(cast, assignment):
    assert _post_assign(cast.client_for(cast.team_lead), cast.peer, cast.mentor).status_code == 422
    assert MentorAssignment.objects.filter(peer=cast.peer).count() == 1


def test_lead_ends_an_assignment(cast, assignment):
    client = cast.client_for(cast.team_lead)
    url = reverse("mentoring:assignment_end", args=[assignment.pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assignment.refresh_from_db()
    assert assignment.ended_on is not None
    assert cast.client_for(cast.outsider).post(url).status_code == 404


def test_open_irritations_stay_with_the_peer_when_the_mentoring_ends(cast, assignment, raise_one):
    irritation = raise_one()
    services.end_assignment(assignment=assignment, by=cast.team_lead.user)
    irritation.refresh_from_db()
    assert irritation.mentor is None and irritation.handover_pending
    agreed_through_services(cast.peer, cast.other_mentor, by=cast.team_lead.user)
    irritation.refresh_from_db()
    assert irritation.mentor is None  # not without her consent
    assert services.hand_over(peer=cast.peer, by=cast.peer.user) == 1
    irritation.refresh_from_db()
    assert irritation.mentor == cast.other_mentor and not irritation.handover_pending


def test_mentor_records_a_check_in_and_the_next_one_moves(cast, assignment):
    client = cast.client_for(cast.mentor)
    today = timezone.localdate()
    response = client.post(reverse("mentoring:check_in", args=[assignment.pk]), {"held_on": today.isoformat(), "note": "NOTE-XYZ"})
    assert response.status_code == 302
    assert CheckIn.objects.get().note == "NOTE-XYZ"
    page = client.get(reverse("mentoring:mentees")).content.decode()
    from django.utils.formats import date_format

    assert date_format(today + dt.timedelta(weeks=4), "DATE_FORMAT") in page
    # The private note is the mentor's: not on the peer's page, not for the lead.
    assert "NOTE-XYZ" not in cast.client_for(cast.peer).get(reverse("mentoring:my_irritations")).content.decode()
    assert cast.client_for(cast.other_mentor).get(reverse("mentoring:check_in", args=[assignment.pk])).status_code == 404
    assert cast.client_for(cast.team_lead).get(reverse("mentoring:check_in", args=[assignment.pk])).status_code == 404


def test_check_in_in_the_future_is_refused(cast, assignment):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = cast.client_for(cast.mentor).post(reverse("mentoring:check_in", args=[assignment.pk]), {"held_on": tomorrow.isoformat()})
    assert response.status_code == 422
    assert not CheckIn.objects.exists()


def test_mentor_changes_the_check_in_interval(cast, assignment):
    url = reverse("mentoring:check_in_interval", args=[assignment.pk])
    assert cast.client_for(cast.mentor).post(url, {"check_in_every_weeks": 2}).status_code == 302
    assignment.refresh_from_db()
    assert assignment.check_in_every_weeks == 2
    assert cast.client_for(cast.mentor).post(url, {"check_in_every_weeks": 99}).status_code == 422


def test_check_in_reminders_reach_both_once(cast):
    start = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        assignment = agreed_through_services(cast.peer, cast.mentor, by=cast.team_lead.user)
    due = assignment.started_on + dt.timedelta(weeks=4)
    kinds = Notification.objects.filter(channel="in_app", kind__startswith="mentoring.check_in")
    with time_machine.travel(start + dt.timedelta(days=20), tick=False):
        escalation.remind_check_ins()
    assert not kinds.exists()
    with time_machine.travel(start + dt.timedelta(days=26), tick=False):
        escalation.remind_check_ins()
        escalation.remind_check_ins()
    assert sorted(kinds.values_list("recipient", "kind")) == sorted(
        [(cast.peer.user.pk, "mentoring.check_in_soon"), (cast.mentor.user.pk, "mentoring.check_in_soon")]
    )
    with time_machine.travel(start + dt.timedelta(days=29), tick=False):
        escalation.remind_check_ins()
        escalation.remind_check_ins()
    assert kinds.filter(kind="mentoring.check_in_overdue").count() == 2
    # A talk recorded: the next one is four weeks later, no more reminders now.
    with time_machine.travel(start + dt.timedelta(days=30), tick=False):
        services.record_check_in(assignment=assignment, by=cast.mentor.user, held_on=due)
        before = kinds.count()
        escalation.remind_check_ins()
    assert kinds.count() == before


def test_mentee_page_shows_open_irritations_and_next_check_in(cast, assignment, raise_one):
    irritation = raise_one(title="Nicht gehört")
    body = cast.client_for(cast.mentor).get(reverse("mentoring:mentees")).content.decode()
    assert cast.peer.user.display_name in body
    assert irritation.get_absolute_url() in body
    # Only the category on the list: the content is read on its page, where reads are audited.
    assert "Nicht gehört" not in body and "wie ein*e Klient*in behandelt werden" in body
    assert not AuditEvent.objects.filter(action="read").exists()


def test_peer_without_mentor_sees_it_on_her_page(cast):
    body = cast.client_for(cast.peer).get(reverse("mentoring:my_irritations")).content.decode()
    assert (
        "Sie haben zurzeit keine*n Mentor*in. Ihre Irritationen bleiben bei Ihnen, "
        "und Ihre Teamleitung wurde gebeten, eine*n Mentor*in zu finden."
    ) in body


def test_lead_overview_marks_peers_without_mentor(cast, assignment):
    body = cast.client_for(cast.team_lead).get(reverse("mentoring:lead_overview")).content.decode()
    assert cast.other_peer.user.display_name in body
    assert Irritation.objects.count() == 0


def test_ending_an_ended_assignment_is_refused(cast, assignment):
    from django.core.exceptions import ValidationError

    services.end_assignment(assignment=assignment, by=cast.team_lead.user)
    stale = MentorAssignment.objects.get(pk=assignment.pk)
    stale.ended_on = None  # a second lead's page loaded before the first ended it
    with pytest.raises(ValidationError):
        services.end_assignment(assignment=stale, by=cast.org_admin.user)
    assert AuditEvent.objects.filter(action="mentor.ended").count() == 1
