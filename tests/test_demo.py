"""`seed_demo`: the demo organisation of `make run`, the same however often it runs."""

from __future__ import annotations

from io import StringIO

from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD, PEOPLE
from accounts.models import Membership, Organisation, PeerProfile, Service, Team, TeamMembership


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_seed_demo_twice_gives_the_same_data(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = _row_counts()
    call_command("seed_demo", stdout=StringIO())
    second = _row_counts()
    changed = {label: (first[label], second[label]) for label in first if first[label] != second[label]}
    assert changed == {}
    assert DEMO_PASSWORD in out.getvalue()


def test_demo_has_every_role_the_quick_start_promises(db):
    call_command("seed_demo", stdout=StringIO())
    organisation = Organisation.objects.get(slug="demo")
    assert Service.objects.filter(organisation=organisation).count() == 2
    assert Team.objects.filter(organisation=organisation).count() >= 2
    members = Membership.objects.active().filter(organisation=organisation)
    for role in ("is_org_admin", "is_team_lead", "is_peer", "is_professional", "is_mentor", "is_supervisor"):
        assert members.filter(**{role: True}).exists(), role
    kinds = set(PeerProfile.objects.filter(membership__organisation=organisation).values_list("kind", flat=True))
    assert {PeerProfile.Kind.EMPLOYED, PeerProfile.Kind.VOLUNTEER} <= kinds
    assert TeamMembership.objects.filter(team__organisation=organisation).exists()
    assert members.count() == len(PEOPLE)


def test_demo_team_lead_signs_in_with_the_known_password(db):
    call_command("seed_demo", stdout=StringIO())
    client = Client()
    response = client.post(reverse("account_login"), {"login": "teamleitung@example.org", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
