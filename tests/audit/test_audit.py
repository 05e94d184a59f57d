"""The audit trail: append-only, a row per change and per confidential read, never the text."""

from __future__ import annotations

import json

import pytest
from django.core import serializers
from django.template.loader import render_to_string
from django.urls import reverse

from tandem.audit.models import AppendOnlyError, AuditEvent, register_actions
from tandem.audit.services import record, record_read, timeline
from tandem.notifications import services as notifications

pytestmark = pytest.mark.django_db

SECRET = "Mein Kollege behandelt mich wie eine Klientin, und ich traue mich nicht, es ihm zu sagen."


def _all_audit_text() -> str:
    return serializers.serialize("json", AuditEvent.objects.all())


def test_a_change_writes_one_row_with_who_what_and_when(cast):
    event = record(actor=cast.team_lead.user, action="changed", obj=cast.team, detail={"fields": ["name"]})
    assert AuditEvent.objects.count() == 1
    assert (event.actor, event.action, event.object_id, event.organisation) == (
        cast.team_lead.user, "changed", str(cast.team.pk), cast.organisation
    )
    assert event.outcome == AuditEvent.Outcome.OK and event.occurred_at is not None


def test_a_confidential_read_by_someone_else_is_recorded_without_the_text(cast):
    # The object stands in for a confidential entry: the trail names it, never its content.
    assert record_read(reader=cast.mentor.user, obj=cast.peer, author=cast.peer.user) is not None
    assert record_read(reader=cast.peer.user, obj=cast.peer, author=cast.peer.user) is None  # the author's own
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_id) == ("read", cast.mentor.user, str(cast.peer.pk))
    assert event.detail == {}


def test_confidential_text_is_refused_in_detail(cast):
    with pytest.raises(ValueError, match="free text"):
        record(actor=cast.peer.user, action="changed", obj=cast.team, detail={"note": SECRET})
    with pytest.raises(ValueError, match="free text"):
        record(actor=cast.peer.user, action="changed", detail={"fields": ["title", SECRET]})
    with pytest.raises(ValueError):
        record(actor=cast.peer.user, action="changed", detail={"object": object()})
    assert not AuditEvent.objects.exists()
    assert SECRET not in _all_audit_text()


def test_preference_changes_are_audited_without_content(cast):
    notifications.save_preferences(
        user=cast.peer.user, deliveries={}, quiet_from="21:00", quiet_until="06:00", digest_at="08:00"
    )
    event = AuditEvent.objects.get(action="notifications.preferences_changed")
    assert event.actor == cast.peer.user
    assert json.dumps(event.detail) == '{"kinds": []}'


def test_rows_cannot_be_changed_or_deleted_through_the_application(cast):
    event = record(actor=cast.team_lead.user, action="changed", obj=cast.team)
    event.action = "created"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="created")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.action == "changed"


def test_admin_is_read_only(cast):
    event = record(actor=cast.team_lead.user, action="changed", obj=cast.team)
    admin = cast.client_for(cast.superuser)
    assert admin.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    assert admin.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert admin.get(reverse("admin:audit_auditevent_delete", args=[event.pk])).status_code == 403
    response = admin.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"action": "created"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.action == "changed" and AuditEvent.objects.count() == 1


def test_timeline_lists_an_objects_history_newest_first_with_labels(cast):
    register_actions({"tests.renamed": "Renamed for the test"})
    record(actor=cast.team_lead.user, action="created", obj=cast.team)
    record(actor=cast.team_lead.user, action="tests.renamed", obj=cast.team)
    record(actor=cast.team_lead.user, action="changed", obj=cast.service)  # another object
    events = list(timeline(cast.team))
    assert [e.action for e in events] == ["tests.renamed", "created"]
    html = render_to_string("audit/_timeline.html", {"events": events})
    assert "Renamed for the test" in html and "Angelegt" in html and cast.team_lead.user.display_name in html
    assert "Verlauf" in html
