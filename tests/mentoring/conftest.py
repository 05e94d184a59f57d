"""Mentoring fixtures: the cast's peer has her mentor assigned and a tandem with the professional."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from mentoring import services
from mentoring.models import Irritation, MentorAssignment
from pairing.models import Tandem
from tests.factories import MentorAssignmentFactory


@pytest.fixture
def assignment(cast: Any) -> MentorAssignment:
    return MentorAssignmentFactory(
        organisation=cast.organisation, peer=cast.peer, mentor=cast.mentor, assigned_by=cast.team_lead.user,
        started_on=timezone.localdate() - dt.timedelta(days=14),
    )


@pytest.fixture
def tandem(cast: Any) -> Tandem:
    return Tandem.objects.create(
        organisation=cast.organisation, team=cast.team, peer=cast.peer, professional=cast.professional,
        state=Tandem.State.ACTIVE,
    )


def raise_irritation(cast: Any, *, mode: str = Irritation.StartMode.MENTOR_NOW, peer: Any = None, **kwargs: Any) -> Irritation:
    peer = peer or cast.peer
    data: dict[str, Any] = {
        "title": "Als Klientin behandelt",
        "what_happened": "SECRET-CONTENT: Sie fragte vor allen nach meinen Medikamenten.",
        "happened_on": timezone.localdate(),
        "category": Irritation.Category.TREATED_AS_CLIENT,
        "start_mode": mode,
        "colleague": cast.professional,
    }
    data.update(kwargs)
    return services.raise_irritation(peer=peer, by=peer.user, **data)


@pytest.fixture
def raise_one(cast: Any) -> Any:
    def make(**kwargs: Any) -> Irritation:
        return raise_irritation(cast, **kwargs)

    return make


def normalised(body: bytes, path: str = "") -> str:
    """A page body without what legitimately differs per request (CSRF token, the request path)."""
    text = body.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    if path:
        text = text.replace(path, "PATH")
    return text
