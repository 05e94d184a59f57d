"""Demo mentoring for `make run`: mentors for the demo peers, a proposal waiting for answers, an open
irritation, a check-in due soon.

Idempotent. The dates are chosen so that the first sweeps after start send real reminders:
Paula's mentor is reminded to acknowledge her irritation, Jonas is told that his private
irritation goes to his mentor soon, and Paula and Mia get the reminder of a check-in due tomorrow.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from . import rules
from .models import CheckIn, Irritation, MentorAssignment


def _assign(demo: Any, peer_key: str, mentor_key: str, started_on: dt.date) -> MentorAssignment | None:
    peer, mentor = demo.members[peer_key], demo.members[mentor_key]
    current = MentorAssignment.objects.current().filter(peer=peer).first()
    if current is not None:
        return current
    if rules.mentor_refusal(peer=peer, mentor=mentor):
        return None
    # Agreed by both when it was set up (the demo shows running mentorings).
    agreed = timezone.make_aware(dt.datetime.combine(started_on, dt.time(9)))
    return MentorAssignment.objects.create(
        organisation=demo.organisation, peer=peer, mentor=mentor, started_on=started_on,
        assigned_by=demo.members["lead"].user, state=MentorAssignment.State.ACCEPTED,
        peer_accepted_at=agreed, mentor_accepted_at=agreed,
    )


def _propose(demo: Any, peer_key: str, mentor_key: str) -> None:
    """A proposal still waiting for the peer's and the mentor's answers (mentoring by consent)."""
    peer, mentor = demo.members[peer_key], demo.members[mentor_key]
    if MentorAssignment.objects.filter(peer=peer).exclude(state=MentorAssignment.State.ACCEPTED).exists():
        return
    if rules.mentor_refusal(peer=peer, mentor=mentor) or MentorAssignment.objects.current().filter(peer=peer, mentor=mentor).exists():
        return
    MentorAssignment.objects.create(
        organisation=demo.organisation, peer=peer, mentor=mentor, assigned_by=demo.members["lead"].user,
        state=MentorAssignment.State.PROPOSED,
    )


@transaction.atomic
def seed(demo: Any) -> None:
    today = timezone.localdate()
    now = timezone.now()
    paula = _assign(demo, "peer", "mentor", today - dt.timedelta(weeks=10))
    _assign(demo, "peer2", "mentor2", today - dt.timedelta(weeks=3))
    _assign(demo, "volunteer", "mentor2", today - dt.timedelta(weeks=6))
    # Jonas asked for a different mentor: the lead proposed Paula's mentor; both answers are awaited.
    _propose(demo, "peer2", "mentor")
    if paula is not None and not paula.check_ins.exists():
        # Last talk 27 days ago with a four-week rhythm: the next one is due tomorrow.
        CheckIn.objects.create(
            assignment=paula, held_on=today - dt.timedelta(days=27), recorded_by=paula.mentor.user,
            note="Erstes längeres Gespräch über die Rolle im Team.",
        )
    peer = demo.members["peer"]
    if paula is not None and not Irritation.objects.filter(peer=peer).exists():
        Irritation.objects.create(
            organisation=demo.organisation,
            peer=peer,
            title="Als Klientin angesprochen",
            what_happened=(
                "In der Teamsitzung wurde ich gefragt, ob ich meine Medikamente noch nehme – vor allen anderen. "
                "Ich bin Kollegin, nicht Klientin."
            ),
            happened_on=today - dt.timedelta(days=4),
            category=Irritation.Category.HEALTH_QUESTIONS,
            wish="Ein Gespräch zu dritt, in dem wir klären, welche Fragen in die Teamsitzung gehören.",
            clarify_by=today + dt.timedelta(days=4),
            start_mode=Irritation.StartMode.MENTOR_NOW,
            mentor=paula.mentor,
            shared_with_mentor_at=now - dt.timedelta(days=3),
            mentor_since=now - dt.timedelta(days=3),
        )
    jonas = demo.members["peer2"]
    if not Irritation.objects.filter(peer=jonas).exists():
        Irritation.objects.create(
            organisation=demo.organisation,
            peer=jonas,
            title="Nicht zur Fallbesprechung eingeladen",
            what_happened="Zur Fallbesprechung über einen Klienten, den ich begleite, wurde ich nicht eingeladen.",
            happened_on=today - dt.timedelta(days=6),
            category=Irritation.Category.EXCLUSION,
            clarify_by=today + dt.timedelta(days=1),
            start_mode=Irritation.StartMode.SELF_FIRST,
        )
