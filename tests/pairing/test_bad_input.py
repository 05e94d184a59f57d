"""Bad input gets a translated message next to the field, status 422, and nothing is saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import PlacementConflict
from pairing.models import Tandem
from tandem.audit.models import AuditEvent
from tests.factories import TeamFactory, member


def _post(cast, **overrides):
    data = {
        "team": cast.team.pk,
        "peer": cast.peer.pk,
        "professional": cast.professional.pk,
        "started_on": timezone.localdate().isoformat(),
        **overrides,
    }
    return cast.client_for(cast.team_lead).post(reverse("tandems:propose"), data)


def _field_error(response, field: str) -> str:
    form = response.context["form"]
    assert field in form.errors, form.errors
    return " ".join(form.errors[field])


@pytest.mark.parametrize(
    ("who", "field", "message"),
    [
        ("self", "professional", "nicht mit sich selbst"),
        ("peer_as_professional", "professional", "Genesungsbegleiter*in kann nicht"),
        ("other_org", "professional", "arbeitet nicht in Team A"),
        ("other_team", "professional", "arbeitet nicht in"),
    ],
)
def test_bad_pairings_are_refused_next_to_the_field(mentored, who, field, message):
    cast = mentored
    if who == "self":
        professional = cast.peer
    elif who == "peer_as_professional":
        professional = cast.other_peer
    elif who == "other_org":
        professional = member(cast.outsider_organisation, is_professional=True)
    else:
        other_team = TeamFactory(service=cast.service, name="Team B")
        professional = member(cast.organisation, team=other_team, is_professional=True)
    response = _post(cast, professional=professional.pk)
    assert response.status_code == 422
    assert message in _field_error(response, field)
    assert not Tandem.objects.exists()


def test_peer_of_another_team_is_refused(mentored):
    other_team = TeamFactory(service=mentored.service, name="Team B")
    peer = member(mentored.organisation, team=other_team, is_peer=True)
    response = _post(mentored, peer=peer.pk)
    assert response.status_code == 422
    assert "arbeitet nicht in" in _field_error(response, "peer")
    assert not Tandem.objects.exists()


def test_second_open_tandem_of_the_pair_is_refused(mentored, make_tandem):
    make_tandem(Tandem.State.ACTIVE)
    response = _post(mentored)
    assert response.status_code == 422
    assert "bereits" in _field_error(response, "professional")
    assert Tandem.objects.count() == 1


def test_placement_conflict_needs_a_justification_which_is_audited(mentored):
    PlacementConflict.objects.create(peer=mentored.peer, service=mentored.service)
    response = _post(mentored)
    assert response.status_code == 422
    error = _field_error(response, "placement_justification")
    assert "Einsatzkonflikt angegeben. Der Vorschlag braucht eine Begründung der Teamleitung." in error
    assert mentored.service.name not in error
    assert not Tandem.objects.exists()
    response = _post(mentored, placement_justification="Liegt zwölf Jahre zurück, andere Station.")
    assert response.status_code == 302
    tandem = Tandem.objects.get()
    assert tandem.placement_justification.startswith("Liegt")
    event = AuditEvent.objects.get(action="tandem.placement_conflict_justified")
    assert "Liegt" not in str(event.detail)


def test_capacity_warning_needs_an_explicit_confirmation(mentored, make_tandem):
    from pairing.models import PairingSettings

    PairingSettings.objects.create(organisation=mentored.organisation, max_active_per_professional=1)
    make_tandem(Tandem.State.ACTIVE, peer=mentored.other_peer)
    response = _post(mentored)
    assert response.status_code == 422
    assert "accept_warnings" in response.context["form"].errors
    assert Tandem.objects.count() == 1
    response = _post(mentored, accept_warnings="on")
    assert response.status_code == 302
    assert Tandem.objects.count() == 2


def test_end_date_before_start_is_refused(mentored, make_tandem):
    tandem = make_tandem(Tandem.State.ACTIVE)
    before = (tandem.started_on - dt.timedelta(days=1)).isoformat()
    response = mentored.client_for(mentored.team_lead).post(
        reverse("tandems:end", args=[tandem.pk]), {"on": before, "reason": "completed"}
    )
    assert response.status_code == 422
    assert "vor dem Beginn" in _field_error(response, "on")
    tandem.refresh_from_db()
    assert tandem.state == Tandem.State.ACTIVE and tandem.ended_on is None


def test_garbage_dates_and_ids_are_422_not_500(mentored, make_tandem):
    response = _post(mentored, started_on="gestern", peer="abc")
    assert response.status_code == 422
    assert not Tandem.objects.exists()


def test_planned_end_before_the_start_is_refused_next_to_the_field(mentored):
    response = _post(mentored, started_on="2026-06-01", planned_end_on="2026-05-01")
    assert response.status_code == 422
    assert "nach dem Beginn" in _field_error(response, "planned_end_on")
    assert not Tandem.objects.exists()


def test_planned_end_after_the_start_is_kept(mentored):
    response = _post(mentored, started_on="2026-06-01", planned_end_on="2027-05-31", accept_warnings="on")
    assert response.status_code == 302
    assert str(Tandem.objects.get().planned_end_on) == "2027-05-31"
