"""What pairing learns from mentoring, the app above it, without importing it.

Mentoring registers its facts here from its AppConfig; pairing's rule 1 (a mentor is present), its
suggestions and the dashboard's "without mentor" and irritation numbers all ask through this hook.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from accounts.models import Membership, Team


@dataclass(frozen=True)
class MentorFacts:
    # The mentor assignments that count now, as a queryset with the fields ``peer`` and ``mentor``.
    current_assignments: Callable[[], QuerySet[Any]]
    # {team_id: {"open": n, "escalated": m}}: numbers only, never content.
    irritation_counts: Callable[[list[int]], dict[int, dict[str, int]]]
    # The ids of the peer's mentor and of anyone proposed as her mentor (the mentor-partner rule).
    mentor_ids: Callable[[Membership], set[int]]
    # Where a team lead proposes a mentor for this peer (and, optionally, the same-site page to return to).
    assign_url: Callable[..., str]
    # Where a team lead sees the numbers behind a team's irritation counts.
    irritations_url: Callable[[Team], str]


_registered: list[MentorFacts] = []


def register_mentor_facts(facts: MentorFacts) -> None:
    _registered[:] = [facts]


def mentor_facts() -> MentorFacts:
    if not _registered:
        raise ImproperlyConfigured("No app registered the mentor facts pairing needs (mentoring does, in ready()).")
    return _registered[0]
