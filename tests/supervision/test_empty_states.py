"""Empty supervision pages say what they are for and what to do first."""

from __future__ import annotations

from django.urls import reverse


def test_a_new_groups_supervisor_is_offered_to_plan_the_first_series(cast, group):
    body = cast.client_for(cast.supervisor).get(group.get_absolute_url()).content.decode()
    assert "Keine Sitzungen geplant." in body
    assert reverse("supervision:series_create", args=[group.pk]) in body


def test_a_member_learns_who_plans_the_sessions(cast, group):
    body = cast.client_for(cast.peer).get(group.get_absolute_url()).content.decode()
    assert "Ihre Supervisor*in plant sie" in body
    assert reverse("supervision:series_create", args=[group.pk]) not in body


def test_a_peer_without_group_learns_how_to_join_one(cast):
    body = cast.client_for(cast.other_peer).get(reverse("supervision:overview")).content.decode()
    assert "Sie sind noch in keiner Supervisionsgruppe. Peer-Supervision ist ein Raum nur für" in body
    assert "Keine Sitzungen: Sie sind noch in keiner Supervisionsgruppe." in body
