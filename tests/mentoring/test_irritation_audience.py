"""Issue 13 items 5, 7, 9 and the irritation dead ends of issue 15.

What the page says about who can read an irritation is rendered from the one audience function, and
that function agrees with ``visible_to`` for every person in every state; notes for herself stay
hers; every rendering by someone else is audited and the history groups repeated reads; a revoked
share takes its notification with it; a resolved irritation can be reopened for a while; the backup
person can act without reading.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from mentoring import escalation, selectors, services
from mentoring.models import Irritation, IrritationMessage, MentorAssignment, MentoringSettings
from tandem.audit.models import AuditEvent
from tandem.notifications.models import Notification

from .conftest import raise_irritation


def people(cast: Any) -> list[Any]:
    return [
        cast.peer, cast.other_peer, cast.mentor, cast.other_mentor, cast.professional, cast.team_lead,
        cast.org_admin, cast.supervisor, cast.other_supervisor, cast.outsider,
    ]


def reads(irritation: Irritation, who: Any) -> int:
    return AuditEvent.objects.for_object(irritation).filter(action="read", actor=who.user).count()


def page(cast: Any, who: Any, irritation: Irritation, language: str = "de") -> str:
    who.user.preferred_language = language
    who.user.save()
    return cast.client_for(who).get(irritation.get_absolute_url()).content.decode()


# --- The one audience function (item 5) ---------------------------------------------------------


def _self_first(cast: Any) -> Irritation:
    return raise_irritation(cast, mode=Irritation.StartMode.SELF_FIRST)


def _with_mentor(cast: Any) -> Irritation:
    return raise_irritation(cast)


def _shared(cast: Any) -> Irritation:
    irritation = raise_irritation(cast)
    return services.share_with_lead(irritation=irritation, by=cast.peer.user, lead=cast.team_lead)


def _self_first_shared(cast: Any) -> Irritation:
    irritation = _self_first(cast)
    return services.share_with_lead(irritation=irritation, by=cast.peer.user, lead=cast.team_lead)


def _mentoring_ended(cast: Any) -> Irritation:
    irritation = raise_irritation(cast)
    services.end_assignment(assignment=MentorAssignment.objects.current().get(peer=cast.peer), by=cast.team_lead.user)
    return irritation


def _lead_lost_role(cast: Any) -> Irritation:
    irritation = _shared(cast)
    cast.team_lead.is_team_lead = False
    cast.team_lead.save()
    return irritation


def _resolved_shared(cast: Any) -> Irritation:
    irritation = _shared(cast)
    return services.resolve(irritation=irritation, by=cast.peer.user)


def _revoked(cast: Any) -> Irritation:
    irritation = _shared(cast)
    return services.revoke_lead_share(irritation=irritation, by=cast.peer.user)


STATES: dict[str, Callable[[Any], Irritation]] = {
    "self_first": _self_first,
    "with_mentor": _with_mentor,
    "shared": _shared,
    "self_first_shared": _self_first_shared,
    "mentoring_ended": _mentoring_ended,
    "lead_lost_role": _lead_lost_role,
    "resolved_shared": _resolved_shared,
    "revoked": _revoked,
}


@pytest.mark.parametrize("state", sorted(STATES))
def test_the_audience_function_and_visible_to_agree_for_every_person(cast, assignment, state):
    irritation = STATES[state](cast)
    irritation = Irritation.objects.select_related("peer__user", "mentor__user", "shared_with_lead__user").get(pk=irritation.pk)
    audience = {reader.user_id for reader in selectors.audience(irritation)}
    for person in people(cast):
        visible = Irritation.objects.visible_to(person.user).filter(pk=irritation.pk).exists()
        assert visible == (person.user_id in audience), f"{state}: {person.user.email}"
        # And the page answers as both say, naming exactly that audience.
        response = cast.client_for(person).get(irritation.get_absolute_url())
        assert response.status_code == (200 if visible else 404), f"{state}: {person.user.email}"


def test_while_shared_the_peer_is_told_the_team_lead_reads_it_too(cast, assignment):
    irritation = _shared(cast)
    body = page(cast, cast.peer, irritation)
    lead = cast.team_lead.user.display_name
    mentor = cast.mentor.user.display_name
    assert (
        f"Sie, Ihr*e Mentor*in {mentor} und {lead} (Teamleitung, bis Sie das Teilen beenden) "
        "können diese Irritation jetzt lesen. Sonst niemand."
    ) in body
    assert "Sie und Ihr*e Mentor*in" not in body


def test_a_self_clarified_irritation_shared_with_a_lead_does_not_say_only_you(cast, assignment):
    irritation = _self_first_shared(cast)
    body = page(cast, cast.peer, irritation, "en")
    assert "Only you" not in body
    assert f"You and {cast.team_lead.user.display_name} (team lead, until you stop sharing it) can read" in body


def test_the_mentor_and_the_lead_read_the_same_audience_from_their_side(cast, assignment):
    irritation = _shared(cast)
    peer = cast.peer.user.display_name
    assert (
        f"You, {peer} (who raised it) and {cast.team_lead.user.display_name} (team lead, shared by her) can read"
        in page(cast, cast.mentor, irritation, "en")
    )
    assert f"You, {peer} (who raised it) and {cast.mentor.user.display_name} (her mentor) can read" in page(
        cast, cast.team_lead, irritation, "en"
    )


def test_the_sentence_follows_the_state_when_the_share_is_revoked(cast, assignment):
    irritation = _revoked(cast)
    body = page(cast, cast.peer, irritation, "en")
    assert f"You and your mentor {cast.mentor.user.display_name} can read this irritation now. Nobody else can." in body


# --- The team lead reads, nothing more ------------------------------------------------------------


def test_a_lead_reading_a_shared_irritation_sees_it_is_read_only_and_a_way_back(cast, assignment):
    irritation = _shared(cast)
    body = page(cast, cast.team_lead, irritation)
    assert "Sie können sie lesen, mehr nicht" in body
    assert reverse("notifications:centre") in body and 'href="/"' in body
    assert reverse("mentoring:irritation_message", args=[irritation.pk]) not in body
    assert reverse("mentoring:irritation_resolve", args=[irritation.pk]) not in body


# --- Notes for herself (item 7) -----------------------------------------------------------------


def test_notes_written_while_she_clarifies_it_herself_stay_hers_when_she_asks_for_help(cast, assignment):
    irritation = _self_first(cast)
    services.post_message(irritation=irritation, by=cast.peer.user, body="NOTE-KEPT: nur für mich")
    services.post_message(irritation=irritation, by=cast.peer.user, body="NOTE-SHARED: das darf sie wissen")
    kept, shared = IrritationMessage.objects.order_by("id")
    assert kept.private and shared.private
    assert not Notification.objects.filter(recipient=cast.mentor.user).exists()

    client = cast.client_for(cast.peer)
    form = client.get(reverse("mentoring:irritation_address", args=[irritation.pk])).content.decode()
    assert "NOTE-KEPT" in form and "NOTE-SHARED" in form  # she sees what would be shared, and chooses
    response = client.post(reverse("mentoring:irritation_address", args=[irritation.pk]), {"share_notes": [shared.pk]})
    assert response.status_code == 302
    irritation.refresh_from_db()
    assert irritation.mentor == cast.mentor

    mentor_page = page(cast, cast.mentor, irritation)
    assert "NOTE-SHARED" in mentor_page
    assert "NOTE-KEPT" not in mentor_page
    assert "NOTE-KEPT" in page(cast, cast.peer, irritation)
    # Also later: replies once it is with the mentor are the conversation, the kept note stays hers.
    services.post_message(irritation=irritation, by=cast.peer.user, body="AFTER: jetzt mit Ihnen")
    mentor_page = page(cast, cast.mentor, irritation)
    assert "AFTER" in mentor_page and "NOTE-KEPT" not in mentor_page


def test_escalation_by_date_does_not_open_her_notes_either(cast, assignment):
    irritation = _self_first(cast)
    services.post_message(irritation=irritation, by=cast.peer.user, body="NOTE-KEPT")
    Irritation.objects.filter(pk=irritation.pk).update(clarify_by=timezone.localdate() - dt.timedelta(days=1))
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1), tick=False):
        escalation.escalate_due()
    irritation.refresh_from_db()
    assert irritation.is_with_mentor
    assert "NOTE-KEPT" not in page(cast, cast.mentor, irritation)


def test_a_note_of_another_irritation_cannot_be_shared_through_this_one(cast, assignment):
    first = _self_first(cast)
    other = _self_first(cast)
    note = services.post_message(irritation=other, by=cast.peer.user, body="OTHER")
    with pytest.raises(ValidationError):
        services.address_to_mentor(irritation=first, by=cast.peer.user, share_notes=[note.pk])
    note.refresh_from_db()
    assert note.private
    first.refresh_from_db()
    assert not first.is_with_mentor


# --- Every read is audited, whatever page shows it (item 9) -------------------------------------


def test_a_refused_action_that_shows_the_text_records_the_read(cast, assignment):
    irritation = _with_mentor(cast)
    client = cast.client_for(cast.mentor)
    client.post(reverse("mentoring:irritation_acknowledge", args=[irritation.pk]))
    before = reads(irritation, cast.mentor)
    response = client.post(reverse("mentoring:irritation_acknowledge", args=[irritation.pk]))  # already done
    assert response.status_code == 422 and "SECRET-CONTENT" in response.content.decode()
    assert reads(irritation, cast.mentor) == before + 1


@pytest.mark.parametrize(
    "url_name,data",
    [
        ("mentoring:irritation_message", {"body": ""}),
        ("mentoring:irritation_propose", {"proposal": ""}),
        ("mentoring:irritation_address", {}),
        ("mentoring:irritation_resolve", {}),
        ("mentoring:irritation_withdraw", {}),
        ("mentoring:irritation_move_date", {"clarify_by": "nonsense"}),
        ("mentoring:irritation_share", {"lead": "999999"}),
        ("mentoring:irritation_revoke_share", {}),
        ("mentoring:irritation_reopen", {}),
    ],
)
def test_every_page_rerendered_after_a_refusal_or_invalid_form_records_the_read(cast, assignment, url_name, data):
    irritation = _with_mentor(cast)
    response = cast.client_for(cast.mentor).post(reverse(url_name, args=[irritation.pk]), data)
    assert response.status_code == 422
    assert "SECRET-CONTENT" in response.content.decode()
    assert reads(irritation, cast.mentor) == 1


def test_the_peers_own_reads_are_not_audited_as_reads(cast, assignment):
    irritation = _with_mentor(cast)
    cast.client_for(cast.peer).post(reverse("mentoring:irritation_message", args=[irritation.pk]), {"body": ""})
    assert reads(irritation, cast.peer) == 0


def test_the_peer_sees_her_read_log_grouped_by_reader(cast, assignment):
    irritation = _shared(cast)
    for _ in range(4):
        cast.client_for(cast.mentor).get(irritation.get_absolute_url())
    cast.client_for(cast.team_lead).get(irritation.get_absolute_url())
    body = page(cast, cast.peer, irritation)
    assert f"4-mal gelesen von {cast.mentor.user.display_name}, zuletzt am" in body
    assert f"Einmal gelesen von {cast.team_lead.user.display_name}, am" in body
    assert body.count(f"gelesen von {cast.mentor.user.display_name}") == 1
    english = page(cast, cast.peer, irritation, "en")
    assert f"Read 4 times by {cast.mentor.user.display_name}, last on" in english


# --- A revoked share takes its notification with it ---------------------------------------------


def test_revoking_a_share_withdraws_the_leads_notification_and_unsent_email(cast, assignment):
    irritation = _shared(cast)
    lead_rows = Notification.objects.filter(recipient=cast.team_lead.user, kind="mentoring.irritation_shared")
    assert lead_rows.filter(channel="in_app").exists()
    email = lead_rows.filter(channel="email").get()
    email.send_after = timezone.now() + dt.timedelta(hours=8)  # held back by quiet hours, say
    email.save()
    services.revoke_lead_share(irritation=irritation, by=cast.peer.user)
    assert not lead_rows.filter(channel="in_app").exists()
    email.refresh_from_db()
    assert email.cancelled_at is not None and email.sent_at is None
    centre = cast.client_for(cast.team_lead).get(reverse("notifications:centre")).content.decode()
    assert irritation.get_absolute_url() not in centre


def test_revoking_leaves_other_notifications_alone(cast, assignment):
    first = _shared(cast)
    second = _shared(cast)
    services.revoke_lead_share(irritation=first, by=cast.peer.user)
    assert Notification.objects.filter(
        recipient=cast.team_lead.user, kind="mentoring.irritation_shared", channel="in_app", object_id=str(second.pk)
    ).exists()


# --- Reopen within the organisation's period; one resolve action ----------------------------------


def test_the_peer_reopens_a_resolved_irritation_within_the_period(cast, assignment):
    irritation = _with_mentor(cast)
    services.resolve(irritation=irritation, by=cast.peer.user)
    body = page(cast, cast.peer, irritation)
    assert reverse("mentoring:irritation_reopen", args=[irritation.pk]) in body
    response = cast.client_for(cast.peer).post(reverse("mentoring:irritation_reopen", args=[irritation.pk]))
    assert response.status_code == 302
    irritation.refresh_from_db()
    assert irritation.is_open and irritation.closed_at is None
    assert irritation.clarify_by >= timezone.localdate()
    assert Notification.objects.filter(recipient=cast.mentor.user, kind="mentoring.irritation_closed",
                                       context__what="reopened").exists()
    assert AuditEvent.objects.for_object(irritation).filter(action="irritation.reopened").exists()


def test_reopening_after_the_period_is_refused(cast, assignment):
    MentoringSettings.objects.create(organisation=cast.organisation, reopen_within_days=10)
    irritation = _with_mentor(cast)
    services.resolve(irritation=irritation, by=cast.peer.user)
    with time_machine.travel(timezone.now() + dt.timedelta(days=11), tick=False):
        assert reverse("mentoring:irritation_reopen", args=[irritation.pk]) not in page(cast, cast.peer, irritation)
        response = cast.client_for(cast.peer).post(reverse("mentoring:irritation_reopen", args=[irritation.pk]))
    assert response.status_code == 422
    assert "vor zu langer Zeit geklärt" in response.content.decode()
    irritation.refresh_from_db()
    assert irritation.state == Irritation.State.RESOLVED


def test_only_the_peer_reopens_and_only_what_was_resolved(cast, assignment):
    irritation = _with_mentor(cast)
    services.resolve(irritation=irritation, by=cast.peer.user)
    with pytest.raises(ValidationError):
        services.reopen(irritation=irritation, by=cast.mentor.user)
    withdrawn = _with_mentor(cast)
    services.withdraw(irritation=withdrawn, by=cast.peer.user)
    with pytest.raises(ValidationError):
        services.reopen(irritation=withdrawn, by=cast.peer.user)


def test_with_a_proposal_on_the_table_the_peer_has_one_resolve_button(cast, assignment):
    irritation = _with_mentor(cast)
    services.propose_resolution(irritation=irritation, by=cast.mentor.user, proposal="Gespräch zu dritt")
    body = page(cast, cast.peer, irritation)
    assert body.count(reverse("mentoring:irritation_resolve", args=[irritation.pk])) == 1


def test_the_organisation_sets_the_reopen_period(cast):
    with translation.override("de"):
        cast.client_for(cast.org_admin).post(
            reverse("mentoring:settings"),
            {"clarify_within_days": 7, "urgent_clarify_within_days": 2, "acknowledge_within_days": 2,
             "backup_after_days": 3, "retention_months": 12, "reopen_within_days": 45,
             "resolve_requires_peer_confirmation": "on"},
        )
    assert MentoringSettings.objects.get(organisation=cast.organisation).reopen_within_days == 45


# --- The backup person acts, never reads ----------------------------------------------------------


@pytest.fixture
def waiting(cast, assignment) -> Irritation:
    """An escalated irritation its mentor has not acknowledged, the backup (team lead) told."""
    irritation = raise_irritation(cast, backup_may_name_me=False)
    past = timezone.now() - dt.timedelta(days=10)
    Irritation.objects.filter(pk=irritation.pk).update(
        clarify_by=timezone.localdate() - dt.timedelta(days=5), escalated_at=past, mentor_since=past
    )
    escalation.escalate_due()
    assert Notification.objects.filter(recipient=cast.team_lead.user, kind="mentoring.irritation_backup").exists()
    return irritation


def test_the_backup_email_links_to_a_page_where_she_can_act(cast, waiting):
    told = Notification.objects.get(recipient=cast.team_lead.user, kind="mentoring.irritation_backup", channel="in_app")
    assert told.url == reverse("mentoring:backup", args=[waiting.pk])
    body = cast.client_for(cast.team_lead).get(told.url).content.decode()
    assert "SECRET-CONTENT" not in body and waiting.title not in body
    assert cast.peer.user.display_name not in body  # she chose not to be named
    assert reverse("mentoring:backup_remind", args=[waiting.pk]) in body
    assert reverse("mentoring:backup_offer", args=[waiting.pk]) in body
    assert reads(waiting, cast.team_lead) == 0


def test_the_backup_reminds_the_mentor(cast, waiting):
    response = cast.client_for(cast.team_lead).post(reverse("mentoring:backup_remind", args=[waiting.pk]))
    assert response.status_code == 302
    assert Notification.objects.filter(
        recipient=cast.mentor.user, kind="mentoring.irritation_ack_reminder", dedupe_key__contains="backup_reminder"
    ).exists()
    assert AuditEvent.objects.for_object(waiting).filter(action="irritation.backup_reminded", actor=cast.team_lead.user).exists()


def test_the_backup_offers_the_peer_another_mentor_and_she_decides(cast, waiting):
    cast.client_for(cast.team_lead).post(reverse("mentoring:backup_offer", args=[waiting.pk]))
    offer = Notification.objects.get(recipient=cast.peer.user, kind="mentoring.irritation_update", channel="in_app",
                                     context__what="backup_offer")
    assert offer.url == reverse("mentoring:my_irritations")  # where she asks for a different mentor
    waiting.refresh_from_db()
    assert waiting.mentor == cast.mentor  # nothing changes by itself


def test_nobody_else_reaches_the_backup_page(cast, waiting):
    for who in (cast.peer, cast.other_peer, cast.professional, cast.supervisor, cast.outsider, cast.other_mentor):
        assert cast.client_for(who).get(reverse("mentoring:backup", args=[waiting.pk])).status_code == 404
    # Once the mentor acknowledged it, there is nothing left to do there.
    services.acknowledge(irritation=waiting, by=cast.mentor.user)
    assert cast.client_for(cast.team_lead).get(reverse("mentoring:backup", args=[waiting.pk])).status_code == 404


def test_a_backup_who_lost_her_role_loses_the_page(cast, waiting):
    cast.team_lead.is_team_lead = False
    cast.team_lead.save()
    assert cast.client_for(cast.team_lead).get(reverse("mentoring:backup", args=[waiting.pk])).status_code == 404
