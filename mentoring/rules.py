"""Rules of practice for mentoring, as plain functions returning explanations the UI can show."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils.translation import gettext as _

from accounts.models import Membership
from pairing.rules import mentor_partner_rule, warnings_before_losing_mentor

from .models import MentorAssignment

# A check-in counts as "due soon" this many days before its day (reminder and start page).
CHECK_IN_SOON_DAYS = 2


def mentor_refusal(*, peer: Membership, mentor: Membership) -> str | None:
    """Why ``mentor`` cannot mentor ``peer``, or None if they can."""
    if mentor.pk == peer.pk:
        return _("A peer cannot be her own mentor.")
    if not mentor.is_active or not mentor.is_mentor:
        return _("This person is not a mentor in your organisation.")
    if mentor.organisation_id != peer.organisation_id:
        return _("This person is not a mentor in your organisation.")
    # The one rule for every path (pairing asks it from the tandem side).
    partner = mentor_partner_rule(peer, mentor, becoming="mentor")
    if partner.refuses:
        return partner.message
    return None


def warnings_before_ending(assignment: MentorAssignment) -> list[str]:
    """Shown on the confirmation page before a current mentoring ends (rule 1 while working)."""
    return warnings_before_losing_mentor(assignment.peer)


def has_mentor(peer: Membership) -> bool:
    """Rule of practice 1: every peer has a mentor before and while working in a team."""
    return MentorAssignment.objects.that_count().filter(peer=peer).exists()


def check_in_due_on(assignment: MentorAssignment) -> dt.date:
    """The day the next check-in is due: every N weeks after the last one (or the start).

    ``assignment`` comes from ``selectors.with_last_check_in``, which adds ``last_held_on``.
    """
    last_held_on: dt.date | None = getattr(assignment, "last_held_on", None)
    return assignment.next_check_in_on(last_held_on)


def check_in_status(due_on: dt.date, *, today: dt.date) -> Literal["soon", "overdue"] | None:
    """Whether the check-in due on ``due_on`` is overdue, due soon, or neither."""
    if today > due_on:
        return "overdue"
    if today >= due_on - dt.timedelta(days=CHECK_IN_SOON_DAYS):
        return "soon"
    return None
