"""Privacy: export (Art. 15/20), erasure of a person who left (Art. 17), record of processing
(Art. 30), and the completeness of the personal-data registry over all models."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from accounts import privacy as account_privacy
from accounts import services as account_services
from accounts.models import Membership, Organisation, User
from pairing.models import Tandem
from tandem import privacy
from tandem.audit.models import AuditEvent
from tests.queries import assert_constant_queries

from .conftest import CONFIDENTIAL_TEXT

# --- Export ---------------------------------------------------------------------------------------


def test_person_downloads_all_their_data_as_json(world: Any) -> None:
    cast = world.cast
    response = cast.client_for(cast.peer).get(reverse("privacy:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    document = json.loads(response.content)
    assert document["person"]["email"] == cast.peer.user.email
    data = document["data"]
    assert {"accounts.User", "accounts.Membership", "tandem.Tandem", "mentoring.Irritation", "mentoring.MentorAssignment"} <= set(data)
    # Her own confidential irritation is hers to take away.
    assert data["mentoring.Irritation"]["rows"][0]["what_happened"] == CONFIDENTIAL_TEXT
    assert data["accounts.PlacementConflict"]["rows"]
    text = response.content.decode()
    assert cast.other_peer.user.email not in text, "another person's data is not part of my export"
    assert "md5$" not in text and "password" not in text, "no password hash"


def test_export_of_a_mentor_does_not_contain_the_peers_irritation(world: Any) -> None:
    response = world.cast.client_for(world.cast.mentor).get(reverse("privacy:export"))
    assert response.status_code == 200
    assert CONFIDENTIAL_TEXT not in response.content.decode()


def test_the_mentors_private_check_in_note_is_in_her_export_not_the_peers(world: Any) -> None:
    from mentoring.models import CheckIn, MentorAssignment

    cast = world.cast
    assignment = MentorAssignment.objects.current().get(peer=cast.peer)
    CheckIn.objects.create(
        assignment=assignment, held_on=assignment.started_on, note="MENTOR-PRIVATE-NOTE", recorded_by=cast.mentor.user
    )
    peer_export = cast.client_for(cast.peer).get(reverse("privacy:export"))
    assert "MENTOR-PRIVATE-NOTE" not in peer_export.content.decode()
    # The talk itself concerns her too: its date is in her export, without the note.
    rows = json.loads(peer_export.content)["data"]["mentoring.CheckIn"]["rows"]
    assert rows and all("note" not in row for row in rows)
    mentor_export = cast.client_for(cast.mentor).get(reverse("privacy:export")).content.decode()
    assert "MENTOR-PRIVATE-NOTE" in mentor_export


def test_erasing_a_mentor_takes_her_notes_not_the_peers_talks(world: Any) -> None:
    from mentoring.models import CheckIn, MentorAssignment

    cast = world.cast
    assignment = MentorAssignment.objects.current().get(peer=cast.peer)
    talk = CheckIn.objects.create(assignment=assignment, held_on=assignment.started_on, note="N", recorded_by=cast.mentor.user)
    privacy.registry()["mentoring.CheckIn"].erase(cast.mentor.user, {})  # type: ignore[operator]
    talk.refresh_from_db()
    assert talk.note == ""


def test_export_needs_sign_in(client: Any, db: None) -> None:
    response = client.get(reverse("privacy:export"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- Erasure --------------------------------------------------------------------------------------


def _leave(world: Any, who: Membership) -> None:
    account_services.end_membership(membership=who, by=world.cast.org_admin.user)


def _every_text_column_containing(needle: str) -> list[str]:
    """Search every text and JSON column of every table for ``needle`` (as a whole word: the search
    for peer@example.org must not find other-peer@example.org)."""
    pattern = r"(^|[^[:alnum:]._%+-])" + re.escape(needle) + r"($|[^[:alnum:]_-])"
    found = []
    for model in apps.get_models():
        text_fields = [f for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
        if not text_fields:
            continue
        condition = Q()
        annotations = {}
        for f in text_fields:
            if isinstance(f, models.JSONField):
                annotations[f"_t_{f.attname}"] = Cast(f.attname, models.TextField())
                condition |= Q(**{f"_t_{f.attname}__iregex": pattern})
            else:
                condition |= Q(**{f"{f.attname}__iregex": pattern})
        for row in model._base_manager.annotate(**annotations).filter(condition).values("pk"):
            found.append(f"{model._meta.label}#{row['pk']}")
    return found


def test_org_admin_erases_a_person_who_left(world: Any) -> None:
    cast = world.cast
    peer_user = cast.peer.user
    email, name = peer_user.email, peer_user.full_name
    irritation_pk = world.objects["irritation"].pk
    assert _every_text_column_containing(email), "the search must be able to find the address"
    _leave(world, cast.peer)

    response = cast.client_for(cast.org_admin).post(reverse("accounts:member_erase", args=[cast.peer.pk]))
    assert response.status_code == 302

    peer_user.refresh_from_db()
    assert peer_user.erased_at is not None
    assert not peer_user.is_active and not peer_user.has_usable_password()
    assert peer_user.email != email and peer_user.full_name != name
    # Confidential irritations are gone, with their threads.
    from mentoring.models import Irritation, IrritationMessage

    assert not Irritation.objects.filter(pk=irritation_pk).exists()
    assert not IrritationMessage.objects.filter(irritation_id=irritation_pk).exists()
    # The tandem and the audit trail keep the person, as a pseudonym.
    tandem = Tandem.objects.get(pk=world.objects["tandem"].pk)
    assert tandem.peer.user == peer_user
    assert str(tandem).startswith(privacy.pseudonym(peer_user))
    assert AuditEvent.objects.filter(actor=peer_user).exists()
    assert AuditEvent.objects.filter(action="privacy.person_erased", actor=cast.org_admin.user).exists()
    # Nothing else refers to them: their address and name are nowhere in the database.
    assert _every_text_column_containing(email) == []
    assert _every_text_column_containing(name) == []
    # They can no longer sign in.
    assert not cast.client_for(None).login(email=email, password="correct-horse-battery-9")


def test_erasing_someone_still_active_is_refused(world: Any) -> None:
    cast = world.cast
    response = cast.client_for(cast.org_admin).post(reverse("accounts:member_erase", args=[cast.peer.pk]))
    assert response.status_code == 422
    assert (
        "Beenden Sie zuerst die Mitgliedschaft: Nur Personen, die ausgeschieden sind, können gelöscht werden."
        in response.content.decode()
    )
    cast.peer.user.refresh_from_db()
    assert cast.peer.user.erased_at is None
    assert world.objects["irritation"].__class__.objects.filter(pk=world.objects["irritation"].pk).exists()


def test_person_active_in_another_organisation_is_not_erased(world: Any) -> None:
    cast = world.cast
    _leave(world, cast.peer)
    Membership.objects.create(user=cast.peer.user, organisation=cast.outsider_organisation, is_peer=True)
    response = cast.client_for(cast.org_admin).post(reverse("accounts:member_erase", args=[cast.peer.pk]))
    assert response.status_code == 422
    cast.peer.user.refresh_from_db()
    assert cast.peer.user.erased_at is None


def test_team_lead_cannot_erase(world: Any) -> None:
    _leave(world, world.cast.peer)
    response = world.cast.client_for(world.cast.team_lead).post(reverse("accounts:member_erase", args=[world.cast.peer.pk]))
    assert response.status_code == 404
    world.cast.peer.user.refresh_from_db()
    assert world.cast.peer.user.erased_at is None


# --- Record of processing ---------------------------------------------------------------------------


def test_record_of_processing_is_generated_from_the_registry(world: Any) -> None:
    response = world.cast.client_for(world.cast.peer).get(reverse("privacy:record"))
    assert response.status_code == 200
    page = response.content.decode()
    entries = privacy.registry().values()
    assert entries
    with translation.override("de"):  # the peer reads German
        for entry in entries:
            assert str(entry.model._meta.verbose_name_plural).lower() in page.lower()
            assert escape(str(entry.purpose)) in page


# --- Completeness over all models ---------------------------------------------------------------------

# Models that hold no personal data although they point to a person, with the reason.
NOT_PERSONAL: dict[str, str] = {}

# Models that hold organisation data but have no visible_to of their own, with the one way they are read.
REACHED_THROUGH: dict[str, str] = {
    "accounts.PeerProfile": "read and written only on member_detail, after get_member_for_manager",
    "accounts.ProfessionalProfile": "read only by its owner (profile) and on member_detail after get_member_for_manager",
    "audit.AuditEvent": "shown only through timeline(obj) on pages whose object was fetched by its access helper",
    "tandem.PairingSettings": "one row per organisation, read through the org admin's own membership",
    "tandem.TandemPause": "shown only on a tandem fetched through Tandem.objects.visible_to",
    "tandem.ThreeWayMeeting": "shown only on a support process fetched through SupportProcess.objects.visible_to",
    "mentoring.MentoringSettings": "one row per organisation, read through the org admin's own membership",
    "mentoring.CheckIn": "shown only on an assignment fetched through get_assignment_for_mentor/manager",
    "mentoring.IrritationMessage": "shown only on an irritation fetched through Irritation.objects.visible_to",
    "mentoring.EscalationStep": "shown only on an irritation fetched through Irritation.objects.visible_to",
    "notifications.NotificationPreference": "a person's own settings, read only for request.user",
    "notifications.DeliverySettings": "a person's own settings, read only for request.user",
}

PERSON_MODELS = {"accounts.User", "accounts.Membership"}


def _points_to(model: type[models.Model], labels: set[str]) -> bool:
    return any(
        f.is_relation and f.concrete and f.related_model is not None and f.related_model._meta.label in labels
        for f in model._meta.get_fields()
    )


def _project_models() -> list[type[models.Model]]:
    project_apps = {"accounts", "audit", "notifications", "tandem", "mentoring", "supervision"}
    return [m for m in apps.get_models() if m._meta.app_label in project_apps]


def test_every_model_with_personal_data_is_registered() -> None:
    registered = set(privacy.registry())
    missing = [
        m._meta.label
        for m in apps.get_models()
        if (m._meta.label in PERSON_MODELS or _points_to(m, PERSON_MODELS))
        and m._meta.label not in registered
        and m._meta.label not in NOT_PERSONAL
    ]
    assert not missing, f"Register these with tandem.privacy from their app (export, erasure, purpose, retention): {missing}"


def test_registry_names_only_real_models_and_valid_lookups(world: Any) -> None:
    for label, entry in privacy.registry().items():
        assert entry.model._meta.label == label
        assert entry.purpose and entry.retention
        list(entry.rows(world.cast.peer.user)[:1])  # every lookup resolves
        for owned, lookup in entry.owned_by:
            assert owned in {f.attname for f in entry.model._meta.concrete_fields}
            list(entry.model._base_manager.values(lookup)[:1])


def test_every_model_with_organisation_data_is_scoped() -> None:
    unscoped = [
        m._meta.label
        for m in _project_models()
        if (_points_to(m, {"accounts.Organisation"} | PERSON_MODELS) or m is Organisation)
        and not hasattr(m._default_manager, "visible_to")
        and m._meta.label not in REACHED_THROUGH
        and m._meta.label not in PERSON_MODELS - {"accounts.Membership"}
    ]
    assert not unscoped, f"Give these a visible_to(user) queryset method (or document how they are reached): {unscoped}"


def test_visible_to_hides_everything_from_anonymous_and_outsiders(world: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    outsider = world.cast.outsider.user
    scoped = [model for model in _project_models() if hasattr(model._default_manager, "visible_to")]
    assert scoped, "no model has visible_to: the checks below would prove nothing"
    for model in scoped:
        manager = model._default_manager
        assert not manager.visible_to(AnonymousUser()).exists(), model._meta.label
        if model is not Organisation and _points_to(model, {"accounts.Organisation"}):
            leaked = manager.visible_to(outsider).filter(organisation=world.cast.organisation)
            assert not leaked.exists(), f"{model._meta.label} shows another organisation's rows"


@pytest.mark.parametrize("word", ["diagnos", "icd", "symptom", "medication", "medikament", "krankheit", "disorder"])
def test_no_field_looks_like_a_diagnosis(word: str) -> None:
    """Tandem treats peers as colleagues: no diagnoses, no clinical history of staff (rule 7)."""
    offending = [
        f"{m._meta.label}.{f.name}"
        for m in _project_models()
        for f in m._meta.get_fields()
        if word in f.name.lower() or word in str(getattr(f, "verbose_name", "")).lower()
    ]
    offending += [m._meta.label for m in _project_models() if word in m.__name__.lower()]
    assert not offending, f"Fields that look clinical: {offending}"


def test_erasure_handles_every_registered_model(world: Any) -> None:
    """Run the real erasure over the whole world: no handler breaks on a model's constraints."""
    cast = world.cast
    for who in (cast.peer, cast.mentor, cast.supervisor):
        _leave(world, who)
        erased = account_privacy.erase_member(membership=who, by=cast.org_admin.user)
        assert erased.erased_at is not None
    assert User.objects.filter(erased_at__isnull=False).count() == 3


def _notifications(user: Any, count: int) -> None:
    from tandem.notifications.models import Channel, Notification

    start = Notification.objects.count()
    Notification.objects.bulk_create(
        Notification(recipient=user, kind="trust.test", channel=Channel.IN_APP, dedupe_key=f"trust:{start + n}")
        for n in range(count)
    )


@pytest.mark.parametrize(("page", "queries"), [("privacy:export", 46), ("privacy:record", 7)])
def test_privacy_pages_do_not_grow_with_rows(world: Any, page: str, queries: int) -> None:
    client = world.cast.client_for(world.cast.peer)
    assert_constant_queries(client, reverse(page), lambda n: _notifications(world.cast.peer.user, n), expected=queries)


def test_privacy_pages_speak_german_first(world: Any) -> None:
    response = world.cast.client_for(world.cast.peer).get(reverse("privacy:record"))
    page = response.content.decode()
    assert "Verzeichnis von Verarbeitungstätigkeiten" in page
    assert "Beschäftigungsverhältnis" in page
