"""A peer raises and follows an irritation; her mentor clarifies it. Bad input is refused whole."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentoring import services
from mentoring.models import Irritation, IrritationMessage, MentoringSettings
from tandem.notifications.models import Notification

from .conftest import raise_irritation


def _form(**overrides):
    data = {
        "title": "Nicht gehört",
        "what_happened": "Mein Vorschlag wurde übergangen.",
        "happened_on": timezone.localdate().isoformat(),
        "category": Irritation.Category.NOT_HEARD,
        "wish": "",
        "clarify_by": "",
        "start_mode": Irritation.StartMode.MENTOR_NOW,
    }
    data.update(overrides)
    return data


def test_peer_raises_an_irritation_for_her_mentor(cast, assignment, tandem):
    client = cast.client_for(cast.peer)
    assert client.get(reverse("mentoring:irritation_create")).status_code == 200
    response = client.post(reverse("mentoring:irritation_create"), _form(tandem=tandem.pk, colleague=cast.professional.pk))
    irritation = Irritation.objects.get()
    assert response.status_code == 302 and response["Location"] == irritation.get_absolute_url()
    assert irritation.mentor == cast.mentor and irritation.shared_with_mentor_at is not None
    assert irritation.clarify_by == timezone.localdate() + dt.timedelta(days=7)
    assert irritation.tandem == tandem and irritation.colleague == cast.professional
    assert Notification.objects.filter(recipient=cast.mentor.user, kind="mentoring.irritation_addressed").exists()
    # The colleague involved is not told anything.
    assert not Notification.objects.filter(recipient=cast.professional.user).exists()


def test_urgent_irritation_uses_the_organisations_urgent_default(cast, assignment):
    MentoringSettings.objects.create(organisation=cast.organisation, urgent_clarify_within_days=1)
    cast.client_for(cast.peer).post(reverse("mentoring:irritation_create"), _form(urgent="on"))
    assert Irritation.objects.get().clarify_by == timezone.localdate() + dt.timedelta(days=1)


def test_self_first_irritation_stays_private(cast, assignment):
    cast.client_for(cast.peer).post(reverse("mentoring:irritation_create"), _form(start_mode="self_first"))
    irritation = Irritation.objects.get()
    assert irritation.mentor is None and irritation.shared_with_mentor_at is None
    assert not Notification.objects.filter(recipient=cast.mentor.user, kind__startswith="mentoring.irritation").exists()
    # Later she asks for help.
    response = cast.client_for(cast.peer).post(reverse("mentoring:irritation_address", args=[irritation.pk]))
    assert response.status_code == 302
    irritation.refresh_from_db()
    assert irritation.mentor == cast.mentor


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"title": ""}, "title"),
        ({"what_happened": "   "}, "what_happened"),
        ({"what_happened": "x" * 4001}, "what_happened"),
        ({"title": "x" * 121}, "title"),
        ({"wish": "x" * 2001}, "wish"),
        ({"clarify_by": "2020-01-01"}, "clarify_by"),
        ({"happened_on": "2999-01-01"}, "happened_on"),
        ({"category": "diagnosis"}, "category"),
        ({"happened_on": "not a date"}, "happened_on"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(cast, assignment, overrides, field):
    response = cast.client_for(cast.peer).post(reverse("mentoring:irritation_create"), _form(**overrides))
    assert response.status_code == 422
    assert f'id="id_{field}_errors"' in response.content.decode()
    assert not Irritation.objects.exists()
    assert not Notification.objects.exists()


def test_bad_input_messages_are_german_by_default(cast, assignment):
    response = cast.client_for(cast.peer).post(reverse("mentoring:irritation_create"), _form(clarify_by="2020-01-01"))
    assert "Vergangenheit" in response.content.decode()


def test_nobody_can_raise_an_irritation_for_another_peer(cast, assignment):
    with pytest.raises(ValidationError):
        services.raise_irritation(
            peer=cast.other_peer, by=cast.peer.user, title="x", what_happened="x", happened_on=timezone.localdate(),
            category="other", start_mode="mentor_now",
        )
    assert not Irritation.objects.exists()


@pytest.mark.parametrize("who", ["professional", "team_lead", "mentor", "supervisor"])
def test_only_peers_have_an_irritation_log(cast, who):
    client = cast.client_for(getattr(cast, who))
    assert client.get(reverse("mentoring:irritation_create")).status_code == 404
    assert client.post(reverse("mentoring:irritation_create"), _form()).status_code == 404
    assert client.get(reverse("mentoring:my_irritations")).status_code == 404


def test_tandem_of_someone_else_cannot_be_chosen(cast, assignment):
    from pairing.models import Tandem

    other = Tandem.objects.create(organisation=cast.organisation, team=cast.team, peer=cast.other_peer, professional=cast.professional)
    response = cast.client_for(cast.peer).post(reverse("mentoring:irritation_create"), _form(tandem=other.pk))
    assert response.status_code == 422
    assert not Irritation.objects.exists()


def test_full_clarification_with_thread_and_confirmed_resolution(cast, assignment, raise_one):
    irritation = raise_one()
    mentor, peer = cast.client_for(cast.mentor), cast.client_for(cast.peer)
    assert mentor.post(reverse("mentoring:irritation_acknowledge", args=[irritation.pk])).status_code == 302
    irritation.refresh_from_db()
    assert irritation.state == Irritation.State.ACKNOWLEDGED
    assert mentor.post(reverse("mentoring:irritation_message", args=[irritation.pk]), {"body": "Wollen wir reden?"}).status_code == 302
    irritation.refresh_from_db()
    assert irritation.state == Irritation.State.IN_CLARIFICATION
    assert peer.post(reverse("mentoring:irritation_message", args=[irritation.pk]), {"body": "Ja, gern."}).status_code == 302
    assert IrritationMessage.objects.filter(irritation=irritation).count() == 2
    assert Notification.objects.filter(recipient=cast.mentor.user, kind="mentoring.irritation_message", channel="in_app").count() == 1
    response = mentor.post(reverse("mentoring:irritation_propose", args=[irritation.pk]), {"proposal": "Gespräch zu dritt"})
    assert response.status_code == 302
    page = peer.get(irritation.get_absolute_url()).content.decode()
    assert "Gespräch zu dritt" in page and "Ja, gern." in page
    assert peer.post(reverse("mentoring:irritation_resolve", args=[irritation.pk])).status_code == 302
    irritation.refresh_from_db()
    assert irritation.state == Irritation.State.RESOLVED and irritation.closed_at is not None


def test_mentor_may_not_resolve_without_confirmation_where_required(cast, assignment, raise_one):
    irritation = raise_one()
    response = cast.client_for(cast.mentor).post(reverse("mentoring:irritation_resolve", args=[irritation.pk]))
    assert response.status_code == 422
    assert "Bestätigung" in response.content.decode()
    irritation.refresh_from_db()
    assert irritation.state == Irritation.State.OPEN


def test_mentor_may_resolve_where_the_organisation_allows_it(cast, assignment, raise_one):
    MentoringSettings.objects.create(organisation=cast.organisation, resolve_requires_peer_confirmation=False)
    irritation = raise_one()
    assert cast.client_for(cast.mentor).post(reverse("mentoring:irritation_resolve", args=[irritation.pk])).status_code == 302
    irritation.refresh_from_db()
    assert irritation.state == Irritation.State.RESOLVED


@pytest.mark.parametrize("close", ["resolve", "withdraw"])
@pytest.mark.parametrize(
    "action,data,who",
    [
        ("irritation_message", {"body": "noch was"}, "peer"),
        ("irritation_acknowledge", {}, "mentor"),
        ("irritation_propose", {"proposal": "x"}, "mentor"),
        ("irritation_withdraw", {}, "peer"),
        ("irritation_resolve", {}, "peer"),
        ("irritation_move_date", {"clarify_by": "2099-01-01"}, "peer"),
        ("irritation_share", {"lead": "LEAD"}, "peer"),
    ],
)
def test_acting_on_a_closed_irritation_is_refused(cast, assignment, raise_one, close, action, data, who):
    irritation = raise_one()
    getattr(services, close)(irritation=irritation, by=cast.peer.user)
    data = {k: (cast.team_lead.pk if v == "LEAD" else v) for k, v in data.items()}
    client = cast.client_for(getattr(cast, who))
    response = client.post(reverse(f"mentoring:{action}", args=[irritation.pk]), data)
    assert response.status_code == 422
    body = response.content.decode()
    assert "bereits" in body  # "bereits geklärt oder zurückgezogen"
    irritation.refresh_from_db()
    assert irritation.shared_with_lead is None and irritation.clarify_by != dt.date(2099, 1, 1)
    assert not irritation.messages.exists()


def test_empty_and_long_messages_are_refused(cast, assignment, raise_one):
    irritation = raise_one()
    client = cast.client_for(cast.peer)
    assert client.post(reverse("mentoring:irritation_message", args=[irritation.pk]), {"body": " "}).status_code == 422
    assert client.post(reverse("mentoring:irritation_message", args=[irritation.pk]), {"body": "x" * 4001}).status_code == 422
    assert not irritation.messages.exists()


def test_clarify_by_cannot_move_into_the_past(cast, assignment, raise_one):
    irritation = raise_one()
    response = cast.client_for(cast.peer).post(
        reverse("mentoring:irritation_move_date", args=[irritation.pk]), {"clarify_by": "2020-01-01"}
    )
    assert response.status_code == 422
    irritation.refresh_from_db()
    assert irritation.clarify_by > dt.date(2020, 1, 1)


def test_mentor_cannot_withdraw_or_move_the_date(cast, assignment, raise_one):
    irritation = raise_one()
    client = cast.client_for(cast.mentor)
    assert client.post(reverse("mentoring:irritation_withdraw", args=[irritation.pk])).status_code == 422
    assert client.post(reverse("mentoring:irritation_move_date", args=[irritation.pk]), {"clarify_by": "2099-01-01"}).status_code == 422
    irritation.refresh_from_db()
    assert irritation.state == Irritation.State.OPEN


def test_service_level_validation_catches_empty_text(cast, assignment):
    with pytest.raises(ValidationError):
        raise_irritation(cast, what_happened="")
    assert not Irritation.objects.exists()


def test_my_irritations_page_shows_the_peers_own_irritations(cast, assignment, raise_one):
    raise_one(title="Mein Anliegen")
    raise_irritation(cast, peer=cast.other_peer, title="Fremdes Anliegen")
    body = cast.client_for(cast.peer).get(reverse("mentoring:my_irritations")).content.decode()
    assert "Mein Anliegen" in body and "Fremdes Anliegen" not in body


def test_english_user_gets_english_pages(cast, assignment, raise_one):
    cast.peer.user.preferred_language = "en"
    cast.peer.user.save()
    body = cast.client_for(cast.peer).get(reverse("mentoring:my_irritations")).content.decode()
    assert "My irritations" in body


def test_peer_is_told_who_can_see_her_irritation(cast, assignment, raise_one):
    private = raise_one(mode=Irritation.StartMode.SELF_FIRST)
    shared = raise_one()
    client = cast.client_for(cast.peer)
    assert "Nur Sie können diese Irritation jetzt lesen. Sonst niemand." in client.get(private.get_absolute_url()).content.decode()
    body = client.get(shared.get_absolute_url()).content.decode()
    assert f"Sie und Ihr*e Mentor*in {cast.mentor.user.display_name} können diese Irritation jetzt lesen. Sonst niemand." in body
