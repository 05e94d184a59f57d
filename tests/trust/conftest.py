"""A fixture world: one object of every kind, owned by the fixed cast (tests/conftest.py).

"Her" in the names below is the cast's peer (`cast.peer`): her tandem with `cast.professional`,
her mentor `cast.mentor`, her supervision group led by `cast.supervisor`. Objects of the other
apps are created through their services when those exist, so the world follows the code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from accounts import services as account_services
from accounts.models import PlacementConflict, TeamMembership
from pairing.models import Tandem
from tandem.notifications.models import Channel, Notification
from tests.factories import MentorAssignmentFactory

# The confidential text of the world's irritation: tests look for it where it must never appear.
CONFIDENTIAL_TEXT = "VERTRAULICH-7f3a: Die Kollegin fragte vor allen nach meinen Tabletten."


@dataclass
class World:
    cast: Any
    objects: dict[str, Any] = field(default_factory=dict)
    # Non-object URL arguments (tokens, keys).
    values: dict[str, str] = field(default_factory=dict)

    def pk(self, key: str) -> int:
        return self.objects[key].pk


def build_world(cast: Any) -> World:
    world = World(cast=cast)
    o = world.objects
    o["peer_membership"] = cast.peer
    o["service"] = cast.service
    o["team"] = cast.team
    o["team_membership"] = TeamMembership.objects.get(membership=cast.peer, team=cast.team)
    invitation, token = account_services.invite(
        by=cast.org_admin.user, organisation=cast.organisation, email="newcomer@example.org", roles=["peer"]
    )
    o["invitation"] = invitation
    world.values["invitation_token"] = token
    o["placement_conflict"] = PlacementConflict.objects.create(peer=cast.peer, service=cast.other_service)
    o["tandem"] = Tandem.objects.create(
        organisation=cast.organisation,
        team=cast.team,
        peer=cast.peer,
        professional=cast.professional,
        purpose="Gemeinsam Wohnen begleiten",
        state=Tandem.State.ACTIVE,
        proposed_by=cast.team_lead.user,
    )
    o["mentor_assignment"] = MentorAssignmentFactory(
        organisation=cast.organisation, peer=cast.peer, mentor=cast.mentor, assigned_by=cast.team_lead.user
    )
    # A proposal waiting for answers: another mentor for her (the peer and that mentor answer it).
    o["mentor_proposal"] = MentorAssignmentFactory(
        organisation=cast.organisation, peer=cast.peer, mentor=cast.other_mentor, assigned_by=cast.team_lead.user,
        proposed=True,
    )
    o["notification"] = Notification.objects.create(
        recipient=cast.peer.user,
        organisation=cast.organisation,
        kind="trust.test",
        channel=Channel.IN_APP,
        dedupe_key="trust:world:peer",
        url="/",
        created_at=timezone.now(),
    )
    _mentoring(world)
    _pairing(world)
    _supervision(world)
    _volunteering(world)
    return world


def _mentoring(world: World) -> None:
    from mentoring import services as mentoring

    cast, o = world.cast, world.objects
    o["irritation"] = mentoring.raise_irritation(
        peer=cast.peer,
        by=cast.peer.user,
        title="Wie eine Klientin behandelt",
        what_happened=CONFIDENTIAL_TEXT,
        happened_on=timezone.localdate(),
        category="treated_as_client",
        start_mode="mentor_now",
        colleague=cast.professional,
    )
    # One that waits for its mentor, escalated and unacknowledged: the backup (the team lead) was told.
    from mentoring.models import EscalationStep, Irritation
    from tandem.notifications.services import notify

    waiting = mentoring.raise_irritation(
        peer=cast.peer,
        by=cast.peer.user,
        title="Nicht gehört",
        what_happened=CONFIDENTIAL_TEXT,
        happened_on=timezone.localdate(),
        category="not_heard",
        start_mode="mentor_now",
    )
    Irritation.objects.filter(pk=waiting.pk).update(escalated_at=timezone.now() - dt.timedelta(days=5))
    EscalationStep.objects.create(irritation=waiting, kind=EscalationStep.Kind.BACKUP)
    notify(
        recipients=[cast.team_lead.user],
        kind="mentoring.irritation_backup",
        event_key=f"irritation:{waiting.pk}:backup",
        organisation=cast.organisation,
        url="/",
        context={"peer_name": ""},
    )
    o["waiting_irritation"] = waiting


def _pairing(world: World) -> None:
    from pairing import services as pairing

    cast, o = world.cast, world.objects
    o["reflection"] = pairing.submit_reflection(tandem=o["tandem"], author=cast.peer, how_it_goes="Gut, wir hören einander zu.")
    o["support_process"] = pairing.start_support(
        tandem=o["tandem"], by=cast.team_lead.user, client_code="K-0417", started_on=timezone.localdate()
    )


def _supervision(world: World) -> None:
    from supervision import services as supervision

    cast, o = world.cast, world.objects
    soon = timezone.now().replace(microsecond=0) + dt.timedelta(days=10)
    group = supervision.create_group(supervisor=cast.supervisor, name="Peer-Supervision Nord", by=cast.supervisor.user)
    o["group"] = group
    o["group_member"] = supervision.add_member(group=group, membership=cast.peer, by=cast.supervisor.user)
    other = supervision.create_group(supervisor=cast.other_supervisor, name="Peer-Supervision Süd", by=cast.other_supervisor.user)
    supervision.add_member(group=other, membership=cast.other_peer, by=cast.other_supervisor.user)
    o["other_group"] = other
    o["session"] = supervision.create_session(
        group=group, by=cast.supervisor.user, title="Supervision", starts_at=soon, ends_at=soon + dt.timedelta(hours=2)
    )
    o["poll"] = supervision.create_poll(
        group=group, by=cast.supervisor.user, title="Nächster Termin", slots=[soon + dt.timedelta(days=7)]
    )
    o["series"] = supervision.create_series(  # starts beyond the horizon: no sessions generated yet
        group=group, by=cast.supervisor.user, title="Monatlich", frequency="monthly",
        starts_on=timezone.localdate() + dt.timedelta(days=200), local_time=dt.time(18, 0), video_url="https://v.example.org",
    )
    o["share"] = supervision.request_share(group=group, organisation_slug=cast.outsider_organisation.slug, by=cast.supervisor.user)
    world.values["calendar_token"] = supervision.renew_feed(user=cast.peer.user)


def _volunteering(world: World) -> None:
    """She volunteers: an agreement since two months, a billed last month, entries of this month."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import PeerProfile
    from volunteering import services as volunteering
    from volunteering.models import BillingRun, HourEntry, VolunteerAgreement

    cast, o = world.cast, world.objects
    PeerProfile.objects.filter(membership=cast.peer).update(kind=PeerProfile.Kind.VOLUNTEER)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    VolunteerAgreement.objects.create(  # from the past: created as it would have been back then
        organisation=cast.organisation, volunteer=cast.peer, valid_from=last_month, activity="Genesungsbegleitung",
        allowance_kind="26a", rate_kind="hour", rate_cents=1000, hours_per_week=4, declared_on=last_month,
        created_by=cast.team_lead.user,
    )
    volunteering.record_hours(volunteer=cast.peer, by=cast.team_lead.user, date=last_month, minutes=90, kind="tandem")
    run = volunteering.open_run(organisation=cast.organisation, month=last_month, by=cast.team_lead.user)
    o["billing_run"] = volunteering.approve_run(run=run, by=cast.team_lead.user)
    o["statement"] = o["billing_run"].statements.get()
    pdf = SimpleUploadedFile("ticket.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    o["hour_entry"] = volunteering.record_hours(
        volunteer=cast.peer, by=cast.peer.user, date=today, minutes=60, kind="travel", expense_cents=450, receipt=pdf
    )
    o["hour_entry_to_withdraw"] = volunteering.record_hours(volunteer=cast.peer, by=cast.peer.user, date=today, minutes=30, kind="tandem")
    assert HourEntry.objects.filter(volunteer=cast.peer).count() == 3
    world.values["last_year"] = str(today.year - 1)
    assert BillingRun.objects.count() == 1


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate-limit counters live in the (local-memory) cache: each test starts without them."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(cast: Any) -> World:
    return build_world(cast)
