"""The fixed cast every test can use, and the rule that CI never skips what it must run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from accounts.models import Membership, Organisation, Service, Team

from .factories import PASSWORD, OrganisationFactory, ServiceFactory, TeamFactory, UserFactory, member

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, what: str) -> None:
    """Skip locally when a real service is missing; in CI that is a failure, never a skip."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but not available.")
    pytest.skip(f"{what} not available")


@dataclass
class Cast:
    organisation: Organisation
    service: Service
    other_service: Service
    team: Team
    peer: Membership  # the peer who owns the objects in tests
    other_peer: Membership
    mentor: Membership  # her mentor
    other_mentor: Membership
    professional: Membership  # her tandem professional
    team_lead: Membership
    org_admin: Membership
    supervisor: Membership  # supervisor of her group
    other_supervisor: Membership
    outsider: Membership  # a user of another organisation
    outsider_organisation: Organisation
    superuser: object

    def client_for(self, who: Membership | object | None) -> Client:
        client = Client()
        if who is None:
            return client
        user = who.user if isinstance(who, Membership) else who
        client.force_login(user)
        return client


@pytest.fixture
def cast(db: None) -> Cast:
    organisation = OrganisationFactory(name="Träger Nord", slug="nord")
    service = ServiceFactory(organisation=organisation, name="Wohnen")
    other_service = ServiceFactory(organisation=organisation, name="Krisendienst")
    team = TeamFactory(service=service, name="Team A")
    outsider_org = OrganisationFactory(name="Träger Süd", slug="sued")
    return Cast(
        organisation=organisation,
        service=service,
        other_service=other_service,
        team=team,
        peer=member(organisation, team=team, is_peer=True, email="peer@example.org"),
        other_peer=member(organisation, team=team, is_peer=True, email="other-peer@example.org"),
        mentor=member(organisation, is_mentor=True, is_professional=True, email="mentor@example.org"),
        other_mentor=member(organisation, is_mentor=True, is_professional=True, email="other-mentor@example.org"),
        professional=member(organisation, team=team, is_professional=True, email="professional@example.org"),
        team_lead=member(organisation, is_team_lead=True, email="lead@example.org"),
        org_admin=member(organisation, is_org_admin=True, email="admin@example.org"),
        supervisor=member(organisation, is_supervisor=True, email="supervisor@example.org"),
        other_supervisor=member(organisation, is_supervisor=True, email="other-supervisor@example.org"),
        outsider=member(outsider_org, is_org_admin=True, is_team_lead=True, email="outsider@example.org"),
        outsider_organisation=outsider_org,
        superuser=UserFactory(email="root@example.org", is_staff=True, is_superuser=True),
    )


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language (German), whichever test ran before it on this worker."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The stateful proof's figures (tests/trust/test_stateful.py), in the normal output, with or without xdist."""
    seen: set[str] = set()
    for category in ("passed", "failed"):
        for report in terminalreporter.stats.get(category, []):
            properties = dict(getattr(report, "user_properties", []))
            if "stateful_histories" not in properties or report.nodeid in seen:
                continue
            seen.add(report.nodeid)
            terminalreporter.write_sep("-", "stateful proof")
            terminalreporter.write_line(
                f"{report.nodeid} ({category}, profile {properties['stateful_profile']}): "
                f"{properties['stateful_histories']} histories, {properties['stateful_steps']} steps, "
                f"{properties['stateful_requests']} HTTP requests, {properties['stateful_checks']} comparisons with the model"
            )
            terminalreporter.write_line(f"promises waiting for their feature: {properties['stateful_not_yet']}")
