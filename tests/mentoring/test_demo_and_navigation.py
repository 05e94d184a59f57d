"""Demo data, navigation entries, start-page items and the organisation's settings page."""

from __future__ import annotations

from django.urls import reverse

from accounts import demo as accounts_demo
from mentoring import demo, escalation
from mentoring.models import Irritation, MentorAssignment, MentoringSettings
from tandem.notifications.models import Notification
from tests.factories import MentorAssignmentFactory

from .conftest import raise_irritation


def test_demo_assigns_mentors_and_makes_reminders_arrive(db):
    seeded = accounts_demo.seed()
    demo.seed(seeded)
    demo.seed(seeded)  # idempotent
    members = seeded.members
    current = {a.peer_id: a.mentor_id for a in MentorAssignment.objects.current()}
    assert current == {
        members["peer"].pk: members["mentor"].pk,
        members["peer2"].pk: members["mentor2"].pk,
        members["volunteer"].pk: members["mentor2"].pk,
    }
    # Mentoring by consent: one proposal still waits for Jonas' and Mia's answers.
    proposal = MentorAssignment.objects.proposed().get()
    assert (proposal.peer, proposal.mentor) == (members["peer2"], members["mentor"])
    assert proposal.peer_accepted_at is None and proposal.mentor_accepted_at is None
    assert Irritation.objects.count() == 2
    escalation.escalate_due()
    escalation.remind_check_ins()
    mentor = members["mentor"].user
    assert Notification.objects.filter(recipient=mentor, kind="mentoring.irritation_ack_reminder").exists()
    assert Notification.objects.filter(recipient=members["peer"].user, kind="mentoring.check_in_soon").exists()
    assert Notification.objects.filter(recipient=members["peer2"].user, kind="mentoring.irritation_notice").exists()


def test_navigation_shows_each_role_its_entry(cast):
    def nav(who):
        return cast.client_for(who).get("/").content.decode()

    assert reverse("mentoring:my_irritations") in nav(cast.peer)
    assert reverse("mentoring:mentees") not in nav(cast.peer)
    assert reverse("mentoring:mentees") in nav(cast.mentor)
    assert reverse("mentoring:my_irritations") not in nav(cast.mentor)
    assert reverse("mentoring:lead_overview") in nav(cast.team_lead)
    assert reverse("mentoring:lead_overview") not in nav(cast.professional)


def test_start_page_tells_mentor_and_lead_what_needs_attention(cast, assignment):
    raise_irritation(cast, title="TITLE-XYZ")
    mentor_page = cast.client_for(cast.mentor).get("/").content.decode()
    assert "1 Irritation wartet auf Ihre Bestätigung" in mentor_page
    assert "TITLE-XYZ" not in mentor_page
    lead_page = cast.client_for(cast.team_lead).get("/").content.decode()
    assert "1 Genesungsbegleiter*in hat keine*n Mentor*in" in lead_page  # other_peer
    assert "TITLE-XYZ" not in lead_page


def test_org_admin_changes_the_mentoring_settings(cast):
    client = cast.client_for(cast.org_admin)
    url = reverse("mentoring:settings")
    assert client.get(url).status_code == 200
    data = {
        "clarify_within_days": 10, "urgent_clarify_within_days": 1, "acknowledge_within_days": 3,
        "backup_after_days": 4, "backup": cast.other_mentor.pk, "resolve_requires_peer_confirmation": "",
        "retention_months": 6,
    }
    assert client.post(url, data).status_code == 302
    settings = MentoringSettings.objects.get(organisation=cast.organisation)
    assert settings.backup == cast.other_mentor and settings.retention_months == 6
    assert not settings.resolve_requires_peer_confirmation
    assert client.post(url, {**data, "retention_months": 0}).status_code == 422
    assert client.post(url, {**data, "backup": cast.outsider.pk}).status_code == 422
    settings.refresh_from_db()
    assert settings.retention_months == 6


def test_only_org_admins_change_the_settings(cast):
    for who in (cast.team_lead, cast.mentor, cast.peer, cast.supervisor):
        response = cast.client_for(who).post(reverse("mentoring:settings"), {"retention_months": 1})
        assert response.status_code == 404
    # An admin of another organisation only ever edits her own organisation's settings.
    cast.client_for(cast.outsider).post(reverse("mentoring:settings"), {"retention_months": 1})
    assert not MentoringSettings.objects.filter(organisation=cast.organisation).exists()


def test_peer_start_page_shows_a_talk_that_is_due(cast):
    import datetime as dt

    from django.utils import timezone

    MentorAssignmentFactory(
        organisation=cast.organisation, peer=cast.peer, mentor=cast.mentor,
        started_on=timezone.localdate() - dt.timedelta(weeks=4),
    )
    page = cast.client_for(cast.peer).get("/").content.decode()
    assert "Ein Gespräch mit Ihrer*Ihrem Mentor*in steht an" in page
