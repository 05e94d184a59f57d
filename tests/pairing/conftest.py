"""Fixtures for the pairing tests: mentors for the cast's peers and a quick way to make tandems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from pairing.models import Tandem
from tests.factories import MentorAssignmentFactory


@pytest.fixture
def mentored(cast: Any) -> Any:
    """Both of the cast's peers have an active mentor (rule of practice 1)."""
    MentorAssignmentFactory(organisation=cast.organisation, peer=cast.peer, mentor=cast.mentor)
    MentorAssignmentFactory(organisation=cast.organisation, peer=cast.other_peer, mentor=cast.other_mentor)
    return cast


@pytest.fixture
def make_tandem(cast: Any) -> Callable[..., Tandem]:
    def make(state: str = Tandem.State.ACTIVE, *, peer: Any = None, professional: Any = None, team: Any = None, **extra: Any) -> Tandem:
        today = timezone.localdate()
        values: dict[str, Any] = {
            "organisation": cast.organisation,
            "team": team or cast.team,
            "peer": peer or cast.peer,
            "professional": professional or cast.professional,
            "state": state,
            "started_on": today - dt.timedelta(days=30),
            "proposed_by": cast.team_lead.user,
        }
        if state in (Tandem.State.ACTIVE, Tandem.State.PAUSED):
            values["activated_on"] = today - dt.timedelta(days=20)
            values["peer_confirmed_at"] = values["professional_confirmed_at"] = timezone.now()
        if state == Tandem.State.ENDED:
            values["ended_on"] = today
            values["end_reason"] = Tandem.EndReason.COMPLETED
        values.update(extra)
        return Tandem.objects.create(**values)

    return make
